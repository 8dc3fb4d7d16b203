//! Operations that wait, against wiremock sequences: in progress then completed, failed (with the
//! failure a real Flink recorded), never completing (timeout), a server error mid-way, and dropped.

use flink_rest::Pair;
use std::path::Path;
use std::time::Duration;

use contract_tests::fixture;
use flink_rest::types::{
    CheckpointTriggerRequestBody, SavepointTriggerRequestBody, StopWithSavepointRequestBody,
};
use flink_rest::{Client, Error, JobId, Poll};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const JOB: &str = "a5d3f7c7e6b3d4f2a1b0c9d8e7f6a5b4";
const TRIGGER: &str = "0123456789abcdef0123456789abcdef";

fn fast() -> Poll {
    Poll {
        interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
        timeout: Duration::from_secs(5),
    }
}

async fn start() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder(&server.uri()).poll(fast()).build().unwrap();
    (server, client)
}

fn job() -> JobId {
    JOB.parse().unwrap()
}

fn in_progress() -> Value {
    json!({"status": {"id": "IN_PROGRESS"}})
}

/// `answers` in turn at `GET path` (the last one from then on), the trigger at `METHOD trigger`.
async fn operation(
    server: &MockServer,
    trigger: (&str, &str),
    status: &str,
    answers: &[(u16, Value)],
) {
    Mock::given(method(trigger.0))
        .and(path(trigger.1))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"request-id": TRIGGER})))
        .mount(server)
        .await;
    in_turn(server, status, answers).await;
}

/// `answers` in turn at `GET at` (the last one from then on).
async fn in_turn(server: &MockServer, at: &str, answers: &[(u16, Value)]) {
    let last = answers.len() - 1;
    for (i, (code, body)) in answers.iter().enumerate() {
        let mut mock = Mock::given(method("GET"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(*code).set_body_json(body.clone()))
            .with_priority(u8::try_from(i + 1).unwrap());
        if i < last {
            mock = mock.up_to_n_times(1);
        }
        mock.mount(server).await;
    }
}

/// A savepoint trigger at `POST /jobs/JOB/savepoints` whose status then answers `answers` in turn.
async fn savepoint_answers(server: &MockServer, answers: &[(u16, Value)]) {
    let trigger = format!("/jobs/{JOB}/savepoints");
    operation(server, ("POST", &trigger), &savepoint_status(), answers).await;
}

fn savepoint_status() -> String {
    format!("/jobs/{JOB}/savepoints/{TRIGGER}")
}

/// A savepoint that failed, as Flink 1.20.3 answered it (recorded).
fn recorded_failed_savepoint() -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = root.join("contract-tests/fixtures/1.20.3");
    (fixture::load_dir(&dir).unwrap().into_iter())
        .map(|(_, e)| e)
        .find(|e| {
            e.step == "failed savepoint"
                && e.endpoint == Some(Pair::GetSavepointStatus)
                && e.response
                    .body
                    .as_ref()
                    .is_some_and(|b| b["status"]["id"] == "COMPLETED")
        })
        .and_then(|e| e.response.body)
        .expect("a recorded failed savepoint")
}

#[tokio::test]
async fn a_savepoint_is_polled_until_written_and_its_location_returned() {
    let (server, client) = start().await;
    let done =
        json!({"status": {"id": "COMPLETED"}, "operation": {"location": "file:/sp/savepoint-1"}});
    savepoint_answers(
        &server,
        &[(200, in_progress()), (200, in_progress()), (200, done)],
    )
    .await;
    let body = SavepointTriggerRequestBody::default();
    let location = client.savepoint(&job(), &body).await.unwrap();
    assert_eq!(location, "file:/sp/savepoint-1");
    let polls = (server.received_requests().await.unwrap().iter())
        .filter(|r| r.url.path() == savepoint_status())
        .count();
    assert_eq!(polls, 3);
}

