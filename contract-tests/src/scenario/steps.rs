//! The scenario's steps: one table, each entry a name, when it runs and a small function over the
//! shared [`State`]. What a step makes that later steps use (the jar, the main job, a savepoint) is a
//! field of the state, set by the step named in its doc comment.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anyhow::{anyhow, bail, Result};
use flink_rest::Pair;
use flink_rest_emulator::program::Program;
use reqwest::Method;
use serde_json::{json, Value};

use super::recorder::{is_final, trigger_id, Body, Part, Recorder, Req};
use super::{Pairs, Setup, When};

const WAIT: Duration = Duration::from_secs(90);
/// A well-formed id no server knows.
const UNKNOWN_ID: &str = "0123456789abcdef0123456789abcdef";

/// What the steps share.
pub struct State {
    pub setup: Setup,
    /// What the version documents (which steps run, the `agg` values it lists).
    pub pairs: Pairs,
    pub r: Recorder,
    /// The job's jar and its serialized job graph (`build job`).
    jar: Vec<u8>,
    graph: Vec<u8>,
    /// The first TaskManager's id, and every TaskManager's, comma-joined (`cluster`).
    tm: String,
    tms: String,
    /// The uploaded jar's id (`jar`).
    jar_id: String,
    /// The main job (`run job`), its keyed vertex and its source vertex (`running job`).
    job: String,
    vertex: String,
    source: String,
    /// Where the main job's savepoint went (`savepoint`).
    savepoint: String,
    /// The job restored from it (`restore from savepoint`) and where its drain left a savepoint
    /// (`stop with drain`).
    restored: String,
    drained: Option<String>,
    /// A job cancelled (`cancel`) and one that finished by itself (`finite job`).
    cancelled: String,
    finished: String,
    /// Ids the scenario chose itself, so far (see [`State::fresh_id`]).
    ids: u32,
    /// This run's part of every id it chooses.
    run: u32,
}

impl State {
    pub fn new(setup: Setup, pairs: Pairs, r: Recorder) -> State {
        State {
            setup,
            pairs,
            r,
            jar: Vec::new(),
            graph: Vec::new(),
            tm: String::new(),
            tms: String::new(),
            jar_id: String::new(),
            job: String::new(),
            vertex: String::new(),
            source: String::new(),
            savepoint: String::new(),
            restored: String::new(),
            drained: None,
            cancelled: String::new(),
            finished: String::new(),
            ids: 0,
            run: run_nonce(),
        }
    }

    /// A new 32-hex id for a request that lets the client choose one (a job's, a trigger's): the
    /// servers' answers then show they take ids as strings. Each run's are its own (a server that
    /// kept an earlier run's jobs refuses their ids again); recorded, they redact alike.
    fn fresh_id(&mut self) -> String {
        self.ids += 1;
        // The run last: the first digits, which savepoint directories are named by, stay stable.
        format!("f11c{:020x}{:08x}", self.ids, self.run)
    }
}

/// A number this run is unlikely to share with another (the clock's nanoseconds and the process).
fn run_nonce() -> u32 {
    let nanos = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH))
        .map_or(0, |d| d.subsec_nanos());
    nanos ^ std::process::id().rotate_left(16)
}

pub type StepFuture<'s> = Pin<Box<dyn Future<Output = Result<()>> + 's>>;

pub struct Step {
    pub name: &'static str,
    pub when: When,
    pub run: fn(&mut State) -> StepFuture<'_>,
}

macro_rules! step {
    ($name:literal, $when:expr, $f:ident) => {
        Step {
            name: $name,
            when: $when,
            run: |s| Box::pin($f(s)),
        }
    };
}

/// The scenario, in order.
pub const STEPS: &[Step] = &[
    step!("build job", When::Always, build_job),
    step!("cluster", When::Always, cluster),
    step!("early metrics", When::Always, early_metrics),
    step!("jar", When::Always, jar),
    step!("run job", When::Always, run_main_job),
    step!("early back pressure", When::Always, early_back_pressure),
    step!("running job", When::Always, running_job),
    step!("vertex", When::Always, vertex),
    step!("newer pairs", When::Always, newer_pairs),
    step!("metrics", When::Always, metrics),
    step!("bad input", When::Always, bad_inputs),
    step!("rescaling", When::Always, rescaling),
    step!("savepoint", When::Always, savepoint),
    step!("failed savepoint", When::Always, failed_savepoint),
    step!(
        "checkpoint",
        When::Documents(Pair::TriggerCheckpoint),
        checkpoint
    ),
    step!("stop without drain", When::Always, stop_without_drain),
    step!("restore from savepoint", When::Always, restore),
    step!("stop with drain", When::Always, stop_with_drain),
    step!("cancel", When::Always, cancel),
    step!("failing job", When::Always, failing_job),
    step!("restarting job", When::Always, restarting_job),
    step!("failing main", When::Always, failing_main),
    step!("finite job", When::Always, finite_job),
    step!("ended jobs", When::Always, ended_jobs),
    step!("checkpoint failures", When::Always, checkpoint_failures),
    step!("savepoint disposal", When::Always, savepoint_disposal),
    step!("job graph submission", When::Always, job_graph),
    step!(
        "adaptive scheduler",
        When::Documents(Pair::SetJobResourceRequirements),
        adaptive_scheduler
    ),
    step!(
        "application",
        When::Documents(Pair::RunJarApplication),
        application
    ),
    step!("cleanup", When::Always, cleanup),
    step!("shutdown", When::Shutdown, shutdown),
];

/// The job, built against this distribution (nothing recorded).
async fn build_job(s: &mut State) -> Result<()> {
    if let Some((jar, graph)) = &s.setup.artifacts {
        (s.jar, s.graph) = (jar.clone(), graph.clone());
        if s.graph.is_empty() {
            // An emulated Flink reads a graph's job id only: a stand-in with this run's own.
            let id = s.fresh_id();
            s.graph = flink_rest_emulator::graph::stand_in(&id).unwrap_or_default();
        }
        return Ok(());
    }
    let (dist, work) = (&s.setup.dist, &s.setup.work);
    s.jar = crate::job::build_jar(dist, work)?;
    s.graph = crate::job::job_graph(dist, work, crate::flink::JAVA_OPTS)?;
    Ok(())
}

async fn cluster(s: &mut State) -> Result<()> {
    for path in [
        "/config",
        "/overview",
        "/jobmanager/config",
        "/jobs",
        "/jobs/overview",
        "/jars",
    ] {
        s.r.ok(Req::get(path)).await?;
    }
    let tms = s.r.ok(Req::get("/taskmanagers")).await?;
    s.tms = first_ids(&tms["taskmanagers"], usize::MAX);
    s.tm = s.tms.split(',').next().unwrap_or_default().to_string();
    if s.tm.is_empty() {
        bail!("no TaskManager in {tms}");
    }
    s.r.ok(Req::get(format!("/taskmanagers/{}", s.tm))).await?;
    Ok(())
}

