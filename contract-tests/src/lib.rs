//! Contract tests of the `flink-rest` client and spec against real Flink servers.
//!
//! - [`flink`]: start and stop real Flink clusters (1.15 to 2.3) on loopback.
//! - [`job`]: the scenario's streaming job, compiled from the Java source kept in `job/`.
//! - [`scenario`]: the steps that reach every documented response, recorded as [`fixture`]s.
//! - [`tls`]: certificates for a cluster that serves REST over TLS (mutual TLS too).
//! - [`progress`]: bars on a terminal, plain lines in CI logs.
//! - [`live`]: one live run (clusters up, scenario, clusters down), shared by `record` and the gate.
//!
//! `tests/client.rs` checks what the generated client sends and how it reads answers, against a mock.

// The generated dispatch names these as `crate::…`, the way the flink-rest crate it is generated
// beside does.
pub use flink_rest::{Double, IntegerRange};

/// Where `gen` writes the JSON Schemas of the recorded fixtures and the gate's `report.json`.
pub const DATA_SCHEMAS_DIR: &str = "contract-tests/schemas";

/// The JSON Schemas of the fixtures and of `report.json`, from the types that write them (`gen`
/// writes them to [`DATA_SCHEMAS_DIR`]).
pub fn data_schemas() -> std::collections::BTreeMap<String, String> {
    let schemas = [
        ("fixture", schemars::schema_for!(fixture::Exchange)),
        ("report", schemars::schema_for!(conformance::Report)),
    ];
    (schemas.into_iter())
        .map(|(name, schema)| {
            let path = format!("{DATA_SCHEMAS_DIR}/{name}.json");
            (path, flink_rest_codegen::data_schema(schema))
        })
        .collect()
}

pub mod conformance;
pub mod coverage;
#[rustfmt::skip]
#[path = "generated/dispatch.rs"]
pub mod dispatch;
pub mod evidence;
pub mod examples;
pub mod fixture;
pub mod flink;
pub mod job;
pub mod live;
pub mod progress;
pub mod record;
pub mod replay;
pub mod scenario;
pub mod tls;
