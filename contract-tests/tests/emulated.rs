//! The gate against the emulated Flink: the same scenario as against a real cluster, run in-process
//! with no JVM (the job's jar and graph are any bytes), every answer checked and classified, on every
//! version there are recorded answers of.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use contract_tests::conformance;
use contract_tests::fixture::{self, Exchange, Kind};
use contract_tests::scenario::{self, Setup};
use flink_rest_emulator::{Emulator, Scheduler, Timing};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

async fn gate(
    apis: &flink_rest_codegen::Apis,
    version: &str,
    scheduler: Scheduler,
) -> conformance::Report {
    let root = root();
    // Things happen in tens of milliseconds, polled every 5.
    let timing = Timing::brisk();
    let flink = Emulator::builder(version)
        .scheduler(scheduler)
        .timing(timing)
        .start()
        .await
        .unwrap();
    let run_dir = std::env::temp_dir().join(format!("flink-rest-emulated-{version}"));
    let setup = Setup::emulated(&root, version, flink.url(), &run_dir);
    let sources = scenario::sources(&root).unwrap();
    let recording = scenario::run(&setup, &sources).await.unwrap();
    for (step, took) in &recording.steps {
        eprintln!("{version} {step}: {} ms", took.as_millis());
    }
    let refusals = refusals_as_recorded(&root, version, &recording.exchanges);
    assert!(
        refusals.is_empty(),
        "{version}: the emulator's refusals differ from Flink's recorded ones:\n{}",
        refusals.join("\n")
    );
    conformance::evaluate(&root, apis, version, &recording.exchanges)
        .await
        .unwrap()
}

/// The steps whose every answer is held to the recorded one (the others' refusals too).
const REFUSAL_STEPS: &[&str] = &["failing main", "ended jobs"];

/// Where the emulator's answers to the scenario's refusals (its bad inputs, its operations on ended
/// jobs) differ from what the real Flink of the version answered to the same requests, in the same
/// step and order: each difference as `step #n: recorded METHOD pair -> answer, emulated …`. An
/// answer is its status and, for an operation that failed, the failure's exception class.
fn refusals_as_recorded(root: &Path, version: &str, emulated: &[Exchange]) -> Vec<String> {
    let dir = root.join("contract-tests/fixtures").join(version);
    let recorded: Vec<Exchange> = (fixture::load_dir(&dir).unwrap().into_iter())
        .map(|(_, e)| e)
        .collect();
    let (recorded, emulated) = (refusals(&recorded), refusals(emulated));
    assert!(
        recorded.get("bad input").is_some_and(|r| r.len() > 20),
        "{version}: the recorded bad inputs are missing"
    );
    let mut differences = Vec::new();
    for (step, real) in &recorded {
        let ours = emulated.get(step).map_or(&[][..], Vec::as_slice);
        if real.len() != ours.len() {
            differences.push(format!(
                "{step}: {} answers recorded, {} emulated",
                real.len(),
                ours.len()
            ));
        }
        for (n, (real, ours)) in real.iter().zip(ours).enumerate() {
            if real != ours {
                differences.push(format!("{step} #{n}: recorded {real}, emulated {ours}"));
            }
        }
    }
    differences
}

/// The refusals of a run by step, each as `METHOD /pair -> status[ failure class]`.
fn refusals(exchanges: &[Exchange]) -> BTreeMap<String, Vec<String>> {
    let mut by_step: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let held = |e: &&Exchange| e.kind == Kind::BadInput || REFUSAL_STEPS.contains(&e.step.as_str());
    for e in exchanges.iter().filter(held) {
        let asked = match e.endpoint {
            Some(pair) => pair.to_string(),
            None => format!("{} (no documented pair)", e.request.method),
        };
        let mut answer = format!("{asked} -> {}", e.response.status);
        let operation = &e.response.body.as_ref().unwrap_or(&Value::Null)["operation"];
        // (A savepoint's failure is `failure-cause`, a checkpoint's `failureCause`.)
        let failure = ["failure-cause", "failureCause"].map(|name| &operation[name]["class"]);
        if let Some(class) = failure.iter().find_map(|c| c.as_str()) {
            answer += &format!(" {class}");
        }
        by_step.entry(e.step.clone()).or_default().push(answer);
    }
    by_step
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_passes_against_the_emulator() {
    let apis =
        flink_rest_codegen::apis(&flink_rest_codegen::Inputs::read(&root()).unwrap()).unwrap();
    // Every version there are answers of (EMULATED_VERSIONS=1.15.4,2.3.0 for some).
    let versions: Vec<String> = match std::env::var("EMULATED_VERSIONS") {
        Ok(some) => some.split(',').map(str::to_string).collect(),
        Err(_) => flink_rest_emulator::versions(),
    };
    assert!(!versions.is_empty());
    for version in &versions {
        let report = gate(&apis, version, Scheduler::Default).await;
        assert!(
            !report.failed(),
            "{}",
            conformance::markdown(std::slice::from_ref(&report))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_adaptive_scheduler_a_job_is_rescaled_and_every_pair_is_reached() {
    let apis =
        flink_rest_codegen::apis(&flink_rest_codegen::Inputs::read(&root()).unwrap()).unwrap();
    let report = gate(&apis, "2.3.0", Scheduler::Adaptive).await;
    let markdown = conformance::markdown(std::slice::from_ref(&report));
    // No drift and no server error; the entries only a default-scheduler cluster bears out (its
    // refusals of resource requirements and rescale histories) are not borne out here, as on any
    // cluster that runs the adaptive scheduler alone.
    assert!(
        report.endpoints.iter().all(|e| !e.class.fails()),
        "{markdown}"
    );
    for id in &report.resolved {
        assert!(
            id.contains("resource-requirements") || id.contains("/rescales/"),
            "{id}\n{markdown}"
        );
    }
    let reached = |pair: flink_rest::Pair| {
        report
            .endpoints
            .iter()
            .any(|e| e.endpoint == pair.key() && e.class != conformance::Class::NotExercised)
    };
    assert!(
        reached(flink_rest::Pair::SetJobResourceRequirements),
        "{markdown}"
    );
    assert!(reached(flink_rest::Pair::GetJobRescale), "{markdown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scenario_runs_twice_against_one_server() {
    // A long-lived cluster keeps the jobs of an earlier run: the ids a run chooses are its own.
    let root = root();
    let flink = Emulator::builder("1.20.3")
        .timing(Timing::brisk())
        .start()
        .await
        .unwrap();
    let run_dir = std::env::temp_dir().join("flink-rest-emulated-twice");
    let setup = Setup::emulated(&root, "1.20.3", flink.url(), &run_dir);
    let sources = scenario::sources(&root).unwrap();
    for run in 1..=2 {
        let recording = scenario::run(&setup, &sources).await;
        assert!(
            recording.is_ok(),
            "run {run}: {:#}",
            recording.err().unwrap()
        );
    }
}