/// Metrics answer [] for a while after start: that answer as it is, once.
async fn early_metrics(s: &mut State) -> Result<()> {
    s.r.ok(Req::get("/jobmanager/metrics")).await?;
    Ok(())
}

async fn jar(s: &mut State) -> Result<()> {
    s.jar_id = upload(&mut s.r, &s.jar).await?;
    let jar_id = &s.jar_id;
    s.r.ok(Req::get("/jars")).await?;
    s.r.ok(Req::get(format!("/jars/{jar_id}/plan")).q("parallelism", "2"))
        .await?;
    let plan =
        json!({"entryClass": crate::job::MAIN_CLASS, "parallelism": 2, "jobId": s.fresh_id()});
    let jar_id = &s.jar_id;
    s.r.ok(Req::new(Method::POST, format!("/jars/{jar_id}/plan")).json(plan))
        .await?;
    Ok(())
}

/// The main job at parallelism 2, running with two completed checkpoints and its user accumulators
/// reported (they reach the JobManager with TaskManager heartbeats).
///
/// Its back pressure is not asked for while it starts: Flink answers 500 (`NoSuchElementException`,
/// `JobVertexBackPressureHandler` takes the maximum of an empty list) while its metric store holds
/// the vertex but none of its subtasks yet. CI's gate on 1.20.3 caught that once in a poll from the
/// job's start; ten recordings did not. A race, not a state: the ledger cannot hold it (an entry no
/// recording bears out is resolved, and fails the gate).
async fn run_main_job(s: &mut State) -> Result<()> {
    let body = json!({ "parallelism": 2, "programArgsList": [], "jobId": s.fresh_id() });
    s.job = run_job(&mut s.r, &s.jar_id, body).await?;
    let details = wait_job(&s.r, &s.job, "job running", all_running).await?;
    s.vertex = first_ids(&details["vertices"], 1);
    Ok(())
}

/// Back pressure the moment the job's tasks run, before the JobManager has fetched their metrics:
/// some versions refuse it then (real 1.18.1 and later: 500, `NoSuchElementException`, for seconds). The first
/// answer that is a refusal or a sample is recorded, whichever comes; then (unrecorded) until a
/// sample is there, the completed checkpoints and the accumulators the next steps read.
async fn early_back_pressure(s: &mut State) -> Result<()> {
    let job = &s.job;
    let backpressure = Req::get(format!("/jobs/{job}/vertices/{}/backpressure", s.vertex));
    let answered = |b: &Value| b["status"] == "ok" || b.get("errors").is_some();
    let fast = Duration::from_secs(20);
    (s.r.wait_and_record(
        backpressure.clone(),
        "back pressure answered",
        fast,
        answered,
    ))
    .await?;
    let sampled = |b: &Value| b["status"] == "ok";
    (s.r.wait_for(backpressure, "back pressure sampled", WAIT, sampled)).await?;
    s.r.wait_for(
        Req::get(format!("/jobs/{job}/checkpoints")),
        "2 completed checkpoints",
        WAIT,
        |c| c["counts"]["completed"].as_u64().unwrap_or(0) >= 2,
    )
    .await?;
    s.r.wait_for(
        Req::get(format!("/jobs/{job}/accumulators")),
        "user accumulators",
        WAIT,
        |a| non_empty(&a["user-task-accumulators"]),
    )
    .await?;
    Ok(())
}

async fn running_job(s: &mut State) -> Result<()> {
    let job = s.job.clone();
    let details = s.r.ok(Req::get(format!("/jobs/{job}"))).await?;
    for sub in [
        "plan",
        "config",
        "accumulators",
        "exceptions",
        "checkpoints/config",
        "execution-result",
    ] {
        s.r.call(Req::get(format!("/jobs/{job}/{sub}"))).await?;
    }
    for path in ["/jobs", "/jobs/overview", "/overview"] {
        s.r.ok(Req::get(path)).await?;
    }
    // The TaskManagers with the job's slots allocated.
    for tm in s.tms.clone().split(',') {
        s.r.ok(Req::get(format!("/taskmanagers/{tm}"))).await?;
    }
    let checkpoints = s.r.ok(Req::get(format!("/jobs/{job}/checkpoints"))).await?;
    let checkpoint = checkpoints["latest"]["completed"]["id"]
        .as_u64()
        .ok_or_else(|| anyhow!("no completed checkpoint in {checkpoints}"))?;
    let vertices = details["vertices"].as_array().cloned().unwrap_or_default();
    s.vertex = vertices
        .iter()
        .find(|v| {
            v["name"]
                .as_str()
                .is_some_and(|n| n.contains("Keyed counter"))
        })
        .or(vertices.last())
        .and_then(|v| v["id"].as_str())
        .ok_or_else(|| anyhow!("no vertex in {details}"))?
        .to_string();
    s.source = (vertices.first().and_then(|v| v["id"].as_str()))
        .unwrap_or_default()
        .to_string();
    let at = format!("/jobs/{job}/checkpoints/details/{checkpoint}");
    s.r.ok(Req::get(at.clone())).await?;
    s.r.ok(Req::get(format!("{at}/subtasks/{}", s.vertex)))
        .await?;
    Ok(())
}

async fn vertex(s: &mut State) -> Result<()> {
    let v = format!("/jobs/{}/vertices/{}", s.job, s.vertex);
    // Back pressure is only sampled once metrics were asked for: the first answer as it is.
    s.r.call(Req::get(format!("{v}/backpressure"))).await?;
    for sub in [
        "",
        "/accumulators",
        "/subtasks/accumulators",
        "/subtasktimes",
        "/taskmanagers",
        "/subtasks/0",
        "/subtasks/0/attempts/0",
        "/subtasks/0/attempts/0/accumulators",
    ] {
        s.r.ok(Req::get(format!("{v}{sub}"))).await?;
    }
    Ok(())
}

