//! The live conformance gate: the scenario against a real cluster, every exchange through the four
//! checks (see [`crate::replay`]), each finding classified, and reports for people and for CI.

use flink_rest::Pair;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, Result};
use flink_rest_codegen::ledger;
use flink_rest_codegen::Apis;
use serde::Serialize;

use crate::evidence::{self, Observations};
use crate::fixture::{Exchange, Kind};
pub use crate::live::Target;
use crate::replay::{spec_path, Checker, Outcome, Spec};

mod render;
pub use render::{html, junit, markdown, write_reports};

/// What one exchange (or one endpoint, the worst of its exchanges) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// As the version's own docs document it.
    Conforms,
    /// Not as its docs say, but as the ledger says for this version.
    Explained,
    /// Bad input, answered as reported (not a failure).
    BadInput,
    /// Not exercised in this run.
    NotExercised,
    /// A ledger entry for this version that no exchange bears out any more (fails: update the ledger).
    Resolved,
    /// Neither its docs nor the ledger explains it (fails).
    NewDrift,
    /// A 5xx the spec does not name, to a valid request (fails).
    ServerError,
}

impl Class {
    pub fn fails(self) -> bool {
        matches!(self, Class::Resolved | Class::NewDrift | Class::ServerError)
    }
    pub fn name(self) -> &'static str {
        match self {
            Class::Conforms => "conforms",
            Class::Explained => "explained by the ledger",
            Class::BadInput => "bad input",
            Class::NotExercised => "not exercised",
            Class::Resolved => "resolved ledger entry",
            Class::NewDrift => "new drift",
            Class::ServerError => "server error",
        }
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Finding {
    pub class: Class,
    pub endpoint: Option<Pair>,
    pub request: String,
    pub status: u16,
    pub step: String,
    /// Why it is in its class: failed checks, the ledger entries that explain it, the error.
    pub details: Vec<String>,
}

/// Per endpoint/verb pair: its worst finding against the corrected spec, and whether every answer
/// conforms to the version's own docs as written.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EndpointResult {
    pub endpoint: String,
    pub class: Class,
    pub raw_conforms: bool,
    pub exchanges: usize,
    pub details: Vec<String>,
}

/// `report.json`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Report {
    pub flink_version: String,
    pub base_url: String,
    pub endpoints: Vec<EndpointResult>,
    pub findings: Vec<Finding>,
    pub resolved: Vec<String>,
    /// Ledger entries for this version whose behaviour depends on timing (a null seen only when no
    /// checkpoint failed, say) and that this run did not see: reported, not failed.
    pub not_seen: Vec<String>,
    pub ledger_entries: usize,
    pub seconds: f64,
    /// Where a live run's time went: the cluster's start, then each scenario step (seconds).
    pub timings: Vec<(String, f64)>,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.endpoints.iter().any(|e| e.class.fails()) || !self.resolved.is_empty()
    }
    pub fn count(&self, class: Class) -> usize {
        self.endpoints.iter().filter(|e| e.class == class).count()
    }
    pub fn raw_conforming(&self) -> usize {
        self.endpoints.iter().filter(|e| e.raw_conforms).count()
    }
}

