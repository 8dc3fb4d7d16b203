//! The scenario: drives a real cluster through the states that produce every documented response, and
//! records each exchange. Polling (waiting for a job state, an async operation, metrics to appear) is
//! not recorded; the answers the scenario is about are.
//!
//! The recorder speaks HTTP itself rather than through the generated client: it must send exactly what
//! a step says (wrong verbs, invalid bodies), and what it records is what a server sent, not what a
//! client made of it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use reqwest::Method;
use serde_json::{json, Value};

use crate::fixture::{Exchange, Kind, PartRecord, RecordedRequest, RecordedResponse, RequestBody};

/// One documented endpoint/verb pair, as the page writes it.
#[derive(Debug, Clone)]
pub struct Template {
    pub method: String,
    pub path: String,
    segments: Vec<String>,
}

impl Template {
    pub fn new(method: &str, path: &str) -> Template {
        Template {
            method: method.to_string(),
            path: path.to_string(),
            segments: path.split('/').skip(1).map(str::to_string).collect(),
        }
    }

    /// How many literal segments match, if the whole path matches.
    fn score(&self, method: &str, segments: &[&str]) -> Option<usize> {
        if self.method != method || self.segments.len() != segments.len() {
            return None;
        }
        let mut literal = 0;
        for (t, s) in self.segments.iter().zip(segments) {
            if t.starts_with(':') {
                continue;
            }
            if t != s {
                return None;
            }
            literal += 1;
        }
        Some(literal)
    }

    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Every pair any source documents (`schemas/documented/<source>/endpoints.json`): what a concrete request
/// is matched against.
pub fn templates(root: &Path) -> Result<Vec<Template>> {
    Ok(templates_of(&sources(root)?))
}

fn templates_of(sources: &[Source]) -> Vec<Template> {
    let mut out: Vec<Template> = Vec::new();
    for (method, path) in sources.iter().flat_map(|s| &s.pairs) {
        if !out.iter().any(|t| &t.method == method && &t.path == path) {
            out.push(Template::new(method, path));
        }
    }
    out
}

/// What one source's docs say that a run needs, read once.
pub struct Source {
    /// `1.10`, `1.15` … `2.3`.
    id: String,
    /// Each documented pair's (method, path).
    pairs: Vec<(String, String)>,
    /// The values it lists for `agg` of `GET /jobs/metrics`, if it lists them.
    agg: Option<Vec<String>>,
    /// Where it was read from, for errors.
    file: PathBuf,
}

/// Every source's docs, oldest source first.
pub fn sources(root: &Path) -> Result<Vec<Source>> {
    let dir = root.join("schemas/documented");
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
        let id = entry?.file_name().to_string_lossy().into_owned();
        let file = dir.join(&id).join("endpoints.json");
        if file.is_file() {
            sources.push(source(id, file)?);
        }
    }
    sources.sort_by(|a, b| flink_rest_codegen::ledger::compare_versions(&a.id, &b.id));
    Ok(sources)
}

fn source(id: String, file: PathBuf) -> Result<Source> {
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let doc: Value = serde_json::from_str(&text).with_context(|| format!("{}", file.display()))?;
    let endpoints = doc["endpoints"]
        .as_array()
        .ok_or_else(|| anyhow!("{}: no endpoints array", file.display()))?;
    let pairs = endpoints
        .iter()
        .map(|e| match (e["method"].as_str(), e["path"].as_str()) {
            (Some(m), Some(p)) => Ok((m.to_string(), p.to_string())),
            _ => Err(anyhow!(
                "{}: endpoint without method or path",
                file.display()
            )),
        })
        .collect::<Result<_>>()?;
    let agg = (endpoints.iter())
        .filter(|e| e["method"] == "GET" && e["path"] == "/jobs/metrics")
        .flat_map(|e| e["query_params"].as_array().into_iter().flatten())
        .find(|q| q["name"] == "agg")
        .and_then(|q| q["type"]["items"]["values"].as_array())
        .map(|values| (values.iter().filter_map(|v| v.as_str().map(str::to_string))).collect());
    Ok(Source {
        id,
        pairs,
        agg,
        file,
    })
}

/// The pairs a run is held to: the 1.10 page's and the version's own docs' (its minor's, or the newest
/// older minor's), as keys (`GET /jobs`).
pub struct Pairs {
    pub baseline: Vec<String>,
    pub own: Vec<String>,
    /// Every `agg` value the version's docs list for aggregated metrics (`min,max,sum,avg[,skew]`).
    pub agg: String,
}

impl Pairs {
    pub fn of(sources: &[Source], version: &str) -> Result<Pairs> {
        let keys = |s: &Source| -> Vec<String> {
            s.pairs.iter().map(|(m, p)| format!("{m} {p}")).collect()
        };
        let minor = flink_rest_codegen::ledger::minor(version);
        let own = (sources.iter())
            .rfind(|s| flink_rest_codegen::ledger::compare_versions(&s.id, &minor).is_le());
        let agg = match own {
            Some(s) => s.agg.as_ref().ok_or_else(|| {
                anyhow!(
                    "{}: no `agg` values for GET /jobs/metrics",
                    s.file.display()
                )
            })?,
            None => &Vec::new(),
        };
        Ok(Pairs {
            baseline: sources.first().map(keys).unwrap_or_default(),
            own: own.map(keys).unwrap_or_default(),
            agg: agg.join(","),
        })
    }

