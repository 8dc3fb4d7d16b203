//! The scenario: drives a real cluster through the states that produce every documented response, and
//! records each exchange. Polling (waiting for a job state, an async operation, metrics to appear) is
//! not recorded; the answers the scenario is about are.
//!
//! It is a table of named steps ([`steps::STEPS`]) over one shared [`steps::State`]; each step is a
//! small function, run in order, timed, and skipped where the version's docs do not list what it is
//! about. The recorder ([`recorder`]) speaks HTTP itself rather than through the generated client: it
//! must send exactly what a step says (wrong verbs, invalid bodies), and what it records is what a
//! server sent, not what a client made of it.

mod pairs;
mod recorder;
mod steps;

use crate::progress::Progress;
use crate::tls::Connection;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use flink_rest::Pair;

pub use pairs::{sources, Pairs, Source};
pub use recorder::{Body, Part, Recorder, Req};

use crate::fixture::{Exchange, Kind};

/// What the scenario needs from outside: where the cluster is and where to build the job.
#[derive(Debug, Clone)]
pub struct Setup {
    pub root: PathBuf,
    pub version: String,
    pub base_url: String,
    /// A second cluster of the same version running the adaptive scheduler, for the steps only it
    /// answers (resource requirements changed and the job rescaled, 2.3's rescale history). Without
    /// one, those steps run on the main cluster if it is adaptive itself.
    pub adaptive_url: Option<String>,
    pub dist: PathBuf,
    /// Scratch directory (job build).
    pub work: PathBuf,
    /// The cluster's savepoint directory.
    pub savepoints: PathBuf,
    /// End with `DELETE /cluster` (the cluster is gone afterwards).
    pub shutdown: bool,
    /// How to reach the clusters (TLS, a client identity, headers).
    pub connection: Connection,
    /// The job's jar and serialized JobGraph, where they are not to be built with javac from `dist`
    /// (an emulated Flink, which runs no Java, takes any bytes).
    /// (An empty graph: a stand-in the emulator reads, with a job id of the run's own.)
    pub artifacts: Option<(Vec<u8>, Vec<u8>)>,
    /// Between polls, where not the real cluster's 200–300 ms.
    pub poll: Option<Duration>,
}

impl Setup {
    /// The scenario builds its job in `run_dir/scenario` and stores savepoints in `run_dir/savepoints`
    /// (a path the server writes to, so `run_dir` must be local to it).
    pub fn new(
        root: &Path,
        version: &str,
        base_url: &str,
        dist: &Path,
        run_dir: &Path,
        shutdown: bool,
    ) -> Setup {
        Setup {
            root: root.to_path_buf(),
            version: version.to_string(),
            base_url: base_url.to_string(),
            adaptive_url: None,
            dist: dist.to_path_buf(),
            work: run_dir.join("scenario"),
            savepoints: run_dir.join("savepoints"),
            shutdown,
            connection: Connection::default(),
            artifacts: None,
            poll: None,
        }
    }

    /// The scenario against an emulated Flink at `base_url` (`flink-rest-emulator`): no distribution
    /// and no javac (it takes any bytes as the job's jar; each run submits a stand-in graph with a
    /// job id of its own), polled every 5 ms, run files in `run_dir`.
    pub fn emulated(root: &Path, version: &str, base_url: &str, run_dir: &Path) -> Setup {
        let mut setup = Setup::new(root, version, base_url, Path::new(""), run_dir, false);
        setup.artifacts = Some((b"PK\x05\x06 any jar".to_vec(), Vec::new()));
        setup.poll = Some(Duration::from_millis(5));
        setup
    }
}

/// The run's exchanges, how long each step took, and the pairs the version documents that the scenario
/// did not reach.
pub struct Recording {
    pub exchanges: Vec<Exchange>,
    pub steps: Vec<(String, Duration)>,
    pub unreached: Vec<Pair>,
}

/// Whether a step runs on this version and setup.
#[derive(Debug, Clone, Copy)]
pub enum When {
    Always,
    /// Where the version's own docs list this pair.
    Documents(Pair),
    /// Where the run ends the cluster (`DELETE /cluster`).
    Shutdown,
}