/// The read-only pairs the 1.10 page did not have, each where the version's docs list it.
async fn newer_pairs(s: &mut State) -> Result<()> {
    let (job, tm, vertex) = (s.job.clone(), s.tm.clone(), s.vertex.clone());
    let (job, tm) = (job.as_str(), tm.as_str());
    let pairs: [(Pair, &[&str]); 20] = [
        (Pair::GetJobStatus, &[job]),
        (Pair::GetJobJobmanagerConfig, &[job]),
        (Pair::GetJobJobmanagerEnvironment, &[job]),
        (Pair::GetJobJobmanagerLogUrl, &[job]),
        (Pair::GetJobTaskmanagerLogUrl, &[job, tm]),
        (Pair::GetJobResourceRequirements, &[job]),
        (Pair::GetJobVertexWatermarks, &[job, &vertex]),
        (Pair::GetJobVertexJmOperatorMetrics, &[job, &vertex]),
        (Pair::GetJobVertexFlameGraph, &[job, &vertex]),
        (Pair::GetJobmanagerEnvironment, &[]),
        (Pair::ListJobmanagerLogs, &[]),
        (Pair::GetJobmanagerThreadDump, &[]),
        (Pair::ListTaskmanagerLogs, &[tm]),
        (Pair::GetTaskmanagerThreadDump, &[tm]),
        (Pair::ListDatasets, &[]),
        (Pair::GetJobRescaleConfig, &[job]),
        (Pair::GetJobRescaleHistory, &[job]),
        (Pair::GetJobRescalesOverview, &[job]),
        (Pair::GetJobRescalesSummary, &[job]),
        (Pair::GetApplicationsOverview, &[]),
    ];
    let mut application = None;
    for (pair, values) in pairs {
        if s.pairs.documents(pair) {
            let answer = s.r.call(Req::get(pair.path().fill(values)?)).await?;
            if pair == Pair::GetApplicationsOverview {
                application = answer["applications"][0]["id"].as_str().map(str::to_string);
            }
        }
    }
    // The application the job runs in (2.3): its details, exceptions and configuration.
    if let Some(app) = application {
        for sub in ["", "/exceptions", "/jobmanager/config"] {
            s.r.call(Req::get(format!("/applications/{app}{sub}")))
                .await?;
        }
    }
    if s.pairs.documents(Pair::SendClientHeartbeat) {
        let in_a_minute = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis()
            + 60_000;
        s.r.call(
            Req::new(Method::PATCH, format!("/jobs/{job}/clientHeartbeat"))
                .json(json!({ "expiredTimestamp": in_a_minute as u64 })),
        )
        .await?;
    }
    if s.pairs.documents(Pair::TriggerDatasetDeletion) {
        delete_dataset(&mut s.r).await?;
    }
    Ok(())
}

/// A streaming job keeps no data sets: deleting one no server has is the operation there is. Its
/// status is recorded as first answered and, where the server finishes it (1.15.4 never does), as
/// finished.
async fn delete_dataset(r: &mut Recorder) -> Result<()> {
    let trigger = r
        .call(Req::new(Method::DELETE, format!("/datasets/{UNKNOWN_ID}")))
        .await?;
    let Ok(id) = trigger_id(&trigger) else {
        return Ok(());
    };
    let status = format!("/datasets/delete/{id}");
    let first = r.call(Req::get(status.clone())).await?;
    if is_final(&first) {
        return Ok(());
    }
    let limit = Duration::from_secs(10);
    if (r
        .wait_for(Req::get(status.clone()), &status, limit, is_final)
        .await)
        .is_ok()
    {
        r.call(Req::get(status)).await?;
    }
    Ok(())
}

/// Every metrics list once it is filled, then values of its first metrics, aggregated where the pair
/// aggregates (with every `agg` value the version lists, over every TaskManager).
async fn metrics(s: &mut State) -> Result<()> {
    let (job, tm) = (&s.job, &s.tm);
    let v = format!("/jobs/{job}/vertices/{}", s.vertex);
    for path in [
        "/jobmanager/metrics".to_string(),
        "/taskmanagers/metrics".to_string(),
        "/jobs/metrics".to_string(),
        format!("/taskmanagers/{tm}/metrics"),
        format!("/jobs/{job}/metrics"),
        format!("{v}/metrics"),
        format!("{v}/subtasks/metrics"),
        format!("{v}/subtasks/0/metrics"),
    ] {
        let what = format!("metrics at {path}");
        let list = (s.r.wait_for(Req::get(path.clone()), &what, WAIT, non_empty)).await?;
        s.r.ok(Req::get(path.clone())).await?;
        let mut req = Req::get(path.clone()).q("get", first_ids(&list, 3));
        let agg = s.pairs.agg.clone();
        if path.ends_with("/taskmanagers/metrics") {
            req = req.q("agg", agg).q("taskmanagers", s.tms.clone());
        } else if path == "/jobs/metrics" {
            req = req.q("agg", agg).q("jobs", job.clone());
        } else if path.ends_with("/subtasks/metrics") {
            req = req.q("agg", agg).q("subtasks", "0-1");
        }
        s.r.ok(req).await?;
    }
    if s.pairs.documents(Pair::GetJobVertexJmOperatorMetrics) {
        jm_operator_metrics(s).await?;
    }
    let v = format!("/jobs/{}/vertices/{}", s.job, s.vertex);
    let backpressure = Req::get(format!("{v}/backpressure"));
    let sampled = |b: &Value| b["status"] == "ok";
    (s.r.wait_for(backpressure.clone(), "back pressure sampled", WAIT, sampled)).await?;
    s.r.ok(backpressure).await?;
    Ok(())
}

/// The metrics of the operator that runs on the JobManager for the source vertex (its coordinator):
/// the list once it has some (or, after 15 s, as it is), then values of its first ones.
async fn jm_operator_metrics(s: &mut State) -> Result<()> {
    let path = format!("/jobs/{}/vertices/{}/jm-operator-metrics", s.job, s.source);
    let limit = Duration::from_secs(15);
    let list = match s
        .r
        .wait_for(Req::get(path.clone()), &path, limit, non_empty)
        .await
    {
        Ok(list) => list,
        Err(_) => Value::Null,
    };
    s.r.ok(Req::get(path.clone())).await?;
    if non_empty(&list) {
        s.r.ok(Req::get(path).q("get", first_ids(&list, 3))).await?;
    }
    Ok(())
}