    /// Whether the version's own docs list `key`.
    pub fn documents(&self, key: &str) -> bool {
        self.own.iter().any(|k| k == key)
    }
}

/// The documented pair a concrete request is an instance of: the match with most literal segments wins
/// (`/jobs/overview` is not `/jobs/:jobid`).
pub fn endpoint_of<'a>(
    templates: &'a [Template],
    method: &str,
    path: &str,
) -> Option<&'a Template> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    templates
        .iter()
        .filter_map(|t| t.score(method, &segments).map(|s| (s, t)))
        .max_by_key(|(s, _)| *s)
        .map(|(_, t)| t)
}

/// A request as a step writes it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Body>,
}

#[derive(Debug, Clone)]
pub enum Body {
    Json(Value),
    /// Sent with `content-type: application/json` but not JSON.
    Text(String),
    Multipart(Vec<Part>),
}

#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Req {
    pub fn new(method: Method, path: impl Into<String>) -> Req {
        Req {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }
    pub fn get(path: impl Into<String>) -> Req {
        Req::new(Method::GET, path)
    }
    pub fn q(mut self, name: &str, value: impl Into<String>) -> Req {
        self.query.push((name.to_string(), value.into()));
        self
    }
    pub fn json(mut self, body: Value) -> Req {
        self.body = Some(Body::Json(body));
        self
    }
}

/// Sends requests, records the ones that matter.
pub struct Recorder {
    http: reqwest::Client,
    base: String,
    version: String,
    templates: Vec<Template>,
    step: String,
    pub exchanges: Vec<Exchange>,
}