#[tokio::test]
async fn a_failed_savepoint_is_a_typed_failure_with_flinks_cause() {
    let (server, client) = start().await;
    let failed = recorded_failed_savepoint();
    savepoint_answers(&server, &[(200, in_progress()), (200, failed)]).await;
    let err = client
        .savepoint(&job(), &SavepointTriggerRequestBody::default())
        .await
        .unwrap_err();
    let Error::Failed {
        operation, failure, ..
    } = &err
    else {
        panic!("expected a failure, got {err:?}")
    };
    assert_eq!(*operation, "savepoint");
    assert!(failure.class.ends_with("Exception"), "{failure:?}");
    assert!(failure.stack_trace.contains("flink-rest-unwritable"));
    let root = failure.root_cause.as_deref().unwrap_or_default();
    assert!(!root.is_empty(), "{failure:?}");
    let shown = err.to_string();
    let head = format!("savepoint failed (job {JOB}): ");
    assert!(shown.starts_with(&head), "{shown}");
    assert!(
        shown.contains(root),
        "the message names the root cause: {shown}"
    );
}

#[tokio::test]
async fn an_operation_that_never_ends_times_out() {
    let (server, client) = start().await;
    savepoint_answers(&server, &[(200, in_progress())]).await;
    let poll = Poll {
        timeout: Duration::from_millis(100),
        ..fast()
    };
    let err = (client.with_poll(poll))
        .savepoint(&job(), &SavepointTriggerRequestBody::default())
        .await
        .unwrap_err();
    match err {
        Error::Timeout {
            operation,
            waited,
            job: Some(followed),
            trigger: Some(_),
            ..
        } => {
            assert_eq!(operation, "savepoint");
            assert_eq!(followed, job());
            // It stops at the timeout asked for (100 ms, plus a poll that may be under way), not at the
            // 5 s of the client's own poll settings.
            assert!(waited < Duration::from_secs(5), "{waited:?}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_error_mid_way_ends_the_wait_with_that_error() {
    let (server, client) = start().await;
    let broken = json!({"errors": ["Internal server error."]});
    savepoint_answers(&server, &[(200, in_progress()), (500, broken)]).await;
    let err = client
        .savepoint(&job(), &SavepointTriggerRequestBody::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500), "{err:?}");
}

#[tokio::test]
async fn a_wait_dropped_mid_way_stops_polling() {
    let (server, client) = start().await;
    savepoint_answers(&server, &[(200, in_progress())]).await;
    let (job, body) = (job(), SavepointTriggerRequestBody::default());
    let waiting = client.savepoint(&job, &body);
    assert!(tokio::time::timeout(Duration::from_millis(50), waiting)
        .await
        .is_err());
    let polled = server.received_requests().await.unwrap().len();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.received_requests().await.unwrap().len(), polled);
}

#[tokio::test]
async fn stop_waits_for_the_savepoint_and_then_for_the_job_to_finish() {
    let (server, client) = start().await;
    let done =
        json!({"status": {"id": "COMPLETED"}, "operation": {"location": "file:/sp/savepoint-2"}});
    operation(
        &server,
        ("POST", &format!("/jobs/{JOB}/stop")),
        &savepoint_status(),
        &[(200, in_progress()), (200, done)],
    )
    .await;
    // The job's state from its details, which every version has (`/status` came with 1.16).
    let status = format!("/jobs/{JOB}");
    let states = ["RUNNING", "RUNNING", "FINISHED"].map(|s| job_in(s, s, 2));
    answers(&server, &status, states.to_vec()).await;
    let location = client
        .stop(&job(), &StopWithSavepointRequestBody::default())
        .await
        .unwrap();
    assert_eq!(location, "file:/sp/savepoint-2");
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        received.iter().filter(|r| r.url.path() == status).count(),
        3
    );
}

