//! What clients other than the crate's own send, answered as Flink answers it: paths under `/v1`,
//! uploads under any part name and of any size, a JobGraph's own job id, metrics as asked, the
//! refusals Flink makes of a job's state and of ids, the JobManager's log. Raw HTTP, as a foreign
//! client speaks it (reqwest, without the crate's typed client).

use std::time::Duration;

use flink_rest::reqwest::{self, multipart, StatusCode};
use flink_rest_emulator::{Emulator, Timing};
use serde_json::{json, Value};

async fn emulator(version: &str) -> Emulator {
    Emulator::builder(version)
        .timing(Timing::instant())
        .start()
        .await
        .unwrap()
}

struct Http {
    base: String,
    http: reqwest::Client,
}

impl Http {
    fn of(flink: &Emulator) -> Http {
        Http {
            base: flink.url().to_string(),
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let response = req.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let req = (self.http.post(format!("{}{path}", self.base)))
            .header("content-type", "application/json")
            .body(body.to_string());
        self.send(req).await
    }

    async fn patch(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.http.patch(format!("{}{path}", self.base)))
            .await
    }

    async fn upload(
        &self,
        part_name: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        let part = multipart::Part::bytes(bytes).file_name(file_name.to_string());
        let form = multipart::Form::new().part(part_name.to_string(), part);
        let url = format!("{}/jars/upload", self.base);
        self.send(self.http.post(url).multipart(form)).await
    }

    /// A jar uploaded; its id.
    async fn jar(&self) -> String {
        let (_, uploaded) = self
            .upload("jarfile", "job.jar", b"PK\x05\x06".to_vec())
            .await;
        let file = uploaded["filename"].as_str().unwrap();
        file.rsplit('/').next().unwrap().to_string()
    }

