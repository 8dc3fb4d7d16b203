//! The gate against the emulated Flink: the same scenario as against a real cluster, run in-process
//! with no JVM (the job's jar and graph are any bytes), every answer checked and classified, on every
//! version there are recorded answers of.

use std::path::{Path, PathBuf};

use contract_tests::conformance;
use contract_tests::scenario::{self, Setup};
use flink_rest_emulator::{Emulator, Scheduler, Timing};

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
    conformance::evaluate(&root, apis, version, &recording.exchanges)
        .await
        .unwrap()
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