/// Runs the gate (one live run, see [`crate::live`]) and builds its report.
pub fn run(root: &Path, apis: &Apis, target: Target) -> Result<Report> {
    let started = Instant::now();
    let live = crate::live::run(root, target)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let exchanges = &live.recording.exchanges;
    let mut report = runtime.block_on(evaluate(root, apis, &live.version, exchanges))?;
    report.base_url = live.base_url;
    let ready = live.ready.map(|d| ("cluster start".to_string(), d));
    report.timings = (ready.into_iter().chain(live.recording.steps))
        .map(|(step, took)| (step, took.as_secs_f64()))
        .collect();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Classifies the checked-in fixtures of `version` as if they were a live run (offline).
pub fn from_fixtures(root: &Path, apis: &Apis, version: &str) -> Result<Report> {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let dir = root.join("contract-tests/fixtures").join(version);
    let exchanges: Vec<Exchange> = crate::fixture::load_dir(&dir)?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let mut report = runtime.block_on(evaluate(root, apis, version, &exchanges))?;
    report.base_url = format!("contract-tests/fixtures/{version}");
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Checks then classifies recorded or live exchanges of one version.
pub async fn evaluate(
    root: &Path,
    apis: &Apis,
    version: &str,
    exchanges: &[Exchange],
) -> Result<Report> {
    let checks = check(root, apis, version, exchanges).await?;
    classify(apis, &checks)
}

/// What the checks said about each exchange of a run, before any verdict.
pub struct Checks {
    /// The version the run was against, and the one whose corrected spec it was held to (the same,
    /// or the nearest older version the ledger names).
    pub version: String,
    pub ledger_version: String,
    pub exchanges: Vec<Checked>,
    /// What the run's answers showed, for weighing the ledger's entries.
    pub observations: Observations,
}

/// One exchange and what the checks found.
pub struct Checked {
    pub endpoint: Option<Pair>,
    /// `GET /jobs/…?query`.
    pub request: String,
    pub status: u16,
    pub step: String,
    pub result: CheckResult,
}

pub enum CheckResult {
    /// Bad input the scenario sent on purpose (or a pair no docs list): the error it got.
    BadInput { error: String },
    /// A documented pair's answer: the four checks against the corrected spec, whether it conforms
    /// to the version's own docs as written, and the server's error if it sent one.
    Answered {
        outcome: Outcome,
        raw_conforms: bool,
        error: String,
    },
}

/// Runs every exchange through the four checks (see [`crate::replay`]) against the version's
/// corrected spec, and validates it against its docs as written.
pub async fn check(
    root: &Path,
    apis: &Apis,
    version: &str,
    exchanges: &[Exchange],
) -> Result<Checks> {
    let corrected = corrected(apis, version)?;
    let (ledger_version, api) = (&corrected.version, &corrected.api);
    let mut spec = Spec::load(&spec_path(root, ledger_version))?;
    // The version's own docs as written: what "conforms" means.
    let docs = apis.docs_of(ledger_version);
    let mut raw = Spec::load(&root.join(format!(
        "generated/openapi/flink-rest-{}.json",
        docs.variant
    )))?;
    let checker = Checker::start().await?;
    let mut checked = Vec::new();
    let mut observations = Observations::default();
    for (i, e) in exchanges.iter().enumerate() {
        let mut e = e.clone();
        e.flink_version = ledger_version.to_string();
        evidence::add(&mut observations, api, &format!("live-{i:03}"), &e);
        let query = e.request.query.as_deref().map(|q| format!("?{q}"));
        let result = match e.endpoint.filter(|_| e.kind == Kind::Scenario) {
            None => CheckResult::BadInput {
                error: first_error(&e),
            },
            Some(endpoint) => {
                let documented = raw.statuses(endpoint).contains(&e.response.status);
                let valid = e.response.body.as_ref().is_none_or(|b| {
                    raw.validate(endpoint, e.response.status, b)
                        .is_some_and(|errors| errors.is_empty())
                });
                CheckResult::Answered {
                    outcome: checker.check(&e, &mut spec).await?,
                    raw_conforms: documented && valid,
                    error: first_error(&e),
                }
            }
        };
        checked.push(Checked {
            request: format!(
                "{} {}{}",
                e.request.method,
                e.request.path,
                query.unwrap_or_default()
            ),
            endpoint: e.endpoint,
            status: e.response.status,
            step: e.step,
            result,
        });
    }
    Ok(Checks {
        version: version.to_string(),
        ledger_version: ledger_version.to_string(),
        exchanges: checked,
        observations,
    })
}

/// The version's corrected API, or for a version the ledger does not name, the nearest older one's.
fn corrected<'a>(
    apis: &'a Apis,
    version: &str,
) -> Result<&'a flink_rest_codegen::ledger::Corrected> {
    (apis.versions.iter())
        .find(|c| c.version == version)
        .or_else(|| {
            (apis.versions.iter()).rfind(|c| ledger::compare_versions(&c.version, version).is_le())
        })
        .ok_or_else(|| anyhow!("the ledger covers no version at or below {version}"))
}