async fn bad_inputs(s: &mut State) -> Result<()> {
    let (r, job, jar, vertex) = (&mut s.r, &s.job, &s.jar_id, &s.vertex);
    let post = |path: String| Req::new(Method::POST, path);
    r.bad(Req::get("/jobs/not-a-job-id")).await?;
    r.bad(Req::get(format!("/jobs/{UNKNOWN_ID}"))).await?;
    r.bad(Req::get(format!("/jobs/{UNKNOWN_ID}/vertices/{vertex}")))
        .await?;
    r.bad(Req::get(format!("/jobs/{job}/vertices/{UNKNOWN_ID}")))
        .await?;
    r.bad(Req::get(format!(
        "/jobs/{job}/vertices/{vertex}/subtasks/99"
    )))
    .await?;
    r.bad(Req::get(format!("/jobs/{job}/checkpoints/details/999999")))
        .await?;
    r.bad(Req::get(format!("/jobs/{job}/savepoints/{UNKNOWN_ID}")))
        .await?;
    r.bad(Req::get(format!("/savepoint-disposal/{UNKNOWN_ID}")))
        .await?;
    r.bad(Req::get("/taskmanagers/no-such-taskmanager")).await?;
    r.bad(Req::get("/taskmanagers/no-such-taskmanager/metrics"))
        .await?;
    r.bad(Req::get("/jars/no-such.jar/plan")).await?;
    r.bad(Req::get("/no-such-endpoint")).await?;
    r.bad(Req::new(Method::PUT, "/jobs/overview")).await?;
    r.bad(Req::new(Method::DELETE, format!("/jobs/{job}")))
        .await?;
    r.bad(Req::get(format!("/jobs/{job}/vertices/{vertex}/subtasks/metrics")).q("agg", "median"))
        .await?;
    r.bad(Req::new(Method::PATCH, format!("/jobs/{job}")).q("mode", "pause"))
        .await?;
    let mut invalid = post(format!("/jars/{jar}/plan"));
    invalid.body = Some(Body::Text("{\"parallelism\": ".into()));
    r.bad(invalid).await?;
    r.bad(post(format!("/jars/{jar}/plan")).json(json!({"parallelism": "two"})))
        .await?;
    r.bad(post(format!("/jars/{jar}/plan")).json(json!({"parallelism": 1, "noSuchField": true})))
        .await?;
    r.bad(post(format!("/jobs/{job}/savepoints")).json(json!({"cancel-job": "yes"})))
        .await?;
    hostile_inputs(r, job, jar, &s.tms).await?;
    // Nothing of that hurt the server.
    let overview = r.peek("/overview").await?;
    if overview["taskmanagers"].as_u64().unwrap_or(0) == 0 {
        bail!("the cluster is not healthy after the bad inputs: {overview}");
    }
    Ok(())
}

/// Inputs meant to do harm: a way out of the log directory, line breaks and overflowing numbers in
/// parameters, bodies that are invalid UTF-8, deeply nested or larger than the server takes, and upload
/// file names that climb directories or break a header.
async fn hostile_inputs(r: &mut Recorder, job: &str, jar: &str, tms: &str) -> Result<()> {
    let post = |path: String| Req::new(Method::POST, path);
    let raw = |path: String, bytes: Vec<u8>, about: &str| Req {
        body: Some(Body::Raw {
            bytes,
            about: about.into(),
        }),
        ..post(path)
    };
    r.bad(Req::get("/jobmanager/logs/..%2F..%2F..%2Fetc%2Fpasswd"))
        .await?;
    if let Some(tm) = tms.split(',').next().filter(|t| !t.is_empty()) {
        r.bad(Req::get(format!(
            "/taskmanagers/{tm}/logs/..%2F..%2Fconf%2Fconfig.yaml"
        )))
        .await?;
    }
    r.bad(Req::get(format!("/jobs/{job}%0D%0AX-Injected:%201")))
        .await?;
    r.bad(Req::get(format!("/jobs/{job}/exceptions")).q("maxExceptions", "99999999999999999999"))
        .await?;
    r.bad(Req::get(format!("/jobs/{job}/{}", "x".repeat(3000))))
        .await?;
    let plan = format!("/jars/{jar}/plan");
    let bad_utf8 = [&b"{\"parallelism\": \""[..], &[0xff, 0xfe], b"\"}"].concat();
    r.bad(raw(plan.clone(), bad_utf8, "invalid UTF-8 in a string"))
        .await?;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    r.bad(raw(
        plan.clone(),
        deep.into_bytes(),
        "arrays nested 100,000 deep",
    ))
    .await?;
    // Past `rest.server.max-content-length` (100 MiB by default).
    let huge = vec![b' '; 101 << 20];
    r.bad(raw(plan, huge, "101 MiB of spaces")).await?;
    for file_name in ["../../../escape.jar", "quote\"d.jar"] {
        let part = Part {
            name: "jarfile".into(),
            file_name: Some(file_name.into()),
            content_type: "application/x-java-archive".into(),
            bytes: b"PK\x03\x04 not a jar".to_vec(),
        };
        r.bad(post("/jars/upload".into()).multipart(vec![part]))
            .await?;
    }
    Ok(())
}

/// The legacy rescaling trigger: an error on every version that still lists it, so its status is
/// asked for an id no server knows.
async fn rescaling(s: &mut State) -> Result<()> {
    let job = &s.job;
    let rescale = (s.r)
        .call(Req::new(Method::PATCH, format!("/jobs/{job}/rescaling")).q("parallelism", "1"))
        .await?;
    let status = match rescale["request-id"].as_str() {
        Some(trigger) => format!("/jobs/{job}/rescaling/{trigger}"),
        None => format!("/jobs/{job}/rescaling/{UNKNOWN_ID}"),
    };
    s.r.operation(status).await?;
    Ok(())
}

async fn savepoint(s: &mut State) -> Result<()> {
    let trigger = s.fresh_id();
    let job = &s.job;
    let target = s.setup.savepoints.display().to_string();
    let done = (s.r)
        .trigger(
            Req::new(Method::POST, format!("/jobs/{job}/savepoints")).json(
                json!({"target-directory": target, "cancel-job": false, "triggerId": trigger}),
            ),
            &format!("/jobs/{job}/savepoints"),
        )
        .await?;
    s.savepoint = done["operation"]["location"]
        .as_str()
        .ok_or_else(|| anyhow!("savepoint without location: {done}"))?
        .to_string();
    Ok(())
}

/// A target Flink cannot create: a savepoint, then a stop with a savepoint, each completes with its
/// failure cause; the job runs on.
async fn failed_savepoint(s: &mut State) -> Result<()> {
    let job = &s.job;
    let unwritable = "file:///dev/null/flink-rest-unwritable";
    let failed = (s.r)
        .trigger(
            Req::new(Method::POST, format!("/jobs/{job}/savepoints"))
                .json(json!({"target-directory": unwritable, "cancel-job": false})),
            &format!("/jobs/{job}/savepoints"),
        )
        .await?;
    if failed["operation"]["failure-cause"].is_null() {
        bail!("a savepoint to {unwritable} did not fail: {failed}");
    }
    // Stopping with a savepoint there fails the same way, and the job runs on.
    let stop = json!({"targetDirectory": unwritable, "drain": false});
    let stopped = (s.r)
        .trigger(
            Req::new(Method::POST, format!("/jobs/{job}/stop")).json(stop),
            &format!("/jobs/{job}/savepoints"),
        )
        .await?;
    if stopped["operation"]["failure-cause"].is_null() {
        bail!("a stop with a savepoint to {unwritable} did not fail: {stopped}");
    }
    wait_job(&s.r, job, "job running after the failed stop", all_running).await?;
    Ok(())
}

