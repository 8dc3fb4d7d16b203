//! The emulated Flink's limits: from start to its first answer, the gate's whole scenario against it,
//! and the memory one version's loaded answers take (printed: RSS is not criterion's to measure).
//!
//! `cargo bench -p contract-tests --bench emulator`

use std::path::Path;
use std::time::Duration;

use contract_tests::scenario::{self, Setup};
use criterion::{criterion_group, criterion_main, Criterion};
use flink_rest_emulator::{Emulator, Timing};

const VERSION: &str = "2.3.0";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Resident memory of this process, in MiB (Linux).
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = (status.lines())
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn start_to_first_answer(c: &mut Criterion) {
    let rt = runtime();
    let http = reqwest::Client::new();
    let before = rss_mib();
    let kept = rt.block_on(Emulator::start(VERSION)).unwrap();
    eprintln!(
        "RSS: {:.1} MiB with Flink {VERSION}'s answers loaded ({:.1} MiB before)",
        rss_mib(),
        before
    );
    drop(kept);
    c.bench_function("emulator: start to first answer", |b| {
        b.iter(|| {
            rt.block_on(async {
                let flink = Emulator::start(VERSION).await.unwrap();
                let url = format!("{}/config", flink.url());
                let answer = http.get(url).send().await.unwrap();
                assert!(answer.status().is_success());
            })
        })
    });
}

fn whole_scenario(c: &mut Criterion) {
    let rt = runtime();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let sources = scenario::sources(&root).unwrap();
    // Things happen in tens of milliseconds, polled every 5.
    let timing = Timing::brisk();
    let mut group = c.benchmark_group("emulator");
    group.sample_size(10);
    group.bench_function("the gate's whole scenario", |b| {
        b.iter(|| {
            rt.block_on(async {
                let flink = Emulator::builder(VERSION)
                    .timing(timing)
                    .start()
                    .await
                    .unwrap();
                let dir = std::env::temp_dir().join("flink-rest-emulator-bench");
                let setup = Setup::emulated(&root, VERSION, flink.url(), &dir);
                let recording = scenario::run(&setup, &sources).await.unwrap();
                assert!(recording.exchanges.len() > 100);
            })
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    targets = start_to_first_answer, whole_scenario
}
criterion_main!(benches);
