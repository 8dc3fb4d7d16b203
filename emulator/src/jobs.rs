//! Jobs: run from a jar or submitted as a JobGraph, moving through their states as their program
//! says; listed, overviewed, detailed and cancelled.

use std::collections::BTreeMap;

use flink_rest::Pair;
use serde_json::{json, Value};

use crate::answer::Answer;
use crate::cluster::{ms, Cluster};
use crate::program::Program;
use crate::recorded::{Exchange, Scheduler};
use crate::request::Req;
use crate::rescales::{Outcome, Rescale};

/// A job's state, as Flink names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobState {
    Initializing,
    Running,
    Restarting,
    Cancelling,
    Canceled,
    Finished,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Initializing => "INITIALIZING",
            JobState::Running => "RUNNING",
            JobState::Restarting => "RESTARTING",
            JobState::Cancelling => "CANCELLING",
            JobState::Canceled => "CANCELED",
            JobState::Finished => "FINISHED",
            JobState::Failed => "FAILED",
        }
    }

    /// Whether the job is done (Flink's globally terminal states).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobState::Canceled | JobState::Finished | JobState::Failed
        )
    }

    /// The state its tasks are in.
    fn task_state(self) -> &'static str {
        match self {
            JobState::Initializing => "CREATED",
            JobState::Running => "RUNNING",
            JobState::Cancelling => "CANCELING",
            JobState::Canceled | JobState::Restarting => "CANCELED",
            JobState::Finished => "FINISHED",
            JobState::Failed => "FAILED",
        }
    }
}

/// What the job does on its own, from its program arguments (the scenario job's, see
/// `contract-tests/job/FlinkRestScenario.java`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Behaviour {
    RunsUntilStopped,
    Fails,
    Finishes,
    /// Fails and is restarted this many times (RESTARTING between runs), then fails for good.
    Restarts(u64),
    /// Runs, but its checkpoints time out (`--slow-checkpoints`): every one triggered fails.
    SlowCheckpoints,
}

