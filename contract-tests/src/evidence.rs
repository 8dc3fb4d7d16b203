//! Recorded exchanges as evidence for the ledger: each scenario answer noted in
//! [`Observations`] (see `flink_rest_codegen::ledger::evidence`), and the review `cargo xtask ledger
//! propose` prints: what the ledger does not explain yet, which entries nothing bears out any more,
//! which cite stale fixtures, and which fields every answer carries.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use flink_rest_codegen::ledger::evidence::{cite, required, Observed, Seen};
use flink_rest_codegen::ledger::{self, Entry};
use flink_rest_codegen::model::Api;
use flink_rest_codegen::Apis;

pub use flink_rest_codegen::ledger::evidence::{admits, body_type, Observations};
pub use flink_rest_codegen::ledger::{support, supported};

use crate::fixture::{Exchange, Kind};

/// Notes what one scenario exchange shows, against `api` (the API of the exchange's version). Bad
/// input and pairs no docs list say nothing about the API.
pub fn add(obs: &mut Observations, api: &Api, fixture: &str, e: &Exchange) {
    let Some(endpoint) = e
        .endpoint
        .map(|p| p.key())
        .filter(|_| e.kind == Kind::Scenario)
    else {
        return;
    };
    obs.add(
        api,
        &Observed {
            endpoint,
            seen: Seen {
                version: e.flink_version.clone(),
                fixture: fixture.to_string(),
            },
            query: e
                .request
                .query_pairs()
                .into_iter()
                .map(|(k, _)| k)
                .collect(),
            status: e.response.status,
            body: e.response.body.as_ref(),
            request: e.request.json_body(),
        },
    );
}

/// Reads every version's fixtures (`contract-tests/fixtures/<V>/`) against that version's corrected API.
pub fn observe(root: &Path, apis: &Apis) -> anyhow::Result<Observations> {
    let mut obs = Observations::default();
    for corrected in &apis.versions {
        let (version, api) = (&corrected.version, &corrected.api);
        let dir = root.join("contract-tests/fixtures").join(version);
        if !dir.is_dir() {
            continue;
        }
        for (name, e) in crate::fixture::load_dir(&dir)? {
            add(&mut obs, api, &name, &e);
        }
    }
    Ok(obs)
}

/// What the fixtures say of the ledger: what it does not explain yet, which of its entries nothing
/// bears out any more, and which fields every answer carries.
pub struct Review {
    /// New entries.
    pub proposals: Vec<Entry>,
    /// Known entries (same id) whose change the values outgrew.
    pub revisions: Vec<Entry>,
    pub resolved: Vec<String>,
    pub required: BTreeMap<String, Vec<String>>,
    /// Entries that cite no fixture, or ones that do not (any more) bear them out: id -> what to cite.
    pub stale_evidence: BTreeMap<String, Vec<String>>,
}

/// Reads the inputs and every version's fixtures under `root` and reviews the ledger against them.
pub fn review(root: &Path) -> anyhow::Result<Review> {
    let inputs = flink_rest_codegen::Inputs::read(root)?;
    let apis = flink_rest_codegen::apis(&inputs).map_err(|p| anyhow::anyhow!("{p}"))?;
    let parsed = &apis.ledger;
    let obs = observe(root, &apis)?;
    let versions: BTreeSet<String> = parsed.versions.iter().cloned().collect();
    let mut resolved = Vec::new();
    let mut stale_evidence = BTreeMap::new();
    for (_, e) in &parsed.entries {
        let seen = support(e, &apis, &obs, &versions);
        let cited =
            |path: &String| (seen.iter()).any(|s| &format!("{}/{}", s.version, s.fixture) == path);
        if seen.is_empty() {
            resolved.push(e.id.clone());
        } else if e.evidence.is_empty() || !e.evidence.iter().all(cited) {
            stale_evidence.insert(e.id.clone(), cite(&seen));
        }
    }
    let (revisions, proposals) = ledger::propose(&apis.docs, parsed, &obs)
        .into_iter()
        .partition(|p| parsed.entries.iter().any(|(_, k)| k.id == p.id));
    Ok(Review {
        proposals,
        revisions,
        resolved,
        required: required(&obs),
        stale_evidence,
    })
}
