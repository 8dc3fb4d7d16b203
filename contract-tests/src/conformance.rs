//! The live conformance gate: the scenario against a real cluster, every exchange through the four
//! checks (see [`crate::replay`]), each finding classified, and reports for people and for CI.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use flink_rest_codegen::ledger::{self, Change};
use flink_rest_codegen::Apis;
use serde::Serialize;

use crate::evidence::{self, Observations};
use crate::fixture::{Exchange, Kind};
use crate::replay::{spec_path, Checker, Spec};
use crate::scenario::{self, Setup};

/// What one exchange (or one endpoint, the worst of its exchanges) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub class: Class,
    pub endpoint: Option<String>,
    pub request: String,
    pub status: u16,
    pub step: String,
    /// Why it is in its class: failed checks, the ledger entries that explain it, the error.
    pub details: Vec<String>,
}

/// Per endpoint/verb pair: its worst finding against the corrected spec, and whether every answer
/// conforms to the version's own docs as written.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointResult {
    pub endpoint: String,
    pub class: Class,
    pub raw_conforms: bool,
    pub exchanges: usize,
    pub details: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
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

/// Where the gate runs.
pub enum Target {
    /// Start this version here (and stop it after).
    Version(String),
    /// A running cluster; its version is read from `/config`. `DELETE /cluster` only with `shutdown`.
    Url { url: String, shutdown: bool },
}