/// The verdicts (pure): each exchange's class, each ledger entry of the version borne out, resolved
/// or not seen, and each pair of the version its worst finding.
pub fn classify(apis: &Apis, checks: &Checks) -> Result<Report> {
    let corrected = corrected(apis, &checks.ledger_version)?;
    let (ledger_version, api) = (&corrected.version, &corrected.api);
    let findings: Vec<Finding> = checks.exchanges.iter().map(finding).collect();
    let (resolved, not_seen, ledger_entries) = weigh_ledger(apis, checks, &findings);
    let endpoints = (api.operations.iter())
        .map(|op| endpoint_result(apis, ledger_version, &op.key, &findings))
        .collect();
    Ok(Report {
        flink_version: checks.version.clone(),
        base_url: String::new(),
        endpoints,
        findings,
        resolved,
        not_seen,
        ledger_entries,
        seconds: 0.0,
        timings: Vec::new(),
    })
}

fn finding(c: &Checked) -> Finding {
    let (class, details) = match &c.result {
        CheckResult::BadInput { error } => (Class::BadInput, vec![error.clone()]),
        CheckResult::Answered {
            outcome,
            raw_conforms,
            error,
        } => {
            if c.status >= 500 && outcome.status.is_err() {
                (Class::ServerError, vec![error.clone()])
            } else if !outcome.passed() {
                (Class::NewDrift, outcome.failures())
            } else if *raw_conforms {
                (Class::Conforms, Vec::new())
            } else {
                (Class::Explained, Vec::new())
            }
        }
    };
    Finding {
        class,
        endpoint: c.endpoint,
        request: c.request.clone(),
        status: c.status,
        step: c.step.clone(),
        details,
    }
}

/// The version's ledger entries no answer bears out: resolved (the gate fails: update the ledger)
/// where the run reached their pairs and the change is not a timing-dependent null, else not seen;
/// and how many entries correct the version's docs. Entries that hold for the version but change
/// nothing in its docs (moot or redundant there) are not weighed.
fn weigh_ledger(
    apis: &Apis,
    checks: &Checks,
    findings: &[Finding],
) -> (Vec<String>, Vec<String>, usize) {
    let versions: BTreeSet<String> = [checks.ledger_version.clone()].into();
    let exercised: BTreeSet<&str> = (findings.iter())
        .filter_map(|f| f.endpoint.map(Pair::key))
        .collect();
    let applied: BTreeSet<&str> = (apis.versions.iter())
        .filter(|c| c.version == checks.ledger_version)
        .flat_map(|c| &c.fits)
        .filter(|(_, fit)| *fit == ledger::Fit::Applied)
        .map(|(id, _)| id.as_str())
        .collect();
    let (mut resolved, mut not_seen, mut entries) = (Vec::new(), Vec::new(), 0);
    for (_, entry) in &apis.ledger.entries {
        if !applied.contains(entry.id.as_str()) {
            continue;
        }
        entries += 1;
        if evidence::supported(entry, apis, &checks.observations, &versions) {
            continue;
        }
        let reached = entry.endpoints.is_empty()
            || (entry.endpoints.iter()).any(|e| exercised.contains(e.as_str()));
        match entry.change.timing_dependent() || !reached {
            true => not_seen.push(entry.id.clone()),
            false => resolved.push(entry.id.clone()),
        }
    }
    (resolved, not_seen, entries)
}

