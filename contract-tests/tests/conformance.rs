//! The gate's classification and reports, on recorded exchanges (the live run applies the same code to
//! what a cluster answers now).

use flink_rest::Pair;
use std::path::{Path, PathBuf};

use contract_tests::conformance::{self, Class, Report};
use contract_tests::fixture::{self, Exchange};
use flink_rest_codegen::{Apis, Inputs};
use serde_json::json;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn apis() -> Apis {
    flink_rest_codegen::apis(&Inputs::read(&root()).unwrap()).unwrap()
}

fn exchanges() -> Vec<Exchange> {
    fixture::load_dir(&root().join("contract-tests/fixtures/1.20.3"))
        .unwrap()
        .into_iter()
        .map(|(_, e)| e)
        .collect()
}

async fn classify(exchanges: &[Exchange]) -> Report {
    conformance::evaluate(&root(), &apis(), "1.20.3", exchanges)
        .await
        .unwrap()
}

fn class_of(report: &Report, pair: Pair) -> Class {
    report
        .endpoints
        .iter()
        .find(|e| e.endpoint == pair.key())
        .unwrap()
        .class
}

#[tokio::test]
async fn recorded_exchanges_pass_and_the_reports_cover_every_pair() {
    let report = classify(&exchanges()).await;
    assert!(
        !report.failed(),
        "{}",
        conformance::markdown(std::slice::from_ref(&report))
    );
    // Every pair Flink 1.20.3 has: its docs' and the served ones the ledger adds.
    let apis = apis();
    let corrected = apis
        .versions
        .iter()
        .find(|c| c.version == "1.20.3")
        .unwrap();
    let pairs = corrected.api.operations.len();
    assert_eq!(report.endpoints.len(), pairs);
    assert!(pairs > 70, "{pairs}");
    // A version's own docs are far closer to its server than the 1.10 page was (under half), yet not
    // there: some pairs still answer only as the ledger explains.
    let own_docs = report.raw_conforming();
    assert!((25..pairs).contains(&own_docs), "{own_docs}");
    assert_eq!(class_of(&report, Pair::TriggerRescaling), Class::Explained);
    assert!(report.findings.iter().any(|f| f.class == Class::BadInput));

    let reports = [report];
    let junit = conformance::junit(&reports);
    assert_eq!(junit.matches("<testcase ").count(), pairs);
    assert!(!junit.contains("<failure"));
    let html = conformance::html(&reports);
    assert_eq!(html.matches("<td class=\"ep\">").count(), pairs);
    assert!(html.starts_with("<!doctype html>") && !html.contains("<script"));
}

#[tokio::test]
async fn an_undocumented_field_is_new_drift_and_fails_the_gate() {
    let mut list = exchanges();
    let e = list
        .iter_mut()
        .find(|e| e.endpoint == Some(Pair::GetClusterOverview))
        .unwrap();
    e.response.body.as_mut().unwrap()["brand-new"] = json!(true);
    let report = classify(&list).await;
    assert_eq!(class_of(&report, Pair::GetClusterOverview), Class::NewDrift);
    assert!(report.failed());
    assert!(conformance::junit(&[report]).contains("<failure type=\"new drift\""));
}

#[tokio::test]
async fn a_server_error_to_a_valid_request_fails_the_gate() {
    let mut list = exchanges();
    let e = list
        .iter_mut()
        .find(|e| e.endpoint == Some(Pair::GetJobPlan))
        .unwrap();
    e.response.status = 500;
    e.response.body = Some(json!({"errors": ["Internal server error.", "boom"]}));
    let report = classify(&list).await;
    assert_eq!(class_of(&report, Pair::GetJobPlan), Class::ServerError);
    assert!(report.failed());
}

#[tokio::test]
async fn a_ledger_entry_the_server_no_longer_bears_out_is_resolved() {
    // Suppose rescaling came back: 200 with a trigger, as the page documents.
    let mut list = exchanges();
    for e in list
        .iter_mut()
        .filter(|e| e.endpoint == Some(Pair::TriggerRescaling))
    {
        e.response.status = 200;
        e.response.body = Some(json!({"request-id": "00000000000000000000000000000042"}));
    }
    let report = classify(&list).await;
    assert!(
        report
            .resolved
            .iter()
            .any(|id| id == "PATCH /jobs/:jobid/rescaling:503"),
        "{:?}",
        report.resolved
    );
    assert!(report.failed());
    assert_eq!(class_of(&report, Pair::TriggerRescaling), Class::Conforms);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transient_refusal_a_run_misses_resolves_nothing() {
    // 1.20.3 refuses back pressure (500) right after a job's tasks run, until its metrics are
    // fetched (a transient `response` entry); a run whose first poll lands after the fetch sees
    // only samples. Neither run fails the gate, and the pair has one class in both.
    let pair = Pair::GetJobVertexBackpressure;
    let all = exchanges();
    let refused = |e: &Exchange| e.endpoint == Some(pair) && e.response.status == 500;
    assert!(
        all.iter().any(refused),
        "the recording has the early refusal"
    );
    let late: Vec<Exchange> = all.iter().filter(|e| !refused(e)).cloned().collect();
    let (early, late) = (classify(&all).await, classify(&late).await);
    assert!(!early.failed() && !late.failed());
    assert!(late.resolved.is_empty(), "{:?}", late.resolved);
    assert_eq!(class_of(&early, pair), Class::Explained);
    assert_eq!(class_of(&late, pair), Class::Explained);
}

#[tokio::test]
async fn a_pair_class_does_not_depend_on_whether_a_poll_caught_the_operation_in_progress() {
    // A disposal answers `operation: null` while in progress (a nullable entry); a run whose polls all
    // land after it completes sees no null. Both runs give the pair one class.
    let pair = Pair::GetSavepointDisposalStatus;
    let all = exchanges();
    let in_progress = |e: &Exchange| {
        e.endpoint == Some(pair)
            && (e.response.body.as_ref()).is_some_and(|b| b["status"]["id"] == "IN_PROGRESS")
    };
    assert!(
        all.iter().any(in_progress),
        "the recording has a poll in progress"
    );
    let late: Vec<Exchange> = all.iter().filter(|e| !in_progress(e)).cloned().collect();
    let (early, late) = (classify(&all).await, classify(&late).await);
    assert_eq!(class_of(&early, pair), Class::Explained);
    assert_eq!(class_of(&late, pair), Class::Explained);
    assert_eq!(early.raw_conforming(), late.raw_conforming());
    assert!(!late.failed());
}
