//! The emulated cluster: its state, and how a request is answered. Each pair is either modelled by
//! one of the resource modules (jars, jobs, applications, checkpoints, operations, scheduler,
//! metrics) or answered with the recorded answer to the same question ([`crate::replay`]); [`model`]
//! says which, one arm per pair.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use flink_rest::pair::Route;
use flink_rest::Pair;

use crate::answer::{Answer, Rendered};
use crate::applications::Application;
use crate::clock::Clock;
use crate::fault::{Fault, Faults, Timing};
use crate::jars::Jar;
use crate::jobs::Job;
use crate::operations::Operation;
use crate::recorded::{Recorded, Scheduler};
use crate::request::{Incoming, Req};

pub(crate) struct Cluster {
    pub rec: Recorded,
    pub scheduler: Scheduler,
    pub clock: Clock,
    pub timing: Timing,
    pub next_id: u64,
    pub jars: Vec<Jar>,
    pub jobs: Vec<Job>,
    pub operations: BTreeMap<String, Operation>,
    pub applications: Vec<Application>,
    pub faults: Faults,
    /// Answers to the GETs of the current millisecond: until the clock moves or a request that is
    /// not a GET comes, the same GET gets the same bytes (every answer's times are in ms).
    rendered: HashMap<String, Rendered>,
    rendered_at: u64,
}

impl Cluster {
    pub fn new(rec: Recorded, clock: Clock, timing: Timing, scheduler: Scheduler) -> Cluster {
        Cluster {
            rec,
            scheduler,
            clock,
            timing,
            next_id: 0,
            jars: Vec::new(),
            jobs: Vec::new(),
            operations: BTreeMap::new(),
            applications: Vec::new(),
            faults: Faults::default(),
            rendered: HashMap::new(),
            rendered_at: 0,
        }
    }

    pub fn inject(&mut self, fault: Fault) {
        self.faults.inject(fault);
    }

    pub fn version(&self) -> &str {
        &self.rec.version
    }

    /// The answer to a request, as sent: a GET asked again within the same millisecond, with no
    /// fault pending and nothing changed since, gets the bytes it got (Flink itself serves job
    /// answers from a cache for seconds).
    pub fn respond(&mut self, incoming: &Incoming) -> Rendered {
        let now = self.now();
        let reusable = incoming.method == "GET" && self.faults.is_empty();
        if !reusable || now != self.rendered_at {
            self.rendered.clear();
            self.rendered_at = now;
        }
        let key = reusable.then(|| format!("{}?{:?}", incoming.path, incoming.query));
        if let Some(rendered) = key.as_ref().and_then(|k| self.rendered.get(k)) {
            return rendered.clone();
        }
        let rendered = Rendered::of(self.handle(incoming));
        if let Some(key) = key.filter(|_| !rendered.shutdown && rendered.delay.is_zero()) {
            self.rendered.insert(key, rendered.clone());
        }
        rendered
    }

    /// The answer to a request (its path without `/v1`).
    pub fn handle(&mut self, incoming: &Incoming) -> Answer {
        let path = incoming.path.as_str();
        let (pair, at) = match self.rec.route(&incoming.method, path) {
            Route::Pair(pair, at) => (pair, at),
            Route::WrongVerb => return Answer::error(404, format!("Not found: {path}")),
            Route::Unknown => return crate::files::unrouted(&incoming.method, path, self),
        };
        let delay = self.faults.delay(pair);
        let req = Req { pair, at, incoming };
        let mut answer = self.answer_at(&req);
        answer.delay = delay;
        answer
    }

    /// A pair's answer: an injected fault, a refusal of what the cluster does not know, or its own.
    fn answer_at(&mut self, req: &Req) -> Answer {
        if let Some(status) = self.faults.status(req.pair) {
            let message = format!("Injected by the emulator: {status} for {}", req.pair);
            return Answer::error(status, message);
        }
        if let Some(answer) = self.unknown(req) {
            return answer;
        }
        if let Some(answer) = self.refused_body(req) {
            return answer;
        }
        match model(req.pair) {
            Model::Own(_, handler) => handler(self, req),
            Model::Replayed => self.replay(req),
        }
    }

