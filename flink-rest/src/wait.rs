//! Operations that wait (hand-written): trigger one of Flink's asynchronous operations, poll its status
//! until it ends, and return what it ended in: its payload, or [`Error::Failed`] with Flink's cause, or
//! [`Error::Timeout`]. Every future here is safe to drop at any await point: nothing runs in the
//! background, an unfinished wait just stops polling (the operation goes on in Flink).

use std::future::Future;
use std::time::{Duration, Instant};

use std::collections::BTreeMap;

use crate::client::{RunJarQuery, TerminateJobQuery};
use crate::ids::{DataSetId, JarId, JobId, RescaleId, TriggerId};
use crate::runtime::{Client, Error, Result};
use crate::types::{
    AsynchronousOperationInfo, AsynchronousOperationResultOfSavepointInfo, CheckpointInfo,
    CheckpointTriggerRequestBody, ExecutionState, JarRunRequestBody, JobStatus,
    JobVertexResourceRequirements, QueueStatusId, RescaleTerminalState, RescaleTerminatedReason,
    SavepointDisposalRequest, SavepointInfo, SavepointTriggerRequestBody, SerializedThrowable,
    StopWithSavepointRequestBody, TerminationMode,
};

/// How long [`Client::rescale`] waits for a job that does not move before it compares the new lower
/// bounds with the cluster's slots (where Flink keeps no rescale history to say so itself).
pub const SLOTS_GRACE: Duration = Duration::from_secs(5);

/// How a waiting operation polls: first after `interval`, then less often (×1.5 each time, at most
/// `max_interval`), until `timeout` has passed since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poll {
    pub interval: Duration,
    pub max_interval: Duration,
    pub timeout: Duration,
}

impl Default for Poll {
    /// 200 ms, growing to 5 s, for at most 10 minutes (a savepoint of a large state takes minutes).
    fn default() -> Self {
        Poll {
            interval: Duration::from_millis(200),
            max_interval: Duration::from_secs(5),
            timeout: Duration::from_secs(600),
        }
    }
}

impl Poll {
    /// The pause after `pause`.
    pub(crate) fn next(&self, pause: Duration) -> Duration {
        (pause.mul_f64(1.5)).min(self.max_interval)
    }
}

/// Why an operation Flink ran failed: Flink's exception, as its REST API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exception's class, e.g. `java.util.concurrent.CompletionException`.
    pub class: String,
    /// Its message: the first line of the trace, after the class.
    pub message: String,
    /// The deepest `Caused by:` of the trace (what went wrong first), if it has one.
    pub root_cause: Option<String>,
    /// The whole Java stack trace, causes included.
    pub stack_trace: String,
}

impl Failure {
    /// A failure described by `class` and a Java stack trace.
    pub fn new(class: &str, stack_trace: &str) -> Failure {
        let first = stack_trace.lines().next().unwrap_or_default().trim();
        let message = first
            .strip_prefix(class)
            .map(|rest| rest.trim_start_matches(':').trim())
            .unwrap_or(first);
        let root_cause = (stack_trace.lines().map(str::trim))
            .rfind(|l| l.starts_with("Caused by:"))
            .map(|l| l.trim_start_matches("Caused by:").trim().to_string());
        Failure {
            class: class.to_string(),
            message: message.to_string(),
            root_cause,
            stack_trace: stack_trace.to_string(),
        }
    }
}

impl From<&SerializedThrowable> for Failure {
    fn from(t: &SerializedThrowable) -> Failure {
        Failure::new(&t.class, &t.stack_trace)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.class)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        match &self.root_cause {
            Some(root) => write!(f, " (root cause: {root})"),
            None => Ok(()),
        }
    }
}

/// One poll of an operation: still running, or ended in `T`, a failure, or not carried out (why).
enum Step<T> {
    Running,
    Done(T),
    Failed(Failure),
    NotApplied(String),
}

impl Client {
    /// Takes a savepoint of a running job and waits until it is written; its location.
    ///
    /// Fails with [`Error::Failed`] and Flink's cause when the savepoint fails (say, a target directory
    /// Flink cannot write to), with [`Error::Timeout`] when it takes longer than the client's [`Poll`].
    pub async fn savepoint(
        &self,
        job: &JobId,
        body: &SavepointTriggerRequestBody,
    ) -> Result<String> {
        let id = self.trigger_savepoint(job, body).await?.request_id;
        self.wait("savepoint", Some(job), Some(&id), || async {
            let status = self.get_savepoint_status(job, &id).await?;
            Ok(savepoint_step(status))
        })
        .await
    }

