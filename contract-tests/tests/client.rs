//! What the generated client puts on the wire, and how it reads what comes back.

use flink_rest::client::{GetJobVertexSubtasksMetricsQuery, RunJarQuery, TriggerRescalingQuery};
use flink_rest::types::{
    JarRunRequestBody, JobStatus, JobSubmitRequestBody, MetricsAggregation,
    SavepointTriggerRequestBody,
};
use flink_rest::{Client, Error, IntegerRange, JarId, JobId, TaskManagerId, UploadFile, VertexId};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const JOB: &str = "a5d3f7c7e6b3d4f2a1b0c9d8e7f6a5b4";
const VERTEX: &str = "0a448493b4782967b150582570326227";

async fn server() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::new(&server.uri()).unwrap();
    (server, client)
}

fn requests(received: &[Request]) -> Vec<String> {
    received
        .iter()
        .map(|r| {
            let query = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
            format!("{} {}{query}", r.method, r.url.path())
        })
        .collect()
}

#[tokio::test]
async fn decodes_a_typed_answer_and_keeps_unknown_enum_values() {
    let (server, client) = server().await;
    Mock::given(method("GET"))
        .and(path("/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "jobs": [
                {"id": JOB, "status": "RUNNING"},
                {"id": "b5d3f7c7e6b3d4f2a1b0c9d8e7f6a5b4", "status": "INITIALIZING", "extra": 1},
                {"id": "c5d3f7c7e6b3d4f2a1b0c9d8e7f6a5b4", "status": "HIBERNATING"}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let jobs = client.list_jobs().await.unwrap().jobs;
    assert_eq!(jobs[0].status, JobStatus::Running);
    // Known from the ledger (servers send it since 1.12), though the page does not list it.
    assert_eq!(jobs[1].status, JobStatus::Initializing);
    assert_eq!(jobs[2].status, JobStatus::Unknown("HIBERNATING".into()));
    assert_eq!(jobs[2].status.as_str(), "HIBERNATING");
}

#[tokio::test]
async fn path_parameters_are_typed_and_encoded_as_segments() {
    // Only what is sent matters here: the `{}` answers do not decode into the typed results.
    let (server, client) = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let job: JobId = JOB.parse().unwrap();
    let vertex: VertexId = VERTEX.parse().unwrap();
    let tm = TaskManagerId::new("localhost:36885-31833a").unwrap();
    client.get_job(&job).await.ok();
    client.get_subtask_attempt(&job, &vertex, 1, 0).await.ok();
    client.get_taskmanager(&tm).await.ok();
    client.get_job_checkpoint(&job, 17).await.ok();
    assert_eq!(
        requests(&server.received_requests().await.unwrap()),
        [
            format!("GET /jobs/{JOB}"),
            format!("GET /jobs/{JOB}/vertices/{VERTEX}/subtasks/1/attempts/0"),
            "GET /taskmanagers/localhost:36885-31833a".to_string(),
            format!("GET /jobs/{JOB}/checkpoints/details/17"),
        ]
    );
}

#[tokio::test]
async fn query_lists_are_comma_separated_and_empty_ones_left_out() {
    let (server, client) = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let job: JobId = JOB.parse().unwrap();
    let vertex: VertexId = VERTEX.parse().unwrap();
    let query = GetJobVertexSubtasksMetricsQuery {
        get: vec!["numRecordsIn".into(), "numRecordsOut".into()],
        agg: vec![MetricsAggregation::Max, MetricsAggregation::Avg],
        subtasks: vec![IntegerRange::single(1), IntegerRange::new(3, 5).unwrap()],
    };
    let body = client
        .get_job_vertex_subtasks_metrics(&job, &vertex, &query)
        .await
        .unwrap();
    assert!(body.is_empty());
    client
        .get_job_vertex_subtasks_metrics(&job, &vertex, &Default::default())
        .await
        .unwrap();
    assert_eq!(
        requests(&server.received_requests().await.unwrap()),
        [
            format!("GET /jobs/{JOB}/vertices/{VERTEX}/subtasks/metrics?get=numRecordsIn%2CnumRecordsOut&agg=max%2Cavg&subtasks=1%2C3-5"),
            format!("GET /jobs/{JOB}/vertices/{VERTEX}/subtasks/metrics"),
        ]
    );
}

#[tokio::test]
async fn json_bodies_and_mandatory_query_parameters_are_sent() {
    let (server, client) = server().await;
    let job: JobId = JOB.parse().unwrap();
    Mock::given(method("POST"))
        .and(path(format!("/jobs/{JOB}/savepoints")))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({"target-directory": "/tmp/sp", "cancel-job": false}),
        ))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"request-id": "t1"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("/jobs/{JOB}/rescaling")))
        .and(query_param("parallelism", "4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"request-id": "t2"})))
        .expect(1)
        .mount(&server)
        .await;
    let body = SavepointTriggerRequestBody {
        target_directory: Some("/tmp/sp".into()),
        cancel_job: Some(false),
        ..Default::default()
    };
    let trigger = client.trigger_savepoint(&job, &body).await.unwrap();
    assert_eq!(
        trigger.request_id.as_str(),
        "t1",
        "an id as the server sent it"
    );
    let trigger = client
        .trigger_rescaling(&job, &TriggerRescalingQuery { parallelism: 4 })
        .await
        .unwrap();
    assert_eq!(trigger.request_id.as_str(), "t2");
}

#[tokio::test]
async fn jar_upload_is_multipart_with_the_documented_part_and_type() {
    let (server, client) = server().await;
    Mock::given(method("POST"))
        .and(path("/jars/upload"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"filename": "/tmp/flink-web/flink-web-upload/x_job.jar", "status": "success"}),
        ))
        .mount(&server)
        .await;
    let answer = client
        .upload_jar(UploadFile::from_bytes("job.jar", b"PK\x03\x04jar".to_vec()))
        .await
        .unwrap();
    assert_eq!(answer.status.as_str(), "success");
    let received = server.received_requests().await.unwrap();
    let content_type = received[0].headers["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="));
    let body = String::from_utf8_lossy(&received[0].body);
    assert!(
        body.contains("name=\"jarfile\"; filename=\"job.jar\""),
        "{body}"
    );
    assert!(
        body.contains("Content-Type: application/x-java-archive"),
        "{body}"
    );
    assert!(body.contains("PK\u{3}\u{4}jar"), "{body}");
}