    /// A path parameter the cluster does not know or cannot parse: the version's recorded refusal.
    fn unknown(&self, req: &Req) -> Option<Answer> {
        if let Some(answer) = self.unparsable(req) {
            return Some(answer);
        }
        if let Some(job) = req.at.get("jobid") {
            if self.job(job).is_none() {
                return Some(self.job_not_found(req.pair, job));
            }
        }
        self.unknown_param(req)
    }

    /// A path parameter the cluster does not know (a jar it does not have; a vertex, subtask,
    /// checkpoint or TaskManager no recorded answer had): the version's recorded refusal at that
    /// pair. Jobs and triggers are checked where they are used.
    fn unknown_param(&self, req: &Req) -> Option<Answer> {
        let (name, _) = (req.at.iter()).find(|(name, value)| match *name {
            "jobid" | "triggerid" => false,
            "jarid" => self.jar(value).is_none(),
            "applicationid" => self.application(value).is_none(),
            "checkpointid" if self.added_checkpoint(req, value).is_some() => false,
            _ => !self.rec.seen(name, value),
        })?;
        let refusal = self.rec.refusal(req.pair, name)?;
        Some(Answer::recorded(refusal).remapped(&self.rewrites(refusal, req)))
    }

    /// A body the version refused at this pair: not JSON, or one a recorded bad input sent.
    fn refused_body(&self, req: &Req) -> Option<Answer> {
        let body = req.incoming.json.as_ref()?.as_ref().ok();
        match self.rec.refused_body(req.pair, body) {
            Some(e) => Some(Answer::recorded(e).remapped(&self.rewrites(e, req))),
            None if body.is_none() => Some(Answer::error(
                400,
                "org.apache.flink.runtime.rest.handler.RestHandlerException: Request did not match expected format.",
            )),
            None => None,
        }
    }

    pub fn fresh_id(&mut self) -> String {
        self.next_id += 1;
        format!("e0{:030x}", self.next_id)
    }