    /// Stops a job with a savepoint and waits until the savepoint is written and the job has
    /// finished; the savepoint's location.
    pub async fn stop(&self, job: &JobId, body: &StopWithSavepointRequestBody) -> Result<String> {
        let id = self.stop_with_savepoint(job, body).await?.request_id;
        let location = self
            .wait("stop with savepoint", Some(job), Some(&id), || async {
                let status = self.get_savepoint_status(job, &id).await?;
                Ok(savepoint_step(status))
            })
            .await?;
        self.wait("stop with savepoint", Some(job), Some(&id), || async {
            Ok(match self.job_state(job).await? {
                JobStatus::Finished => Step::Done(()),
                _ => Step::Running,
            })
        })
        .await?;
        Ok(location)
    }

    /// Triggers a checkpoint (Flink 1.17+) and waits until it completes; its id.
    pub async fn checkpoint(
        &self,
        job: &JobId,
        body: &CheckpointTriggerRequestBody,
    ) -> Result<i64> {
        let id = self.trigger_checkpoint(job, body).await?.request_id;
        self.wait("checkpoint", Some(job), Some(&id), || async {
            let status = self.get_checkpoint_status(job, &id).await?;
            Ok(match (status.status.id, status.operation) {
                (QueueStatusId::Completed, Some(CheckpointInfo::Completed { checkpoint_id })) => {
                    Step::Done(checkpoint_id)
                }
                (_, Some(CheckpointInfo::Failed { failure_cause })) => {
                    Step::Failed((&failure_cause).into())
                }
                _ => Step::Running,
            })
        })
        .await
    }

    /// Disposes of a savepoint and waits until it is gone.
    pub async fn dispose_savepoint(&self, path: &str) -> Result<()> {
        let body = SavepointDisposalRequest {
            savepoint_path: Some(path.to_string()),
        };
        let id = self.trigger_savepoint_disposal(&body).await?.request_id;
        self.wait("savepoint disposal", None, Some(&id), || async {
            let status = self.get_savepoint_disposal_status(&id).await?;
            Ok(operation_step(status.status.id, status.operation))
        })
        .await
    }

    /// Deletes a cluster data set and waits until it is gone.
    pub async fn delete_dataset(&self, dataset: &DataSetId) -> Result<()> {
        let id = self.trigger_dataset_deletion(dataset).await?.request_id;
        self.wait("data set deletion", None, Some(&id), || async {
            let status = self.get_dataset_deletion_status(&id).await?;
            Ok(operation_step(status.status.id, status.operation))
        })
        .await
    }

    /// Runs a jar's job and waits until it runs (every vertex RUNNING; a job that finishes before that
    /// counts too); its id.
    ///
    /// A job that fails first is [`Error::Failed`] with its root exception; so is one that fails and
    /// restarts (its latest exception): it is not what was asked for, though it lives on in Flink,
    /// restarting as its restart strategy says (the error names it; cancel it if it should not).
    /// A `main` that throws is Flink's refusal of the run, [`Error::Api`].
    ///
    /// Everything about the run goes in the body, which every version takes (the query parameters of
    /// `POST /jars/:jarid/run` are older spellings of the same settings; [`Client::run_jar`] still
    /// sends them).
    pub async fn start_jar(&self, jar: &JarId, body: &JarRunRequestBody) -> Result<JobId> {
        let job = self
            .run_jar(jar, &RunJarQuery::default(), body)
            .await?
            .jobid;
        self.wait("job start", Some(&job), None, || async {
            let details = self.get_job(&job).await?;
            let restarted = details.state == JobStatus::Restarting
                || (details.timestamps.get(&JobStatus::Restarting)).is_some_and(|t| *t > 0);
            if restarted {
                return Ok(Step::Failed(self.latest_failure(&job).await?));
            }
            let running = details.state == JobStatus::Running
                && (details.vertices.iter()).all(|v| v.status == ExecutionState::Running);
            let ended = details.state == JobStatus::Finished;
            self.job_step(&job, &details.state, running || ended).await
        })
        .await?;
        Ok(job)
    }

    /// A job's status, by the call every version has (`GET /jobs/:jobid/status` is 1.16's).
    async fn job_state(&self, job: &JobId) -> Result<JobStatus> {
        Ok(self.get_job(job).await?.state)
    }

