//! Typed decoding of large answers (`flink_rest::decode`, what the client does with a body) against
//! serde_json's own floors: the same bytes read into `serde_json::Value` and skipped with `IgnoredAny`. Bodies are real answers of Flink 2.3.0 (the
//! checked-in fixtures) with their lists grown to what a big cluster sends: 10,000 jobs, 1,000
//! subtasks, 100 vertices, 1,000 checkpoints in the history, 1,000 TaskManagers.
//!
//! `cargo bench -p contract-tests --bench decode` (about 50 s).

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flink_rest::types::{
    CheckpointingStatistics, JobDetailsInfo, JobVertexDetailsInfo, MultipleJobsDetails,
    TaskManagersInfo,
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

fn decode(c: &mut Criterion) {
    let jobs = grown("running-job/09-GET-jobs-overview.json", "/jobs", 10_000);
    bench_one::<MultipleJobsDetails>(c, "10k-job overview", &jobs);
    let vertex = grown(
        "vertex/02-GET-jobs-jobid-vertices-vertexid.json",
        "/subtasks",
        1_000,
    );
    bench_one::<JobVertexDetailsInfo>(c, "1k-subtask vertex", &vertex);
    let details = grown("running-job/01-GET-jobs-jobid.json", "/vertices", 100);
    bench_one::<JobDetailsInfo>(c, "job details, 100 vertices", &details);
    let checkpoints = grown(
        "running-job/13-GET-jobs-jobid-checkpoints.json",
        "/history",
        1_000,
    );
    bench_one::<CheckpointingStatistics>(c, "checkpoint statistics, 1k history", &checkpoints);
    let tms = grown("cluster/07-GET-taskmanagers.json", "/taskmanagers", 1_000);
    bench_one::<TaskManagersInfo>(c, "1k TaskManagers", &tms);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = decode
}
criterion_main!(benches);