/// Runs the gate and builds its report.
pub fn run(root: &Path, apis: &Apis, target: Target) -> Result<Report> {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (version, base_url, running, shutdown) = match target {
        Target::Version(v) => {
            let cluster = crate::flink::Cluster::new(root, &v, None)?;
            let running = cluster.start()?;
            let url = running.cluster.base_url();
            (v, url, Some(running), true)
        }
        Target::Url { url, shutdown } => {
            let version = runtime.block_on(server_version(&url))?;
            (version, url, None, shutdown)
        }
    };
    let cluster = crate::flink::Cluster::new(root, &version, None)?;
    cluster.ensure_dist()?;
    let run_dir = match &running {
        Some(r) => r.cluster.run.canonicalize()?,
        None => {
            let dir = root.join("target/conformance").join(&version);
            std::fs::create_dir_all(&dir)?;
            dir.canonicalize()?
        }
    };
    let setup = Setup::new(root, &version, &base_url, &cluster.dist, &run_dir, shutdown);
    let recording = runtime
        .block_on(scenario::run(&setup))
        .with_context(|| format!("the scenario on Flink {version} at {base_url}"))?;
    drop(running);
    let mut report = runtime.block_on(classify(root, apis, &version, &recording.exchanges))?;
    report.base_url = base_url;
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
    let mut report = runtime.block_on(classify(root, apis, version, &exchanges))?;
    report.base_url = format!("contract-tests/fixtures/{version}");
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

async fn server_version(url: &str) -> Result<String> {
    let client = flink_rest::Client::builder(url)
        .timeout(Duration::from_secs(10))
        .build()?;
    let config = client
        .get_dashboard_config()
        .await
        .map_err(|e| anyhow!("{url}: {e}"))?;
    Ok(config.flink_version)
}

/// Classifies recorded or live exchanges of one version.
pub async fn classify(
    root: &Path,
    apis: &Apis,
    version: &str,
    exchanges: &[Exchange],
) -> Result<Report> {
    let corrected = apis
        .versions
        .iter()
        .find(|c| c.version == version)
        .or_else(|| {
            // A version the ledger does not name: the nearest older one it does.
            apis.versions
                .iter()
                .rfind(|c| ledger::compare_versions(&c.version, version).is_le())
        })
        .ok_or_else(|| anyhow!("the ledger covers no version at or below {version}"))?;
    let (ledger_version, api) = (&corrected.version, &corrected.api);
    let mut spec = Spec::load(&spec_path(root, ledger_version))?;
    // The version's own docs as written: what "conforms" means.
    let docs = apis.docs_of(ledger_version);
    let mut raw = Spec::load(&root.join(format!(
        "generated/openapi/flink-rest-{}.json",
        docs.variant
    )))?;
    let templates = scenario::templates(root)?;
    let checker = Checker::start(&templates).await?;
    let parsed = &apis.ledger;

    let mut findings = Vec::new();
    let mut obs = Observations::default();
    for (i, e) in exchanges.iter().enumerate() {
        let mut e = e.clone();
        e.flink_version = ledger_version.clone();
        obs.add(api, &format!("live-{i:03}"), &e);
        let request = format!(
            "{} {}{}",
            e.request.method,
            e.request.path,
            e.request
                .query
                .as_deref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default()
        );
        let mut finding = Finding {
            class: Class::Conforms,
            endpoint: e.endpoint.clone(),
            request,
            status: e.response.status,
            step: e.step.clone(),
            details: Vec::new(),
        };
        let Some(endpoint) = e.endpoint.clone().filter(|_| e.kind == Kind::Scenario) else {
            finding.class = Class::BadInput;
            finding.details.push(first_error(&e));
            findings.push(finding);
            continue;
        };
        let outcome = checker.check(&e, &mut spec).await?;
        let raw_ok = e.response.body.as_ref().is_none_or(|b| {
            raw.validate(&endpoint, e.response.status, b)
                .is_some_and(|errors| errors.is_empty())
        }) && raw.statuses(&endpoint).contains(&e.response.status);
        finding.class = if e.response.status >= 500 && outcome.status.is_err() {
            finding.details.push(first_error(&e));
            Class::ServerError
        } else if !outcome.passed() {
            finding.details.extend(outcome.failures());
            Class::NewDrift
        } else if raw_ok {
            Class::Conforms
        } else {
            finding
                .details
                .push(format!("differs from its docs; see {}", spec.name));
            Class::Explained
        };
        findings.push(finding);
    }

    let versions: BTreeSet<String> = [ledger_version.clone()].into();
    let mut resolved = Vec::new();
    let mut not_seen = Vec::new();
    let exercised: BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f.endpoint.as_deref())
        .collect();
    let mut ledger_entries = 0;
    for (_, entry) in &parsed.entries {
        if !entry.holds_for(ledger_version) {
            continue;
        }
        ledger_entries += 1;
        if evidence::supported(entry, apis, &obs, &versions) {
            continue;
        }
        let reached = entry.endpoints.is_empty()
            || entry
                .endpoints
                .iter()
                .any(|e| exercised.contains(e.as_str()));
        if matches!(entry.change, Change::Nullable { .. }) || !reached {
            not_seen.push(entry.id.clone());
        } else {
            resolved.push(entry.id.clone());
        }
    }

    // Every pair the version has: its docs' and the ones its server still serves (the ledger).
    let mut endpoints = Vec::new();
    for op in &api.operations {
        let key = op.key.clone();
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.endpoint.as_deref() == Some(&key) && f.class != Class::BadInput)
            .collect();
        let class = mine
            .iter()
            .map(|f| f.class)
            .max()
            .unwrap_or(Class::NotExercised);
        let raw_conforms = !mine.is_empty() && mine.iter().all(|f| f.class == Class::Conforms);
        let mut details: Vec<String> = mine
            .iter()
            .filter(|f| f.class == class)
            .flat_map(|f| f.details.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .take(8)
            .collect();
        if class == Class::Explained {
            details = parsed
                .entries
                .iter()
                .filter(|(_, e)| e.holds_for(ledger_version) && e.endpoints.contains(&key))
                .map(|(_, e)| e.id.clone())
                .collect();
        }
        endpoints.push(EndpointResult {
            endpoint: key,
            class,
            raw_conforms,
            exchanges: mine.len(),
            details,
        });
    }
    Ok(Report {
        flink_version: version.to_string(),
        base_url: String::new(),
        endpoints,
        findings,
        resolved,
        not_seen,
        ledger_entries,
        seconds: 0.0,
    })
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

// ---------------------------------------------------------------------------------------------------
// Reports

/// Writes `report.json`, `report.md`, `junit.xml` and `report.html` for the reports into `dir`.
pub fn write_reports(dir: &Path, reports: &[Report]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let files = [
        ("report.json", flink_rest_codegen::pretty(reports)),
        ("report.md", markdown(reports)),
        ("junit.xml", junit(reports)),
        ("report.html", html(reports)),
    ];
    let mut out = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        out.push(path);
    }
    Ok(out)
}

