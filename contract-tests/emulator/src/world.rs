//! The emulated cluster's state and how it answers: jars, jobs moving through their states, async
//! operations (savepoints, stops, checkpoints, disposals) in progress then done, and for everything
//! else the version's recorded answer about the same kind of thing, its ids rewritten to the ones
//! asked about.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::answer::Answer;
use crate::checkpoints::{self, Added};
use crate::clock::Clock;
use crate::recorded::{Exchange, Recorded, Route, Scheduler};

/// A request as the world sees it: the body already read (multipart parts split).
#[derive(Debug, Default)]
pub struct Incoming {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub json: Option<Result<Value, String>>,
    pub parts: Vec<Part>,
}

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    /// A part without a file name, read as JSON.
    pub json: Option<Result<Value, String>>,
}

/// How long things take, in emulated time.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// A job from submission to RUNNING (INITIALIZING, then CREATED, before).
    pub start: Duration,
    /// A savepoint, a checkpoint, a disposal.
    pub operation: Duration,
    /// A job from cancel to CANCELED.
    pub cancel: Duration,
    /// A failing job (`--fail-after`) from RUNNING to FAILED; a finite one (`--count`) to FINISHED.
    pub run_out: Duration,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            start: Duration::from_millis(150),
            operation: Duration::from_millis(100),
            cancel: Duration::from_millis(50),
            run_out: Duration::from_millis(400),
        }
    }
}

impl Timing {
    /// Tens of milliseconds: for a client that polls every few (the gate's scenario then runs in about
    /// a second).
    pub fn brisk() -> Timing {
        Timing {
            start: Duration::from_millis(20),
            operation: Duration::from_millis(10),
            cancel: Duration::from_millis(10),
            run_out: Duration::from_millis(40),
        }
    }

    /// Everything done by the next request.
    pub fn instant() -> Timing {
        Timing {
            start: Duration::ZERO,
            operation: Duration::ZERO,
            cancel: Duration::ZERO,
            run_out: Duration::ZERO,
        }
    }
}

/// What a test can make go wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// The next `times` requests to the pair (`GET /jobs/:jobid`) get this status and Flink's error
    /// body instead of their answer.
    Status {
        pair: String,
        status: u16,
        times: usize,
    },
    /// The next async operation of this kind (`savepoint`, `checkpoint`, `disposal`) fails.
    FailOperation { kind: String },
    /// The next async operation of this kind takes this much longer.
    SlowOperation { kind: String, by: Duration },
    /// The next `times` answers of the pair come this much later.
    SlowAnswer {
        pair: String,
        by: Duration,
        times: usize,
    },
}

impl Fault {
    /// How many more times it applies, for a fault that counts them.
    fn times(&self) -> Option<usize> {
        match self {
            Fault::Status { times, .. } | Fault::SlowAnswer { times, .. } => Some(*times),
            _ => None,
        }
    }

    fn times_mut(&mut self) -> Option<&mut usize> {
        match self {
            Fault::Status { times, .. } | Fault::SlowAnswer { times, .. } => Some(times),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
struct Jar {
    id: String,
    name: String,
    uploaded: u64,
}

/// What the job does on its own, from its program arguments (the scenario job's, see
/// `contract-tests/job/FlinkRestScenario.java`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Behaviour {
    RunsUntilStopped,
    Fails,
    Finishes,
    /// Fails and is restarted this many times (RESTARTING between runs), then fails for good.
    Restarts(u64),
    /// Runs, but its checkpoints time out (`--slow-checkpoints`): every one triggered fails.
    SlowCheckpoints,
}

#[derive(Debug, Clone)]
struct Job {
    id: String,
    name: String,
    /// The recorded job whose answers this one gives, ids rewritten.
    recorded: String,
    behaviour: Behaviour,
    submitted: u64,
    /// Set when the job ends, or is asked to: the state it reaches and when.
    ending: Option<(String, u64)>,
    /// The parallelism it was run with (the recorded job's where not given).
    parallelism: Option<i64>,
    /// Per vertex: (lower, upper) bound of its parallelism, once changed (adaptive scheduler).
    requirements: BTreeMap<String, (i64, i64)>,
}

impl Job {
    /// The parallelism a vertex runs at: its upper bound once its requirements are changed.
    fn parallelism_of(&self, vertex: &str, recorded: i64) -> i64 {
        match self.requirements.get(vertex) {
            Some((_, upper)) => *upper,
            None => self.parallelism.unwrap_or(recorded),
        }
    }
}

/// A run request's program arguments (none given: none).
fn program_args(body: &Value) -> Vec<String> {
    (body["programArgsList"].as_array().into_iter().flatten())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

impl Behaviour {
    /// What the scenario job does with these program arguments.
    fn of(args: &[String]) -> Behaviour {
        let number = || args.get(1).and_then(|n| n.parse().ok()).unwrap_or(0);
        match args.first().map(String::as_str) {
            Some("--fail-after") => Behaviour::Fails,
            Some("--count") => Behaviour::Finishes,
            Some("--restarts") => Behaviour::Restarts(number()),
            Some("--slow-checkpoints") => Behaviour::SlowCheckpoints,
            _ => Behaviour::RunsUntilStopped,
        }
    }
}

/// An async operation the API starts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Savepoint,
    /// A savepoint, then the job finished.
    Stop,
    Checkpoint,
    Disposal,
}

impl Op {
    /// Its kind, as [`Fault`]s name it.
    fn kind(self) -> &'static str {
        match self {
            Op::Savepoint | Op::Stop => "savepoint",
            Op::Checkpoint => "checkpoint",
            Op::Disposal => "disposal",
        }
    }
}

/// A request's JSON body (`{}` when it has none), or the answer Flink gives one that is not JSON.
fn json_body(req: &Incoming) -> Result<Value, Answer> {
    match &req.json {
        Some(Ok(body)) => Ok(body.clone()),
        Some(Err(e)) => Err(Answer::error(
            400,
            format!("Request did not match expected format: {e}"),
        )),
        None => Ok(json!({})),
    }
}

/// A 2.3 application: one job run as an application (every run is one there, named after its job).
#[derive(Debug, Clone)]
struct Application {
    id: String,
    name: String,
    job: String,
}

#[derive(Debug, Clone)]
struct Operation {
    job: Option<String>,
    done_at: u64,
    result: Result<Value, String>,
}

pub struct World {
    rec: Recorded,
    scheduler: Scheduler,
    clock: Clock,
    timing: Timing,
    next_id: u64,
    jars: Vec<Jar>,
    jobs: Vec<Job>,
    operations: BTreeMap<String, Operation>,
    applications: Vec<Application>,
    faults: Vec<Fault>,
}

impl World {
    pub fn new(rec: Recorded, clock: Clock, timing: Timing, scheduler: Scheduler) -> World {
        World {
            rec,
            scheduler,
            clock,
            timing,
            next_id: 0,
            jars: Vec::new(),
            jobs: Vec::new(),
            operations: BTreeMap::new(),
            applications: Vec::new(),
            faults: Vec::new(),
        }
    }