impl When {
    fn holds(self, setup: &Setup, pairs: &Pairs) -> bool {
        match self {
            When::Always => true,
            When::Documents(pair) => pairs.documents(pair),
            When::Shutdown => setup.shutdown,
        }
    }
}

/// Runs every step that holds for the version, in order; `DELETE /cluster` is the last exchange when
/// the setup says so. Fails if a pair of the 1.10 page was not reached. `sources`: every source's docs
/// ([`sources`]), which the pairs a run is held to come from.
pub async fn run(setup: &Setup, sources: &[Source]) -> Result<Recording> {
    let pairs = Pairs::of(sources, &setup.version)?;
    let mut recorder = Recorder::new(&setup.base_url, &setup.version, &setup.connection)?;
    if let Some(pause) = setup.poll {
        recorder = recorder.polling_every(pause);
    }
    let mut state = steps::State::new(setup.clone(), pairs, recorder);
    let mut timings = Vec::new();
    let holding: Vec<&steps::Step> = (steps::STEPS.iter())
        .filter(|step| step.when.holds(setup, &state.pairs))
        .collect();
    let label = format!("Flink {} scenario", setup.version);
    let mut progress = Progress::new(label, holding.len() as u64);
    for step in holding {
        progress.set(step.name);
        let started = Instant::now();
        state.r.step(step.name);
        (step.run)(&mut state)
            .await
            .with_context(|| format!("step {:?}", step.name))?;
        timings.push((step.name.to_string(), started.elapsed()));
        progress.step_done();
    }
    let exchanges = state.r.exchanges.len();
    progress.finish(&format!("{} steps, {exchanges} exchanges", timings.len()));
    let (exchanges, pairs) = (state.r.exchanges, state.pairs);
    let unreached = unreached(setup, &pairs, &exchanges)?;
    Ok(Recording {
        exchanges,
        steps: timings,
        unreached,
    })
}

/// The version's documented pairs no scenario exchange reached; an error if one of them is on the 1.10
/// page (every version answers those).
fn unreached(setup: &Setup, pairs: &Pairs, exchanges: &[Exchange]) -> Result<Vec<Pair>> {
    let reached = |pair: Pair| {
        (exchanges.iter()).any(|e| e.kind == Kind::Scenario && e.endpoint == Some(pair))
    };
    let expected = |pair: Pair| setup.shutdown || pair != Pair::ShutdownCluster;
    let missing: Vec<String> = (pairs.baseline.iter().copied())
        .filter(|&p| expected(p) && !reached(p))
        .map(|p| p.to_string())
        .collect();
    if !missing.is_empty() {
        bail!("the scenario did not reach: {}", missing.join(", "));
    }
    Ok((pairs.own.iter().copied())
        .filter(|&p| !reached(p))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_held_to_the_page_and_to_its_own_docs() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let sources = sources(root).unwrap();
        let old = Pairs::of(&sources, "1.15.4").unwrap();
        let new = Pairs::of(&sources, "2.3.0").unwrap();
        assert_eq!(old.baseline.len(), 50);
        assert_eq!((old.own.len(), new.own.len()), (59, 80));
        assert!(new.documents(Pair::GetApplicationsOverview));
        assert!(!old.documents(Pair::TriggerCheckpoint));
        assert_eq!(old.agg, "min,max,sum,avg");
        assert_eq!(new.agg, "min,max,sum,avg,skew");
    }

    #[test]
    fn step_names_are_distinct_and_every_documents_condition_names_a_documented_pair() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let sources = sources(root).unwrap();
        let newest = Pairs::of(&sources, "2.3.0").unwrap();
        let mut names = std::collections::BTreeSet::new();
        for step in steps::STEPS {
            assert!(names.insert(step.name), "two steps named {:?}", step.name);
            if let When::Documents(key) = step.when {
                assert!(
                    newest.documents(key),
                    "{}: {key} is documented nowhere",
                    step.name
                );
            }
        }
    }
}
