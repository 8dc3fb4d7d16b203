//! The crate's examples, run as the programs they are (`cargo run --example`), against an emulated
//! Flink with the adaptive scheduler: the same steps the live test takes against real Flink over TLS,
//! in `cargo test` and without Java. The jar is any bytes.

use std::path::{Path, PathBuf};

use flink_rest::types::JobStatus;
use flink_rest::{Client, JobId};
use flink_rest_emulator::{Emulator, Scheduler};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs one example against `url`; its standard output (the test fails with its error output).
fn example(url: &str, name: &str, args: &[&str]) -> String {
    let env = [("FLINK_REST_URL", url)];
    contract_tests::examples::run(&root(), name, args, &env).unwrap_or_else(|e| panic!("{e:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_runs_against_the_emulator() {
    let flink = Emulator::builder("1.20.3")
        .scheduler(Scheduler::Adaptive)
        .start()
        .await
        .unwrap();
    let url = flink.url();
    let work = std::env::temp_dir().join(format!("flink-rest-examples-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let jar = work.join("job.jar");
    std::fs::write(&jar, b"PK\x05\x06 any bytes").unwrap();

    let out = example(url, "run_jar", &[jar.to_str().unwrap(), "2"]);
    assert!(out.contains("is RUNNING"), "{out}");
    assert!(
        out.lines().filter(|l| l.contains("2 × ")).count() >= 2,
        "parallelism 2: {out}"
    );
    let job: JobId = out.lines().last().unwrap().parse().unwrap();

    let out = example(url, "watch_jobs", &["1"]);
    assert!(
        out.lines()
            .any(|l| l.starts_with(job.as_str()) && l.contains("RUNNING")),
        "{out}"
    );

    let out = example(url, "vertex_metrics", &[job.as_str()]);
    assert!(
        out.contains(" metrics") && out.contains("numRecordsOut (count): "),
        "{out}"
    );

    let out = example(url, "rescale", &[job.as_str(), "1"]);
    assert!(
        !out.is_empty() && out.lines().all(|l| l.starts_with("1 × ")),
        "{out}"
    );
    let client = Client::new(url).unwrap();
    let details = client.get_job(&job).await.unwrap();
    assert!(
        details.vertices.iter().all(|v| v.parallelism == 1),
        "{details:?}"
    );

    let dir = format!("file://{}", work.join("savepoints").display());
    let out = example(url, "savepoint_and_stop", &[job.as_str(), &dir]);
    assert!(out.starts_with("savepoint: file:"), "{out}");
    let location = (out.lines().last().unwrap())
        .strip_prefix("stopped; final savepoint: ")
        .unwrap_or_else(|| panic!("{out}"));
    let written = location.trim_start_matches("file:");
    assert!(Path::new(written).join("_metadata").is_file(), "{location}");
    let details = client.get_job(&job).await.unwrap();
    assert_eq!(details.state, JobStatus::Finished);

    client.dispose_savepoint(location).await.unwrap();
    assert!(!Path::new(written).exists(), "disposed: {location}");

    let out = example(url, "run_jar", &[jar.to_str().unwrap(), "1"]);
    let job = out.lines().last().unwrap();
    let out = example(url, "operator", &[job, "2", &dir]);
    contract_tests::examples::check_operator(&out, job).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&work);
}