    /// A jar uploaded and run with `args`; the job's id.
    async fn job(&self, args: &[&str]) -> String {
        let jar = self.jar().await;
        let (status, run) = self
            .post(
                &format!("/jars/{jar}/run"),
                json!({ "programArgsList": args }),
            )
            .await;
        assert_eq!(status, 200, "{run}");
        run["jobid"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn paths_under_v1_answer_as_without_it_and_every_answer_allows_any_origin() {
    let flink = emulator("1.20.3").await;
    let http = Http::of(&flink);
    for path in ["/overview", "/jobs/overview", "/config", "/taskmanagers"] {
        let plain = http.get(path).await;
        let versioned = http.get(&format!("/v1{path}")).await;
        assert_eq!(plain.0, 200, "{path}");
        assert_eq!(plain, versioned, "{path}");
    }
    for path in ["/v1/overview", "/v1/no/such/path", "/jobs/xyz"] {
        let response = reqwest::get(format!("{}{path}", flink.url()))
            .await
            .unwrap();
        let origin = response.headers().get("access-control-allow-origin");
        assert_eq!(origin.map(|v| v.to_str().unwrap()), Some("*"), "{path}");
    }
}

#[tokio::test]
async fn a_jar_uploads_under_any_part_name_and_of_200_mb() {
    let flink = emulator("1.20.3").await;
    let http = Http::of(&flink);
    let (status, answer) = http.upload("file", "job.jar", b"PK\x05\x06".to_vec()).await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = http.upload("jarfile", "big.jar", vec![0; 200 << 20]).await;
    assert_eq!(
        status, 200,
        "a 200 MB jar goes to disk, as in Flink: {answer}"
    );
    let (_, jars) = http.get("/jars").await;
    let names: Vec<&str> = (jars["files"].as_array().unwrap().iter())
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["big.jar", "job.jar"]);
    let (status, answer) = http.upload("jarfile", "notes.txt", b"hello".to_vec()).await;
    assert_eq!(
        (status, &answer["errors"][0]),
        (
            StatusCode::BAD_REQUEST,
            &json!("Only Jar files are allowed.")
        )
    );
    // Not a file upload: a body past Flink's 100 MiB limit is refused without a body.
    let big = vec![b' '; 101 << 20];
    let response = (http.http.post(format!("{}/jobs/x/savepoints", http.base)))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn a_submitted_job_graph_gives_the_job_its_own_id() {
    let flink = emulator("1.20.3").await;
    let http = Http::of(&flink);
    let submit = |graph: Vec<u8>| {
        let request = json!({ "jobGraphFileName": "job.graph", "jobJarFileNames": [] });
        multipart::Form::new()
            .text("request", request.to_string())
            .part(
                "file_0",
                multipart::Part::bytes(graph).file_name("job.graph"),
            )
    };
    let graph = include_bytes!("data/jobgraph-1.20.3.bin").to_vec();
    let url = format!("{}/jobs", http.base);
    let (status, answer) = http
        .send(http.http.post(&url).multipart(submit(graph)))
        .await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["jobUrl"], "/jobs/3479bb35d94fe99e0b3b3fe27493974d");
    let (status, job) = http.get("/jobs/3479bb35d94fe99e0b3b3fe27493974d").await;
    assert_eq!(
        (status, &job["name"]),
        (StatusCode::OK, &json!("Flink Streaming Job"))
    );
    let (status, _) = http
        .send(http.http.post(&url).multipart(submit(b"no graph".to_vec())))
        .await;
    assert_eq!(status, 400, "an unreadable graph is refused");
}

#[tokio::test]
async fn metrics_answer_what_is_asked_and_aggregate_as_flink_does() {
    let flink = emulator("1.20.3").await;
    let http = Http::of(&flink);
    let job = http.job(&[]).await;
    let (_, unknown) = http
        .get(&format!("/jobs/{job}/metrics?get=doesNotExist"))
        .await;
    assert_eq!(unknown, json!([]));
    let (_, listed) = http.get(&format!("/jobs/{job}/metrics")).await;
    let first = listed[0]["id"].as_str().unwrap().to_string();
    let (_, one) = http
        .get(&format!("/jobs/{job}/metrics?get={first},doesNotExist"))
        .await;
    assert_eq!(one.as_array().unwrap().len(), 1, "{one}");
    assert_eq!(one[0]["id"], json!(first));

    let (_, details) = http.get(&format!("/jobs/{job}")).await;
    let vertex = details["vertices"][0]["id"].as_str().unwrap().to_string();
    let subtasks = format!("/jobs/{job}/vertices/{vertex}/subtasks/metrics");
    let (_, metric) = http
        .get(&format!(
            "{subtasks}?get=checkpointStartDelayNanos&agg=min,max,sum"
        ))
        .await;
    let item = &metric[0];
    assert_eq!(item["id"], "checkpointStartDelayNanos", "{metric}");
    let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["id", "min", "max", "sum"],
        "only the aggregations asked for"
    );
    let (min, max, sum) = (
        item["min"].as_f64().unwrap(),
        item["max"].as_f64().unwrap(),
        item["sum"].as_f64().unwrap(),
    );
    assert!(min <= max && sum >= max, "{item}");
    let (_, one_subtask) = http
        .get(&format!(
            "{subtasks}?get=checkpointStartDelayNanos&agg=sum&subtasks=0"
        ))
        .await;
    let (_, two) = http
        .get(&format!(
            "{subtasks}?get=checkpointStartDelayNanos&agg=sum&subtasks=0,0"
        ))
        .await;
    assert_eq!(
        two[0]["sum"].as_f64().unwrap(),
        2.0 * one_subtask[0]["sum"].as_f64().unwrap()
    );
    let (status, refused) = http
        .get(&format!(
            "{subtasks}?get=checkpointStartDelayNanos&agg=median"
        ))
        .await;
    assert_eq!(status, 400, "{refused}");

    // 1.18.1's docs have no `skew`, and its server refuses it.
    let old = emulator("1.18.1").await;
    let http = Http::of(&old);
    let (status, refused) = http
        .get("/jobs/metrics?get=lastCheckpointSize&agg=skew")
        .await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["errors"][0].as_str().unwrap().contains("(agg)"),
        "{refused}"
    );
}

