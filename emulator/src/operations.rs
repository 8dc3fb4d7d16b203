//! Async operations: savepoints (and stops), checkpoints and disposals, in progress until their time
//! has passed, then their result; their status is asked at the pair of their own kind.

use flink_rest::Pair;
use serde_json::{json, Value};

use crate::answer::Answer;
use crate::cluster::{ms, Cluster};
use crate::fault::OperationKind;
use crate::jobs::{Behaviour, JobState};
use crate::request::Req;

/// An async operation the API starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Op {
    Savepoint,
    /// A savepoint, then the job finished.
    Stop,
    Checkpoint,
    Disposal,
}

impl Op {
    fn kind(self) -> OperationKind {
        match self {
            Op::Savepoint | Op::Stop => OperationKind::Savepoint,
            Op::Checkpoint => OperationKind::Checkpoint,
            Op::Disposal => OperationKind::Disposal,
        }
    }

    /// The pair its status is asked at.
    fn status_pair(self) -> Pair {
        match self {
            Op::Savepoint | Op::Stop => Pair::GetSavepointStatus,
            Op::Checkpoint => Pair::GetCheckpointStatus,
            Op::Disposal => Pair::GetSavepointDisposalStatus,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Operation {
    op: Op,
    job: Option<String>,
    done_at: u64,
    result: Result<Value, String>,
}

impl Cluster {
    pub(crate) fn trigger_savepoint(&mut self, req: &Req) -> Answer {
        self.trigger(req, Op::Savepoint)
    }

    pub(crate) fn trigger_stop(&mut self, req: &Req) -> Answer {
        self.trigger(req, Op::Stop)
    }

    pub(crate) fn trigger_checkpoint(&mut self, req: &Req) -> Answer {
        self.trigger(req, Op::Checkpoint)
    }

    pub(crate) fn trigger_disposal(&mut self, req: &Req) -> Answer {
        self.trigger(req, Op::Disposal)
    }

    /// Starts an async operation: in progress until its time has passed, then its result. Of a job
    /// that has ended, it fails as in Flink (whose job master is gone: the job is not found).
    fn trigger(&mut self, req: &Req, op: Op) -> Answer {
        let body = match req.json_body() {
            Ok(body) => body,
            Err(refused) => return refused,
        };
        let job = req.at.get("jobid").map(str::to_string);
        let ended = (job.as_deref().and_then(|id| self.job(id)))
            .is_some_and(|j| self.state(j).0.is_terminal());
        let trigger =
            (body["triggerId"].as_str().map(str::to_string)).unwrap_or_else(|| self.fresh_id());
        let delay = self.faults.slower(op.kind());
        let done_at = self.now() + ms(self.timing.operation + delay);
        let result = match ended {
            true => Err(format!(
                "java.util.concurrent.CompletionException: org.apache.flink.runtime.messages.FlinkJobNotFoundException: Could not find Flink job ({})",
                job.as_deref().unwrap_or_default()
            )),
            false => self.outcome(op, &body, job.as_deref(), &trigger),
        };
        if let (Ok(_), Some(job)) = (&result, &job) {
            match op {
                Op::Stop => self.end_job(job, JobState::Finished, done_at),
                Op::Savepoint if body["cancel-job"] == true => {
                    self.end_job(job, JobState::Canceled, done_at)
                }
                _ => {}
            }
        }
        let operation = Operation {
            op,
            job,
            done_at,
            result,
        };
        self.operations.insert(trigger.clone(), operation);
        let status = self.rec.ok(req.pair).map_or(202, |e| e.response.status);
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
        if self.faults.fails(op.kind()) {
            return Err(format!(
                "Injected by the emulator: the {:?} failed",
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
                let dir = (body["targetDirectory"].as_str()).or(body["target-directory"].as_str());
                write_savepoint(dir, job.unwrap_or_default(), trigger)
            }
        }
    }

    /// An operation's status, asked at the pair of its kind (another kind's trigger id, or another
    /// job's, is not found there).
    pub(crate) fn operation_status(&self, req: &Req) -> Answer {
        let job = req.at.get("jobid");
        let found = (self.operations.get(req.param("triggerid")))
            .filter(|op| op.op.status_pair() == req.pair)
            .filter(|op| job.is_none() || op.job.as_deref() == job);
        let Some(op) = found else {
            return self.not_found(req);
        };
        if self.now() < op.done_at {
            return Answer::json(
                200,
                json!({ "status": { "id": "IN_PROGRESS" }, "operation": null }),
            );
        }
        let operation = match &op.result {
            Ok(v) => v.clone(),
            Err(message) => self.failure(req.pair, message),
        };
        Answer::json(
            200,
            json!({ "status": { "id": "COMPLETED" }, "operation": operation }),
        )
    }

    /// A failed operation as the version writes one at this pair (its recorded failure: the field's
    /// name, the exception's class, its serialized form), with `message` as the trace. A real Java
    /// stack trace is what the emulator cannot give.
    fn failure(&self, pair: Pair, message: &str) -> Value {
        let recorded = (self.rec.answers(pair).iter())
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
        // A message that names its own exception (`org.apache…Exception: …`) is that exception.
        let (class, message) = match message.split_once(": ") {
            Some((class, rest)) if class.contains('.') && !class.contains(' ') => {
                cause["class"] = json!(class);
                (class.to_string(), rest)
            }
            _ => {
                let class = cause["class"]
                    .as_str()
                    .unwrap_or("org.apache.flink.util.FlinkException");
                (class.to_string(), message)
            }
        };
        cause["stack-trace"] = json!(format!(
            "{class}: {message}\n\tat (emulated Flink: no Java stack)"
        ));
        json!({ field: cause })
    }
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