    /// Cancels a job and waits until it is cancelled (or has ended otherwise: finished is fine, failed
    /// is [`Error::Failed`] with its root exception). A job that has ended already is no error: Flink
    /// refuses to cancel a finished or failed job (409), and a script run twice means it is done.
    pub async fn cancel(&self, job: &JobId) -> Result<()> {
        let query = TerminateJobQuery {
            mode: Some(TerminationMode::Cancel),
        };
        match self.terminate_job(job, &query).await {
            // 409: "Job cancellation failed because the job has already reached another terminal
            // state"; the wait below reads which.
            Ok(_) | Err(Error::Api { status: 409, .. }) => {}
            Err(e) => return Err(e),
        }
        self.wait("job cancellation", Some(job), None, || async {
            let state = self.job_state(job).await?;
            let ended = matches!(state, JobStatus::Canceled | JobStatus::Finished);
            self.job_step(job, &state, ended).await
        })
        .await
    }

    /// Changes a job's resource requirements (adaptive scheduler) and waits until every vertex they
    /// name runs at a parallelism within its new bounds.
    ///
    /// This is how a running job is rescaled: `PATCH /jobs/:jobid/rescaling` is disabled on every
    /// version this crate knows (it answers 503). With the default scheduler Flink answers 500
    /// (`UnsupportedOperationException`).
    ///
    /// A rescale Flink does not carry out ends the wait with [`Error::NotApplied`] and why: where the
    /// job's rescale history is kept (2.3, `web.adaptive-scheduler.rescale-history.size` > 0), as soon
    /// as Flink marks the rescale ignored or replaced; elsewhere once the job has not moved for
    /// [`SLOTS_GRACE`] while the cluster has fewer slots than the new lower bounds need.
    pub async fn rescale(
        &self,
        job: &JobId,
        requirements: &BTreeMap<String, JobVertexResourceRequirements>,
    ) -> Result<()> {
        let known = self.rescale_ids(job).await?;
        self.set_job_resource_requirements(job, requirements)
            .await?;
        let asked = Instant::now();
        self.wait("rescale", Some(job), None, || async {
            let details = self.get_job(job).await?;
            let settled = (details.vertices.iter()).all(|v| {
                let bounds = requirements.get(v.id.as_str()).map(|r| &r.parallelism);
                v.status == ExecutionState::Running
                    && bounds
                        .is_none_or(|b| (b.lower_bound..=b.upper_bound).contains(&v.parallelism))
            });
            let done = settled && details.state == JobStatus::Running;
            if !done && details.state == JobStatus::Running {
                let why =
                    (self.why_not_applied(job, known.as_deref(), requirements, asked)).await?;
                if let Some(why) = why {
                    return Ok(Step::NotApplied(why));
                }
            }
            self.job_step(job, &details.state, done).await
        })
        .await
    }

    /// Why a running job has not moved to new requirements asked for at `asked`, where Flink will not
    /// carry them out: its rescale history says so (`known`: the rescales it listed before), or, after
    /// [`SLOTS_GRACE`], the cluster has too few slots.
    async fn why_not_applied(
        &self,
        job: &JobId,
        known: Option<&[RescaleId]>,
        requirements: &BTreeMap<String, JobVertexResourceRequirements>,
        asked: Instant,
    ) -> Result<Option<String>> {
        if let Some(known) = known {
            if let Some(why) = self.rescale_ended_unapplied(job, known).await? {
                return Ok(Some(why));
            }
        }
        if asked.elapsed() < SLOTS_GRACE {
            return Ok(None);
        }
        self.slots_short(requirements).await
    }

