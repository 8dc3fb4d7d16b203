//! Typed decoding of large answers (`flink_rest::decode`, what the client does with a body) against
//! serde_json's own floors: the same bytes read into `serde_json::Value` and skipped with `IgnoredAny`. Bodies are real answers of Flink 2.3.0 (the
//! checked-in fixtures) with their lists grown to what a big cluster sends: 10,000 jobs, 1,000
//! subtasks, 100 vertices, 1,000 checkpoints in the history, 1,000 TaskManagers.
//!
//! A sixth body is no answer but the ceiling of any serde-derived type: 10,000 objects of ten
//! integers (a TaskManager's memory configuration), no string, map or allocation but the list's.
//!
//! After criterion's groups, a table of typed decoding's speed as a share of `IgnoredAny`'s: each
//! body decoded ten times in a row typed, then ten times as the floor, twenty times over, and the
//! fastest run of each kept, so the machine's noise, which moves criterion's sequential groups by
//! ±30 %, mostly cancels out. (Blocks of three instead of ten put the ceiling row at 0.44–0.47: a
//! run right after the other kind is colder.)
//!
//! `cargo bench -p contract-tests --bench decode` (about 2 min).

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use flink_rest::types::{
    CheckpointingStatistics, JobDetailsInfo, JobVertexDetailsInfo, MultipleJobsDetails,
    TaskExecutorMemoryConfiguration, TaskManagersInfo,
};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

/// A recorded answer's body with the list at `pointer` grown to `n` items (copies of its first).
fn grown(fixture: &str, pointer: &str, n: usize) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/2.3.0")
        .join(fixture);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let exchange: Value = serde_json::from_str(&text).expect("a fixture is JSON");
    let mut body = exchange["response"]["body"].clone();
    let list = body
        .pointer_mut(pointer)
        .and_then(Value::as_array_mut)
        .unwrap_or_else(|| panic!("{fixture}: no list at {pointer}"));
    let first = list.first().cloned().expect("a list with an item");
    *list = vec![first; n];
    serde_json::to_vec(&body).expect("JSON")
}

fn typed<T: DeserializeOwned>(bytes: &[u8]) -> T {
    serde_json::from_slice(bytes).expect("decodes")
}

/// What the client does with an answer's body.
fn client<T: DeserializeOwned>(bytes: &[u8]) -> T {
    flink_rest::decode(bytes).expect("decodes")
}

fn bench_one<T: DeserializeOwned>(c: &mut Criterion, name: &str, bytes: &[u8]) {
    // The body must decode as the type at all, or the numbers mean nothing.
    let _: T = typed(bytes);
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_with_input(BenchmarkId::new("typed", bytes.len()), bytes, |b, bytes| {
        b.iter(|| client::<T>(bytes))
    });
    group.bench_with_input(BenchmarkId::new("Value", bytes.len()), bytes, |b, bytes| {
        b.iter(|| typed::<Value>(bytes))
    });
    group.bench_with_input(
        BenchmarkId::new("IgnoredAny", bytes.len()),
        bytes,
        |b, bytes| b.iter(|| typed::<IgnoredAny>(bytes)),
    );
    group.finish();
}

/// One body of the bench: its name, its bytes, and how to time its typed decoding.
struct Body {
    name: &'static str,
    bytes: Vec<u8>,
    bench: fn(&mut Criterion, &str, &[u8]),
    typed: fn(&[u8]),
}

fn body<T: DeserializeOwned>(name: &'static str, bytes: Vec<u8>) -> Body {
    Body {
        name,
        bytes,
        bench: bench_one::<T>,
        typed: |bytes| drop(std::hint::black_box(client::<T>(bytes))),
    }
}

fn bodies() -> Vec<Body> {
    let tm = grown("cluster/07-GET-taskmanagers.json", "/taskmanagers", 1);
    let tm: Value = serde_json::from_slice(&tm).expect("JSON");
    let memory = tm["taskmanagers"][0]["memoryConfiguration"].clone();
    let ceiling = serde_json::to_vec(&vec![memory; 10_000]).expect("JSON");
    vec![
        body::<MultipleJobsDetails>(
            "10k-job overview",
            grown("running-job/09-GET-jobs-overview.json", "/jobs", 10_000),
        ),
        body::<JobVertexDetailsInfo>(
            "1k-subtask vertex",
            grown(
                "vertex/02-GET-jobs-jobid-vertices-vertexid.json",
                "/subtasks",
                1_000,
            ),
        ),
        body::<JobDetailsInfo>(
            "job details, 100 vertices",
            grown("running-job/01-GET-jobs-jobid.json", "/vertices", 100),
        ),
        body::<CheckpointingStatistics>(
            "checkpoint statistics, 1k history",
            grown(
                "running-job/13-GET-jobs-jobid-checkpoints.json",
                "/history",
                1_000,
            ),
        ),
        body::<TaskManagersInfo>(
            "1k TaskManagers",
            grown("cluster/07-GET-taskmanagers.json", "/taskmanagers", 1_000),
        ),
        body::<Vec<TaskExecutorMemoryConfiguration>>(
            "ceiling: 10k objects of 10 integers",
            ceiling,
        ),
    ]
}

fn decode(c: &mut Criterion) {
    for b in bodies() {
        (b.bench)(c, b.name, &b.bytes);
    }
}

/// The fastest of `runs` runs of `f`.
fn fastest(runs: usize, f: &dyn Fn()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .expect("a run")
}

/// Typed decoding's speed as a share of the `IgnoredAny` floor's, per body (see the module docs).
fn shares() {
    println!("\n| body | typed | IgnoredAny | typed / IgnoredAny |\n|---|---:|---:|---:|");
    for b in bodies() {
        let (mut typed, mut floor) = (Duration::MAX, Duration::MAX);
        for _ in 0..20 {
            typed = typed.min(fastest(10, &|| (b.typed)(&b.bytes)));
            floor = floor.min(fastest(10, &|| {
                ignored(&b.bytes);
            }));
        }
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "| {} | {:.0} µs | {:.0} µs | {:.2} |",
            b.name,
            us(typed),
            us(floor),
            floor.as_secs_f64() / typed.as_secs_f64()
        );
    }
}

fn ignored(bytes: &[u8]) -> IgnoredAny {
    std::hint::black_box(typed::<IgnoredAny>(bytes))
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = decode
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Not when criterion only lists the benches or runs them once as tests.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--list" || a == "--test") {
        shares();
    }
}