async fn checkpoint(s: &mut State) -> Result<()> {
    let checkpoints = format!("/jobs/{}/checkpoints", s.job);
    let full = json!({"checkpointType": "FULL", "triggerId": s.fresh_id()});
    let trigger = Req::new(Method::POST, &checkpoints).json(full);
    s.r.trigger(trigger, &checkpoints).await?;
    Ok(())
}

async fn stop_without_drain(s: &mut State) -> Result<()> {
    let trigger = s.fresh_id();
    let job = &s.job;
    let target = s.setup.savepoints.display().to_string();
    (s.r)
        .trigger(
            Req::new(Method::POST, format!("/jobs/{job}/stop"))
                .json(json!({"targetDirectory": target, "drain": false, "triggerId": trigger})),
            &format!("/jobs/{job}/savepoints"),
        )
        .await?;
    wait_job(&s.r, job, "job stopped", state_is(&["FINISHED"])).await?;
    s.r.ok(Req::get(format!("/jobs/{job}"))).await?;
    s.r.ok(Req::get(format!("/jobs/{job}/execution-result")))
        .await?;
    Ok(())
}

async fn restore(s: &mut State) -> Result<()> {
    let body = json!({
        "parallelism": 2,
        "savepointPath": s.savepoint,
        "allowNonRestoredState": true,
    });
    s.restored = run_job(&mut s.r, &s.jar_id, body).await?;
    let restored = &s.restored;
    wait_job(&s.r, restored, "restored job running", all_running).await?;
    let checkpoints = Req::get(format!("/jobs/{restored}/checkpoints"));
    let has_restore = |c: &Value| !c["latest"]["restored"].is_null();
    (s.r.wait_for(
        checkpoints.clone(),
        "restore in checkpoint statistics",
        WAIT,
        has_restore,
    ))
    .await?;
    s.r.ok(checkpoints).await?;
    Ok(())
}

async fn stop_with_drain(s: &mut State) -> Result<()> {
    let restored = &s.restored;
    let target = s.setup.savepoints.display().to_string();
    let drained = (s.r)
        .trigger(
            Req::new(Method::POST, format!("/jobs/{restored}/stop"))
                .json(json!({"targetDirectory": target, "drain": true})),
            &format!("/jobs/{restored}/savepoints"),
        )
        .await?;
    s.drained = drained["operation"]["location"]
        .as_str()
        .map(str::to_string);
    wait_job(&s.r, restored, "job drained", state_is(&["FINISHED"])).await?;
    Ok(())
}

async fn cancel(s: &mut State) -> Result<()> {
    let cancelled = run_job(&mut s.r, &s.jar_id, json!({ "parallelism": 1})).await?;
    wait_job(&s.r, &cancelled, "job running", all_running).await?;
    s.r.call(Req::new(Method::PATCH, format!("/jobs/{cancelled}")).q("mode", "stop"))
        .await?;
    s.r.ok(Req::new(Method::PATCH, format!("/jobs/{cancelled}")).q("mode", "cancel"))
        .await?;
    wait_job(&s.r, &cancelled, "job cancelled", state_is(&["CANCELED"])).await?;
    s.r.ok(Req::get(format!("/jobs/{cancelled}"))).await?;
    s.cancelled = cancelled;
    Ok(())
}

/// A job that fails once, with restarts off.
async fn failing_job(s: &mut State) -> Result<()> {
    let body = json!({ "parallelism": 1, "programArgsList": Program::FailAfter(200).args() });
    let failed = run_job(&mut s.r, &s.jar_id, body).await?;
    wait_job(&s.r, &failed, "job failed", state_is(&["FAILED"])).await?;
    s.r.ok(Req::get(format!("/jobs/{failed}"))).await?;
    s.r.ok(Req::get(format!("/jobs/{failed}/exceptions")))
        .await?;
    s.r.ok(Req::get(format!("/jobs/{failed}/exceptions")).q("maxExceptions", "1"))
        .await?;
    s.r.ok(Req::get(format!("/jobs/{failed}/execution-result")))
        .await?;
    Ok(())
}

/// A job at parallelism 2 whose two source subtasks fail together, restarted twice before it fails
/// for good: its details while restarting, an exception history of several failures (with the
/// concurrent one where both were seen), and a subtask's attempts one by one.
async fn restarting_job(s: &mut State) -> Result<()> {
    let body = json!({ "parallelism": 2, "programArgsList": Program::Restarts(2).args() });
    let job = run_job(&mut s.r, &s.jar_id, body).await?;
    let details = Req::get(format!("/jobs/{job}"));
    // A server caching job details longer than the restart delay may never show the restart.
    let restarting = state_is(&["RESTARTING", "FAILED"]);
    (s.r.wait_and_record(details.clone(), "job restarting", WAIT, restarting)).await?;
    wait_job(
        &s.r,
        &job,
        "job failed after 2 restarts",
        state_is(&["FAILED"]),
    )
    .await?;
    let details = s.r.ok(details).await?;
    s.r.ok(Req::get(format!("/jobs/{job}/exceptions"))).await?;
    let vertex = details["vertices"][0]["id"]
        .as_str()
        .ok_or_else(|| anyhow!("no vertex in {details}"))?;
    let v = format!("/jobs/{job}/vertices/{vertex}");
    s.r.ok(Req::get(v.clone())).await?;
    s.r.ok(Req::get(format!("{v}/subtasktimes"))).await?;
    let subtask = s.r.ok(Req::get(format!("{v}/subtasks/0"))).await?;
    let latest = subtask["attempt"].as_u64().unwrap_or(0);
    for attempt in 0..=latest {
        let at = format!("{v}/subtasks/0/attempts/{attempt}");
        s.r.call(Req::get(at)).await?;
    }
    Ok(())
}

/// A jar whose `main` throws before it builds a job: Flink's refusal of the run, and no job left.
async fn failing_main(s: &mut State) -> Result<()> {
    let body = json!({ "programArgsList": Program::FailsInMain.args() });
    let run = Req::new(Method::POST, format!("/jars/{}/run", s.jar_id)).json(body);
    s.r.call(run).await?;
    Ok(())
}