    pub fn fresh_uuid(&mut self) -> String {
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

    pub fn now(&self) -> u64 {
        self.clock.now_ms()
    }

    fn shutdown(&mut self, req: &Req) -> Answer {
        let mut answer = self.replay(req);
        answer.shutdown = true;
        answer
    }
}

/// Milliseconds of a duration, as the clock counts.
pub(crate) fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// A modelled pair's handler.
type Handler = fn(&mut Cluster, &Req) -> Answer;

/// How the emulator answers a pair.
pub(crate) enum Model {
    /// From its own state: what it does, and how.
    Own(&'static str, Handler),
    /// The recorded answer to the same question, its ids the ones asked about.
    Replayed,
}

/// How each pair is answered: one arm per pair, so a pair a new Flink adds is a decision here.
pub(crate) fn model(pair: Pair) -> Model {
    use Model::{Own, Replayed};
    use Pair::*;
    match pair {
        // The cluster.
        GetClusterOverview => Own(
            "jobs running, finished, cancelled, failed counted",
            |c, _| c.cluster_overview(),
        ),
        ShutdownCluster => Own("the recorded answer, then the server stops", |c, r| {
            c.shutdown(r)
        }),
        GetJobmanagerConfig => Own(
            "the recorded configuration; the adaptive scheduler named where it runs",
            |c, r| c.jobmanager_config(r),
        ),
        GetDashboardConfig | GetJobmanagerEnvironment | ListJobmanagerLogs
        | GetJobmanagerThreadDump | ListTaskmanagers | GetTaskmanager | ListTaskmanagerLogs
        | GetTaskmanagerThreadDump | ListDatasets | GetDatasetDeletionStatus
        | TriggerDatasetDeletion => Replayed,
        // Jars.
        UploadJar => Own(
            "keeps the jar (streamed to disk under any part name; its bytes are not read)",
            |c, r| c.upload_jar(r),
        ),
        ListJars => Own("the jars uploaded, newest first", |c, _| c.list_jars()),
        DeleteJar => Own("forgets the jar", |c, r| c.delete_jar(r)),
        GetJarPlan | PostJarPlan => Own(
            "the recorded plan of the scenario job, for any jar held",
            |c, r| c.jar_plan(r),
        ),
        RunJar => Own(
            "a job with a fresh (or the given) id, behaving as its program arguments say",
            |c, r| c.run_jar(r),
        ),
        RunJarApplication => Own("an application of one such job", |c, r| {
            c.run_application(r)
        }),
        // Applications (2.3).
        GetApplicationsOverview => Own("every application, its status its job's", |c, r| {
            c.applications_overview(r)
        }),
        GetApplication => Own("the application, its status and job", |c, r| {
            c.application_details(r)
        }),
        CancelApplication => Own("cancels its job", |c, r| c.cancel_application(r)),
        GetApplicationExceptions => Own("its job's failure, or its main's with no job", |c, r| {
            c.application_exceptions(r)
        }),
        GetApplicationJobmanagerConfig => Replayed,
        // Jobs.
        ListJobs => Own("every job and its status", |c, _| c.list_jobs()),
        SubmitJob => Own(
            "a job with the id of the submitted JobGraph (or execution plan) and its jars",
            |c, r| c.submit_job(r),
        ),
        GetJobsOverview => Own("every job: state, times, task counts", |c, _| {
            c.jobs_overview()
        }),
        GetJob => Own(
            "the recorded job's details in its state: state, times, vertex states, parallelism",
            |c, r| c.job_answer(r),
        ),
        GetJobStatus => Own("the job's state", |c, r| c.job_answer(r)),
        GetJobVertexBackpressure => Own(
            "the version's recorded refusal until the job's task metrics are fetched, where it has one; then as recorded",
            |c, r| c.backpressure(r),
        ),
        TerminateJob => Own(
            "cancel: CANCELLING, then CANCELED; a job already ended is refused as Flink does",
            |c, r| c.terminate(r),
        ),
        GetJobAccumulators | GetJobCheckpointConfig | SendClientHeartbeat | GetJobConfig
        | GetJobExceptions | GetJobExecutionResult | GetJobJobmanagerConfig
        | GetJobJobmanagerEnvironment | GetJobJobmanagerLogUrl | GetJobPlan
        | GetJobTaskmanagerLogUrl | GetJobVertex | GetJobVertexAccumulators
        | GetJobVertexFlameGraph | GetJobVertexSubtasksAccumulators
        | GetSubtask | GetSubtaskAttempt | GetSubtaskAttemptAccumulators
        | GetJobVertexSubtaskTimes | GetJobVertexTaskmanagers | GetJobVertexWatermarks => Replayed,
        // Rescaling.
        GetJobResourceRequirements => Own(
            "adaptive: each vertex's bounds; default: the recorded refusal",
            |c, r| c.requirements(r),
        ),
        SetJobResourceRequirements => Own(
            "adaptive: new bounds, the job runs at the upper one as far as the slots go",
            |c, r| c.set_requirements(r),
        ),
        GetJobRescaleHistory => Own(
            "adaptive: the initial schedule, then a rescale per requirement change (completed, open while slots are short, ignored when it changes nothing or is replaced)",
            |c, r| c.rescale_history(r),
        ),
        GetJobRescale => Own("a rescale of the history, as recorded ones that ended alike", |c, r| {
            c.rescale_details(r)
        }),
        GetJobRescaleConfig | GetJobRescalesOverview | GetJobRescalesSummary
        | TriggerRescaling | GetRescalingStatus => Replayed,
        // Checkpoints.
        GetJobCheckpoints => Own(
            "the recorded statistics, and a completed checkpoint every interval the job has run since",
            |c, r| c.checkpoint_statistics(r),
        ),
        GetJobCheckpoint => Own(
            "a periodic checkpoint's details (the recorded latest one's, made its own), or as recorded",
            |c, r| c.checkpoint_details(r),
        ),
        GetJobCheckpointSubtasks => Own(
            "a periodic checkpoint's subtasks (the recorded latest one's), or as recorded",
            |c, r| c.checkpoint_details(r),
        ),
        // Async operations.
        TriggerSavepoint => Own(
            "a savepoint written under the target directory (a local path), or failed",
            |c, r| c.trigger_savepoint(r),
        ),
        StopWithSavepoint => Own("a savepoint, then the job FINISHED", |c, r| {
            c.trigger_stop(r)
        }),
        TriggerCheckpoint => Own(
            "a checkpoint (failed for a job whose checkpoints time out)",
            |c, r| c.trigger_checkpoint(r),
        ),
        TriggerSavepointDisposal => Own(
            "removes the savepoint's directory (a local path), or fails",
            |c, r| c.trigger_disposal(r),
        ),
        GetSavepointStatus => Own(
            "IN_PROGRESS, then COMPLETED with the location or the failure; another operation's trigger id is not found",
            |c, r| c.operation_status(r),
        ),
        GetCheckpointStatus => Own(
            "IN_PROGRESS, then COMPLETED with the id or the failure; another operation's trigger id is not found",
            |c, r| c.operation_status(r),
        ),
        GetSavepointDisposalStatus => Own(
            "IN_PROGRESS, then COMPLETED or the failure; another operation's trigger id is not found",
            |c, r| c.operation_status(r),
        ),
        // Metrics.
        GetJobmanagerMetrics | GetJobMetrics | GetJobVertexMetrics | GetJobVertexJmOperatorMetrics
        | GetSubtaskMetrics | GetTaskmanagerMetrics => Own(
            "`get=` answers the metrics asked for that it knows (none: `[]`), with their recorded values; no `get`: the recorded list",
            |c, r| c.metric_values(r),
        ),
        GetJobsMetrics | GetJobVertexSubtasksMetrics | GetTaskmanagersMetrics => Own(
            "`get=` and `agg=` computed over the selected jobs, subtasks or TaskManagers (min, max, sum, avg, skew as Flink computes them) from their recorded values; values the version refuses get its refusal",
            |c, r| c.metric_aggregates(r),
        ),
    }
}

/// Where the emulator is not the Flink it emulates (the fidelity report's last part).
pub const DIFFERENCES: &[&str] = &[
    "A failed operation carries the version's recorded exception class and serialized form, with the emulator's message as its trace: there is no Java stack trace to give.",
    "A replayed answer keeps its recorded values (metric values, checkpoint counts and statistics, the times inside them, TaskManager resources, log contents): they do not change over time.",
    "Jars and job graphs are not run: a job behaves as its program arguments say (the scenario job's `--fail-after`, `--count`, `--restarts`, `--slow-checkpoints`; with `--fail-in-main` a run is refused and an application fails without a job, as recorded), and its vertices are the recorded job's (Flink derives vertex ids from the job graph, so a re-run of one job keeps them too). Of a submitted JobGraph only its job id and name are read.",
    "Query parameters and bodies are refused only as the version refused them in the recording (the same query or body gets the same refusal); any other gets the answer to the nearest recorded question.",
    "One cluster with the recorded TaskManagers and slots: a job never waits for resources; with the adaptive scheduler it runs at the upper bound of its requirements at once, as far as the slots go (lower bounds beyond them leave it as it was).",
    "A running job completes a checkpoint every recorded interval, each a copy of the recorded latest completed one (its id, times and path its own); the summary statistics, failed and in-progress checkpoints, and those triggered through the API stay out of the counts and the history.",
    "Metric values are the recorded ones: a metric has the value a recording gave it (a subtask, TaskManager or job with none recorded has the recorded average; a metric listed but never asked for in the recording, 0), and does not change.",
    "The JobManager's log and stdout are a few lines the emulator writes, not Flink's.",
];