impl Recorder {
    pub fn new(base: &str, version: &str, templates: Vec<Template>) -> Result<Recorder> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(Recorder {
            http,
            base: base.trim_end_matches('/').to_string(),
            version: version.to_string(),
            templates,
            step: String::new(),
            exchanges: Vec::new(),
        })
    }

    pub fn step(&mut self, name: &str) {
        self.step = name.to_string();
    }

    /// Sends without recording.
    pub async fn send(&self, req: &Req) -> Result<Exchange> {
        let url = format!("{}{}", self.base, req.path);
        let mut builder = self.http.request(req.method.clone(), &url);
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        let mut headers = std::collections::BTreeMap::new();
        let sent = match &req.body {
            None => None,
            Some(Body::Json(v)) => {
                headers.insert("content-type".into(), "application/json".into());
                builder = builder
                    .header("content-type", "application/json")
                    .body(serde_json::to_vec(v)?);
                Some(RequestBody::Json(v.clone()))
            }
            Some(Body::Text(t)) => {
                headers.insert("content-type".into(), "application/json".into());
                builder = builder
                    .header("content-type", "application/json")
                    .body(t.clone());
                Some(RequestBody::Text(t.clone()))
            }
            Some(Body::Multipart(parts)) => {
                headers.insert("content-type".into(), "multipart/form-data".into());
                let mut form = reqwest::multipart::Form::new();
                let mut records = Vec::new();
                for p in parts {
                    let mut part = reqwest::multipart::Part::bytes(p.bytes.clone())
                        .mime_str(&p.content_type)?;
                    if let Some(f) = &p.file_name {
                        part = part.file_name(f.clone());
                    }
                    form = form.part(p.name.clone(), part);
                    let json = (p.content_type == "application/json")
                        .then(|| serde_json::from_slice(&p.bytes).ok())
                        .flatten();
                    records.push(PartRecord {
                        name: p.name.clone(),
                        file_name: p.file_name.clone(),
                        content_type: p.content_type.clone(),
                        bytes: json.is_none().then_some(p.bytes.len()),
                        json,
                    });
                }
                builder = builder.multipart(form);
                Some(RequestBody::Multipart(records))
            }
        };
        let request = builder.build()?;
        let query = request.url().query().map(str::to_string);
        let response = self
            .http
            .execute(request)
            .await
            .with_context(|| format!("{} {}", req.method, req.path))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = response.bytes().await?;
        let (body, text) = match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => (Some(v), None),
            Err(_) if bytes.is_empty() => (None, None),
            Err(_) => (None, Some(String::from_utf8_lossy(&bytes).into_owned())),
        };
        let method = req.method.as_str();
        Ok(Exchange {
            endpoint: endpoint_of(&self.templates, method, &req.path).map(Template::key),
            kind: Kind::Scenario,
            step: self.step.clone(),
            flink_version: self.version.clone(),
            request: RecordedRequest {
                method: method.to_string(),
                path: req.path.clone(),
                query,
                headers,
                body: sent,
            },
            response: RecordedResponse {
                status,
                content_type,
                body,
                text,
            },
        })
    }

    /// Sends and records a scenario exchange; returns the response body (`null` if none).
    pub async fn call(&mut self, req: Req) -> Result<Value> {
        let e = self.send(&req).await?;
        let body = e.response.body.clone().unwrap_or(Value::Null);
        self.exchanges.push(e);
        Ok(body)
    }

    /// Like [`Recorder::call`], but fails unless the status is 2xx.
    pub async fn ok(&mut self, req: Req) -> Result<Value> {
        let e = self.send(&req).await?;
        let status = e.response.status;
        let body = e.response.body.clone().unwrap_or(Value::Null);
        self.exchanges.push(e);
        if !(200..300).contains(&status) {
            bail!("{} {} answered {status}: {body}", req.method, req.path);
        }
        Ok(body)
    }

    /// Records a bad-input exchange.
    pub async fn bad(&mut self, req: Req) -> Result<()> {
        let mut e = self.send(&req).await?;
        e.kind = Kind::BadInput;
        self.exchanges.push(e);
        Ok(())
    }

    /// GET without recording; the body.
    pub async fn peek(&self, path: &str) -> Result<Value> {
        let e = self.send(&Req::get(path)).await?;
        Ok(e.response.body.unwrap_or(Value::Null))
    }

    /// Repeats an unrecorded GET until `done` holds for its body.
    pub async fn wait_for(
        &self,
        req: Req,
        what: &str,
        limit: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        let start = Instant::now();
        loop {
            let e = self.send(&req).await?;
            let body = e.response.body.unwrap_or(Value::Null);
            if done(&body) {
                return Ok(body);
            }
            if start.elapsed() > limit {
                bail!("waited {limit:?} for {what}; last answer: {body}");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Like [`Recorder::wait_for`], but records the answer that satisfied `done`: for states that
    /// come and go (a checkpoint in progress).
    pub async fn wait_and_record(
        &mut self,
        req: Req,
        what: &str,
        limit: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        let start = Instant::now();
        loop {
            let e = self.send(&req).await?;
            let body = e.response.body.clone().unwrap_or(Value::Null);
            if done(&body) {
                self.exchanges.push(e);
                return Ok(body);
            }
            if start.elapsed() > limit {
                bail!("waited {limit:?} for {what}; last answer: {body}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Triggers an async operation (recorded, must be 2xx) and follows it to its end at
    /// `<status>/<trigger id>` (see [`Recorder::operation`]); the final answer.
    pub async fn trigger(&mut self, req: Req, status: &str) -> Result<Value> {
        let trigger = self.ok(req).await?;
        self.operation(format!("{status}/{}", trigger_id(&trigger)?))
            .await
    }

    /// Polls an async operation: records the first answer, then (if it was not final) the final one.
    pub async fn operation(&mut self, path: String) -> Result<Value> {
        let first = self.call(Req::get(path.clone())).await?;
        if is_final(&first) {
            return Ok(first);
        }
        let _ = self
            .wait_for(
                Req::get(path.clone()),
                &path,
                Duration::from_secs(120),
                is_final,
            )
            .await?;
        self.call(Req::get(path)).await
    }
}

fn is_final(body: &Value) -> bool {
    body["status"]["id"].as_str() == Some("COMPLETED") || body.get("errors").is_some()
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

fn non_empty(v: &Value) -> bool {
    v.as_array().is_some_and(|a| !a.is_empty())
}

/// Comma-joined ids of the first `n` metrics of a metrics list.
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

/// What the scenario needs from outside: where the cluster is and where to build the job.
pub struct Setup {
    pub root: PathBuf,
    pub version: String,
    pub base_url: String,
    pub dist: PathBuf,
    /// Scratch directory (job build).
    pub work: PathBuf,
    /// The cluster's savepoint directory.
    pub savepoints: PathBuf,
    /// End with `DELETE /cluster` (the cluster is gone afterwards).
    pub shutdown: bool,
}

impl Setup {
    /// The scenario builds its job in `run_dir/scenario` and stores savepoints in `run_dir/savepoints`
    /// (a path the server writes to, so `run_dir` must be local to it).
    pub fn new(
        root: &Path,
        version: &str,
        base_url: &str,
        dist: &Path,
        run_dir: &Path,
        shutdown: bool,
    ) -> Setup {
        Setup {
            root: root.to_path_buf(),
            version: version.to_string(),
            base_url: base_url.to_string(),
            dist: dist.to_path_buf(),
            work: run_dir.join("scenario"),
            savepoints: run_dir.join("savepoints"),
            shutdown,
        }
    }
}

/// The run's exchanges, how long each step took, and the pairs the version documents that the scenario
/// did not reach.
pub struct Recording {
    pub exchanges: Vec<Exchange>,
    pub steps: Vec<(String, Duration)>,
    pub unreached: Vec<String>,
}

const WAIT: Duration = Duration::from_secs(90);
/// A well-formed id no server knows.
const UNKNOWN_ID: &str = "0123456789abcdef0123456789abcdef";

/// Runs the whole scenario; `DELETE /cluster` is its last exchange.
pub async fn run(setup: &Setup) -> Result<Recording> {
    let sources = sources(&setup.root)?;
    let templates = templates_of(&sources);
    let pairs = Pairs::of(&sources, &setup.version)?;
    let mut r = Recorder::new(&setup.base_url, &setup.version, templates.clone())?;
    let mut steps = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &str, steps: &mut Vec<(String, Duration)>| {
        steps.push((name.to_string(), clock.elapsed()));
        clock = Instant::now();
    };

    // The job, built against this distribution.
    let jar = crate::job::build_jar(&setup.dist, &setup.work)?;
    let graph = crate::job::job_graph(&setup.dist, &setup.work, crate::flink::JAVA_OPTS)?;
    lap("build job", &mut steps);

    r.step("cluster");
    for path in [
        "/config",
        "/overview",
        "/jobmanager/config",
        "/jobs",
        "/jobs/overview",
        "/jars",
    ] {
        r.ok(Req::get(path)).await?;
    }
    let tms = r.ok(Req::get("/taskmanagers")).await?;
    let tm = tms["taskmanagers"][0]["id"]
        .as_str()
        .ok_or_else(|| anyhow!("no TaskManager in {tms}"))?
        .to_string();
    r.ok(Req::get(format!("/taskmanagers/{tm}"))).await?;

    // Metrics answer [] for a while after start: record that answer as it is, once.
    r.step("early metrics");
    r.ok(Req::get("/jobmanager/metrics")).await?;
    lap("cluster", &mut steps);

    r.step("jar");
    let upload = r
        .ok(Req::new(Method::POST, "/jars/upload").multipart(vec![Part {
            name: "jarfile".into(),
            file_name: Some(crate::job::JAR_NAME.into()),
            content_type: "application/x-java-archive".into(),
            bytes: jar.clone(),
        }]))
        .await?;
    let jar_id = upload["filename"]
        .as_str()
        .and_then(|f| f.rsplit('/').next())
        .ok_or_else(|| anyhow!("no filename in {upload}"))?
        .to_string();
    r.ok(Req::get("/jars")).await?;
    r.ok(Req::get(format!("/jars/{jar_id}/plan")).q("parallelism", "2"))
        .await?;
    r.ok(Req::new(Method::POST, format!("/jars/{jar_id}/plan"))
        .json(json!({"entryClass": crate::job::MAIN_CLASS, "parallelism": 2})))
        .await?;

    r.step("run job");
    let job = run_job(
        &mut r,
        &jar_id,
        json!({ "parallelism": 2, "programArgsList": []}),
    )
    .await?;
    wait_job(&r, &job, "job running", all_running).await?;
    r.wait_for(
        Req::get(format!("/jobs/{job}/checkpoints")),
        "2 completed checkpoints",
        WAIT,
        |c| c["counts"]["completed"].as_u64().unwrap_or(0) >= 2,
    )
    .await?;
    lap("jar and job start", &mut steps);

    // Accumulators reach the JobManager with TaskManager heartbeats.
    r.wait_for(
        Req::get(format!("/jobs/{job}/accumulators")),
        "user accumulators",
        WAIT,
        |a| non_empty(&a["user-task-accumulators"]),
    )
    .await?;

    r.step("running job");
    let details = r.ok(Req::get(format!("/jobs/{job}"))).await?;
    for sub in [
        "plan",
        "config",
        "accumulators",
        "exceptions",
        "checkpoints/config",
        "execution-result",
    ] {
        r.call(Req::get(format!("/jobs/{job}/{sub}"))).await?;
    }
    r.ok(Req::get("/jobs")).await?;
    r.ok(Req::get("/jobs/overview")).await?;
    r.ok(Req::get("/overview")).await?;
    let checkpoints = r.ok(Req::get(format!("/jobs/{job}/checkpoints"))).await?;
    let checkpoint = checkpoints["latest"]["completed"]["id"]
        .as_u64()
        .ok_or_else(|| anyhow!("no completed checkpoint in {checkpoints}"))?;
    let vertices = details["vertices"].as_array().cloned().unwrap_or_default();
    let vertex = vertices
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
    r.ok(Req::get(format!(
        "/jobs/{job}/checkpoints/details/{checkpoint}"
    )))
    .await?;
    r.ok(Req::get(format!(
        "/jobs/{job}/checkpoints/details/{checkpoint}/subtasks/{vertex}"
    )))
    .await?;

    r.step("vertex");
    let v = format!("/jobs/{job}/vertices/{vertex}");
    // Back pressure is only sampled once metrics were asked for: record the first answer as it is.
    r.call(Req::get(format!("{v}/backpressure"))).await?;
    for sub in [
        "",
        "/accumulators",
        "/subtasks/accumulators",
        "/subtasktimes",
        "/taskmanagers",
    ] {
        r.ok(Req::get(format!("{v}{sub}"))).await?;
    }
    for sub in [
        "/subtasks/0",
        "/subtasks/0/attempts/0",
        "/subtasks/0/attempts/0/accumulators",
    ] {
        r.ok(Req::get(format!("{v}{sub}"))).await?;
    }
    lap("running job", &mut steps);

    r.step("newer pairs");
    newer_pairs(&mut r, &pairs, &job, &vertex, &tm).await?;
    lap("newer pairs", &mut steps);

    r.step("metrics");
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
        let list = r
            .wait_for(
                Req::get(path.clone()),
                &format!("metrics at {path}"),
                WAIT,
                non_empty,
            )
            .await?;
        r.ok(Req::get(path.clone())).await?;
        let ids = first_ids(&list, 3);
        let mut req = Req::get(path.clone()).q("get", ids);
        if path.ends_with("/taskmanagers/metrics") {
            req = req
                .q("agg", pairs.agg.clone())
                .q("taskmanagers", tm.clone());
        } else if path == "/jobs/metrics" {
            req = req.q("agg", pairs.agg.clone()).q("jobs", job.clone());
        } else if path.ends_with("/subtasks/metrics") {
            req = req.q("agg", pairs.agg.clone()).q("subtasks", "0-1");
        }
        r.ok(req).await?;
    }
    r.wait_for(
        Req::get(format!("{v}/backpressure")),
        "back pressure sampled",
        WAIT,
        |b| b["status"] == "ok",
    )
    .await?;
    r.ok(Req::get(format!("{v}/backpressure"))).await?;
    lap("metrics", &mut steps);

    r.step("bad input");
    bad_inputs(&mut r, &job, &jar_id, &vertex).await?;
    lap("bad input", &mut steps);

    r.step("rescaling");
    let rescale = r
        .call(Req::new(Method::PATCH, format!("/jobs/{job}/rescaling")).q("parallelism", "1"))
        .await?;
    match rescale["request-id"].as_str() {
        Some(trigger) => {
            r.operation(format!("/jobs/{job}/rescaling/{trigger}"))
                .await?;
        }
        None => {
            r.call(Req::get(format!("/jobs/{job}/rescaling/{UNKNOWN_ID}")))
                .await?;
        }
    }

    r.step("savepoint");
    let target = setup.savepoints.display().to_string();
    let done = r
        .trigger(
            Req::new(Method::POST, format!("/jobs/{job}/savepoints"))
                .json(json!({"target-directory": target, "cancel-job": false})),
            &format!("/jobs/{job}/savepoints"),
        )
        .await?;
    let savepoint = done["operation"]["location"]
        .as_str()
        .ok_or_else(|| anyhow!("savepoint without location: {done}"))?
        .to_string();
    lap("rescaling and savepoint", &mut steps);

    r.step("failed savepoint");
    // A target Flink cannot create: the operation completes with its failure cause, the job runs on.
    let unwritable = "file:///dev/null/flink-rest-unwritable";
    let failed = r
        .trigger(
            Req::new(Method::POST, format!("/jobs/{job}/savepoints"))
                .json(json!({"target-directory": unwritable, "cancel-job": false})),
            &format!("/jobs/{job}/savepoints"),
        )
        .await?;
    if failed["operation"]["failure-cause"].is_null() {
        bail!("a savepoint to {unwritable} did not fail: {failed}");
    }
    lap("failed savepoint", &mut steps);

    if pairs.documents("POST /jobs/:jobid/checkpoints") {
        r.step("checkpoint");
        let checkpoints = format!("/jobs/{job}/checkpoints");
        let full = json!({"checkpointType": "FULL"});
        r.trigger(
            Req::new(Method::POST, &checkpoints).json(full),
            &checkpoints,
        )
        .await?;
        lap("checkpoint", &mut steps);
    }

    r.step("stop without drain");
    r.trigger(
        Req::new(Method::POST, format!("/jobs/{job}/stop"))
            .json(json!({"targetDirectory": target, "drain": false})),
        &format!("/jobs/{job}/savepoints"),
    )
    .await?;
    wait_job(&r, &job, "job stopped", state_is(&["FINISHED"])).await?;
    r.ok(Req::get(format!("/jobs/{job}"))).await?;
    r.ok(Req::get(format!("/jobs/{job}/execution-result")))
        .await?;
    lap("stop", &mut steps);

    r.step("restore from savepoint");
    let restored = run_job(
        &mut r,
        &jar_id,
        json!({
            "parallelism": 2,
            "savepointPath": savepoint,
            "allowNonRestoredState": true,
        }),
    )
    .await?;
    wait_job(&r, &restored, "restored job running", all_running).await?;
    r.wait_for(
        Req::get(format!("/jobs/{restored}/checkpoints")),
        "restore in checkpoint statistics",
        WAIT,
        |c| !c["latest"]["restored"].is_null(),
    )
    .await?;
    r.ok(Req::get(format!("/jobs/{restored}/checkpoints")))
        .await?;
    r.step("stop with drain");
    let drained = r
        .trigger(
            Req::new(Method::POST, format!("/jobs/{restored}/stop"))
                .json(json!({"targetDirectory": target, "drain": true})),
            &format!("/jobs/{restored}/savepoints"),
        )
        .await?;
    wait_job(&r, &restored, "job drained", state_is(&["FINISHED"])).await?;
    lap("restore and drain", &mut steps);

    r.step("cancel");
    let cancelled = run_job(&mut r, &jar_id, json!({ "parallelism": 1})).await?;
    wait_job(&r, &cancelled, "job running", all_running).await?;
    r.call(Req::new(Method::PATCH, format!("/jobs/{cancelled}")).q("mode", "stop"))
        .await?;
    r.ok(Req::new(Method::PATCH, format!("/jobs/{cancelled}")).q("mode", "cancel"))
        .await?;
    wait_job(&r, &cancelled, "job cancelled", state_is(&["CANCELED"])).await?;
    r.ok(Req::get(format!("/jobs/{cancelled}"))).await?;
    lap("cancel", &mut steps);

    r.step("failing job");
    let failed = run_job(
        &mut r,
        &jar_id,
        json!({
            "parallelism": 1,
            "programArgsList": ["--fail-after", "200"],
        }),
    )
    .await?;
    wait_job(&r, &failed, "job failed", state_is(&["FAILED"])).await?;
    r.ok(Req::get(format!("/jobs/{failed}"))).await?;
    r.ok(Req::get(format!("/jobs/{failed}/exceptions"))).await?;
    r.ok(Req::get(format!("/jobs/{failed}/exceptions")).q("maxExceptions", "1"))
        .await?;
    r.ok(Req::get(format!("/jobs/{failed}/execution-result")))
        .await?;
    lap("failing job", &mut steps);

    r.step("finite job");
    let finished = run_job(
        &mut r,
        &jar_id,
        json!({
            "parallelism": 1,
            "programArgsList": ["--count", "500"],
        }),
    )
    .await?;
    wait_job(&r, &finished, "job finished", state_is(&["FINISHED"])).await?;
    r.ok(Req::get(format!("/jobs/{finished}/execution-result")))
        .await?;
    // Back pressure is sampled from fetched metrics; once the fetcher drops a finished job's metrics the
    // answer is `{"status": "deprecated"}` and nothing else. Fetches are at most every 10 s.
    let done = r.peek(&format!("/jobs/{finished}")).await?;
    if let Some(v) = done["vertices"][0]["id"].as_str() {
        let req = Req::get(format!("/jobs/{finished}/vertices/{v}/backpressure"));
        let deprecated = |b: &Value| b["status"] == "deprecated";
        if r.wait_and_record(
            req.clone(),
            "back pressure without metrics",
            WAIT / 3,
            deprecated,
        )
        .await
        .is_err()
        {
            r.call(req).await?;
        }
    }
    r.ok(Req::get(format!("/jobs/{finished}/accumulators")).q("includeSerializedValue", "true"))
        .await?;
    lap("finite job", &mut steps);

    // Checkpoint statistics are polymorphic (`className`): in-progress and failed checkpoints carry
    // other fields than completed ones. Slow snapshots and a 1 s timeout make both appear.
    r.step("checkpoint failures");
    let slow = run_job(
        &mut r,
        &jar_id,
        json!({
            "parallelism": 1,
            "programArgsList": ["--slow-checkpoints", "1500"],
        }),
    )
    .await?;
    wait_job(&r, &slow, "job running", all_running).await?;
    let has = |history: &Value, class: &str| {
        history
            .as_array()
            .is_some_and(|h| h.iter().any(|c| c["className"] == class))
    };
    let stats = r
        .wait_and_record(
            Req::get(format!("/jobs/{slow}/checkpoints")),
            "an in-progress and a failed checkpoint",
            WAIT,
            |c| has(&c["history"], "in_progress") && has(&c["history"], "failed"),
        )
        .await?;
    for class in ["failed", "in_progress"] {
        let id = stats["history"]
            .as_array()
            .and_then(|h| h.iter().find(|c| c["className"] == class))
            .and_then(|c| c["id"].as_u64());
        if let Some(id) = id {
            let at = format!("/jobs/{slow}/checkpoints/details/{id}");
            let details = r.call(Req::get(at.clone())).await?;
            // Its subtasks that never acknowledged: only an index and a status.
            let vertex = details["tasks"].as_object().and_then(|t| t.keys().next());
            if let Some(vertex) = vertex {
                r.call(Req::get(format!("{at}/subtasks/{vertex}"))).await?;
            }
        }
    }
    if pairs.documents("POST /jobs/:jobid/checkpoints") {
        // Its snapshots outlast the checkpoint timeout: a triggered checkpoint fails with its cause.
        let checkpoints = format!("/jobs/{slow}/checkpoints");
        let full = json!({"checkpointType": "FULL"});
        r.trigger(
            Req::new(Method::POST, &checkpoints).json(full),
            &checkpoints,
        )
        .await?;
    }
    let _ = r
        .send(&Req::new(Method::PATCH, format!("/jobs/{slow}")).q("mode", "cancel"))
        .await?;
    wait_job(&r, &slow, "job cancelled", state_is(&["CANCELED"])).await?;
    lap("checkpoint failures", &mut steps);

    r.step("savepoint disposal");
    let path = drained["operation"]["location"]
        .as_str()
        .unwrap_or(&savepoint)
        .to_string();
    let missing = format!("{target}/savepoint-000000-{UNKNOWN_ID}");
    for path in [path, missing] {
        let dispose = json!({ "savepoint-path": path });
        r.trigger(
            Req::new(Method::POST, "/savepoint-disposal").json(dispose),
            "/savepoint-disposal",
        )
        .await?;
    }
    lap("savepoint disposal", &mut steps);

    r.step("job graph submission");
    let request = json!({
        "jobGraphFileName": "job.graph",
        "jobJarFileNames": [crate::job::JAR_NAME],
        "jobArtifactFileNames": [],
    });
    let submitted = r
        .ok(Req::new(Method::POST, "/jobs").multipart(vec![
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
                bytes: graph,
            },
            Part {
                name: "file_1".into(),
                file_name: Some(crate::job::JAR_NAME.into()),
                content_type: "application/x-java-archive".into(),
                bytes: jar,
            },
        ]))
        .await?;
    let graph_job = submitted["jobUrl"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .ok_or_else(|| anyhow!("no jobUrl in {submitted}"))?
        .to_string();
    wait_job(&r, &graph_job, "submitted job running", all_running).await?;
    r.ok(Req::get(format!("/jobs/{graph_job}"))).await?;
    let _ = r
        .send(&Req::new(Method::PATCH, format!("/jobs/{graph_job}")).q("mode", "cancel"))
        .await?;
    wait_job(&r, &graph_job, "job cancelled", state_is(&["CANCELED"])).await?;
    lap("job graph submission", &mut steps);

    if pairs.documents("POST /jars/:jarid/run-application") {
        r.step("application");
        application(&mut r, &jar_id).await?;
        lap("application", &mut steps);
    }

    r.step("cleanup");
    r.ok(Req::new(Method::DELETE, format!("/jars/{jar_id}")))
        .await?;
    r.ok(Req::get("/jars")).await?;
    r.ok(Req::get("/jobs/overview")).await?;
    if setup.shutdown {
        r.step("shutdown");
        r.call(Req::new(Method::DELETE, "/cluster")).await?;
    }
    lap("cleanup and shutdown", &mut steps);

    // Every pair of the 1.10 page is reached on every version; the version's other documented pairs the
    // scenario does not reach yet are reported.
    let reached = |key: &str| {
        (r.exchanges.iter()).any(|e| e.kind == Kind::Scenario && e.endpoint.as_deref() == Some(key))
    };
    let expected = |key: &&String| setup.shutdown || *key != "DELETE /cluster";
    let missing: Vec<&str> = (pairs.baseline.iter())
        .filter(|k| expected(k) && !reached(k))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        bail!("the scenario did not reach: {}", missing.join(", "));
    }
    let unreached = (pairs.own.iter())
        .filter(|k| !reached(k))
        .cloned()
        .collect();
    Ok(Recording {
        exchanges: r.exchanges,
        steps,
        unreached,
    })
}

/// An application run from the jar (2.3), then cancelled.
async fn application(r: &mut Recorder, jar: &str) -> Result<()> {
    let run = r
        .ok(
            Req::new(Method::POST, format!("/jars/{jar}/run-application"))
                .json(json!({ "entryClass": crate::job::MAIN_CLASS, "parallelism": 1 })),
        )
        .await?;
    let app = (run["applicationid"]
        .as_str()
        .or(run["applicationId"].as_str()))
    .ok_or_else(|| anyhow!("no application id in {run}"))?
    .to_string();
    let running = |a: &Value| a["status"].as_str().is_some_and(|s| s == "RUNNING");
    r.wait_for(
        Req::get(format!("/applications/{app}")),
        "application running",
        WAIT,
        running,
    )
    .await?;
    r.ok(Req::new(
        Method::POST,
        format!("/applications/{app}/cancel"),
    ))
    .await?;
    let ended = |a: &Value| a["status"].as_str().is_some_and(|s| s != "RUNNING");
    r.wait_and_record(
        Req::get(format!("/applications/{app}")),
        "application ended",
        WAIT,
        ended,
    )
    .await?;
    Ok(())
}

/// The read-only pairs the 1.10 page did not have, each where the version's docs list it.
async fn newer_pairs(
    r: &mut Recorder,
    documented: &Pairs,
    job: &str,
    vertex: &str,
    tm: &str,
) -> Result<()> {
    let v = format!("/jobs/{job}/vertices/{vertex}");
    let pairs = [
        ("GET /jobs/:jobid/status", format!("/jobs/{job}/status")),
        (
            "GET /jobs/:jobid/jobmanager/config",
            format!("/jobs/{job}/jobmanager/config"),
        ),
        (
            "GET /jobs/:jobid/jobmanager/environment",
            format!("/jobs/{job}/jobmanager/environment"),
        ),
        (
            "GET /jobs/:jobid/jobmanager/log-url",
            format!("/jobs/{job}/jobmanager/log-url"),
        ),
        (
            "GET /jobs/:jobid/taskmanagers/:taskmanagerid/log-url",
            format!("/jobs/{job}/taskmanagers/{tm}/log-url"),
        ),
        (
            "GET /jobs/:jobid/resource-requirements",
            format!("/jobs/{job}/resource-requirements"),
        ),
        (
            "GET /jobs/:jobid/vertices/:vertexid/watermarks",
            format!("{v}/watermarks"),
        ),
        (
            "GET /jobs/:jobid/vertices/:vertexid/jm-operator-metrics",
            format!("{v}/jm-operator-metrics"),
        ),
        (
            "GET /jobs/:jobid/vertices/:vertexid/flamegraph",
            format!("{v}/flamegraph"),
        ),
        (
            "GET /jobmanager/environment",
            "/jobmanager/environment".into(),
        ),
        ("GET /jobmanager/logs", "/jobmanager/logs".into()),
        (
            "GET /jobmanager/thread-dump",
            "/jobmanager/thread-dump".into(),
        ),
        (
            "GET /taskmanagers/:taskmanagerid/logs",
            format!("/taskmanagers/{tm}/logs"),
        ),
        (
            "GET /taskmanagers/:taskmanagerid/thread-dump",
            format!("/taskmanagers/{tm}/thread-dump"),
        ),
        ("GET /datasets", "/datasets".into()),
        (
            "GET /jobs/:jobid/rescales/config",
            format!("/jobs/{job}/rescales/config"),
        ),
        (
            "GET /jobs/:jobid/rescales/history",
            format!("/jobs/{job}/rescales/history"),
        ),
        (
            "GET /jobs/:jobid/rescales/overview",
            format!("/jobs/{job}/rescales/overview"),
        ),
        (
            "GET /jobs/:jobid/rescales/summary",
            format!("/jobs/{job}/rescales/summary"),
        ),
        (
            "GET /applications/overview",
            "/applications/overview".into(),
        ),
    ];
    let mut answers = Vec::new();
    for (key, path) in pairs {
        if documented.documents(key) {
            answers.push((key, r.call(Req::get(path)).await?));
        }
    }
    // The application the job runs in (2.3): its details, exceptions and configuration.
    let application = (answers.iter())
        .find(|(key, _)| *key == "GET /applications/overview")
        .and_then(|(_, overview)| overview["applications"][0]["id"].as_str());
    if let Some(app) = application {
        for sub in ["", "/exceptions", "/jobmanager/config"] {
            r.call(Req::get(format!("/applications/{app}{sub}")))
                .await?;
        }
    }
    if documented.documents("PATCH /jobs/:jobid/clientHeartbeat") {
        let in_a_minute = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis()
            + 60_000;
        r.call(
            Req::new(Method::PATCH, format!("/jobs/{job}/clientHeartbeat"))
                .json(json!({ "expiredTimestamp": in_a_minute as u64 })),
        )
        .await?;
    }
    // A streaming job keeps no data sets: deleting one no server has is the operation there is.
    if documented.documents("DELETE /datasets/:datasetid") {
        let trigger = r
            .call(Req::new(Method::DELETE, format!("/datasets/{UNKNOWN_ID}")))
            .await?;
        // Its status is recorded as first answered and, where the server finishes it (1.15.4 never
        // does), as finished.
        if let Ok(id) = trigger_id(&trigger) {
            let status = format!("/datasets/delete/{id}");
            let first = r.call(Req::get(status.clone())).await?;
            let limit = Duration::from_secs(10);
            let waited = match is_final(&first) {
                true => None,
                false => Some(
                    r.wait_for(Req::get(status.clone()), &status, limit, is_final)
                        .await,
                ),
            };
            if waited.is_some_and(|w| w.is_ok()) {
                r.call(Req::get(status)).await?;
            }
        }
    }
    Ok(())
}

async fn bad_inputs(r: &mut Recorder, job: &str, jar: &str, vertex: &str) -> Result<()> {
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
    Ok(())
}

impl Req {
    pub fn multipart(mut self, parts: Vec<Part>) -> Req {
        self.body = Some(Body::Multipart(parts));
        self
    }
}

/// Runs the scenario's job from the uploaded jar (a recorded `POST /jars/:jarid/run`); its id.
async fn run_job(r: &mut Recorder, jar: &str, body: Value) -> Result<String> {
    let mut request = serde_json::Map::new();
    request.insert("entryClass".into(), json!(crate::job::MAIN_CLASS));
    request.extend(body.as_object().cloned().unwrap_or_default());
    let run = r
        .ok(Req::new(Method::POST, format!("/jars/{jar}/run")).json(Value::Object(request)))
        .await?;
    job_id(&run)
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

fn job_id(run: &Value) -> Result<String> {
    run["jobid"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no jobid in {run}"))
}

fn trigger_id(answer: &Value) -> Result<String> {
    answer["request-id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no request-id in {answer}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_held_to_the_page_and_to_its_own_docs() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let sources = sources(root).unwrap();
        let old = Pairs::of(&sources, "1.15.4").unwrap();
        let new = Pairs::of(&sources, "2.3.0").unwrap();
        assert_eq!(old.baseline.len(), 50);
        assert_eq!((old.own.len(), new.own.len()), (59, 80));
        assert!(new.documents("GET /applications/overview"));
        assert!(!old.documents("POST /jobs/:jobid/checkpoints"));
        assert_eq!(old.agg, "min,max,sum,avg");
        assert_eq!(new.agg, "min,max,sum,avg,skew");
    }

    #[test]
    fn concrete_paths_map_to_the_most_literal_documented_pair() {
        let t = vec![
            Template::new("GET", "/jobs/:jobid"),
            Template::new("GET", "/jobs/overview"),
            Template::new("PATCH", "/jobs/:jobid"),
            Template::new("GET", "/taskmanagers/:taskmanagerid/metrics"),
        ];
        let key = |m, p| endpoint_of(&t, m, p).map(Template::key);
        assert_eq!(
            key("GET", "/jobs/overview").as_deref(),
            Some("GET /jobs/overview")
        );
        assert_eq!(key("GET", "/jobs/abc").as_deref(), Some("GET /jobs/:jobid"));
        assert_eq!(
            key("PATCH", "/jobs/abc").as_deref(),
            Some("PATCH /jobs/:jobid")
        );
        assert_eq!(
            key("GET", "/taskmanagers/localhost:1-abcdef/metrics").as_deref(),
            Some("GET /taskmanagers/:taskmanagerid/metrics")
        );
        assert_eq!(key("PUT", "/jobs/overview"), None);
        assert_eq!(key("GET", "/jobs/a/b/c"), None);
    }
}