async fn finite_job(s: &mut State) -> Result<()> {
    let body = json!({ "parallelism": 1, "programArgsList": Program::Count(500).args() });
    let finished = run_job(&mut s.r, &s.jar_id, body).await?;
    wait_job(&s.r, &finished, "job finished", state_is(&["FINISHED"])).await?;
    s.r.ok(Req::get(format!("/jobs/{finished}/execution-result")))
        .await?;
    // Back pressure is sampled from fetched metrics; once the fetcher drops a finished job's metrics the
    // answer is `{"status": "deprecated"}` and nothing else. Fetches are at most every 10 s.
    let done = s.r.peek(&format!("/jobs/{finished}")).await?;
    if let Some(v) = done["vertices"][0]["id"].as_str() {
        let req = Req::get(format!("/jobs/{finished}/vertices/{v}/backpressure"));
        let deprecated = |b: &Value| b["status"] == "deprecated";
        let what = "back pressure without metrics";
        if (s
            .r
            .wait_and_record(req.clone(), what, WAIT / 3, deprecated)
            .await)
            .is_err()
        {
            s.r.call(req).await?;
        }
    }
    s.r.ok(Req::get(format!("/jobs/{finished}/accumulators")).q("includeSerializedValue", "true"))
        .await?;
    s.finished = finished;
    Ok(())
}

/// What Flink makes of operations on jobs that have ended: a finished job's cancel is refused, a
/// cancelled job's is acknowledged; a savepoint, a stop and a checkpoint of a finished job are
/// accepted and then fail (its job master is gone); a savepoint's trigger id is no checkpoint's and
/// no disposal's. (The emulated gate holds the emulator to these answers.)
async fn ended_jobs(s: &mut State) -> Result<()> {
    let (finished, cancelled) = (&s.finished, &s.cancelled);
    let cancel = |job: &str| Req::new(Method::PATCH, format!("/jobs/{job}")).q("mode", "cancel");
    s.r.bad(cancel(finished)).await?;
    s.r.call(cancel(cancelled)).await?;
    let target = s.setup.savepoints.display().to_string();
    let savepoints = format!("/jobs/{finished}/savepoints");
    let savepoint = Req::new(Method::POST, &savepoints)
        .json(json!({"target-directory": target, "cancel-job": false}));
    let trigger = ended_operation(&mut s.r, savepoint, &savepoints).await?;
    let stop = Req::new(Method::POST, format!("/jobs/{finished}/stop"))
        .json(json!({"targetDirectory": target, "drain": false}));
    ended_operation(&mut s.r, stop, &savepoints).await?;
    if s.pairs.documents(Pair::TriggerCheckpoint) {
        let checkpoints = format!("/jobs/{finished}/checkpoints");
        let checkpoint = Req::new(Method::POST, &checkpoints).json(json!({}));
        ended_operation(&mut s.r, checkpoint, &checkpoints).await?;
        if let Some(trigger) = &trigger {
            s.r.bad(Req::get(format!("{checkpoints}/{trigger}")))
                .await?;
        }
    }
    if let Some(trigger) = &trigger {
        s.r.bad(Req::get(format!("/savepoint-disposal/{trigger}")))
            .await?;
    }
    Ok(())
}

/// Triggers an operation on an ended job (recorded, whatever the answer) and, where it was accepted,
/// waits unrecorded until it has ended and records its final answer once (so the exchanges do not
/// depend on timing); its trigger id, where there is one.
async fn ended_operation(r: &mut Recorder, req: Req, status: &str) -> Result<Option<String>> {
    let answer = r.call(req).await?;
    let Ok(trigger) = trigger_id(&answer) else {
        return Ok(None);
    };
    let path = format!("{status}/{trigger}");
    r.wait_for(Req::get(&path), &path, WAIT, is_final).await?;
    r.call(Req::get(path)).await?;
    Ok(Some(trigger))
}

/// Checkpoint statistics are polymorphic (`className`): in-progress and failed checkpoints carry other
/// fields than completed ones. Slow snapshots and a 1 s timeout make both appear.
async fn checkpoint_failures(s: &mut State) -> Result<()> {
    let body =
        json!({ "parallelism": 1, "programArgsList": Program::SlowCheckpoints(1500).args() });
    let slow = run_job(&mut s.r, &s.jar_id, body).await?;
    wait_job(&s.r, &slow, "job running", all_running).await?;
    let has = |history: &Value, class: &str| {
        (history.as_array()).is_some_and(|h| h.iter().any(|c| c["className"] == class))
    };
    let stats = (s.r)
        .wait_and_record(
            Req::get(format!("/jobs/{slow}/checkpoints")),
            "an in-progress and a failed checkpoint",
            WAIT,
            |c| has(&c["history"], "in_progress") && has(&c["history"], "failed"),
        )
        .await?;
    for class in ["failed", "in_progress"] {
        let id = (stats["history"].as_array())
            .and_then(|h| h.iter().find(|c| c["className"] == class))
            .and_then(|c| c["id"].as_u64());
        if let Some(id) = id {
            let at = format!("/jobs/{slow}/checkpoints/details/{id}");
            let details = s.r.call(Req::get(at.clone())).await?;
            // Its subtasks that never acknowledged: only an index and a status.
            let vertex = details["tasks"].as_object().and_then(|t| t.keys().next());
            if let Some(vertex) = vertex {
                s.r.call(Req::get(format!("{at}/subtasks/{vertex}")))
                    .await?;
            }
        }
    }
    if s.pairs.documents(Pair::TriggerCheckpoint) {
        // Its snapshots outlast the checkpoint timeout: a triggered checkpoint fails with its cause.
        let checkpoints = format!("/jobs/{slow}/checkpoints");
        let full = json!({"checkpointType": "FULL"});
        let trigger = Req::new(Method::POST, &checkpoints).json(full);
        s.r.trigger(trigger, &checkpoints).await?;
    }
    cancel_quietly(&s.r, &slow).await
}

/// The drained savepoint, then one at a path that never existed.
async fn savepoint_disposal(s: &mut State) -> Result<()> {
    let target = s.setup.savepoints.display().to_string();
    let path = s.drained.clone().unwrap_or_else(|| s.savepoint.clone());
    let missing = format!("{target}/savepoint-000000-{UNKNOWN_ID}");
    for path in [path, missing] {
        let dispose = json!({ "savepoint-path": path });
        (s.r)
            .trigger(
                Req::new(Method::POST, "/savepoint-disposal").json(dispose),
                "/savepoint-disposal",
            )
            .await?;
    }
    Ok(())
}

