//! The replay suite: every recorded exchange of every version, served by wiremock, called through the
//! generated client, and put through the four checks (see `contract_tests::replay`).

use flink_rest::Pair;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use contract_tests::evidence;
use contract_tests::fixture::{self, Exchange, Kind};
use contract_tests::replay::{spec_path, Checker, Spec};
use flink_rest_codegen::ledger::{self, AddField, Change, Entry, Response};
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn versions() -> Vec<String> {
    let text = std::fs::read_to_string(root().join(ledger::VERSIONS_FILE)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn fixtures(version: &str) -> Vec<(String, Exchange)> {
    fixture::load_dir(&root().join("contract-tests/fixtures").join(version)).unwrap()
}

async fn checker() -> Checker {
    Checker::start().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recorded_exchange_passes_the_four_checks() {
    let checker = checker().await;
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut endpoints = BTreeSet::new();
    for version in versions() {
        let mut spec = Spec::load(&spec_path(&root(), &version)).unwrap();
        let exchanges = fixtures(&version);
        assert!(
            exchanges.len() > 50,
            "{version}: only {} fixtures",
            exchanges.len()
        );
        for (name, e) in exchanges {
            if e.kind != Kind::Scenario || e.endpoint.is_none() {
                continue;
            }
            let outcome = checker.check(&e, &mut spec).await.unwrap();
            checked += 1;
            endpoints.insert(e.endpoint.unwrap());
            for f in outcome.failures() {
                failures.push(format!("{version}/{name}: {f}"));
            }
        }
    }
    let page: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/documented/1.10/endpoints.json")).unwrap(),
    )
    .unwrap();
    let unreplayed: Vec<String> = (page["endpoints"].as_array().unwrap().iter())
        .map(|e| {
            format!(
                "{} {}",
                e["method"].as_str().unwrap(),
                e["path"].as_str().unwrap()
            )
        })
        .filter(|k| !endpoints.iter().any(|p: &Pair| p.key() == k))
        .collect();
    assert!(
        unreplayed.is_empty(),
        "pairs of the 1.10 page never replayed: {unreplayed:?}"
    );
    assert!(
        endpoints.len() > 50,
        "only {} pairs replayed",
        endpoints.len()
    );
    assert!(checked > 500, "checked only {checked}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Bad input: the typed client either refuses it before sending (a malformed id) or reads Flink's
/// answer as the typed API error; the error bodies are Flink's `{"errors": [...]}`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_answers_decode_as_typed_errors() {
    let checker = checker().await;
    let mut failures = Vec::new();
    let mut refused = 0;
    for version in versions() {
        let mut spec = Spec::load(&spec_path(&root(), &version)).unwrap();
        for (name, e) in fixtures(&version) {
            if e.kind != Kind::BadInput || e.endpoint.is_none() {
                continue;
            }
            let outcome = checker.check(&e, &mut spec).await.unwrap();
            match &outcome.decodes {
                Err(m) if m.contains("refuses") => refused += 1,
                Err(m) => failures.push(format!("{version}/{name}: {m}")),
                Ok(()) => {}
            }
            // A body past `rest.server.max-content-length` is refused by Flink's HTTP layer before
            // its handlers: 413 and no body.
            if e.response.status == 413 {
                if e.response.body.is_some() {
                    failures.push(format!("{version}/{name}: a 413 with a body"));
                }
                continue;
            }
            if e.response.status >= 400 {
                let errors = e.response.body.as_ref().and_then(|b| b.get("errors"));
                if !errors.is_some_and(Value::is_array) {
                    failures.push(format!(
                        "{version}/{name}: error without Flink's error body"
                    ));
                }
                failures.extend(
                    outcome
                        .invalid
                        .iter()
                        .map(|i| format!("{version}/{name}: {i}")),
                );
            }
        }
    }
    assert!(
        refused > 0,
        "the malformed job id is refused by the typed client"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn job_details() -> (Exchange, Spec) {
    let (_, e) = fixtures("1.20.3")
        .into_iter()
        .find(|(_, e)| {
            e.endpoint == Some(Pair::GetJob)
                && e.kind == Kind::Scenario
                && e.response
                    .body
                    .as_ref()
                    .is_some_and(|b| b["state"] == "RUNNING")
        })
        .unwrap();
    (e, Spec::load(&spec_path(&root(), "1.20.3")).unwrap())
}

async fn failures_after(mutate: impl FnOnce(&mut Value)) -> Vec<String> {
    let (mut e, mut spec) = job_details();
    let checker = checker().await;
    assert!(
        checker.check(&e, &mut spec).await.unwrap().passed(),
        "the original passes"
    );
    mutate(e.response.body.as_mut().unwrap());
    checker.check(&e, &mut spec).await.unwrap().failures()
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_caught() {
    let f = failures_after(|b| b["duration"] = json!("long")).await;
    assert!(
        f.iter()
            .any(|f| f.starts_with("decode:") && f.contains("duration")),
        "{f:?}"
    );
    assert!(
        f.iter()
            .any(|f| f.starts_with("spec:") && f.contains("/duration")),
        "{f:?}"
    );
}

#[tokio::test]
async fn a_missing_required_field_is_caught() {
    let f = failures_after(|b| {
        b.as_object_mut().unwrap().remove("jid");
    })
    .await;
    assert!(
        f.iter()
            .any(|f| f.starts_with("decode:") && f.contains("jid")),
        "{f:?}"
    );
    assert!(
        f.iter()
            .any(|f| f.starts_with("spec:") && f.contains("jid")),
        "{f:?}"
    );
}

#[tokio::test]
async fn an_unknown_value_of_a_closed_enum_is_caught() {
    // The Rust enum is open (it keeps the value), the spec's enum is closed: the spec check fails.
    let f = failures_after(|b| b["state"] = json!("SLEEPING")).await;
    assert!(
        f.iter()
            .any(|f| f.starts_with("spec:") && f.contains("/state")),
        "{f:?}"
    );
    assert!(!f.iter().any(|f| f.starts_with("lossless:")), "{f:?}");
}

#[tokio::test]
async fn an_undocumented_field_is_caught() {
    let f = failures_after(|b| b["brand-new"] = json!(1)).await;
    assert!(
        f.iter()
            .any(|f| f.starts_with("lossless:") && f.contains("/brand-new")),
        "{f:?}"
    );
    assert!(f.iter().any(|f| f.starts_with("spec:")), "{f:?}");
}

#[tokio::test]
async fn an_unexpected_status_is_caught() {
    let (mut e, mut spec) = job_details();
    e.response.status = 201;
    let outcome = checker().await.check(&e, &mut spec).await.unwrap();
    assert!(outcome.status.is_err(), "{outcome:?}");
}

fn observations() -> (
    flink_rest_codegen::Apis,
    evidence::Observations,
    ledger::Ledger,
) {
    let inputs = flink_rest_codegen::Inputs::read(&root()).unwrap();
    let apis = flink_rest_codegen::apis(&inputs).unwrap();
    let obs = evidence::observe(&root(), &apis).unwrap();
    let parsed = apis.ledger.clone();
    (apis, obs, parsed)
}

#[test]
fn every_ledger_entry_is_supported_by_a_fixture_and_nothing_is_unexplained() {
    let review = evidence::review(&root()).unwrap();
    assert!(
        review.resolved.is_empty(),
        "resolved drift (update the ledger): {:?}",
        review.resolved
    );
    let ids: Vec<&str> = review
        .proposals
        .iter()
        .chain(&review.revisions)
        .map(|e| e.id.as_str())
        .collect();
    assert!(
        ids.is_empty(),
        "unexplained (run `cargo xtask ledger propose`): {ids:?}"
    );
    assert!(
        review.stale_evidence.is_empty(),
        "entries cite fixtures that do not bear them out (run `cargo xtask ledger propose --write`): {:?}",
        review.stale_evidence.keys().collect::<Vec<_>>()
    );
    let on_disk = std::fs::read_to_string(root().join(ledger::REQUIRED_FILE)).unwrap();
    let on_disk: serde_json::Map<String, Value> = serde_json::from_str(&on_disk).unwrap();
    for (ty, fields) in &review.required {
        assert_eq!(
            on_disk.get(ty),
            Some(&json!(fields)),
            "{} is stale for {ty}",
            ledger::REQUIRED_FILE
        );
    }
    let (_, _, parsed) = observations();
    for (file, e) in &parsed.entries {
        for path in &e.evidence {
            assert!(
                root().join("contract-tests/fixtures").join(path).is_file(),
                "{file}: {} cites {path}, which does not exist",
                e.id
            );
        }
    }
}

#[test]
fn an_entry_no_fixture_supports_is_reported_as_resolved() {
    let (apis, obs, parsed) = observations();
    let versions: BTreeSet<String> = parsed.versions.iter().cloned().collect();
    let stale = Entry {
        id: "JobDetailsInfo.no-such-field:add".into(),
        endpoints: vec!["GET /jobs/:jobid".into()],
        change: Change::AddField(AddField {
            r#type: "JobDetailsInfo".into(),
            field: "no-such-field".into(),
            schema: json!({"type": "string"}),
        }),
        documented: json!("not documented"),
        observed: json!({"type": "string"}),
        since: None,
        until: None,
        why: "a test".into(),
        evidence: vec![],
    };
    assert!(!evidence::supported(&stale, &apis, &obs, &versions));
    let gone = Entry {
        change: Change::Response(Response {
            endpoint: "GET /jobs/:jobid".into(),
            status: 418,
            schema: None,
            transient: false,
        }),
        ..stale
    };
    assert!(!evidence::supported(&gone, &apis, &obs, &versions));
}

/// A savepoint that failed (written to a target Flink cannot create) is read, through the client, as
/// the typed failure with Flink's cause, on every version; one that was written as its location.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_savepoint_decodes_as_the_typed_failure_on_every_version() {
    use flink_rest::types::SavepointInfo;
    use flink_rest::{Client, JobId, TriggerId};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    for version in versions() {
        let finished = |step: &str| -> Vec<Exchange> {
            fixtures(&version)
                .into_iter()
                .map(|(_, e)| e)
                .filter(|e| {
                    e.step == step
                        && e.endpoint == Some(Pair::GetSavepointStatus)
                        && e.response
                            .body
                            .as_ref()
                            .is_some_and(|b| b["status"]["id"] == "COMPLETED")
                })
                .collect()
        };
        for (step, failed) in [("failed savepoint", true), ("savepoint", false)] {
            let answers = finished(step);
            assert!(
                !answers.is_empty(),
                "{version}: no finished `{step}` recorded"
            );
            for e in answers {
                let server = MockServer::start().await;
                Mock::given(method("GET"))
                    .and(path(e.request.path.as_str()))
                    .respond_with(
                        ResponseTemplate::new(e.response.status)
                            .set_body_json(e.response.body.clone().unwrap()),
                    )
                    .mount(&server)
                    .await;
                let segments: Vec<&str> = e.request.path.split('/').collect();
                let (job, trigger) = (segments[2], segments[4]);
                let client = Client::new(&server.uri()).unwrap();
                let status = client
                    .get_savepoint_status(
                        &JobId::new(job).unwrap(),
                        &TriggerId::new(trigger).unwrap(),
                    )
                    .await
                    .unwrap_or_else(|err| panic!("{version} {step}: {err}"));
                match (status.operation, failed) {
                    (Some(SavepointInfo::Failed { failure_cause }), true) => {
                        let class = failure_cause.class;
                        let trace = failure_cause.stack_trace;
                        assert!(
                            class.contains("Exception"),
                            "{version}: cause class {class:?}"
                        );
                        assert!(
                            trace.contains("flink-rest-unwritable"),
                            "{version}: {trace:.300}"
                        );
                    }
                    (Some(SavepointInfo::Completed { location }), false) => {
                        assert!(location.contains("savepoint-"), "{version}: {location}");
                    }
                    (other, _) => panic!("{version} {step}: decoded as {other:?}"),
                }
            }
        }
    }
}

/// A checkpoint's subtasks that never acknowledged (an in-progress checkpoint's) decode as `Pending`, the
/// others as `Completed` with their figures, on every version.
#[test]
fn pending_checkpoint_subtasks_decode_as_pending_on_every_version() {
    use flink_rest::types::{
        SubtaskCheckpointStatistics, TaskCheckpointStatisticsWithSubtaskDetails,
    };
    for version in versions() {
        let (mut pending, mut completed) = (0, 0);
        for (name, e) in fixtures(&version) {
            let endpoint = Pair::GetJobCheckpointSubtasks;
            if e.endpoint != Some(endpoint) || e.response.status != 200 {
                continue;
            }
            let body = e.response.body.unwrap();
            let details: TaskCheckpointStatisticsWithSubtaskDetails = serde_json::from_value(body)
                .unwrap_or_else(|err| panic!("{version}/{name}: {err}"));
            for subtask in details.subtasks {
                match subtask {
                    SubtaskCheckpointStatistics::Pending { class_name, .. } => {
                        assert_eq!(class_name, "pending", "{version}/{name}");
                        pending += 1;
                    }
                    SubtaskCheckpointStatistics::Completed { class_name, .. } => {
                        assert_eq!(class_name, "completed", "{version}/{name}");
                        completed += 1;
                    }
                }
            }
        }
        assert!(
            pending > 0 && completed > 0,
            "{version}: {pending} pending, {completed} completed"
        );
    }
}

/// Every value a server sent where the crate has an enum (a field's, a map key's; the docs' enums and
/// the names file's) is one the enum knows: the lists are complete for what was recorded, so no
/// recorded answer decodes to `Unknown`.
#[test]
fn every_recorded_enum_value_is_a_known_one() {
    use contract_tests::coverage::unknown_enum_values;
    use contract_tests::evidence::body_type;
    let inputs = flink_rest_codegen::Inputs::read(&root()).unwrap();
    let api = flink_rest_codegen::apis(&inputs).unwrap().merged;
    let mut unknown = BTreeSet::new();
    let mut answers = 0;
    for version in versions() {
        for (name, e) in fixtures(&version) {
            let (Some(endpoint), Some(body)) = (e.endpoint, e.response.body.as_ref()) else {
                continue;
            };
            let op = api.operations.iter().find(|o| o.key == endpoint.key());
            let Some(ty) = op.and_then(|op| body_type(op, e.response.status)) else {
                continue;
            };
            let mut found = BTreeSet::new();
            unknown_enum_values(&api, &ty, body, &mut found);
            unknown.extend(
                found
                    .into_iter()
                    .map(|(en, v)| format!("{en}: {v:?} ({version}/{name})")),
            );
            answers += 1;
        }
    }
    assert!(answers > 1000, "{answers} typed answers");
    assert!(unknown.is_empty(), "{unknown:#?}");
}

/// Every metric any recorded answer names (metrics lists, `get=` answers, every version) has a
/// unit by Flink's naming conventions ([`flink_rest::Unit::of`]), but the few whose names say none.
#[test]
fn every_recorded_metric_has_a_unit() {
    // Job metrics whose names do not say what they measure, and Flink's docs do not list.
    const UNSAID: [&str; 2] = ["allSubTasksRunningOrFinishedTime", "initializationTime"];
    let mut ids = BTreeSet::new();
    for version in versions() {
        for (_, e) in fixtures(&version) {
            let Some(pair) = e.endpoint else { continue };
            if !pair.key().ends_with("/metrics") {
                continue;
            }
            let listed = (e.response.body.as_ref()).and_then(Value::as_array);
            let named = listed
                .into_iter()
                .flatten()
                .filter_map(|m| m["id"].as_str());
            ids.extend(named.map(str::to_string));
        }
    }
    assert!(ids.len() > 100, "{} metric ids", ids.len());
    let without: Vec<&String> = (ids.iter())
        .filter(|id| flink_rest::Unit::of(id).is_none())
        .filter(|id| !UNSAID.iter().any(|u| id.ends_with(u)))
        .collect();
    assert!(without.is_empty(), "no unit: {without:#?}");
}

/// Fixtures of one step, in order.
fn step_of(version: &str, step: &str) -> Vec<(String, Exchange)> {
    let all = fixtures(version);
    all.into_iter().filter(|(_, e)| e.step == step).collect()
}

fn body_of<T: serde::de::DeserializeOwned>(version: &str, name: &str, e: &Exchange) -> T {
    let body = e.response.body.clone().unwrap_or_default();
    serde_json::from_value(body).unwrap_or_else(|err| panic!("{version}/{name}: {err}"))
}

/// Under the adaptive scheduler, lowering a job's resource requirements really rescales it: on every
/// version whose docs have `PUT /jobs/:jobid/resource-requirements`, the recorded requirements before
/// and after, and the job's details after, decode and show parallelism 2, then 1. The details of the
/// job just submitted, before the scheduler has its resources, decode too, with an empty plan.
#[test]
fn a_job_rescales_to_its_lowered_resource_requirements() {
    use flink_rest::types::{JobDetailsInfo, JobVertexResourceRequirements};
    type Requirements = std::collections::BTreeMap<String, JobVertexResourceRequirements>;
    let mut rescaled = Vec::new();
    for version in versions() {
        let steps = step_of(&version, "adaptive scheduler");
        if steps.is_empty() {
            continue;
        }
        let of = |key: Pair| -> Vec<&(String, Exchange)> {
            (steps.iter())
                .filter(|(_, e)| e.endpoint == Some(key))
                .collect()
        };
        let requirements = of(Pair::GetJobResourceRequirements);
        assert_eq!(requirements.len(), 2, "{version}: before and after");
        let bounds = |(name, e): &&(String, Exchange)| -> Vec<i32> {
            let r: Requirements = body_of(&version, name, e);
            r.values().map(|v| v.parallelism.upper_bound).collect()
        };
        assert!(
            bounds(&requirements[0]).iter().all(|b| *b == 2),
            "{version}"
        );
        assert!(
            bounds(&requirements[1]).iter().all(|b| *b == 1),
            "{version}"
        );
        // One lowering; where the rescale history is kept (2.3), three more that change nothing.
        let puts = if of(Pair::GetJobRescaleHistory).is_empty() {
            1
        } else {
            4
        };
        assert_eq!(
            of(Pair::SetJobResourceRequirements).len(),
            puts,
            "{version}"
        );
        let details = of(Pair::GetJob);
        // Just submitted, waiting for resources: no execution graph yet, so an empty plan (`{}`, or on
        // 2.3 one with empty strings and no nodes).
        let (name, e) = details
            .first()
            .expect("the details of the job just submitted");
        let waiting: JobDetailsInfo = body_of(&version, name, e);
        let nodes = waiting.plan.nodes.as_ref();
        assert!(
            nodes.is_none_or(|n| n.is_empty()),
            "{version}/{name}: {nodes:?}"
        );
        let (name, e) = details.last().expect("the details after the rescale");
        let job: JobDetailsInfo = body_of(&version, name, e);
        assert!(
            job.vertices.iter().all(|v| v.parallelism == 1),
            "{version}: {:?}",
            job.vertices
        );
        rescaled.push(version);
    }
    assert!(rescaled.len() >= 7, "rescaled on {rescaled:?} only");
}

/// A job that fails, restarts twice and then fails for good: on every version its details while it
/// restarts, its exception history of three failures (one with the other subtask's concurrent failure)
/// and each of a subtask's three attempts decode.
#[test]
fn a_restarting_job_and_its_exception_history_decode_on_every_version() {
    use flink_rest::types::{
        JobDetailsInfo, JobExceptionsInfoWithHistory, JobStatus, SubtaskExecutionAttemptDetailsInfo,
    };
    for version in versions() {
        let steps = step_of(&version, "restarting job");
        let of = |key: Pair| -> Vec<&(String, Exchange)> {
            (steps.iter())
                .filter(|(_, e)| e.endpoint == Some(key))
                .collect()
        };
        let states: Vec<JobStatus> = (of(Pair::GetJob).into_iter())
            .map(|(name, e)| body_of::<JobDetailsInfo>(&version, name, e).state)
            .collect();
        assert_eq!(
            states,
            [JobStatus::Restarting, JobStatus::Failed],
            "{version}"
        );
        let (name, e) = of(Pair::GetJobExceptions)[0];
        let history: JobExceptionsInfoWithHistory = body_of(&version, name, e);
        let entries = history.exception_history.entries;
        assert_eq!(entries.len(), 3, "{version}: one entry per failure");
        assert!(
            entries.iter().any(|e| !e.concurrent_exceptions.is_empty()),
            "{version}: no concurrent failure"
        );
        let key = Pair::GetSubtaskAttempt;
        let attempts: Vec<i32> = (of(key).into_iter())
            .map(|(name, e)| {
                body_of::<SubtaskExecutionAttemptDetailsInfo>(&version, name, e).attempt
            })
            .collect();
        assert_eq!(attempts, [0, 1, 2], "{version}");
    }
}

/// Fields Flink sends under two spellings with one value (`backpressure-level` and `backpressureLevel`,
/// `start-time` and `start_time`) are one field of the crate: every recorded back-pressure answer and
/// subtask attempt decodes into it, and writes both spellings again, with that value.
#[test]
fn a_value_sent_under_two_spellings_is_one_field_written_as_both() {
    use flink_rest::types::{JobVertexBackPressureInfo, SubtaskExecutionAttemptDetailsInfo};
    let mut checked = 0;
    for version in versions() {
        for (name, e) in step_of(&version, "vertex")
            .iter()
            .chain(&step_of(&version, "run job"))
        {
            let Some(body) = e
                .response
                .body
                .as_ref()
                .filter(|_| e.response.status == 200)
            else {
                continue;
            };
            let again = match e.endpoint {
                Some(Pair::GetJobVertexBackpressure) => {
                    let info: JobVertexBackPressureInfo = body_of(&version, name, e);
                    let level = info.backpressure_level.as_ref().map(|l| l.to_string());
                    assert_eq!(
                        level.as_deref(),
                        body["backpressureLevel"].as_str(),
                        "{name}"
                    );
                    serde_json::to_value(&info).unwrap()
                }
                Some(Pair::GetSubtaskAttempt) => {
                    let attempt: SubtaskExecutionAttemptDetailsInfo = body_of(&version, name, e);
                    assert_eq!(
                        Some(attempt.start_time),
                        body["start_time"].as_i64(),
                        "{name}"
                    );
                    serde_json::to_value(&attempt).unwrap()
                }
                _ => continue,
            };
            for (a, b) in [
                ("backpressure-level", "backpressureLevel"),
                ("start-time", "start_time"),
            ] {
                assert_eq!(again.get(a), body.get(a), "{version}/{name}: {a}");
                assert_eq!(again.get(b), body.get(b), "{version}/{name}: {b}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} answers checked");
}