    pub fn inject(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    pub fn version(&self) -> &str {
        &self.rec.version
    }

    pub fn handle(&mut self, req: &Incoming) -> Answer {
        let (template, params) = match self.rec.route(&req.method, &req.path) {
            Route::Pair(t, params) => (t.key.clone(), params),
            Route::WrongVerb => return Answer::error(404, format!("Not found: {}", req.path)),
            Route::Unknown if req.method == "GET" => {
                return Answer::error(404, format!("Unable to load requested file {}.", req.path))
            }
            Route::Unknown => return Answer::error(404, format!("Not found: {}", req.path)),
        };
        let delay = self.slowed(&template);
        let mut answer = self.answer_at(&template, params, req);
        answer.delay = delay;
        answer
    }

    /// A pair's answer: an injected fault, a refusal of what the cluster does not know, or its own.
    fn answer_at(&mut self, key: &str, params: Vec<(String, String)>, req: &Incoming) -> Answer {
        if let Some(answer) = self.injected(key) {
            return answer;
        }
        let at = Params(params);
        if let Some(job) = at.get("jobid") {
            if !self.jobs.iter().any(|j| j.id == job) {
                return self.job_not_found(key, job);
            }
        }
        if let Some(answer) = self.unknown_param(key, &at) {
            return answer;
        }
        if let Some(answer) = self.refused_body(key, &at, req) {
            return answer;
        }
        self.answer(key, &at, req)
    }

    /// How much later an injected slow answer comes.
    fn slowed(&mut self, key: &str) -> Duration {
        match self.take_fault(|f| matches!(f, Fault::SlowAnswer { pair, .. } if pair == key)) {
            Some(Fault::SlowAnswer { by, .. }) => by,
            _ => Duration::ZERO,
        }
    }

    /// The first injected fault `wanted` picks, used once: one that counts its times is kept until
    /// they are spent, any other is gone.
    fn take_fault(&mut self, wanted: impl Fn(&Fault) -> bool) -> Option<Fault> {
        let i = (self.faults.iter()).position(|f| wanted(f) && f.times() != Some(0))?;
        let fault = self.faults[i].clone();
        match self.faults[i].times_mut() {
            Some(times) if *times > 1 => *times -= 1,
            _ => {
                self.faults.remove(i);
            }
        }
        Some(fault)
    }

    /// The pair's answer: its handler in [`MODELLED`], else the recorded answer.
    fn answer(&mut self, key: &str, at: &Params, req: &Incoming) -> Answer {
        match MODELLED.iter().find(|m| m.pair == key) {
            Some(m) => (m.handler)(self, key, at, req),
            None => self.replay(key, at, req),
        }
    }

    /// A path parameter the cluster does not know (a jar it does not have; a vertex, subtask,
    /// checkpoint or TaskManager no recorded answer had): the version's recorded refusal at that
    /// pair. Jobs and triggers are checked where they are used.
    fn unknown_param(&self, key: &str, at: &Params) -> Option<Answer> {
        let (name, _) = (at.0.iter()).find(|(name, value)| match name.as_str() {
            "jobid" | "triggerid" => false,
            "jarid" => !self.jars.iter().any(|j| j.id == *value),
            "applicationid" => self.application(value).is_none(),
            "checkpointid" if self.added_checkpoint(at, value).is_some() => false,
            _ => !self.rec.seen(name, value),
        })?;
        let refusal = self.rec.refusal(key, name)?;
        Some(Answer::recorded(refusal).remapped(&self.rewrites(refusal, at)))
    }

    /// A body the version refused at this pair: not JSON, or one a recorded bad input sent.
    fn refused_body(&self, key: &str, at: &Params, req: &Incoming) -> Option<Answer> {
        let body = req.json.as_ref()?.as_ref().ok();
        match self.rec.refused_body(key, body) {
            Some(e) => Some(Answer::recorded(e).remapped(&self.rewrites(e, at))),
            None if body.is_none() => Some(Answer::error(
                400,
                "org.apache.flink.runtime.rest.handler.RestHandlerException: Request did not match expected format.",
            )),
            None => None,
        }
    }

    fn injected(&mut self, key: &str) -> Option<Answer> {
        match self.take_fault(|f| matches!(f, Fault::Status { pair, .. } if pair == key))? {
            Fault::Status { status, .. } => {
                let message = format!("Injected by the emulator: {status} for {key}");
                Some(Answer::error(status, message))
            }
            _ => None,
        }
    }

    fn fresh_id(&mut self) -> String {
        self.next_id += 1;
        format!("e0{:030x}", self.next_id)
    }

    fn now(&self) -> u64 {
        self.clock.now_ms()
    }

    fn ms(d: Duration) -> u64 {
        d.as_millis() as u64
    }

    fn shutdown(&mut self, key: &str, at: &Params, req: &Incoming) -> Answer {
        let mut answer = self.replay(key, at, req);
        answer.shutdown = true;
        answer
    }

    // --- jars ---------------------------------------------------------------------------------

    fn upload_jar(&mut self, req: &Incoming) -> Answer {
        let Some(part) = req.parts.iter().find(|p| p.name == "jarfile") else {
            return Answer::error(400, "Exactly 1 file must be sent, received 0.");
        };
        let name = part
            .file_name
            .clone()
            .unwrap_or_else(|| "upload.jar".into());
        let uuid = self.fresh_uuid();
        let jar = Jar {
            id: format!("{uuid}_{name}"),
            name,
            uploaded: self.now(),
        };
        let template = self.rec.ok("POST /jars/upload");
        let dir = template
            .and_then(|e| {
                e.response.body.as_ref()?["filename"]
                    .as_str()
                    .map(str::to_string)
            })
            .and_then(|f| f.rsplit_once('/').map(|(dir, _)| dir.to_string()))
            .unwrap_or_else(|| "/tmp/flink-web-upload".into());
        let body = json!({ "filename": format!("{dir}/{}", jar.id), "status": "success" });
        self.jars.push(jar);
        Answer::json(200, body)
    }

    fn fresh_uuid(&mut self) -> String {
        let id = self.fresh_id();
        format!(
            "{}-{}-4{}-8{}-{}",
            &id[0..8],
            &id[8..12],
            &id[13..16],
            &id[17..20],
            &id[20..32]
        )
    }

    fn list_jars(&self) -> Answer {
        let template = self
            .rec
            .ok_where("GET /jars", |b| {
                b["files"].as_array().is_some_and(|f| !f.is_empty())
            })
            .or_else(|| self.rec.ok("GET /jars"));
        let mut body = template
            .and_then(|e| e.response.body.clone())
            .unwrap_or_else(|| json!({ "address": "", "files": [] }));
        let entry = body["files"]
            .as_array()
            .and_then(|f| {
                f.iter()
                    .find(|f| f["entry"].as_array().is_some_and(|e| !e.is_empty()))
            })
            .map(|f| f["entry"].clone())
            .unwrap_or_else(|| json!([]));
        let files: Vec<Value> = (self.jars.iter().rev())
            .map(|j| json!({ "id": j.id, "name": j.name, "uploaded": j.uploaded, "entry": entry }))
            .collect();
        body["files"] = Value::Array(files);
        Answer::json(200, body)
    }

    fn delete_jar(&mut self, id: &str) -> Answer {
        match self.jars.iter().position(|j| j.id == id) {
            Some(i) => {
                self.jars.remove(i);
                Answer::json(200, json!({}))
            }
            None => Answer::error(
                400,
                format!("File {id} does not exist in the jar upload directory."),
            ),
        }
    }

    fn run_jar(&mut self, key: &str, at: &Params, req: &Incoming) -> Answer {
        let jar_id = at.get("jarid").unwrap_or_default();
        if !self.jars.iter().any(|j| j.id == jar_id) {
            return Answer::error(400, format!("Jar file {jar_id} does not exist"));
        }
        let body = match json_body(req) {
            Ok(body) => body,
            Err(refused) => return refused,
        };
        let recorded = self.recorded_run(key, &body).unwrap_or_default();
        let behaviour = Behaviour::of(&program_args(&body));
        let id = match body["jobId"].as_str() {
            Some(id) if !self.jobs.iter().any(|j| j.id == id) => id.to_string(),
            Some(id) => return Answer::error(409, format!("Job has already been submitted: {id}")),
            None => self.fresh_id(),
        };
        self.add_job(&id, recorded, behaviour, body["parallelism"].as_i64());
        // The recorded answer's shape (2.3 adds the job's application), made this job's.
        let mut answer = (self.rec.ok(key).map(Answer::recorded))
            .unwrap_or_else(|| Answer::json(200, json!({})));
        if let Some(body) = &mut answer.body {
            body["jobid"] = json!(id);
            if body.get("applicationId").is_some() {
                body["applicationId"] = json!(id);
            }
        }
        answer
    }

    fn add_job(
        &mut self,
        id: &str,
        recorded: String,
        behaviour: Behaviour,
        parallelism: Option<i64>,
    ) {
        let name = (self.recorded_name(&recorded)).unwrap_or_else(|| "emulated job".into());
        if self.rec.has("GET /applications/overview") {
            self.applications.push(Application {
                id: id.to_string(),
                name: format!("SingleJobApplication({name})"),
                job: id.to_string(),
            });
        }
        self.jobs.push(Job {
            id: id.to_string(),
            name,
            recorded,
            behaviour,
            submitted: self.now(),
            ending: None,
            parallelism,
            requirements: BTreeMap::new(),
        });
    }

    /// `POST /jobs`: a serialized JobGraph and its jars (which the emulator does not read). The job
    /// behaves as the one submitted so when recorded.
    fn submit_job(&mut self, key: &str, req: &Incoming) -> Answer {
        let request = match &req.json {
            Some(Ok(request)) => request.clone(),
            _ => {
                return Answer::error(
                    400,
                    "Request did not match expected format JobSubmitRequestBody.",
                )
            }
        };
        let named = |field: &str| request[field].as_str().map(str::to_string);
        let files: Vec<&str> = req
            .parts
            .iter()
            .filter_map(|p| p.file_name.as_deref())
            .collect();
        match named("jobGraphFileName") {
            Some(graph) if files.contains(&graph.as_str()) => {}
            _ => {
                return Answer::error(
                    400,
                    "Could not find the job graph file among the uploaded files.",
                )
            }
        }
        let template = self.rec.ok(key);
        let recorded = (template.and_then(|e| e.response.body.as_ref()?["jobUrl"].as_str()))
            .and_then(|url| url.rsplit('/').next())
            .unwrap_or_default()
            .to_string();
        let status = template.map_or(202, |e| e.response.status);
        let id = self.fresh_id();
        self.add_job(&id, recorded, Behaviour::RunsUntilStopped, None);
        Answer::json(status, json!({ "jobUrl": format!("/jobs/{id}") }))
    }

    /// The recorded job started with the same program arguments (and restore or not), else the first.
    fn recorded_run(&self, key: &str, body: &Value) -> Option<String> {
        let runs: Vec<&Exchange> = (self.rec.answers(key).iter())
            .filter(|e| e.is_scenario() && e.ok())
            .collect();
        // Program arguments alike (none given is an empty list), and a restore or not.
        let same = |e: &&&Exchange| {
            let sent = recorded_json(e);
            program_args(&sent) == program_args(body)
                && sent["savepointPath"].is_null() == body["savepointPath"].is_null()
        };
        let run = runs.iter().find(same).or(runs.first())?;
        run.response.body.as_ref()?["jobid"]
            .as_str()
            .map(str::to_string)
    }

    fn recorded_name(&self, recorded: &str) -> Option<String> {
        let overview = self.rec.ok_where("GET /jobs/overview", |b| {
            b["jobs"]
                .as_array()
                .is_some_and(|j| j.iter().any(|j| j["jid"] == recorded))
        })?;
        let jobs = overview.response.body.as_ref()?["jobs"].as_array()?;
        let job = jobs.iter().find(|j| j["jid"] == recorded)?;
        job["name"].as_str().map(str::to_string)
    }

    // --- jobs ---------------------------------------------------------------------------------

    /// The job's state now, and when it ended (or -1).
    fn state(&self, job: &Job) -> (&'static str, i64) {
        let now = self.now();
        if let Some((state, at)) = &job.ending {
            let end = *at as i64;
            return match (now >= *at, state.as_str()) {
                (true, "CANCELED") => ("CANCELED", end),
                (true, "FINISHED") => ("FINISHED", end),
                (true, _) => ("FAILED", end),
                (false, "CANCELED") => ("CANCELLING", -1),
                (false, _) => ("RUNNING", -1),
            };
        }
        let running_at = job.submitted + Self::ms(self.timing.start);
        let ends_at = running_at + Self::ms(self.timing.run_out);
        match job.behaviour {
            _ if now < running_at => ("INITIALIZING", -1),
            Behaviour::Fails if now >= ends_at => ("FAILED", ends_at as i64),
            Behaviour::Finishes if now >= ends_at => ("FINISHED", ends_at as i64),
            Behaviour::Restarts(n) => {
                // Runs for `run_out`, restarts for as long, n times; then fails.
                let period = 2 * Self::ms(self.timing.run_out).max(1);
                let (round, into) = ((now - running_at) / period, (now - running_at) % period);
                match (round >= n, into < period / 2) {
                    (true, _) if into >= period / 2 || round > n => {
                        ("FAILED", (running_at + n * period + period / 2) as i64)
                    }
                    (_, true) => ("RUNNING", -1),
                    (_, false) => ("RESTARTING", -1),
                }
            }
            _ => ("RUNNING", -1),
        }
    }

    fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    fn list_jobs(&self) -> Answer {
        let jobs: Vec<Value> = (self.jobs.iter())
            .map(|j| json!({ "id": j.id, "status": self.state(j).0 }))
            .collect();
        Answer::json(200, json!({ "jobs": jobs }))
    }

    fn jobs_overview(&self) -> Answer {
        let jobs: Vec<Value> = self
            .jobs
            .iter()
            .rev()
            .map(|j| self.overview_item(j))
            .collect();
        Answer::json(200, json!({ "jobs": jobs }))
    }

    /// A job as the overview lists it (the recorded item, made this job's).
    fn overview_item(&self, job: &Job) -> Value {
        let template = self.rec.ok_where("GET /jobs/overview", |b| {
            b["jobs"].as_array().is_some_and(|j| !j.is_empty())
        });
        let first = |e: &Exchange| {
            e.response.body.as_ref()?["jobs"]
                .as_array()?
                .first()
                .cloned()
        };
        let mut v = template.and_then(first).unwrap_or_else(|| json!({}));
        let (state, end) = self.state(job);
        v["jid"] = json!(job.id);
        v["name"] = json!(job.name);
        v["state"] = json!(state);
        self.times(&mut v, job, end);
        if let Some(tasks) = v["tasks"].as_object_mut() {
            let total = tasks.get("total").and_then(Value::as_i64).unwrap_or(0);
            tasks.values_mut().for_each(|n| *n = json!(0));
            tasks.insert("total".into(), json!(total));
            tasks.insert(task_state(state).to_lowercase(), json!(total));
        }
        v
    }

    // --- applications (2.3) ------------------------------------------------------------------

    fn application(&self, id: &str) -> Option<&Application> {
        self.applications.iter().find(|a| a.id == id)
    }

    /// An application's status, from its job's.
    fn application_status(&self, app: &Application) -> (&'static str, i64) {
        let Some(job) = self.job(&app.job) else {
            return ("FAILED", -1);
        };
        let (state, end) = self.state(job);
        let status = match state {
            "CANCELLING" => "CANCELING",
            "CANCELED" => "CANCELED",
            "FAILED" => "FAILED",
            "FINISHED" => "FINISHED",
            _ => "RUNNING",
        };
        (status, end)
    }

    fn run_application(&mut self, key: &str, at: &Params, req: &Incoming) -> Answer {
        let given = match &req.json {
            Some(Ok(body)) => body["applicationId"].as_str().map(str::to_string),
            _ => None,
        };
        let answer = self.run_jar(key, at, req);
        let Some(job) = answer
            .body
            .as_ref()
            .and_then(|b| b["jobid"].as_str())
            .map(str::to_string)
        else {
            return answer;
        };
        let id = given.unwrap_or_else(|| self.fresh_id());
        let name = (self.rec.ok("GET /applications/:applicationid"))
            .and_then(|e| {
                e.response.body.as_ref()?["name"]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "application".into());
        self.applications.push(Application {
            id: id.clone(),
            name,
            job,
        });
        let status = self.rec.ok(key).map_or(202, |e| e.response.status);
        Answer::json(status, json!({ "applicationid": id }))
    }

    fn application_details(&self, key: &str, at: &Params) -> Answer {
        let Some(app) = at.get("applicationid").and_then(|id| self.application(id)) else {
            return self.not_found(key, at);
        };
        let (status, end) = self.application_status(app);
        let template =
            (self.rec.ok_where(key, |b| b["status"] == status)).or_else(|| self.rec.ok(key));
        let Some(template) = template else {
            return Answer::error(404, "no recorded application");
        };
        let mut answer = Answer::recorded(template).remapped(&self.rewrites(template, at));
        if let (Some(body), Some(job)) = (&mut answer.body, self.job(&app.job)) {
            body["id"] = json!(app.id);
            body["name"] = json!(app.name);
            body["status"] = json!(status);
            self.times(body, job, end);
            body["jobs"] = json!([self.overview_item(job)]);
        }
        answer
    }

    fn applications_overview(&self, key: &str) -> Answer {
        let template = self.rec.ok_where(key, |b| {
            b["applications"].as_array().is_some_and(|a| !a.is_empty())
        });
        let first = |e: &Exchange| {
            e.response.body.as_ref()?["applications"]
                .as_array()?
                .first()
                .cloned()
        };
        let item = template.and_then(first).unwrap_or_else(|| json!({}));
        let apps: Vec<Value> = (self.applications.iter().rev())
            .filter_map(|app| {
                let job = self.job(&app.job)?;
                let (status, end) = self.application_status(app);
                let mut v = item.clone();
                v["id"] = json!(app.id);
                v["name"] = json!(app.name);
                v["status"] = json!(status);
                self.times(&mut v, job, end);
                v["jobs"] = json!({ self.state(job).0: 1 });
                Some(v)
            })
            .collect();
        Answer::json(200, json!({ "applications": apps }))
    }

    fn cancel_application(&mut self, key: &str, at: &Params) -> Answer {
        let Some(job) = at
            .get("applicationid")
            .and_then(|id| self.application(id))
            .map(|a| a.job.clone())
        else {
            return self.not_found(key, at);
        };
        let done_at = self.now() + Self::ms(self.timing.cancel);
        if let Some(j) = self
            .jobs
            .iter_mut()
            .find(|j| j.id == job && j.ending.is_none())
        {
            j.ending = Some(("CANCELED".into(), done_at));
        }
        let status = self.rec.ok(key).map_or(202, |e| e.response.status);
        Answer::json(status, json!({}))
    }

    fn cluster_overview(&self) -> Answer {
        let mut body = (self.rec.ok("GET /overview"))
            .and_then(|e| e.response.body.clone())
            .unwrap_or_else(|| json!({}));
        let count = |states: &[&str]| {
            (self.jobs.iter())
                .filter(|j| states.contains(&self.state(j).0))
                .count()
        };
        body["jobs-running"] = json!(count(&["INITIALIZING", "CREATED", "RUNNING", "CANCELLING"]));
        body["jobs-finished"] = json!(count(&["FINISHED"]));
        body["jobs-cancelled"] = json!(count(&["CANCELED"]));
        body["jobs-failed"] = json!(count(&["FAILED"]));
        Answer::json(200, body)
    }

    /// Start, end, duration (and `now`, `last-modification`) of a job answer.
    fn times(&self, v: &mut Value, job: &Job, end: i64) {
        let now = self.now() as i64;
        let start = job.submitted as i64;
        let until = if end >= 0 { end } else { now };
        for (field, value) in [
            ("start-time", start),
            ("end-time", end),
            ("duration", until - start),
            ("now", now),
            ("last-modification", until),
        ] {
            if v.get(field).is_some() {
                v[field] = json!(value);
            }
        }
    }

    /// A job's details or status: the recorded job's answer in the same state where there is one,
    /// ids, state and times made the job's own.
    fn job_answer(&self, key: &str, at: &Params) -> Answer {
        let Some(job) = at.get("jobid").and_then(|id| self.job(id)) else {
            return Answer::error(404, "Job not found");
        };
        let (state, end) = self.state(job);
        let field = if key.ends_with("/status") {
            "status"
        } else {
            "state"
        };
        let answers: Vec<&Exchange> = (self.rec.answers(key).iter())
            .filter(|e| e.is_scenario() && e.ok())
            .collect();
        let recorded_job = |e: &&&Exchange| e.params().iter().any(|(_, v)| *v == job.recorded);
        let in_state = |e: &&&Exchange| e.response.body.as_ref().is_some_and(|b| b[field] == state);
        let template = (answers.iter().find(|e| recorded_job(e) && in_state(e)))
            .or_else(|| answers.iter().find(recorded_job))
            .or_else(|| answers.iter().find(in_state))
            .or(answers.first());
        let Some(template) = template else {
            return Answer::json(200, json!({ field: state }));
        };
        let mut answer = Answer::recorded(template).remapped(&self.rewrites(template, at));
        if let Some(body) = &mut answer.body {
            body[field] = json!(state);
            if field == "state" {
                self.details_of(body, job, state, end);
            }
        }
        answer
    }

    /// Recorded job details made the job's: its name and times, each vertex at its parallelism and
    /// every task in the state the job's state implies.
    fn details_of(&self, body: &mut Value, job: &Job, state: &str, end: i64) {
        body["name"] = json!(job.name);
        self.times(body, job, end);
        for v in body["vertices"].as_array_mut().into_iter().flatten() {
            let recorded = v["parallelism"].as_i64().unwrap_or(1);
            let id = v["id"].as_str().unwrap_or_default().to_string();
            v["parallelism"] = json!(job.parallelism_of(&id, recorded));
        }
        set_vertex_states(body, task_state(state));
    }

    fn terminate(&mut self, key: &str, at: &Params, req: &Incoming) -> Answer {
        let mode = req
            .query
            .iter()
            .find(|(k, _)| k == "mode")
            .map(|(_, v)| v.as_str());
        if mode.is_some_and(|m| m != "cancel") {
            return self.replay(key, at, req);
        }
        let id = at.get("jobid").unwrap_or_default();
        let done_at = self.now() + Self::ms(self.timing.cancel);
        let job = self.job(id).cloned();
        if let Some(job) = job {
            if self.state(&job).1 < 0 {
                if let Some(j) = self.jobs.iter_mut().find(|j| j.id == id) {
                    j.ending = Some(("CANCELED".into(), done_at));
                }
            }
        }
        Answer::json(202, json!({}))
    }

    // --- periodic checkpoints ------------------------------------------------------------------

    /// The checkpoints a job has completed since it runs, beyond those of the recorded statistics it
    /// answers with (none for a job whose checkpoints time out).
    fn added_checkpoints(&self, job: &Job, last: u64) -> Vec<Added> {
        if job.behaviour == Behaviour::SlowCheckpoints {
            return Vec::new();
        }
        let interval = (self.rec.ok("GET /jobs/:jobid/checkpoints/config"))
            .and_then(|e| e.response.body.as_ref()?["interval"].as_u64())
            .unwrap_or(0);
        let running_at = job.submitted + Self::ms(self.timing.start);
        let until = match self.state(job) {
            (_, end) if end >= 0 => end as u64,
            _ => self.now(),
        };
        checkpoints::added(last, running_at, until, interval)
    }

    /// The id of the latest completed checkpoint in the recorded statistics the job answers with.
    fn latest_recorded_checkpoint(&self, job: &Job) -> Option<u64> {
        let at = Params(vec![("jobid".into(), job.id.clone())]);
        let recorded = self.replay("GET /jobs/:jobid/checkpoints", &at, &Incoming::default());
        recorded.body?["latest"]["completed"]["id"].as_u64()
    }

    /// The added checkpoint `value` names for the job the path names, and the recorded latest one it
    /// is a copy of.
    fn added_checkpoint(&self, at: &Params, value: &str) -> Option<(Added, u64)> {
        let job = self.job(at.get("jobid")?)?;
        let id: u64 = value.parse().ok()?;
        let last = self.latest_recorded_checkpoint(job)?;
        let added = self
            .added_checkpoints(job, last)
            .into_iter()
            .find(|a| a.id == id)?;
        Some((added, last))
    }

    fn checkpoint_statistics(&self, key: &str, at: &Params, req: &Incoming) -> Answer {
        let mut answer = self.replay(key, at, req);
        let job = at.get("jobid").and_then(|id| self.job(id));
        if let (Some(body), Some(job)) = (&mut answer.body, job) {
            // Numbered on from the latest of the very statistics answered.
            if let Some(last) = body["latest"]["completed"]["id"].as_u64() {
                *body = checkpoints::statistics(body, &self.added_checkpoints(job, last));
            }
        }
        answer
    }

    /// An added checkpoint answers as the recorded latest completed one, made its own.
    fn checkpoint_details(&self, key: &str, at: &Params, req: &Incoming) -> Answer {
        let id = at.get("checkpointid").unwrap_or_default();
        let Some((added, latest)) = self.added_checkpoint(at, id) else {
            return self.replay(key, at, req);
        };
        let recorded = Params(
            (at.0.iter())
                .map(|(n, v)| match n.as_str() {
                    "checkpointid" => (n.clone(), latest.to_string()),
                    _ => (n.clone(), v.clone()),
                })
                .collect(),
        );
        let mut answer = self.replay(key, &recorded, req);
        if let Some(body) = &mut answer.body {
            *body = checkpoints::as_added(body, added);
        }
        answer
    }

    // --- the adaptive scheduler ---------------------------------------------------------------

    /// A job's resource requirements: each vertex's bounds (adaptive scheduler), or the default
    /// scheduler's recorded refusal.
    fn requirements(&self, at: &Params) -> Answer {
        if self.scheduler == Scheduler::Default {
            return self.requirements_refused(at);
        }
        let id = at.get("jobid").unwrap_or_default();
        let Some(job) = self.job(id) else {
            return Answer::error(404, "Job not found");
        };
        let body: serde_json::Map<String, Value> = (self.vertices(id).into_iter())
            .map(|(vertex, recorded)| {
                let (lower, upper) = (job.requirements.get(&vertex).copied())
                    .unwrap_or((1, job.parallelism.unwrap_or(recorded)));
                let bounds = json!({ "parallelism": { "lowerBound": lower, "upperBound": upper } });
                (vertex, bounds)
            })
            .collect();
        Answer::json(200, Value::Object(body))
    }

    /// New bounds (adaptive scheduler): the job runs at each vertex's new upper bound. All or none.
    fn set_requirements(&mut self, at: &Params, req: &Incoming) -> Answer {
        if self.scheduler == Scheduler::Default {
            return self.requirements_refused(at);
        }
        let Some(Ok(body)) = &req.json else {
            let expected = "Request did not match expected format JobResourceRequirementsBody.";
            return Answer::error(400, expected);
        };
        let mut bounds = Vec::new();
        for (vertex, given) in body.as_object().into_iter().flatten() {
            let bound = |b: &str| given["parallelism"][b].as_i64();
            match (bound("lowerBound"), bound("upperBound")) {
                (Some(lower), Some(upper)) if 0 < upper && lower <= upper => {
                    bounds.push((vertex.clone(), (lower, upper)))
                }
                _ => {
                    let message = format!("Invalid resource requirements for vertex {vertex}.");
                    return Answer::error(400, message);
                }
            }
        }
        let id = at.get("jobid").unwrap_or_default();
        let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) else {
            return Answer::error(404, "Job not found");
        };
        job.requirements.extend(bounds);
        Answer::json(200, json!({}))
    }

    /// How the default scheduler answers anything about resource requirements (recorded: a 500).
    fn requirements_refused(&self, at: &Params) -> Answer {
        let recorded = self.rec.answers("GET /jobs/:jobid/resource-requirements");
        match recorded.iter().find(|e| e.response.status >= 500) {
            Some(e) => Answer::recorded(e).remapped(&self.rewrites(e, at)),
            None => Answer::error(500, "Internal server error."),
        }
    }

    /// The vertices of a job (the recorded job's) and the parallelism each was recorded at.
    fn vertices(&self, job: &str) -> Vec<(String, i64)> {
        let recorded = self
            .job(job)
            .map(|j| j.recorded.clone())
            .unwrap_or_default();
        let details = (self.rec.answers("GET /jobs/:jobid").iter())
            .filter(|e| e.is_scenario() && e.ok())
            .find(|e| e.params().iter().any(|(_, v)| *v == recorded))
            .or_else(|| self.rec.ok("GET /jobs/:jobid"));
        let vertices =
            details.and_then(|e| e.response.body.as_ref()?["vertices"].as_array().cloned());
        (vertices.into_iter().flatten())
            .filter_map(|v| {
                Some((
                    v["id"].as_str()?.to_string(),
                    v["parallelism"].as_i64().unwrap_or(1),
                ))
            })
            .collect()
    }

    /// The JobManager's configuration; with the adaptive scheduler, saying so.
    fn jobmanager_config(&self, key: &str, at: &Params, req: &Incoming) -> Answer {
        let mut answer = self.replay(key, at, req);
        if self.scheduler == Scheduler::Adaptive {
            if let Some(entries) = answer.body.as_mut().and_then(Value::as_array_mut) {
                entries.retain(|e| e["key"] != "jobmanager.scheduler");
                entries.push(json!({ "key": "jobmanager.scheduler", "value": "adaptive" }));
            }
        }
        answer
    }

    // --- async operations ---------------------------------------------------------------------

    /// Starts an async operation: in progress until its time has passed, then its result.
    fn trigger(&mut self, key: &str, at: &Params, req: &Incoming, op: Op) -> Answer {
        let body = match json_body(req) {
            Ok(body) => body,
            Err(refused) => return refused,
        };
        let trigger =
            (body["triggerId"].as_str().map(str::to_string)).unwrap_or_else(|| self.fresh_id());
        let job = at.get("jobid").map(str::to_string);
        let delay = self.take_delay(op.kind());
        let done_at = self.now() + Self::ms(self.timing.operation + delay);
        let result = self.outcome(op, &body, job.as_deref(), &trigger);
        if result.is_ok() {
            self.end_job_with(op, &body, job.as_deref(), done_at);
        }
        let operation = Operation {
            job,
            done_at,
            result,
        };
        self.operations.insert(trigger.clone(), operation);
        let status = self.rec.ok(key).map_or(202, |e| e.response.status);
        Answer::json(status, json!({ "request-id": trigger }))
    }

    /// What an operation comes to: a failure injected, a checkpoint of a job whose checkpoints time
    /// out, or what it does (a savepoint written, a directory disposed of).
    fn outcome(
        &mut self,
        op: Op,
        body: &Value,
        job: Option<&str>,
        trigger: &str,
    ) -> Result<Value, String> {
        if self.take_failure(op.kind()) {
            return Err(format!(
                "Injected by the emulator: the {} failed",
                op.kind()
            ));
        }
        let slow = (job.and_then(|id| self.job(id)))
            .is_some_and(|j| j.behaviour == Behaviour::SlowCheckpoints);
        match op {
            Op::Checkpoint if slow => Err("Checkpoint expired before completing.".into()),
            Op::Checkpoint => Ok(json!({ "checkpointId": self.next_id })),
            Op::Disposal => dispose(body["savepoint-path"].as_str().unwrap_or_default()),
            Op::Savepoint | Op::Stop => {
                let dir = body["targetDirectory"]
                    .as_str()
                    .or(body["target-directory"].as_str());
                write_savepoint(dir, job.unwrap_or_default(), trigger)
            }
        }
    }

    /// A stop ends the job FINISHED, a savepoint with `cancel-job` CANCELED, once done.
    fn end_job_with(&mut self, op: Op, body: &Value, job: Option<&str>, done_at: u64) {
        let state = match op {
            Op::Stop => "FINISHED",
            Op::Savepoint if body["cancel-job"] == true => "CANCELED",
            _ => return,
        };
        if let Some(j) = job.and_then(|id| self.jobs.iter_mut().find(|j| j.id == id)) {
            j.ending = Some((state.into(), done_at));
        }
    }

    fn take_delay(&mut self, kind: &str) -> Duration {
        match self.take_fault(|f| matches!(f, Fault::SlowOperation { kind: k, .. } if k == kind)) {
            Some(Fault::SlowOperation { by, .. }) => by,
            _ => Duration::ZERO,
        }
    }

    fn take_failure(&mut self, kind: &str) -> bool {
        (self.take_fault(|f| matches!(f, Fault::FailOperation { kind: k } if k == kind))).is_some()
    }

    fn operation_status(&self, key: &str, at: &Params) -> Answer {
        let trigger = at.get("triggerid").unwrap_or_default();
        let job = at.get("jobid");
        let Some(op) = self
            .operations
            .get(trigger)
            .filter(|op| job.is_none() || op.job.as_deref() == job)
        else {
            return self.not_found(key, at);
        };
        if self.now() < op.done_at {
            return Answer::json(
                200,
                json!({ "status": { "id": "IN_PROGRESS" }, "operation": null }),
            );
        }
        let operation = match &op.result {
            Ok(v) => v.clone(),
            Err(message) => self.failure(key, message),
        };
        Answer::json(
            200,
            json!({ "status": { "id": "COMPLETED" }, "operation": operation }),
        )
    }

    /// A failed operation as the version writes one at this pair (its recorded failure: the field's
    /// name, the exception's class, its serialized form), with `message` as the trace. A real Java
    /// stack trace is what the emulator cannot give.
    fn failure(&self, key: &str, message: &str) -> Value {
        let recorded = (self.rec.answers(key).iter())
            .filter_map(|e| e.response.body.as_ref()?.get("operation"))
            .find_map(|op| {
                let field = ["failure-cause", "failureCause"]
                    .into_iter()
                    .find(|f| op.get(*f).is_some())?;
                Some((field, op[field].clone()))
            });
        let (field, mut cause) = recorded.unwrap_or_else(|| {
            ("failure-cause", json!({ "class": "org.apache.flink.util.FlinkException", "serialized-throwable": "" }))
        });
        let class = cause["class"]
            .as_str()
            .unwrap_or("org.apache.flink.util.FlinkException")
            .to_string();
        cause["stack-trace"] = json!(format!(
            "{class}: {message}\n\tat (emulated Flink: no Java stack)"
        ));
        json!({ field: cause })
    }

    // --- everything else ----------------------------------------------------------------------

    /// The recorded answer of the pair (the recorded job's where the path names a job), its ids
    /// rewritten to the ones asked about.
    fn replay(&self, key: &str, at: &Params, req: &Incoming) -> Answer {
        let job = at.get("jobid").and_then(|id| self.job(id));
        let own =
            |e: &Exchange| job.is_some_and(|j| e.params().iter().any(|(_, v)| *v == j.recorded));
        let mut asked = req.query.clone();
        asked.sort_unstable();
        let same_query = |e: &Exchange| {
            let recorded = e.request.query.as_deref().unwrap_or_default();
            let mut recorded = query_pairs(recorded);
            recorded.sort_unstable();
            recorded == asked
        };
        // Path parameters that are not ids (a subtask index, a checkpoint id, an attempt) asked as
        // recorded: such values are not rewritten, so the template must have them.
        let same_values = |e: &Exchange| {
            (e.params().iter())
                .filter(|(_, v)| !is_id(v))
                .all(|(name, v)| at.get(name) == Some(v.as_str()))
        };
        // The answer to the same question (its query: a bad one gets its refusal) about the same
        // recorded job, a successful scenario answer before a bad input's; of equals, the latest
        // (metrics and statistics fill up over a run).
        let template = (self.rec.answers(key).iter().enumerate())
            .max_by_key(|(i, e)| {
                (
                    same_query(e),
                    same_values(e),
                    e.is_scenario(),
                    e.ok(),
                    own(e),
                    *i,
                )
            })
            .map(|(_, e)| e);
        match template {
            Some(e) => Answer::recorded(e).remapped(&self.rewrites(e, at)),
            None => Answer::error(404, format!("Not found: {key}")),
        }
    }

    /// Recorded id -> the one asked about, for each path parameter.
    /// (Ids only: a short value such as a subtask index `0` would rewrite every `0` in the body.)
    fn rewrites(&self, e: &Exchange, at: &Params) -> Vec<(String, String)> {
        (e.params().into_iter())
            .filter(|(_, recorded)| is_id(recorded))
            .filter_map(|(name, recorded)| Some((recorded, at.get(&name)?.to_string())))
            .collect()
    }

    fn job_not_found(&self, key: &str, job: &str) -> Answer {
        let recorded = self
            .rec
            .with_status(key, 404)
            .or_else(|| self.rec.with_status("GET /jobs/:jobid", 404));
        match recorded {
            Some(e) => {
                let rewrites: Vec<(String, String)> = (e.params().into_iter())
                    .filter(|(name, _)| name == "jobid")
                    .map(|(_, v)| (v, job.to_string()))
                    .collect();
                Answer::recorded(e).remapped(&rewrites)
            }
            None => Answer::error(
                404,
                format!("org.apache.flink.runtime.rest.NotFoundException: Job {job} not found"),
            ),
        }
    }

    fn not_found(&self, key: &str, at: &Params) -> Answer {
        match self.rec.with_status(key, 404) {
            Some(e) => Answer::recorded(e).remapped(&self.rewrites(e, at)),
            None => Answer::error(404, format!("Not found: {key}")),
        }
    }
}

/// A pair the emulator answers from its own state, and what it does.
pub struct Modelled {
    pub pair: &'static str,
    pub what: &'static str,
    handler: fn(&mut World, &str, &Params, &Incoming) -> Answer,
}

/// Every pair the emulator models (the rest get the recorded answer to the same question, its ids the
/// ones asked about). One table: the dispatch and the fidelity report read it.
pub const MODELLED: &[Modelled] = &[
    Modelled {
        pair: "GET /jobs/:jobid/checkpoints",
        what: "the recorded statistics, and a completed checkpoint every interval the job has run since",
        handler: |w, key, at, req| w.checkpoint_statistics(key, at, req),
    },
    Modelled {
        pair: "GET /jobs/:jobid/checkpoints/details/:checkpointid",
        what: "a periodic checkpoint's details (the recorded latest one's, made its own), or as recorded",
        handler: |w, key, at, req| w.checkpoint_details(key, at, req),
    },
    Modelled {
        pair: "GET /jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid",
        what: "a periodic checkpoint's subtasks (the recorded latest one's), or as recorded",
        handler: |w, key, at, req| w.checkpoint_details(key, at, req),
    },
    Modelled {
        pair: "DELETE /cluster",
        what: "the recorded answer, then the server stops",
        handler: |w, key, at, req| w.shutdown(key, at, req),
    },
    Modelled {
        pair: "POST /jars/upload",
        what: "keeps the jar (its name; the bytes are not read)",
        handler: |w, _, _, req| w.upload_jar(req),
    },
    Modelled {
        pair: "GET /jars",
        what: "the jars uploaded, newest first",
        handler: |w, _, _, _| w.list_jars(),
    },
    Modelled {
        pair: "DELETE /jars/:jarid",
        what: "forgets the jar",
        handler: |w, _, at, _| w.delete_jar(at.get("jarid").unwrap_or_default()),
    },
    Modelled {
        pair: "POST /jars/:jarid/run",
        what: "a job with a fresh (or the given) id, behaving as its program arguments say",
        handler: |w, key, at, req| w.run_jar(key, at, req),
    },
    Modelled {
        pair: "POST /jars/:jarid/run-application",
        what: "an application of one such job",
        handler: |w, key, at, req| w.run_application(key, at, req),
    },
    Modelled {
        pair: "GET /applications/overview",
        what: "every application, its status its job's",
        handler: |w, key, _, _| w.applications_overview(key),
    },
    Modelled {
        pair: "GET /applications/:applicationid",
        what: "the application, its status and job",
        handler: |w, key, at, _| w.application_details(key, at),
    },
    Modelled {
        pair: "POST /applications/:applicationid/cancel",
        what: "cancels its job",
        handler: |w, key, at, _| w.cancel_application(key, at),
    },
    Modelled {
        pair: "GET /jobs",
        what: "every job and its status",
        handler: |w, _, _, _| w.list_jobs(),
    },
    Modelled {
        pair: "POST /jobs",
        what: "a job from a JobGraph (not read) and its jars",
        handler: |w, key, _, req| w.submit_job(key, req),
    },
    Modelled {
        pair: "GET /jobs/overview",
        what: "every job: state, times, task counts",
        handler: |w, _, _, _| w.jobs_overview(),
    },
    Modelled {
        pair: "GET /overview",
        what: "jobs running, finished, cancelled, failed counted",
        handler: |w, _, _, _| w.cluster_overview(),
    },
    Modelled {
        pair: "GET /jobs/:jobid",
        what: "the recorded job's details in its state: state, times, vertex states, parallelism",
        handler: |w, key, at, _| w.job_answer(key, at),
    },
    Modelled {
        pair: "GET /jobs/:jobid/status",
        what: "the job's state",
        handler: |w, key, at, _| w.job_answer(key, at),
    },
    Modelled {
        pair: "GET /jobs/:jobid/resource-requirements",
        what: "adaptive: each vertex's bounds; default: the recorded refusal",
        handler: |w, _, at, _| w.requirements(at),
    },
    Modelled {
        pair: "PUT /jobs/:jobid/resource-requirements",
        what: "adaptive: new bounds, the job runs at the upper one",
        handler: |w, _, at, req| w.set_requirements(at, req),
    },
    Modelled {
        pair: "GET /jobmanager/config",
        what: "the recorded configuration; the adaptive scheduler named where it runs",
        handler: |w, key, at, req| w.jobmanager_config(key, at, req),
    },
    Modelled {
        pair: "PATCH /jobs/:jobid",
        what: "cancel: CANCELLING, then CANCELED; other modes as recorded",
        handler: |w, key, at, req| w.terminate(key, at, req),
    },
    Modelled {
        pair: "POST /jobs/:jobid/savepoints",
        what: "a savepoint written under the target directory (a local path), or failed",
        handler: |w, key, at, req| w.trigger(key, at, req, Op::Savepoint),
    },
    Modelled {
        pair: "POST /jobs/:jobid/stop",
        what: "a savepoint, then the job FINISHED",
        handler: |w, key, at, req| w.trigger(key, at, req, Op::Stop),
    },
    Modelled {
        pair: "POST /jobs/:jobid/checkpoints",
        what: "a checkpoint (failed for a job whose checkpoints time out)",
        handler: |w, key, at, req| w.trigger(key, at, req, Op::Checkpoint),
    },
    Modelled {
        pair: "POST /savepoint-disposal",
        what: "removes the savepoint's directory (a local path), or fails",
        handler: |w, key, at, req| w.trigger(key, at, req, Op::Disposal),
    },
    Modelled {
        pair: "GET /jobs/:jobid/savepoints/:triggerid",
        what: "IN_PROGRESS, then COMPLETED with the location or the failure",
        handler: |w, key, at, _| w.operation_status(key, at),
    },
    Modelled {
        pair: "GET /jobs/:jobid/checkpoints/:triggerid",
        what: "IN_PROGRESS, then COMPLETED with the id or the failure",
        handler: |w, key, at, _| w.operation_status(key, at),
    },
    Modelled {
        pair: "GET /savepoint-disposal/:triggerid",
        what: "IN_PROGRESS, then COMPLETED or the failure",
        handler: |w, key, at, _| w.operation_status(key, at),
    },
];

/// Where the emulator is not the Flink it emulates (the fidelity report's last part).
pub const DIFFERENCES: &[&str] = &[
    "A failed operation carries the version's recorded exception class and serialized form, with the emulator's message as its trace: there is no Java stack trace to give.",
    "A replayed answer keeps its recorded values (metric values, checkpoint counts and statistics, the times inside them, TaskManager resources, log contents): they do not change over time.",
    "Jars and job graphs are not read: a job behaves as its program arguments say (the scenario job's `--fail-after`, `--count`, `--restarts`, `--slow-checkpoints`), and its vertices are the recorded job's (Flink derives vertex ids from the job graph, so a re-run of one job keeps them too).",
    "Query parameters and bodies are refused only as the version refused them in the recording (the same query or body gets the same refusal); any other gets the answer to the nearest recorded question.",
    "One cluster with the recorded TaskManagers and slots: a job never waits for resources; with the adaptive scheduler it runs at the upper bound of its requirements at once.",
    "A running job completes a checkpoint every recorded interval, each a copy of the recorded latest completed one (its id, times and path its own); the summary statistics, failed and in-progress checkpoints, and those triggered through the API stay out of the counts and the history.",
];

/// A request's path parameters by name.
pub struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Whether a path parameter's value is an id (a job, vertex, trigger, jar, TaskManager …: long enough
/// to rewrite wherever it appears) rather than a number or a short name.
fn is_id(value: &str) -> bool {
    value.len() >= 8
}

/// A query's name/value pairs, decoded (`+` a space, `%XX` a byte), in order.
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// The JSON body a recorded request sent, or null.
fn recorded_json(e: &Exchange) -> Value {
    (e.request.body.as_ref())
        .map(|b| b["json"].clone())
        .unwrap_or(Value::Null)
}

/// A savepoint as Flink writes one: `<dir>/savepoint-<job id's first 6>-<12 hex>/_metadata`, on the
/// local file system for a `file:` (or plain) path, so that it can be disposed of and a directory that
/// cannot be written fails as in Flink. Other schemes are taken as written.
fn write_savepoint(dir: Option<&str>, job: &str, trigger: &str) -> Result<Value, String> {
    let Some(dir) = dir else {
        return Err(
            "No savepoint directory configured: none given and no default \
                    (execution.checkpointing.savepoint-dir)"
                .into(),
        );
    };
    let name = format!(
        "savepoint-{}-{}",
        job.get(..6).unwrap_or(job),
        &trigger[trigger.len().saturating_sub(12)..]
    );
    let location = format!("{}/{name}", dir.trim_end_matches('/'));
    if let Some(path) = local_path(&location) {
        std::fs::create_dir_all(&path)
            .and_then(|()| std::fs::write(path.join("_metadata"), b"emulated savepoint"))
            .map_err(|e| {
                format!(
                    "java.io.IOException: Failed to create savepoint directory at {location}: {e}"
                )
            })?;
    }
    let location = match location.contains(':') {
        true => location,
        false => format!("file:{location}"),
    };
    Ok(json!({ "location": location }))
}

/// Disposes of a savepoint the emulator wrote (or any directory at a local path).
fn dispose(location: &str) -> Result<Value, String> {
    let Some(path) = local_path(location) else {
        return Ok(json!({}));
    };
    std::fs::remove_dir_all(&path)
        .map(|()| json!({}))
        .map_err(|e| format!("Could not dispose savepoint {location}: {e}"))
}

/// The local path of a `file:` URI or a plain path; none for another scheme (`s3://`).
fn local_path(location: &str) -> Option<std::path::PathBuf> {
    let path = match location.strip_prefix("file:") {
        Some(rest) => format!("/{}", rest.trim_start_matches('/')),
        None if location.starts_with('/') => location.to_string(),
        None => return None,
    };
    Some(std::path::PathBuf::from(path))
}

/// The state a job's tasks are in, for its state.
fn task_state(job_state: &str) -> &'static str {
    match job_state {
        "INITIALIZING" | "CREATED" => "CREATED",
        "RUNNING" => "RUNNING",
        "CANCELLING" => "CANCELING",
        "CANCELED" => "CANCELED",
        "FINISHED" => "FINISHED",
        "FAILED" | "FAILING" => "FAILED",
        "RESTARTING" => "CANCELED",
        _ => "RUNNING",
    }
}

/// Every vertex of job details in one state, its task counts too.
fn set_vertex_states(body: &mut Value, state: &str) {
    let Some(vertices) = body["vertices"].as_array_mut() else {
        return;
    };
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for v in vertices {
        v["status"] = json!(state);
        let parallelism = v["parallelism"].as_i64().unwrap_or(1);
        if let Some(tasks) = v["tasks"].as_object_mut() {
            tasks.values_mut().for_each(|n| *n = json!(0));
            tasks.insert(state.into(), json!(parallelism));
        }
        *counts.entry(state.to_string()).or_default() += 1;
    }
    if let Some(status_counts) = body["status-counts"].as_object_mut() {
        status_counts.values_mut().for_each(|n| *n = json!(0));
        for (state, n) in counts {
            status_counts.insert(state, json!(n));
        }
    }
}