async fn job_graph(s: &mut State) -> Result<()> {
    let request = json!({
        "jobGraphFileName": "job.graph",
        "jobJarFileNames": [crate::job::JAR_NAME],
        "jobArtifactFileNames": [],
    });
    let parts = vec![
        Part {
            name: "request".into(),
            file_name: None,
            content_type: "application/json".into(),
            bytes: serde_json::to_vec(&request)?,
        },
        Part {
            name: "file_0".into(),
            file_name: Some("job.graph".into()),
            content_type: "application/octet-stream".into(),
            bytes: s.graph.clone(),
        },
        Part {
            name: "file_1".into(),
            file_name: Some(crate::job::JAR_NAME.into()),
            content_type: "application/x-java-archive".into(),
            bytes: s.jar.clone(),
        },
    ];
    let submitted = (s.r)
        .ok(Req::new(Method::POST, "/jobs").multipart(parts))
        .await?;
    let job = submitted["jobUrl"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .ok_or_else(|| anyhow!("no jobUrl in {submitted}"))?
        .to_string();
    wait_job(&s.r, &job, "submitted job running", all_running).await?;
    s.r.ok(Req::get(format!("/jobs/{job}"))).await?;
    cancel_quietly(&s.r, &job).await
}

/// On a cluster with the adaptive scheduler (the setup's second cluster, or the main one if it is
/// adaptive): a job's resource requirements lowered to parallelism 1 and the job really rescaled, and
/// where the version has them (2.3), its rescale overview, summary, configuration and history, and each
/// rescale's details. Without such a cluster the pairs stay unreached (and are reported so).
async fn adaptive_scheduler(s: &mut State) -> Result<()> {
    let base = match &s.setup.adaptive_url {
        Some(url) => url.clone(),
        None => {
            let config = s.r.peek("/jobmanager/config").await?;
            if !runs_adaptive(&config) {
                return Ok(());
            }
            s.setup.base_url.clone()
        }
    };
    let main = s.r.switch_to(&base);
    let rescaled = rescale(s).await;
    s.r.switch_to(&main);
    rescaled
}

fn runs_adaptive(config: &Value) -> bool {
    (config.as_array().into_iter().flatten())
        .any(|e| e["key"] == "jobmanager.scheduler" && e["value"] == "adaptive")
}

async fn rescale(s: &mut State) -> Result<()> {
    let ready = |o: &Value| o["taskmanagers"].as_u64().unwrap_or(0) >= 1;
    (s.r.wait_for(Req::get("/overview"), "the adaptive cluster", WAIT, ready)).await?;
    let jar_id = upload(&mut s.r, &s.jar).await?;
    let job = run_job(&mut s.r, &jar_id, json!({ "parallelism": 2 })).await?;
    // Just submitted, the job waits for resources (its execution graph not built yet): its details and
    // plan then carry an empty plan (`{}`).
    s.r.ok(Req::get(format!("/jobs/{job}"))).await?;
    s.r.ok(Req::get(format!("/jobs/{job}/plan"))).await?;
    let at_2 = |j: &Value| all_running(j) && parallelism_is(j, 2);
    wait_job(&s.r, &job, "job running at parallelism 2", at_2).await?;
    let requirements = format!("/jobs/{job}/resource-requirements");
    let current = s.r.ok(Req::get(requirements.clone())).await?;
    let lowered = with_bounds(&current, 1, 1);
    let put = Req::new(Method::PUT, requirements.clone()).json(lowered.clone());
    s.r.ok(put).await?;
    let at_1 = |j: &Value| all_running(j) && parallelism_is(j, 1);
    wait_job(&s.r, &job, "job rescaled to parallelism 1", at_1).await?;
    s.r.ok(Req::get(format!("/jobs/{job}"))).await?;
    s.r.ok(Req::get(requirements)).await?;
    if s.pairs.documents(Pair::GetJobRescaleHistory) {
        rescale_history(&mut s.r, &job).await?;
        rescales_not_applied(&mut s.r, &job, lowered).await?;
    }
    cancel_quietly(&s.r, &job).await
}

/// 2.3's view of the rescale: once its history holds a completed requirement update, every rescales
/// pair, and the details of each rescale in the history.
async fn rescale_history(r: &mut Recorder, job: &str) -> Result<()> {
    let rescales = format!("/jobs/{job}/rescales");
    let updated = |h: &Value| {
        (h.as_array().into_iter().flatten())
            .any(|d| d["triggerCause"] == "UPDATE_REQUIREMENT" && !d["terminalState"].is_null())
    };
    let what = "a completed rescale in the history";
    let history =
        (r.wait_and_record(Req::get(format!("{rescales}/history")), what, WAIT, updated)).await?;
    for sub in ["overview", "summary", "config"] {
        r.ok(Req::get(format!("{rescales}/{sub}"))).await?;
    }
    for uuid in (history.as_array().into_iter().flatten()).filter_map(|d| d["rescaleUuid"].as_str())
    {
        r.ok(Req::get(format!("{rescales}/details/{uuid}"))).await?;
    }
    Ok(())
}

/// 2.3's rescales that change nothing: requirements the cluster's slots cannot meet (the rescale waits
/// for slots, open), replaced by requirements that are replaced at once in turn by ones the job already
/// meets (Flink ignores that rescale). The history with the open rescale and once all have ended, and
/// each new rescale's details.
async fn rescales_not_applied(r: &mut Recorder, job: &str, requirements: Value) -> Result<()> {
    let rescales = format!("/jobs/{job}/rescales");
    let history = Req::get(format!("{rescales}/history"));
    let before = rescale_ids(&r.peek(&format!("{rescales}/history")).await?, &[]);
    // How many rescales the history lists that `before` did not, and how many of those have ended.
    let new = |h: &Value| -> (usize, usize) {
        (h.as_array().into_iter().flatten())
            .filter(|d| {
                d["rescaleUuid"]
                    .as_str()
                    .is_some_and(|u| !before.iter().any(|b| b == u))
            })
            .fold((0, 0), |(listed, ended), d| {
                (
                    listed + 1,
                    ended + usize::from(!d["terminalState"].is_null()),
                )
            })
    };
    let put = |body| Req::new(Method::PUT, format!("/jobs/{job}/resource-requirements")).json(body);
    // One TaskManager of two slots: sixteen cannot be had, the rescale waits for them (no end state).
    r.ok(put(with_bounds(&requirements, 16, 16))).await?;
    let listed = |h: &Value| new(h).0 >= 1;
    (r.wait_and_record(history.clone(), "the rescale listed", WAIT, listed)).await?;
    // Replaced while it waits, and the next replaced at once; the last changes nothing.
    r.ok(put(with_bounds(&requirements, 1, 2))).await?;
    r.ok(put(with_bounds(&requirements, 1, 1))).await?;
    let all_ended = |h: &Value| new(h).1 >= 3;
    let what = "the superseded rescales ended";
    let ended = (r.wait_and_record(history, what, WAIT, all_ended)).await?;
    for uuid in rescale_ids(&ended, &before) {
        r.ok(Req::get(format!("{rescales}/details/{uuid}"))).await?;
    }
    Ok(())
}

/// The rescale ids a rescale history lists, but those in `known`.
fn rescale_ids(history: &Value, known: &[String]) -> Vec<String> {
    (history.as_array().into_iter().flatten())
        .filter_map(|d| d["rescaleUuid"].as_str())
        .filter(|u| !known.iter().any(|k| k == u))
        .map(str::to_string)
        .collect()
}

/// Resource requirements with every vertex's parallelism bounds set to `lower..=upper`.
fn with_bounds(requirements: &Value, lower: u64, upper: u64) -> Value {
    let mut changed = requirements.clone();
    for vertex in (changed.as_object_mut().into_iter()).flat_map(|o| o.values_mut()) {
        vertex["parallelism"] = json!({ "lowerBound": lower, "upperBound": upper });
    }
    changed
}

/// An application run from the jar (2.3) under ids the scenario chose, then cancelled; one whose job
/// fails, and one whose `main` throws before there is a job, with the exceptions each then reports.
async fn application(s: &mut State) -> Result<()> {
    let body = json!({ "parallelism": 1 });
    let app = run_application(s, body).await?;
    let details = Req::get(format!("/applications/{app}"));
    let running = |a: &Value| a["status"] == "RUNNING";
    (s.r.wait_for(details.clone(), "application running", WAIT, running)).await?;
    (s.r)
        .ok(Req::new(
            Method::POST,
            format!("/applications/{app}/cancel"),
        ))
        .await?;
    let ended = |a: &Value| a["status"].as_str().is_some_and(|s| s != "RUNNING");
    (s.r.wait_and_record(details, "application ended", WAIT, ended)).await?;
    let body = json!({ "parallelism": 1, "programArgsList": Program::FailAfter(200).args() });
    let failing = run_application(s, body).await?;
    let details = Req::get(format!("/applications/{failing}"));
    let failed = |a: &Value| a["status"] == "FAILED";
    (s.r.wait_and_record(details, "application failed", WAIT, failed)).await?;
    (s.r)
        .ok(Req::get(format!("/applications/{failing}/exceptions")))
        .await?;
    // Its `main` throws: the application fails with no job, its exception tied to none.
    let body = json!({ "programArgsList": Program::FailsInMain.args() });
    let no_job = run_application(s, body).await?;
    let details = Req::get(format!("/applications/{no_job}"));
    let what = "application failed in main";
    (s.r.wait_and_record(details, what, WAIT, failed)).await?;
    (s.r)
        .ok(Req::get(format!("/applications/{no_job}/exceptions")))
        .await?;
    Ok(())
}

/// Runs the jar as an application with ids the scenario chose; the application's id.
async fn run_application(s: &mut State, body: Value) -> Result<String> {
    let mut request = json!({
        "entryClass": crate::job::MAIN_CLASS,
        "applicationId": s.fresh_id(),
        "jobId": s.fresh_id(),
    });
    if let (Some(all), Some(more)) = (request.as_object_mut(), body.as_object()) {
        all.extend(more.clone());
    }
    let path = format!("/jars/{}/run-application", s.jar_id);
    let run = s.r.ok(Req::new(Method::POST, path).json(request)).await?;
    (run["applicationid"].as_str())
        .or(run["applicationId"].as_str())
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no application id in {run}"))
}

async fn cleanup(s: &mut State) -> Result<()> {
    (s.r)
        .ok(Req::new(Method::DELETE, format!("/jars/{}", s.jar_id)))
        .await?;
    s.r.ok(Req::get("/jars")).await?;
    s.r.ok(Req::get("/jobs/overview")).await?;
    Ok(())
}

async fn shutdown(s: &mut State) -> Result<()> {
    s.r.call(Req::new(Method::DELETE, "/cluster")).await?;
    Ok(())
}

/// Uploads the job's jar (recorded); its id.
async fn upload(r: &mut Recorder, jar: &[u8]) -> Result<String> {
    let upload = r
        .ok(Req::new(Method::POST, "/jars/upload").multipart(vec![Part {
            name: "jarfile".into(),
            file_name: Some(crate::job::JAR_NAME.into()),
            content_type: "application/x-java-archive".into(),
            bytes: jar.to_vec(),
        }]))
        .await?;
    upload["filename"]
        .as_str()
        .and_then(|f| f.rsplit('/').next())
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no filename in {upload}"))
}

/// Runs the scenario's job from the uploaded jar (a recorded `POST /jars/:jarid/run`); its id.
async fn run_job(r: &mut Recorder, jar: &str, body: Value) -> Result<String> {
    let mut request = serde_json::Map::new();
    request.insert("entryClass".into(), json!(crate::job::MAIN_CLASS));
    request.extend(body.as_object().cloned().unwrap_or_default());
    let run = r
        .ok(Req::new(Method::POST, format!("/jars/{jar}/run")).json(Value::Object(request)))
        .await?;
    run["jobid"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no jobid in {run}"))
}

/// Waits (unrecorded) until the job's details satisfy `done`.
async fn wait_job(
    r: &Recorder,
    job: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Result<Value> {
    r.wait_for(Req::get(format!("/jobs/{job}")), what, WAIT, done)
        .await
}

/// Cancels a job (unrecorded: the cancel pair is recorded by its own step) and waits until it is.
async fn cancel_quietly(r: &Recorder, job: &str) -> Result<()> {
    let _ = r
        .send(&Req::new(Method::PATCH, format!("/jobs/{job}")).q("mode", "cancel"))
        .await?;
    wait_job(r, job, "job cancelled", state_is(&["CANCELED"])).await?;
    Ok(())
}

fn state_is(states: &'static [&'static str]) -> impl Fn(&Value) -> bool {
    move |job| job["state"].as_str().is_some_and(|s| states.contains(&s))
}

fn all_running(job: &Value) -> bool {
    job["state"] == "RUNNING"
        && job["vertices"]
            .as_array()
            .is_some_and(|v| !v.is_empty() && v.iter().all(|v| v["status"] == "RUNNING"))
}

fn parallelism_is(job: &Value, n: u64) -> bool {
    (job["vertices"].as_array()).is_some_and(|v| v.iter().all(|v| v["parallelism"] == n))
}

fn non_empty(v: &Value) -> bool {
    v.as_array().is_some_and(|a| !a.is_empty())
}

/// Comma-joined ids of the first `n` entries of a list of `{"id": …}` (metrics, TaskManagers).
fn first_ids(list: &Value, n: usize) -> String {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["id"].as_str())
                .take(n)
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}