pub fn markdown(reports: &[Report]) -> String {
    let mut s = String::from("# Flink REST conformance\n\n");
    s.push_str("| version | conform to its docs | conform with the ledger | new drift | server errors | resolved entries | ledger entries | wall time |\n");
    s.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in reports {
        let pairs = r.endpoints.len();
        let _ = writeln!(
            s,
            "| {} | {} / {pairs} | {} / {pairs} | {} | {} | {} | {} | {:.0} s |",
            r.flink_version,
            r.raw_conforming(),
            r.count(Class::Conforms) + r.count(Class::Explained),
            r.count(Class::NewDrift),
            r.count(Class::ServerError),
            r.resolved.len(),
            r.ledger_entries,
            r.seconds
        );
    }
    for r in reports {
        let _ = writeln!(s, "\n## Flink {}\n", r.flink_version);
        let _ = writeln!(
            s,
            "{} — {} of {} pairs answer as its docs document them; {} more as the ledger explains.\n",
            if r.failed() { "**FAILED**" } else { "passed" },
            r.raw_conforming(),
            r.endpoints.len(),
            r.count(Class::Explained)
        );
        for e in r.endpoints.iter().filter(|e| e.class != Class::Conforms) {
            let _ = writeln!(
                s,
                "- `{}`: {} — {}",
                e.endpoint,
                e.class.name(),
                e.details.join("; ")
            );
        }
        for id in &r.resolved {
            let _ = writeln!(
                s,
                "- resolved ledger entry `{id}`: no exchange bears it out (update the ledger)"
            );
        }
        if !r.not_seen.is_empty() {
            let _ = writeln!(
                s,
                "- not seen this run (timing-dependent or not reached): {}",
                r.not_seen.join(", ")
            );
        }
        let bad: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| f.class == Class::BadInput)
            .collect();
        if !bad.is_empty() {
            let _ = writeln!(s, "\nBad input ({}):\n", bad.len());
            for f in bad {
                let _ = writeln!(s, "- `{}` {}", f.request, f.details.join("; "));
            }
        }
    }
    s
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn junit(reports: &[Report]) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"flink-rest conformance\">\n");
    for r in reports {
        let failures = r.endpoints.iter().filter(|e| e.class.fails()).count() + r.resolved.len();
        let skipped = r.count(Class::NotExercised);
        let _ = writeln!(
            s,
            "  <testsuite name=\"flink-{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.1}\">",
            xml(&r.flink_version),
            r.endpoints.len() + r.resolved.len(),
            r.seconds
        );
        for e in &r.endpoints {
            let _ = write!(
                s,
                "    <testcase classname=\"flink-{}\" name=\"{}\">",
                xml(&r.flink_version),
                xml(&e.endpoint)
            );
            if e.class.fails() {
                let _ = write!(
                    s,
                    "<failure type=\"{}\" message=\"{}\">{}</failure>",
                    e.class.name(),
                    xml(&e.details.first().cloned().unwrap_or_default()),
                    xml(&e.details.join("\n"))
                );
            } else if e.class == Class::NotExercised {
                s.push_str("<skipped message=\"not exercised\"/>");
            } else {
                let _ = write!(
                    s,
                    "<system-out>{}{}</system-out>",
                    e.class.name(),
                    if e.raw_conforms {
                        ""
                    } else {
                        " (differs from its docs)"
                    }
                );
            }
            s.push_str("</testcase>\n");
        }
        for id in &r.resolved {
            let _ = writeln!(
                s,
                "    <testcase classname=\"flink-{}.ledger\" name=\"{}\"><failure type=\"resolved ledger entry\" message=\"no exchange bears it out; update the ledger\"/></testcase>",
                xml(&r.flink_version),
                xml(id)
            );
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}

/// One self-contained page: the endpoint × version matrix coloured by class, details on hover.
pub fn html(reports: &[Report]) -> String {
    let color = |c: Class| match c {
        Class::Conforms => "#2e7d32",
        Class::Explained => "#9ccc65",
        Class::BadInput => "#90a4ae",
        Class::NotExercised => "#cfd8dc",
        Class::Resolved => "#ffb300",
        Class::NewDrift => "#e53935",
        Class::ServerError => "#6a1b9a",
    };
    let mut s = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Flink REST conformance</title>\n<style>\n\
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}\n\
table{border-collapse:collapse}\n\
th,td{border:1px solid #fff;padding:3px 8px;white-space:nowrap}\n\
th{background:#eceff1;font-weight:600}\n\
td.ep{font-family:ui-monospace,monospace;background:#fafafa}\n\
td.c{color:#fff;text-align:center;font-size:12px}\n\
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;color:#fff;border-radius:3px}\n\
</style></head><body>\n<h1>Flink monitoring REST API: conformance</h1>\n",
    );
    s.push_str("<p class=\"legend\">");
    for c in [
        Class::Conforms,
        Class::Explained,
        Class::NotExercised,
        Class::Resolved,
        Class::NewDrift,
        Class::ServerError,
    ] {
        let _ = write!(
            s,
            "<span style=\"background:{}\">{}</span>",
            color(c),
            c.name()
        );
    }
    s.push_str("</p>\n<table>\n<tr><th>endpoint</th>");
    for r in reports {
        let _ = write!(s, "<th>{}</th>", xml(&r.flink_version));
    }
    s.push_str("</tr>\n<tr><th>conform to its docs</th>");
    for r in reports {
        let _ = write!(s, "<th>{} / {}</th>", r.raw_conforming(), r.endpoints.len());
    }
    s.push_str("</tr>\n<tr><th>conform with the ledger</th>");
    for r in reports {
        let _ = write!(
            s,
            "<th>{} / {}</th>",
            r.count(Class::Conforms) + r.count(Class::Explained),
            r.endpoints.len()
        );
    }
    s.push_str("</tr>\n");
    // Every pair of any version, in order of first appearance; blank where a version does not have it.
    let mut endpoints: Vec<&str> = Vec::new();
    for e in reports.iter().flat_map(|r| &r.endpoints) {
        if !endpoints.contains(&e.endpoint.as_str()) {
            endpoints.push(&e.endpoint);
        }
    }
    for ep in endpoints {
        let _ = write!(s, "<tr><td class=\"ep\">{}</td>", xml(ep));
        for r in reports {
            match r.endpoints.iter().find(|e| e.endpoint == ep) {
                Some(e) => {
                    let label = match e.class {
                        Class::Conforms => "✓",
                        Class::Explained => "ledger",
                        Class::NotExercised => "–",
                        Class::NewDrift => "drift",
                        Class::ServerError => "5xx",
                        Class::Resolved => "resolved",
                        Class::BadInput => "bad",
                    };
                    let _ = write!(
                        s,
                        "<td class=\"c\" style=\"background:{}\" title=\"{}\">{label}</td>",
                        color(e.class),
                        xml(&format!("{}: {}", e.class.name(), e.details.join("; ")))
                    );
                }
                None => s.push_str("<td></td>"),
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    for r in reports.iter().filter(|r| !r.resolved.is_empty()) {
        let _ = writeln!(
            s,
            "<p><b>Flink {}</b>: resolved ledger entries: {}</p>",
            xml(&r.flink_version),
            xml(&r.resolved.join(", "))
        );
    }
    s.push_str("<p>Generated by <code>cargo xtask conformance</code>. Green: as the version's own docs document it; light green: as the evidence ledger explains for that version.</p>\n</body></html>\n");
    s
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