#[tokio::test]
async fn refusals_of_ids_and_states_are_flinks() {
    let flink = emulator("1.20.3").await;
    let http = Http::of(&flink);
    let (status, answer) = http.get("/jobs/xyz").await;
    assert_eq!(status, 400);
    let message = answer["errors"][0].as_str().unwrap();
    assert!(
        message.contains("Cannot resolve path parameter (jobid) from value \"xyz\"."),
        "{message}"
    );

    let job = http.job(&[]).await;
    let (_, vertices) = http.get(&format!("/jobs/{job}")).await;
    let vertex = vertices["vertices"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = http
        .get(&format!("/jobs/{job}/vertices/{vertex}/subtasks/x"))
        .await;
    assert_eq!(status, 400, "a subtask index that is not a number");

    // A savepoint's trigger id is a savepoint's: not a checkpoint's, not a disposal's.
    let (_, trigger) = http
        .post(
            &format!("/jobs/{job}/savepoints"),
            json!({ "target-directory": "/tmp/emulated-any-client" }),
        )
        .await;
    let trigger = trigger["request-id"].as_str().unwrap();
    let (status, _) = http.get(&format!("/jobs/{job}/savepoints/{trigger}")).await;
    assert_eq!(status, 200);
    for path in [
        format!("/jobs/{job}/checkpoints/{trigger}"),
        format!("/savepoint-disposal/{trigger}"),
    ] {
        assert_eq!(http.get(&path).await.0, 404, "{path}");
    }

    // A job that has finished: a cancel is refused (409), a savepoint fails as its job is gone.
    let finished = http.job(&["--count", "10"]).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (_, state) = http.get(&format!("/jobs/{finished}/status")).await;
    assert_eq!(state["status"], "FINISHED");
    let (status, refused) = http.patch(&format!("/jobs/{finished}?mode=cancel")).await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused["errors"][0]
        .as_str()
        .unwrap()
        .contains("already reached another terminal state (FINISHED)"));
    let (status, trigger) = http
        .post(
            &format!("/jobs/{finished}/savepoints"),
            json!({ "target-directory": "/tmp/emulated-any-client" }),
        )
        .await;
    assert_eq!(status, 202);
    let trigger = trigger["request-id"].as_str().unwrap();
    let (_, result) = http
        .get(&format!("/jobs/{finished}/savepoints/{trigger}"))
        .await;
    let trace = result["operation"]["failure-cause"]["stack-trace"]
        .as_str()
        .unwrap();
    assert!(
        trace.contains("FlinkJobNotFoundException: Could not find Flink job"),
        "{trace}"
    );

    // A cancelled job's cancel is acknowledged again.
    assert_eq!(http.patch(&format!("/jobs/{job}?mode=cancel")).await.0, 202);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(http.patch(&format!("/jobs/{job}?mode=cancel")).await.0, 202);
}

#[tokio::test]
async fn ids_decode_plans_answer_and_the_jobmanager_log_is_text() {
    let flink = emulator("1.20.3").await;
    let http = Http::of(&flink);
    let (_, tms) = http.get("/taskmanagers").await;
    let tm = tms["taskmanagers"][0]["id"].as_str().unwrap().to_string();
    let encoded = tm.replace(':', "%3A");
    assert_ne!(tm, encoded, "a TaskManager id with a port");
    let (status, answer) = http.get(&format!("/taskmanagers/{encoded}")).await;
    assert_eq!((status, &answer["id"]), (StatusCode::OK, &json!(tm)));

    let jar = http.jar().await;
    let (status, plan) = http.get(&format!("/jars/{jar}/plan")).await;
    assert_eq!(status, 200, "{plan}");
    assert!(plan["plan"]["nodes"].is_array(), "{plan}");

    for path in [
        "/jobmanager/log",
        "/jobmanager/stdout",
        "/v1/jobmanager/log",
    ] {
        let response = reqwest::get(format!("{}{path}", flink.url()))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(kind.starts_with("text/plain"), "{path}: {kind}");
    }
}