impl Behaviour {
    /// What the scenario job does with these program arguments.
    pub fn of(args: &[String]) -> Behaviour {
        match Program::parse(args) {
            Program::Unbounded => Behaviour::RunsUntilStopped,
            Program::Count(_) => Behaviour::Finishes,
            Program::FailAfter(_) => Behaviour::Fails,
            Program::Restarts(n) => Behaviour::Restarts(n),
            Program::SlowCheckpoints(_) => Behaviour::SlowCheckpoints,
            // No job comes of it (a jar run is refused, an application fails without one).
            Program::FailsInMain => Behaviour::Fails,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub id: String,
    pub name: String,
    /// The recorded job whose answers this one gives, ids rewritten.
    pub recorded: String,
    pub behaviour: Behaviour,
    pub submitted: u64,
    /// Set when the job ends, or is asked to: the state it reaches and when.
    pub ending: Option<(JobState, u64)>,
    /// The parallelism it was run with (the recorded job's where not given).
    pub parallelism: Option<i64>,
    /// Per vertex: (lower, upper) bound of its parallelism, once changed (adaptive scheduler).
    pub requirements: BTreeMap<String, (i64, i64)>,
    /// Per vertex: the parallelism the scheduler runs it at, once requirements it could meet changed.
    pub running_at: BTreeMap<String, i64>,
    /// Its rescales, oldest first (adaptive scheduler).
    pub rescales: Vec<Rescale>,
}

impl Job {
    /// The parallelism a vertex runs at: as its requirements applied last say, else as it was run.
    pub fn parallelism_of(&self, vertex: &str, recorded: i64) -> i64 {
        match self.running_at.get(vertex) {
            Some(parallelism) => *parallelism,
            None => self.parallelism.unwrap_or(recorded),
        }
    }
}

impl Cluster {
    pub(crate) fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    pub(crate) fn add_job(
        &mut self,
        id: &str,
        recorded: String,
        behaviour: Behaviour,
        parallelism: Option<i64>,
    ) {
        let name = (self.recorded_name(&recorded)).unwrap_or_else(|| "emulated job".into());
        if self.rec.has(Pair::GetApplicationsOverview) {
            self.add_application(id, &format!("SingleJobApplication({name})"), Some(id));
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
            running_at: BTreeMap::new(),
            rescales: Vec::new(),
        });
        if self.scheduler == Scheduler::Adaptive {
            self.record_rescale(id, "INITIAL_SCHEDULE", Outcome::Completed);
        }
    }

    /// `POST /jobs`: a Java-serialized JobGraph (2.x: an execution plan) and its jars. The job gets
    /// the graph's own id, as Flink's client expects; it behaves as the recorded submitted job.
    pub(crate) fn submit_job(&mut self, req: &Req) -> Answer {
        let request = match &req.incoming.json {
            Some(Ok(request)) => request.clone(),
            _ => {
                return Answer::error(
                    400,
                    "Request did not match expected format JobSubmitRequestBody.",
                )
            }
        };
        let named = ["jobGraphFileName", "executionPlanFileName"]
            .iter()
            .find_map(|field| request[*field].as_str());
        let part = (req.incoming.parts.iter())
            .find(|p| p.file_name.is_some() && p.file_name.as_deref() == named);
        let Some((path, _)) = part.and_then(|p| p.stored.as_ref()) else {
            return Answer::error(
                400,
                "Could not find the job graph file among the uploaded files.",
            );
        };
        let Some(graph) = std::fs::read(path)
            .ok()
            .and_then(|b| crate::graph::read(&b))
        else {
            return Answer::error(
                400,
                "org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to deserialize JobGraph.",
            );
        };
        let id = graph.id;
        if self.job(&id).is_some() {
            return Answer::error(409, format!("Job has already been submitted: {id}"));
        }
        let template = self.rec.ok(req.pair);
        let recorded = (template.and_then(|e| e.response.body.as_ref()?["jobUrl"].as_str()))
            .and_then(|url| url.rsplit('/').next())
            .unwrap_or_default()
            .to_string();
        let status = template.map_or(202, |e| e.response.status);
        self.add_job(&id, recorded, Behaviour::RunsUntilStopped, None);
        if let (Some(name), Some(job)) = (graph.name, self.jobs.last_mut()) {
            job.name = name;
        }
        Answer::json(status, json!({ "jobUrl": format!("/jobs/{id}") }))
    }

    fn recorded_name(&self, recorded: &str) -> Option<String> {
        let overview = self.rec.ok_where(Pair::GetJobsOverview, |b| {
            b["jobs"]
                .as_array()
                .is_some_and(|j| j.iter().any(|j| j["jid"] == recorded))
        })?;
        let jobs = overview.response.body.as_ref()?["jobs"].as_array()?;
        let job = jobs.iter().find(|j| j["jid"] == recorded)?;
        job["name"].as_str().map(str::to_string)
    }

    /// The job's state now, and when it ended (or -1).
    pub(crate) fn state(&self, job: &Job) -> (JobState, i64) {
        let now = self.now();
        if let Some((state, at)) = job.ending {
            let end = at as i64;
            return match (now >= at, state) {
                (true, state) => (state, end),
                (false, JobState::Canceled) => (JobState::Cancelling, -1),
                (false, _) => (JobState::Running, -1),
            };
        }
        let running_at = job.submitted + ms(self.timing.start);
        let ends_at = running_at + ms(self.timing.run_out);
        match job.behaviour {
            _ if now < running_at => (JobState::Initializing, -1),
            Behaviour::Fails if now >= ends_at => (JobState::Failed, ends_at as i64),
            Behaviour::Finishes if now >= ends_at => (JobState::Finished, ends_at as i64),
            Behaviour::Restarts(n) => {
                // Runs for `run_out`, restarts for as long, n times; then fails.
                let period = 2 * ms(self.timing.run_out).max(1);
                let (round, into) = ((now - running_at) / period, (now - running_at) % period);
                match (round >= n, into < period / 2) {
                    (true, _) if into >= period / 2 || round > n => (
                        JobState::Failed,
                        (running_at + n * period + period / 2) as i64,
                    ),
                    (_, true) => (JobState::Running, -1),
                    (_, false) => (JobState::Restarting, -1),
                }
            }
            _ => (JobState::Running, -1),
        }
    }

    /// Ends the job (`state` once `at` has come), unless it has ended already.
    pub(crate) fn end_job(&mut self, id: &str, state: JobState, at: u64) {
        let ended = self.job(id).is_none_or(|j| self.state(j).0.is_terminal());
        if let Some(j) = self.jobs.iter_mut().find(|j| j.id == id && !ended) {
            j.ending = Some((state, at));
        }
    }

    pub(crate) fn list_jobs(&self) -> Answer {
        let jobs: Vec<Value> = (self.jobs.iter())
            .map(|j| json!({ "id": j.id, "status": self.state(j).0.as_str() }))
            .collect();
        Answer::json(200, json!({ "jobs": jobs }))
    }

    pub(crate) fn jobs_overview(&self) -> Answer {
        let jobs: Vec<Value> = (self.jobs.iter().rev())
            .map(|j| self.overview_item(j))
            .collect();
        Answer::json(200, json!({ "jobs": jobs }))
    }

    /// A job as the overview lists it (the recorded item, made this job's).
    pub(crate) fn overview_item(&self, job: &Job) -> Value {
        let mut v =
            (self.rec.first_item(Pair::GetJobsOverview, "jobs")).unwrap_or_else(|| json!({}));
        let (state, end) = self.state(job);
        v["jid"] = json!(job.id);
        v["name"] = json!(job.name);
        v["state"] = json!(state.as_str());
        self.times(&mut v, job, end);
        if let Some(tasks) = v["tasks"].as_object_mut() {
            let total = tasks.get("total").and_then(Value::as_i64).unwrap_or(0);
            tasks.values_mut().for_each(|n| *n = json!(0));
            tasks.insert("total".into(), json!(total));
            tasks.insert(state.task_state().to_lowercase(), json!(total));
        }
        v
    }

    pub(crate) fn cluster_overview(&self) -> Answer {
        let mut body = (self.rec.ok(Pair::GetClusterOverview))
            .and_then(|e| e.response.body.clone())
            .unwrap_or_else(|| json!({}));
        let count = |states: &[JobState]| {
            (self.jobs.iter())
                .filter(|j| states.contains(&self.state(j).0))
                .count()
        };
        use JobState::*;
        body["jobs-running"] = json!(count(&[Initializing, Running, Restarting, Cancelling]));
        body["jobs-finished"] = json!(count(&[Finished]));
        body["jobs-cancelled"] = json!(count(&[Canceled]));
        body["jobs-failed"] = json!(count(&[Failed]));
        Answer::json(200, body)
    }

    /// Start, end, duration (and `now`, `last-modification`) of a job answer.
    pub(crate) fn times(&self, v: &mut Value, job: &Job, end: i64) {
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
    pub(crate) fn job_answer(&self, req: &Req) -> Answer {
        let Some(job) = self.job(req.param("jobid")) else {
            return Answer::error(404, "Job not found");
        };
        let (state, end) = self.state(job);
        let field = match req.pair {
            Pair::GetJobStatus => "status",
            _ => "state",
        };
        let answers: Vec<&Exchange> = (self.rec.answers(req.pair).iter())
            .filter(|e| e.is_scenario() && e.ok())
            .collect();
        let recorded_job = |e: &&&Exchange| e.params().iter().any(|(_, v)| v == job.recorded);
        let in_state =
            |e: &&&Exchange| (e.response.body.as_ref()).is_some_and(|b| b[field] == state.as_str());
        let template = (answers.iter().find(|e| recorded_job(e) && in_state(e)))
            .or_else(|| answers.iter().find(recorded_job))
            .or_else(|| answers.iter().find(in_state))
            .or(answers.first());
        let Some(template) = template else {
            return Answer::json(200, json!({ field: state.as_str() }));
        };
        let mut answer = Answer::recorded(template).remapped(&self.rewrites(template, req));
        if let Some(body) = &mut answer.body {
            body[field] = json!(state.as_str());
            if field == "state" {
                self.details_of(body, job, state, end);
            }
        }
        answer
    }

    /// Recorded job details made the job's: its name and times, each vertex at its parallelism and
    /// every task in the state the job's state implies.
    fn details_of(&self, body: &mut Value, job: &Job, state: JobState, end: i64) {
        body["name"] = json!(job.name);
        self.times(body, job, end);
        for v in body["vertices"].as_array_mut().into_iter().flatten() {
            let recorded = v["parallelism"].as_i64().unwrap_or(1);
            let id = v["id"].as_str().unwrap_or_default().to_string();
            v["parallelism"] = json!(job.parallelism_of(&id, recorded));
        }
        set_vertex_states(body, state.task_state());
    }

    /// `PATCH /jobs/:jobid?mode=cancel`: CANCELLING, then CANCELED. A job that has ended is refused
    /// as Flink refuses it (recorded); other modes get their recorded answer.
    pub(crate) fn terminate(&mut self, req: &Req) -> Answer {
        if req.query("mode").is_some_and(|m| m != "cancel") {
            return self.replay(req);
        }
        let id = req.param("jobid").to_string();
        let Some(job) = self.job(&id) else {
            return self.job_not_found(req.pair, &id);
        };
        let state = self.state(job).0;
        match state {
            // Flink acknowledges the cancellation of a cancelled job, and refuses one that ended
            // otherwise.
            JobState::Canceled => return Answer::json(202, json!({})),
            _ if state.is_terminal() => return self.refused_in_state(req, state),
            _ => {}
        }
        let done_at = self.now() + ms(self.timing.cancel);
        self.end_job(&id, JobState::Canceled, done_at);
        Answer::json(202, json!({}))
    }

    /// How Flink refuses to cancel a job that ended otherwise (409): the version's recorded refusal
    /// at this pair, else Flink's message.
    fn refused_in_state(&self, req: &Req, state: JobState) -> Answer {
        let recorded = (self.rec.answers(req.pair).iter()).find(|e| e.response.status == 409);
        match recorded {
            Some(e) => Answer::recorded(e).remapped(&self.rewrites(e, req)),
            None => Answer::error(
                409,
                format!(
                    "org.apache.flink.runtime.rest.handler.RestHandlerException: Job cancellation failed because the job has already reached another terminal state ({}).",
                    state.as_str()
                ),
            ),
        }
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