/// One pair of the version (its docs' or one its server still serves): the worst of its findings,
/// whether every answer conforms to the docs as written, and why (the ledger entries that explain it).
fn endpoint_result(
    apis: &Apis,
    ledger_version: &str,
    key: &str,
    findings: &[Finding],
) -> EndpointResult {
    let mine: Vec<&Finding> = (findings.iter())
        .filter(|f| f.endpoint.map(Pair::key) == Some(key) && f.class != Class::BadInput)
        .collect();
    let worst = (mine.iter().map(|f| f.class).max()).unwrap_or(Class::NotExercised);
    // A pair whose answers differ from its docs only some of the time (a null while an operation is in
    // progress) is explained whether or not this run's polls caught it: its class never depends on
    // timing.
    let explained_anyway = || {
        (apis.versions.iter().filter(|c| c.version == ledger_version))
            .flat_map(|c| &c.fits)
            .filter(|(_, fit)| *fit == ledger::Fit::Applied)
            .filter_map(|(id, _)| apis.ledger.entries.iter().find(|(_, e)| e.id == *id))
            .any(|(_, e)| e.change.timing_dependent() && e.endpoints.iter().any(|k| k == key))
    };
    let class = match worst {
        Class::Conforms if explained_anyway() => Class::Explained,
        worst => worst,
    };
    let raw_conforms = class == Class::Conforms;
    let details = match class {
        Class::Explained => (apis.ledger.entries.iter())
            .filter(|(_, e)| e.holds_for(ledger_version) && e.endpoints.iter().any(|k| k == key))
            .map(|(_, e)| e.id.clone())
            .collect(),
        _ => (mine.iter().filter(|f| f.class == class))
            .flat_map(|f| f.details.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .take(8)
            .collect(),
    };
    EndpointResult {
        endpoint: key.to_string(),
        class,
        raw_conforms,
        exchanges: mine.len(),
        details,
    }
}

/// The gist of one of Flink's error strings: its first line, and the root cause of a Java stack trace
/// (`<Exception on server side: …` says nothing by itself).
fn error_summary(text: &str) -> String {
    let short = |s: &str| s.trim().chars().take(200).collect::<String>();
    let mut lines = text.lines().map(str::trim).filter(|l| {
        !l.is_empty() && !l.starts_with("at ") && !l.starts_with("<Exception on server side")
    });
    let first = lines.next().unwrap_or_default();
    match text
        .lines()
        .map(str::trim)
        .rfind(|l| l.starts_with("Caused by:"))
    {
        Some(cause) if cause != first => format!("{}; root cause: {}", short(first), short(cause)),
        _ => short(first),
    }
}

fn first_error(e: &Exchange) -> String {
    let msg = e
        .response
        .body
        .as_ref()
        .and_then(|b| b.get("errors"))
        .and_then(|errs| errs.as_array())
        .and_then(|errs| {
            errs.iter()
                .filter_map(|x| x.as_str())
                .find(|s| !s.starts_with("Internal server error"))
                .or(errs.first().and_then(|x| x.as_str()))
        })
        .map(error_summary)
        .unwrap_or_default();
    format!(
        "{} → {}{}",
        e.request.method,
        e.response.status,
        if msg.is_empty() {
            String::new()
        } else {
            format!(": {msg}")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::error_summary;

    #[test]
    fn a_server_side_stack_trace_is_summed_up_by_its_exception_and_root_cause() {
        let trace = "<Exception on server side:\njava.util.concurrent.CompletionException: boom\n\tat a.B.c(B.java:1)\nCaused by: java.lang.IllegalStateException: outer\n\tat d.E.f(E.java:2)\nCaused by: java.lang.NullPointerException: the root\n\tat g.H.i(H.java:3)\n\nEnd of exception on server side>";
        assert_eq!(
            error_summary(trace),
            "java.util.concurrent.CompletionException: boom; root cause: Caused by: java.lang.NullPointerException: the root"
        );
        assert_eq!(error_summary("Not found: /jobs/x"), "Not found: /jobs/x");
    }
}
