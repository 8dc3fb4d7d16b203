//! The gate's report writers, snapshot-tested on a small report that holds every class: what CI shows
//! (JUnit), what people read (Markdown, HTML) and what tools read (JSON).

use contract_tests::conformance::{self, Class, EndpointResult, Finding, Report};

fn endpoint(endpoint: &str, class: Class, raw_conforms: bool, details: &[&str]) -> EndpointResult {
    EndpointResult {
        endpoint: endpoint.to_string(),
        class,
        raw_conforms,
        exchanges: usize::from(class != Class::NotExercised),
        details: details.iter().map(|d| d.to_string()).collect(),
    }
}

fn reports() -> Vec<Report> {
    let passed = Report {
        flink_version: "1.20.3".into(),
        base_url: "http://127.0.0.1:18120".into(),
        endpoints: vec![
            endpoint("GET /config", Class::Conforms, true, &[]),
            endpoint(
                "GET /jobs/:jobid/savepoints/:triggerid",
                Class::Explained,
                false,
                &["SavepointInfo:one-of"],
            ),
            endpoint(
                "GET /jobs/:jobid/rescales/config",
                Class::NotExercised,
                false,
                &[],
            ),
        ],
        findings: vec![Finding {
            class: Class::BadInput,
            endpoint: Some(flink_rest::Pair::GetJob),
            request: "GET /jobs/not-a-job-id".into(),
            status: 400,
            step: "bad input".into(),
            details: vec!["GET → 400: Bad request <jobid> & \"quotes\"".into()],
        }],
        resolved: Vec::new(),
        not_seen: vec!["CheckpointStatistics.failure_message:nullable".into()],
        ledger_entries: 2,
        seconds: 64.4,
        timings: vec![
            ("cluster start".into(), 11.7),
            ("build job".into(), 1.9),
            ("run job".into(), 10.65),
        ],
    };
    let failed = Report {
        flink_version: "2.3.0".into(),
        base_url: "contract-tests/fixtures/2.3.0".into(),
        endpoints: vec![
            endpoint("GET /config", Class::Conforms, true, &[]),
            endpoint(
                "GET /jobs/:jobid/rescales/config",
                Class::NewDrift,
                false,
                &["spec: /schedulerExecutionMode: null is not of type \"string\""],
            ),
            endpoint(
                "GET /jobs/:jobid/resource-requirements",
                Class::ServerError,
                false,
                &["GET → 500: java.lang.UnsupportedOperationException"],
            ),
        ],
        findings: Vec::new(),
        resolved: vec!["GET /jobs/:jobid/rescales/history:404".into()],
        not_seen: Vec::new(),
        ledger_entries: 3,
        seconds: 1.0,
        timings: Vec::new(),
    };
    vec![passed, failed]
}

#[test]
fn markdown_report() {
    insta::assert_snapshot!(conformance::markdown(&reports()));
}

#[test]
fn junit_report() {
    insta::assert_snapshot!(conformance::junit(&reports()));
}

#[test]
fn html_report() {
    insta::assert_snapshot!(conformance::html(&reports()));
}

#[test]
fn json_report() {
    insta::assert_snapshot!(flink_rest_codegen::pretty(&reports()));
}

/// `report.json` is what `contract-tests/schemas/report.json` (generated from the type) says it is.
#[test]
fn json_reports_validate_against_their_generated_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for report in reports() {
        let value = serde_json::to_value(&report).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}

#[test]
fn a_report_fails_on_drift_server_errors_and_resolved_entries_only() {
    let [passed, failed] = <[Report; 2]>::try_from(reports()).ok().unwrap();
    assert!(!passed.failed());
    assert!(failed.failed());
    let mut only_resolved = failed.clone();
    only_resolved.endpoints.retain(|e| !e.class.fails());
    assert!(
        only_resolved.failed(),
        "a resolved entry alone fails the gate"
    );
}