#[tokio::test]
async fn a_checkpoint_returns_its_id_or_its_failure() {
    let (server, client) = start().await;
    let status = format!("/jobs/{JOB}/checkpoints/{TRIGGER}");
    let trigger = format!("/jobs/{JOB}/checkpoints");
    let done = json!({"status": {"id": "COMPLETED"}, "operation": {"checkpointId": 42}});
    operation(
        &server,
        ("POST", &trigger),
        &status,
        &[(200, in_progress()), (200, done)],
    )
    .await;
    let body = CheckpointTriggerRequestBody::default();
    assert_eq!(client.checkpoint(&job(), &body).await.unwrap(), 42);

    let (server, client) = start().await;
    let cause = json!({
        "class": "org.apache.flink.runtime.checkpoint.CheckpointException",
        "stack-trace": "org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint expired before completing.\n\tat x.y(Z.java:1)\n",
        "serialized-throwable": "rO0="
    });
    let failed = json!({"status": {"id": "COMPLETED"}, "operation": {"failureCause": cause}});
    operation(&server, ("POST", &trigger), &status, &[(200, failed)]).await;
    match client.checkpoint(&job(), &body).await.unwrap_err() {
        Error::Failed { failure, .. } => {
            assert_eq!(failure.message, "Checkpoint expired before completing.");
            assert_eq!(failure.root_cause, None);
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_disposal_ends_done_or_failed() {
    let (server, client) = start().await;
    let status = format!("/savepoint-disposal/{TRIGGER}");
    let done = json!({"status": {"id": "COMPLETED"}, "operation": {}});
    operation(
        &server,
        ("POST", "/savepoint-disposal"),
        &status,
        &[(200, in_progress()), (200, done)],
    )
    .await;
    client
        .dispose_savepoint("file:/sp/savepoint-1")
        .await
        .unwrap();

    let (server, client) = start().await;
    let cause = json!({
        "class": "java.util.concurrent.CompletionException",
        "stack-trace": "java.util.concurrent.CompletionException: java.io.FileNotFoundException: no such savepoint\nCaused by: java.io.FileNotFoundException: no such savepoint\n",
        "serialized-throwable": "rO0="
    });
    let failed = json!({"status": {"id": "COMPLETED"}, "operation": {"failure-cause": cause}});
    operation(
        &server,
        ("POST", "/savepoint-disposal"),
        &status,
        &[(200, failed)],
    )
    .await;
    match client.dispose_savepoint("file:/missing").await.unwrap_err() {
        Error::Failed {
            operation, failure, ..
        } => {
            assert_eq!(operation, "savepoint disposal");
            assert_eq!(
                failure.root_cause.as_deref(),
                Some("java.io.FileNotFoundException: no such savepoint")
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// The first recorded answer (1.20.3) to `endpoint` in `step`.
fn recorded(step: &str, endpoint: Pair) -> Value {
    recorded_on("1.20.3", step, endpoint).swap_remove(0)
}

/// Every answer `version` recorded to `endpoint` in `step`, in order.
fn recorded_on(version: &str, step: &str, endpoint: Pair) -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = root.join("contract-tests/fixtures").join(version);
    let all: Vec<Value> = (fixture::load_dir(&dir).unwrap().into_iter())
        .map(|(_, e)| e)
        .filter(|e| e.step == step && e.endpoint == Some(endpoint))
        .filter_map(|e| e.response.body)
        .collect();
    assert!(
        !all.is_empty(),
        "no {endpoint} recorded in {step} on {version}"
    );
    all
}

/// A job's details in `state`, every vertex `vertex_state` at `parallelism`.
fn job_in(state: &str, vertex_state: &str, parallelism: i64) -> Value {
    let mut details = recorded("running job", Pair::GetJob);
    details["state"] = json!(state);
    for v in details["vertices"].as_array_mut().unwrap() {
        v["status"] = json!(vertex_state);
        v["parallelism"] = json!(parallelism);
    }
    details
}

/// `bodies` in turn, each a 200, at `GET at` (the last one from then on).
async fn answers(server: &MockServer, at: &str, bodies: Vec<Value>) {
    let answers: Vec<(u16, Value)> = bodies.into_iter().map(|b| (200, b)).collect();
    in_turn(server, at, &answers).await;
}

const JAR: &str = "0f4c2a1e-1b2c-4d5e-8f90-123456789abc_job.jar";

/// A server that runs the jar `JAR` as job `JOB`, whose details then answer `states` in turn and whose
/// exceptions are those 1.20.3 recorded in `exceptions_of` (a step).
async fn running_jar(states: Vec<Value>, exceptions_of: &str) -> (MockServer, Client) {
    let (server, client) = start().await;
    Mock::given(method("POST"))
        .and(path(format!("/jars/{JAR}/run")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"jobid": JOB})))
        .mount(&server)
        .await;
    answers(&server, &format!("/jobs/{JOB}"), states).await;
    let exceptions = recorded(exceptions_of, Pair::GetJobExceptions);
    answers(
        &server,
        &format!("/jobs/{JOB}/exceptions"),
        vec![exceptions],
    )
    .await;
    (server, client)
}

#[tokio::test]
async fn a_started_jar_is_waited_for_until_its_job_runs_or_fails() {
    use flink_rest::types::JarRunRequestBody;
    let jar: flink_rest::JarId = JAR.parse().unwrap();
    for (states, failed) in [
        (
            vec![
                job_in("CREATED", "CREATED", 2),
                job_in("RUNNING", "DEPLOYING", 2),
                job_in("RUNNING", "RUNNING", 2),
            ],
            false,
        ),
        (
            vec![
                job_in("RUNNING", "DEPLOYING", 1),
                job_in("FAILED", "FAILED", 1),
            ],
            true,
        ),
    ] {
        let (_server, client) = running_jar(states, "failing job").await;
        let started = client.start_jar(&jar, &JarRunRequestBody::default()).await;
        match (started, failed) {
            (Ok(job), false) => assert_eq!(job.as_str(), JOB),
            (
                Err(Error::Failed {
                    operation, failure, ..
                }),
                true,
            ) => {
                assert_eq!(operation, "job start");
                assert!(
                    failure.stack_trace.contains("failing on purpose"),
                    "{failure:?}"
                );
            }
            (other, _) => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_job_that_restarts_ends_start_jar_with_its_latest_failure() {
    use flink_rest::types::JarRunRequestBody;
    let jar: flink_rest::JarId = JAR.parse().unwrap();
    // Seen restarting; seen running again, its timestamps saying it restarted.
    let mut running_again = job_in("RUNNING", "RUNNING", 2);
    running_again["timestamps"]["RESTARTING"] = json!(1_796_000_000_000_i64);
    for restarted in [job_in("RESTARTING", "CANCELED", 2), running_again] {
        let mut first = job_in("RUNNING", "DEPLOYING", 2);
        first["timestamps"]["RESTARTING"] = json!(0);
        let (_server, client) = running_jar(vec![first, restarted], "restarting job").await;
        let body = JarRunRequestBody::default();
        let err = client.start_jar(&jar, &body).await;
        let Err(Error::Failed {
            operation,
            failure,
            job,
        }) = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(
            (*operation, job.as_ref()),
            ("job start", Some(&self::job()))
        );
        let root = failure.root_cause.as_deref().unwrap_or_default();
        assert!(root.contains("failing on purpose"), "{failure:?}");
        let said = err.as_ref().unwrap_err().to_string();
        assert!(
            said.starts_with(&format!("job start failed (job {JOB}): ")),
            "{said}"
        );
        assert!(said.ends_with(&format!("(root cause: {root})")), "{said}");
    }
}

#[tokio::test]
async fn cancel_waits_until_the_job_is_cancelled() {
    let (server, client) = start().await;
    Mock::given(method("PATCH"))
        .and(path(format!("/jobs/{JOB}")))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({})))
        .mount(&server)
        .await;
    let status = format!("/jobs/{JOB}");
    let states = [
        ("RUNNING", "RUNNING"),
        ("CANCELLING", "CANCELING"),
        ("CANCELED", "CANCELED"),
    ]
    .map(|(job, vertex)| job_in(job, vertex, 2));
    answers(&server, &status, states.to_vec()).await;
    client.cancel(&job()).await.unwrap();
    let received = server.received_requests().await.unwrap();
    let patch = received
        .iter()
        .find(|r| r.method.as_str() == "PATCH")
        .unwrap();
    assert_eq!(patch.url.query(), Some("mode=cancel"));
    let polls = received
        .iter()
        .filter(|r| r.method.as_str() == "GET" && r.url.path() == status);
    assert_eq!(polls.count(), 3);
}

#[tokio::test]
async fn rescale_waits_until_the_vertices_run_at_the_new_parallelism() {
    use flink_rest::types::{JobVertexResourceRequirements, Parallelism};
    let (server, client) = start().await;
    let details = job_in("RUNNING", "RUNNING", 2);
    let requirements: std::collections::BTreeMap<String, JobVertexResourceRequirements> =
        (details["vertices"].as_array().unwrap().iter())
            .map(|v| {
                let bounds = Parallelism {
                    lower_bound: 1,
                    upper_bound: 1,
                };
                (
                    v["id"].as_str().unwrap().to_string(),
                    JobVertexResourceRequirements {
                        parallelism: bounds,
                    },
                )
            })
            .collect();
    Mock::given(method("PUT"))
        .and(path(format!("/jobs/{JOB}/resource-requirements")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let restarting = job_in("RUNNING", "DEPLOYING", 1);
    answers(
        &server,
        &format!("/jobs/{JOB}"),
        vec![details, restarting, job_in("RUNNING", "RUNNING", 1)],
    )
    .await;
    client.rescale(&job(), &requirements).await.unwrap();
    let received = server.received_requests().await.unwrap();
    let put = received
        .iter()
        .find(|r| r.method.as_str() == "PUT")
        .unwrap();
    let sent: Value = serde_json::from_slice(&put.body).unwrap();
    assert_eq!(sent.as_object().unwrap().len(), requirements.len());
    let polls = (received.iter())
        .filter(|r| r.method.as_str() == "GET" && r.url.path() == format!("/jobs/{JOB}"));
    assert_eq!(polls.count(), 3);
}

/// Requirements of `lower..=upper` for every vertex of `details`.
fn bounds_for(
    details: &Value,
    lower: i32,
    upper: i32,
) -> std::collections::BTreeMap<String, flink_rest::types::JobVertexResourceRequirements> {
    use flink_rest::types::{JobVertexResourceRequirements, Parallelism};
    (details["vertices"].as_array().unwrap().iter())
        .map(|v| {
            let parallelism = Parallelism {
                lower_bound: lower,
                upper_bound: upper,
            };
            let id = v["id"].as_str().unwrap().to_string();
            (id, JobVertexResourceRequirements { parallelism })
        })
        .collect()
}

/// A job at parallelism 1 asked to run at 2, on a server whose rescale history answers `histories`
/// in turn (2.3.0's recorded answers): the rescale's end as the client reports it.
async fn rescale_seen_through(histories: Vec<Value>) -> flink_rest::Result<()> {
    let (server, client) = start().await;
    Mock::given(method("PUT"))
        .and(path(format!("/jobs/{JOB}/resource-requirements")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let details = job_in("RUNNING", "RUNNING", 1);
    answers(&server, &format!("/jobs/{JOB}"), vec![details.clone()]).await;
    let history = format!("/jobs/{JOB}/rescales/history");
    answers(&server, &history, histories).await;
    let overview = recorded_on("2.3.0", "cluster", Pair::GetClusterOverview);
    answers(&server, "/overview", overview).await;
    client.rescale(&job(), &bounds_for(&details, 2, 2)).await
}

#[tokio::test]
async fn a_rescale_flink_ignores_ends_at_once_saying_why() {
    let history = |at: usize| {
        recorded_on("2.3.0", "adaptive scheduler", Pair::GetJobRescaleHistory).swap_remove(at)
    };
    // Before: two completed rescales; after: three more, the newest ignored as changing nothing.
    let (before, open, after) = (history(0), history(1), history(2));
    let err = rescale_seen_through(vec![before.clone(), open, after.clone()]).await;
    let Err(Error::NotApplied {
        operation,
        job,
        reason,
    }) = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!((*operation, job.as_ref()), ("rescale", Some(&self::job())));
    assert!(
        reason.starts_with(
            "Flink marked the rescale IGNORED (NO_RESOURCES_OR_PARALLELISMS_CHANGE); the cluster has"
        ),
        "{reason}"
    );
    // The same, where a newer requirement replaced it: the history without its newest entry.
    let mut replaced = after;
    replaced.as_array_mut().unwrap().remove(0);
    let err = rescale_seen_through(vec![before, replaced]).await;
    match &err {
        Err(Error::NotApplied { reason, .. }) => {
            assert_eq!(
                reason,
                "newer resource requirements replaced it before it ended"
            )
        }
        other => panic!("{other:?}"),
    }
}

/// 1.20.3's recorded checkpoint statistics with a history of `(id, status)`, newest first.
fn checkpoints_with(history: &[(i64, &str)]) -> Value {
    let mut stats = recorded("running job", Pair::GetJobCheckpoints);
    let template = stats["history"][0].clone();
    stats["history"] = (history.iter())
        .map(|(id, status)| {
            let mut c = template.clone();
            c["id"] = json!(id);
            c["status"] = json!(status);
            c
        })
        .collect();
    stats
}

#[tokio::test]
async fn a_checkpoint_watch_yields_each_that_ends_after_it_began_until_the_job_ends() {
    use futures_util::StreamExt;
    let (server, client) = start().await;
    let states = ["RUNNING", "RUNNING", "FINISHED"];
    let details = states.map(|s| job_in(s, "RUNNING", 1)).to_vec();
    answers(&server, &format!("/jobs/{JOB}"), details).await;
    let histories = vec![
        checkpoints_with(&[(2, "IN_PROGRESS"), (1, "COMPLETED")]),
        checkpoints_with(&[(3, "IN_PROGRESS"), (2, "COMPLETED"), (1, "COMPLETED")]),
        checkpoints_with(&[(4, "FAILED"), (3, "COMPLETED"), (2, "COMPLETED")]),
    ];
    answers(&server, &format!("/jobs/{JOB}/checkpoints"), histories).await;
    let seen: Vec<(i64, String)> = (client.job(&job()).watch_checkpoints())
        .map(|c| c.map(|c| (c.id, c.status.to_string())).unwrap())
        .collect()
        .await;
    let expected = [(2, "COMPLETED"), (3, "COMPLETED"), (4, "FAILED")];
    assert_eq!(seen, expected.map(|(id, s)| (id, s.to_string())));
}

#[tokio::test]
async fn a_state_watch_yields_each_change_and_ends_with_the_job() {
    use futures_util::StreamExt;
    let (server, client) = start().await;
    let states = ["RUNNING", "RUNNING", "CANCELLING", "CANCELED"];
    let details = states.map(|s| job_in(s, "RUNNING", 1)).to_vec();
    answers(&server, &format!("/jobs/{JOB}"), details).await;
    let seen: Vec<String> = (client.job(&job()).watch_state())
        .map(|s| s.unwrap().to_string())
        .collect()
        .await;
    assert_eq!(seen, ["RUNNING", "CANCELLING", "CANCELED"]);
    // An error ends the watch after it.
    let (_, client) = start().await;
    let watched: Vec<_> = client.job(&job()).watch_state().collect().await;
    assert!(
        matches!(watched[..], [Err(ref e)] if e.is_not_found()),
        "{watched:?}"
    );
}