    /// The ids of the rescales a job's history lists; `None` where the server keeps none (before 2.3,
    /// or when it answers 404).
    async fn rescale_ids(&self, job: &JobId) -> Result<Option<Vec<RescaleId>>> {
        match self.get_job_rescale_history(job).await {
            Ok(history) => Ok(Some(history.into_iter().map(|r| r.rescale_uuid).collect())),
            Err(Error::NotAvailable { .. }) => Ok(None),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Why the newest rescale the history lists beyond `known` ended without applying the
    /// requirements, if it did.
    async fn rescale_ended_unapplied(
        &self,
        job: &JobId,
        known: &[RescaleId],
    ) -> Result<Option<String>> {
        let history = self.get_job_rescale_history(job).await?;
        let Some(newest) = (history.iter())
            .filter(|r| !known.contains(&r.rescale_uuid))
            .max_by_key(|r| r.start_timestamp_in_millis)
        else {
            return Ok(None);
        };
        let why = match (&newest.terminal_state, &newest.terminated_reason) {
            (Some(RescaleTerminalState::Completed) | None, _) => return Ok(None),
            (_, Some(RescaleTerminatedReason::ResourceRequirementsUpdated)) => {
                "newer resource requirements replaced it before it ended".to_string()
            }
            (Some(state), reason) => {
                let reason = reason.as_ref().map_or("no reason given", |r| r.as_str());
                format!(
                    "Flink marked the rescale {} ({reason}); {}",
                    state.as_str(),
                    self.slots_said().await?
                )
            }
        };
        Ok(Some(why))
    }

    /// Why the requirements cannot be met, where the cluster has fewer slots than their largest lower
    /// bound (the vertices of one slot sharing group share slots: the largest bound is the least any
    /// job needs).
    async fn slots_short(
        &self,
        requirements: &BTreeMap<String, JobVertexResourceRequirements>,
    ) -> Result<Option<String>> {
        let needed = (requirements.values().map(|r| r.parallelism.lower_bound)).max();
        let overview = self.get_cluster_overview().await?;
        Ok(needed.filter(|n| *n > overview.slots_total).map(|n| {
            format!(
                "the new lower bounds need {n} slots, the cluster has {} in all; Flink keeps \
                     the job as it is until enough TaskManagers join",
                overview.slots_total
            )
        }))
    }

    /// The cluster's slots, in words.
    async fn slots_said(&self) -> Result<String> {
        let o = self.get_cluster_overview().await?;
        Ok(format!(
            "the cluster has {} slots, {} free",
            o.slots_total, o.slots_available
        ))
    }

    /// A job's state as a wait sees it: `done`, failed (with the root exception of its history), or
    /// still on its way.
    async fn job_step(&self, job: &JobId, state: &JobStatus, done: bool) -> Result<Step<()>> {
        if done {
            return Ok(Step::Done(()));
        }
        if *state != JobStatus::Failed {
            return Ok(Step::Running);
        }
        Ok(Step::Failed(self.latest_failure(job).await?))
    }

    /// The latest failure of a job: the newest entry of its exception history (or, where there is
    /// none yet, its root exception).
    async fn latest_failure(&self, job: &JobId) -> Result<Failure> {
        let exceptions = self.get_job_exceptions(job, &Default::default()).await?;
        Ok(match exceptions.exception_history.entries.first() {
            Some(root) => Failure::new(&root.exception_name, &root.stacktrace),
            None => Failure::new(
                "",
                exceptions.root_exception.as_deref().unwrap_or("job failed"),
            ),
        })
    }

    /// Polls `poll` as the client's [`Poll`] says until it is done or failed, or the time is up (the
    /// timeout names the job and trigger id it was following).
    async fn wait<T, F, Fut>(
        &self,
        operation: &'static str,
        job: Option<&JobId>,
        trigger: Option<&TriggerId>,
        poll: F,
    ) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Step<T>>>,
    {
        let settings = self.poll();
        let started = Instant::now();
        let mut pause = settings.interval;
        loop {
            match poll().await? {
                Step::Done(value) => return Ok(value),
                Step::Failed(failure) => {
                    let job = job.cloned();
                    return Err(Error::Failed {
                        operation,
                        failure: Box::new(failure),
                        job,
                    });
                }
                Step::NotApplied(reason) => {
                    let job = job.cloned();
                    return Err(Error::NotApplied {
                        operation,
                        job,
                        reason,
                    });
                }
                Step::Running => {}
            }
            let waited = started.elapsed();
            if waited + pause > settings.timeout {
                return Err(Error::Timeout {
                    operation,
                    waited,
                    limit: settings.timeout,
                    job: job.cloned(),
                    trigger: trigger.cloned(),
                });
            }
            tokio::time::sleep(pause).await;
            pause = settings.next(pause);
        }
    }
}

/// A savepoint's status (of a savepoint, or of a stop with one): its location, its failure, or running.
fn savepoint_step(status: AsynchronousOperationResultOfSavepointInfo) -> Step<String> {
    match (status.status.id, status.operation) {
        (QueueStatusId::Completed, Some(SavepointInfo::Completed { location })) => {
            Step::Done(location)
        }
        (_, Some(SavepointInfo::Failed { failure_cause })) => Step::Failed((&failure_cause).into()),
        _ => Step::Running,
    }
}

/// A generic operation's status (disposal, deletion): done, failed with its cause, or running.
fn operation_step(status: QueueStatusId, op: Option<AsynchronousOperationInfo>) -> Step<()> {
    match (status, op) {
        (_, Some(AsynchronousOperationInfo::Failed { failure_cause })) => {
            Step::Failed((&failure_cause).into())
        }
        (QueueStatusId::Completed, _) => Step::Done(()),
        _ => Step::Running,
    }
}
