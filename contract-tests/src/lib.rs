//! Contract tests of the `flink-rest` client: `tests/client.rs` checks what the generated client sends and
//! how it reads answers, against a local mock server.