#[tokio::test]
async fn job_submission_sends_the_json_part_as_an_attribute_and_files_by_name() {
    let (server, client) = server().await;
    Mock::given(method("POST"))
        .and(path("/jobs"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"jobUrl": "/jobs/x"})))
        .mount(&server)
        .await;
    let body = JobSubmitRequestBody {
        job_graph_file_name: Some("job.graph".into()),
        job_jar_file_names: Some(vec![]),
        job_artifact_file_names: Some(vec![]),
    };
    let files = vec![UploadFile::from_bytes("job.graph", b"graph".to_vec())];
    let answer = client.submit_job(&body, files).await.unwrap();
    assert_eq!(answer.job_url, "/jobs/x");
    let received = server.received_requests().await.unwrap();
    let text = String::from_utf8_lossy(&received[0].body);
    assert!(
        text.contains("name=\"request\"\r\nContent-Type: application/json"),
        "{text}"
    );
    assert!(
        text.contains("\"jobGraphFileName\":\"job.graph\""),
        "{text}"
    );
    assert!(
        text.contains("name=\"job.graph\"; filename=\"job.graph\""),
        "{text}"
    );
}

#[tokio::test]
async fn flink_error_bodies_become_typed_api_errors() {
    let (server, client) = server().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"errors": ["Job not found."]})),
        )
        .mount(&server)
        .await;
    let job: JobId = JOB.parse().unwrap();
    let err = client.get_job(&job).await.unwrap_err();
    match &err {
        Error::Api {
            endpoint,
            status,
            errors,
            known,
        } => {
            assert_eq!(*endpoint, "GET /jobs/:jobid");
            assert_eq!(*status, 404);
            assert_eq!(errors, &["Job not found."]);
            assert_eq!(*known, None, "a 404 of a job is not a known refusal");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn a_non_flink_error_body_is_kept_as_text() {
    let (server, client) = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway\n"))
        .mount(&server)
        .await;
    match client.get_cluster_overview().await.unwrap_err() {
        Error::Api { status, errors, .. } => {
            assert_eq!(status, 502);
            assert_eq!(errors, ["bad gateway"]);
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn decode_errors_name_the_json_path() {
    let (server, client) = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "jobs": [{"id": JOB, "status": "RUNNING"}, {"id": JOB, "status": 7}]
        })))
        .mount(&server)
        .await;
    match client.list_jobs().await.unwrap_err() {
        Error::Decode {
            endpoint,
            status,
            path,
            body,
            ..
        } => {
            assert_eq!(endpoint, "GET /jobs");
            assert_eq!(status, 200);
            assert_eq!(path, "jobs[1].status");
            assert!(body.contains("\"status\":7"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn decode_reads_a_body_as_the_client_does_and_says_where_it_fails() {
    use flink_rest::types::JobIdsWithStatusOverview;
    let good = format!(r#"{{"jobs": [{{"id": "{JOB}", "status": "RUNNING"}}]}}"#);
    let read: JobIdsWithStatusOverview = flink_rest::decode(good.as_bytes()).unwrap();
    assert_eq!(read.jobs[0].id.as_str(), JOB);
    // Read again with path tracking only when the fast read fails: a wrong type, and bytes that are
    // not UTF-8, each at its place.
    let wrong = format!(r#"{{"jobs": [{{"id": "{JOB}", "status": 7}}]}}"#);
    let e = flink_rest::decode::<JobIdsWithStatusOverview>(wrong.as_bytes()).unwrap_err();
    assert_eq!(e.path, "jobs[0].status");
    let mut bytes = good.into_bytes();
    let at = bytes.iter().position(|b| *b == b'R').unwrap();
    bytes[at] = 0xff;
    let e = flink_rest::decode::<JobIdsWithStatusOverview>(&bytes).unwrap_err();
    assert_eq!(e.path, "jobs[0].status");
    assert!(e.to_string().starts_with("at jobs[0].status: "), "{e}");
}

#[tokio::test]
async fn required_fields_are_required() {
    let job: JobId = JOB.parse().unwrap();
    for (body, at, missing) in [
        (json!({}), ".", "status"),
        (
            json!({"status": {"id": "COMPLETED"}, "job-execution-result": {}}),
            "job-execution-result",
            "id",
        ),
    ] {
        let (server, client) = server().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
        match client.get_job_execution_result(&job).await.unwrap_err() {
            Error::Decode { path, source, .. } => {
                assert_eq!(path, at);
                let message = source.to_string();
                assert!(
                    message.contains(&format!("missing field `{missing}`")),
                    "{message}"
                );
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn bodies_the_page_leaves_blank_decode_with_their_ledger_types() {
    let (server, client) = server().await;
    Mock::given(method("DELETE"))
        .and(path("/cluster"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jobmanager/metrics"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": "Status.JVM.CPU.Load", "value": "0.1"}])),
        )
        .mount(&server)
        .await;
    let flink_rest::types::EmptyResponseBody {} = client.shutdown_cluster().await.unwrap();
    let metrics = client
        .get_jobmanager_metrics(&Default::default())
        .await
        .unwrap();
    assert_eq!(metrics[0].id, "Status.JVM.CPU.Load");
    assert_eq!(metrics[0].value.as_deref(), Some("0.1"));
}

#[tokio::test]
async fn version_prefix_and_base_path_are_kept() {
    // Only what is sent matters here: the `{}` answers do not decode into the typed results.
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let v1 = Client::builder(&server.uri())
        .version_prefix(true)
        .build()
        .unwrap();
    v1.get_cluster_overview().await.ok();
    let proxied = Client::new(&format!("{}/flink/", server.uri())).unwrap();
    proxied.get_cluster_overview().await.ok();
    let jar = JarId::new("4c5d8f1e-6b7a-4c3d-9e2f-1a0b9c8d7e6f_job.jar").unwrap();
    let run = RunJarQuery {
        parallelism: Some(2),
        program_arg: vec!["--rate".into(), "10".into()],
        ..Default::default()
    };
    let body = JarRunRequestBody {
        entry_class: Some("Job".into()),
        ..Default::default()
    };
    v1.run_jar(&jar, &run, &body).await.ok();
    assert_eq!(
        requests(&server.received_requests().await.unwrap()),
        [
            "GET /v1/overview".to_string(),
            "GET /flink/overview".to_string(),
            "POST /v1/jars/4c5d8f1e-6b7a-4c3d-9e2f-1a0b9c8d7e6f_job.jar/run?programArg=--rate%2C10&parallelism=2".to_string(),
        ]
    );
}

#[tokio::test]
async fn transport_errors_and_bad_base_urls_are_errors_not_panics() {
    assert!(matches!(
        Client::new("not a url"),
        Err(Error::InvalidUrl(_))
    ));
    assert!(matches!(
        Client::new("mailto:x@y"),
        Err(Error::InvalidUrl(_))
    ));
    // Nothing listens on port 1 of loopback.
    let client = Client::builder("http://127.0.0.1:1")
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    let err = client.get_cluster_overview().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                endpoint: "GET /overview",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn headers_and_a_bearer_token_go_with_every_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/config"))
        .and(header("authorization", "Bearer s3cret"))
        .and(header("x-tenant", "blue"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "refresh-interval": 3000, "timezone-name": "UTC", "timezone-offset": 0,
            "flink-version": "1.20.3", "flink-revision": "abc @ 2025-01-01",
            "features": {"web-submit": true, "web-cancel": true, "web-rescale": false, "web-history": false}
        })))
        .mount(&server)
        .await;
    let client = Client::builder(&server.uri())
        .bearer_token("s3cret")
        .header("x-tenant", "blue")
        .build()
        .unwrap();
    assert_eq!(client.flink_version().await.unwrap(), "1.20.3");
    let err = Client::builder(&server.uri())
        .header("bad header", "x")
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidHeader(name) if name == "bad header"),
        "{err}"
    );
}

#[tokio::test]
async fn a_transport_error_names_its_root_cause() {
    // A port nothing listens on: reqwest's own message says only "error sending request".
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::new(&format!("http://127.0.0.1:{port}")).unwrap();
    let err = client.get_cluster_overview().await.unwrap_err();
    let shown = err.to_string();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(shown.starts_with("GET /overview: "), "{shown}");
    assert!(
        shown.contains("(cause: ") && shown.to_lowercase().contains("refused"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_refusal_the_ledger_knows_says_why() {
    let (server, client) = server().await;
    Mock::given(method("PATCH"))
        .and(path(format!("/jobs/{JOB}/rescaling")))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({
            "errors": ["Rescaling is temporarily disabled. See FLINK-12312."]
        })))
        .mount(&server)
        .await;
    let job: JobId = JOB.parse().unwrap();
    let query = TriggerRescalingQuery { parallelism: 1 };
    let err = client.trigger_rescaling(&job, &query).await.unwrap_err();
    let Error::Api { status, known, .. } = &err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(*status, 503);
    assert!(known.is_some_and(|why| !why.is_empty()), "{err}");
    assert!(err.to_string().contains("(known: "), "{err}");
}

#[tokio::test]
async fn a_pair_the_servers_version_does_not_have_fails_without_sending() {
    let (server, _) = server().await;
    Mock::given(method("GET"))
        .and(path("/applications/overview"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"applications": []})))
        .mount(&server)
        .await;
    let old = Client::builder(&server.uri())
        .flink_version("1.20.3")
        .build()
        .unwrap();
    let err = old.get_applications_overview().await.unwrap_err();
    assert!(
        matches!(&err, Error::NotAvailable { version, since: Some("2.3.0"), until: None, .. } if version == "1.20.3"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "GET /applications/overview: Flink 1.20.3 does not have it (Flink 2.3.0 and later do)"
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing sent"
    );
    let new = Client::builder(&server.uri())
        .flink_version("2.3.1")
        .build()
        .unwrap();
    assert!(new.get_applications_overview().await.is_ok());
    // Without a known version, every method sends.
    let unknown = Client::new(&server.uri()).unwrap();
    assert!(unknown.get_applications_overview().await.is_ok());
}

/// What would change the request is refused before anything is sent: a path segment the URL resolves
/// away (`..` would turn `/taskmanagers/../metrics` into `/metrics`) or strips (a line break), a comma
/// inside one item of a comma-separated list, a line break in an upload's file name.
#[tokio::test]
async fn arguments_that_would_change_the_request_are_refused_unsent() {
    let (server, client) = server().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let default = flink_rest::client::GetTaskmanagerMetricsQuery::default();
    for id in ["..", ".", "tm\r\n1", "tm\u{0}"] {
        let tm: TaskManagerId = serde_json::from_value(json!(id)).unwrap();
        match client.get_taskmanager_metrics(&tm, &default).await {
            Err(Error::InvalidId(e)) => assert_eq!(e.kind, "path segment", "{id:?}"),
            other => panic!("{id:?}: {other:?}"),
        }
    }
    let job: JobId = JOB.parse().unwrap();
    let vertex: VertexId = VERTEX.parse().unwrap();
    let split = GetJobVertexSubtasksMetricsQuery {
        get: vec!["numRecordsIn,numRecordsOut".into()],
        ..Default::default()
    };
    match client
        .get_job_vertex_subtasks_metrics(&job, &vertex, &split)
        .await
    {
        Err(Error::InvalidId(e)) => assert_eq!(e.kind, "get"),
        other => panic!("{other:?}"),
    }
    let upload = UploadFile::from_bytes("job.jar\r\nX-Injected: 1", b"PK".to_vec());
    match client.upload_jar(upload).await {
        Err(Error::InvalidId(e)) => assert_eq!(e.kind, "upload file name"),
        other => panic!("{other:?}"),
    }
    assert!(requests(&server.received_requests().await.unwrap()).is_empty());
    // A name with a dot in it is an ordinary segment.
    let tm: TaskManagerId = "localhost:36885-31833a.1".parse().unwrap();
    client.get_taskmanager_metrics(&tm, &default).await.unwrap();
}

/// An answer longer than the client's limit is an error, whether the server says its length up front
/// or streams it.
#[tokio::test]
async fn an_answer_past_the_size_limit_is_too_large() {
    let server = MockServer::start().await;
    let jobs: Vec<_> = (0..2000)
        .map(|i| json!({"id": format!("{i:032x}"), "status": "RUNNING"}))
        .collect();
    let body = json!({ "jobs": jobs });
    let size = body.to_string().len() as u64;
    Mock::given(method("GET"))
        .and(path("/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let limited = |limit| {
        Client::builder(&server.uri())
            .max_answer_bytes(limit)
            .build()
            .unwrap()
    };
    match limited(size - 1).list_jobs().await {
        Err(e @ Error::TooLarge { .. }) => {
            assert!(
                e.to_string()
                    .contains(&format!("longer than {} bytes", size - 1)),
                "{e}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(limited(size).list_jobs().await.unwrap().jobs.len(), 2000);
    assert_eq!(flink_rest::DEFAULT_MAX_ANSWER_BYTES, 64 << 20);
}

/// A body past `rest.server.max-content-length` is refused by Flink's HTTP layer with 413 and no body
/// (recorded on every version): the typed error has the status and no error strings.
#[tokio::test]
async fn an_error_without_a_body_is_an_api_error_with_none() {
    let (server, client) = server().await;
    Mock::given(method("GET"))
        .and(path("/jobs"))
        .respond_with(ResponseTemplate::new(413))
        .mount(&server)
        .await;
    match client.list_jobs().await {
        Err(Error::Api { status, errors, .. }) => assert_eq!((status, errors.len()), (413, 0)),
        other => panic!("{other:?}"),
    }
}

/// How the client words every error answer recorded on the oldest-but-one and the newest version:
/// one line led by Flink's message and its root cause (the stack traces only under `{:#}`). Reviewed
/// as a snapshot.
#[test]
fn recorded_error_answers_read_as_one_line() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut lines = Vec::new();
    for version in ["1.20.3", "2.3.0"] {
        let dir = root.join("fixtures").join(version);
        for (name, e) in contract_tests::fixture::load_dir(&dir).unwrap() {
            let (Some(pair), status) = (e.endpoint, e.response.status) else {
                continue;
            };
            if status < 400 {
                continue;
            }
            let body = match (&e.response.body, &e.response.text) {
                (Some(json), _) => json.to_string(),
                (None, Some(text)) => text.clone(),
                (None, None) => String::new(),
            };
            let error = Error::from_answer(pair, status, body.as_bytes());
            let line = error.to_string();
            assert!(!line.contains('\n'), "{name}: {line}");
            lines.push(format!("{version} {name}: {line}"));
        }
    }
    insta::assert_snapshot!(lines.join("\n"));
}

/// `agg=skew` is in the docs from Flink 1.20 (1.18.1 answers 400 to it): a client that knows its
/// server is older refuses it unsent, and sends it to a server that lists it.
#[tokio::test]
async fn an_aggregation_the_servers_version_lacks_is_refused_unsent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let (job, vertex): (JobId, VertexId) = (JOB.parse().unwrap(), VERTEX.parse().unwrap());
    let query = GetJobVertexSubtasksMetricsQuery {
        agg: vec![MetricsAggregation::Min, MetricsAggregation::Skew],
        ..Default::default()
    };
    let old = (Client::builder(&server.uri()).flink_version("1.18.1"))
        .build()
        .unwrap();
    let err = (old.get_job_vertex_subtasks_metrics(&job, &vertex, &query))
        .await
        .unwrap_err();
    match &err {
        Error::ValueNotAvailable {
            parameter,
            value,
            since,
            ..
        } => assert_eq!(
            (*parameter, value.as_str(), *since),
            ("agg", "skew", Some("1.20"))
        ),
        other => panic!("expected ValueNotAvailable, got {other:?}"),
    }
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
    // What 1.18 lists goes out; so does skew to 1.20 and to a client told no version.
    let fine = GetJobVertexSubtasksMetricsQuery {
        agg: vec![MetricsAggregation::Min],
        ..Default::default()
    };
    old.get_job_vertex_subtasks_metrics(&job, &vertex, &fine)
        .await
        .unwrap();
    let new = (Client::builder(&server.uri()).flink_version("1.20.3"))
        .build()
        .unwrap();
    new.get_job_vertex_subtasks_metrics(&job, &vertex, &query)
        .await
        .unwrap();
    let unknown = Client::new(&server.uri()).unwrap();
    unknown
        .get_job_vertex_subtasks_metrics(&job, &vertex, &query)
        .await
        .unwrap();
    let sent = requests(&server.received_requests().await.unwrap());
    let aggs: Vec<&str> = sent.iter().filter_map(|r| r.split("agg=").nth(1)).collect();
    assert_eq!(aggs, ["min", "min%2Cskew", "min%2Cskew"]);
}
