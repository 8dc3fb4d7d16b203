//! 2.3's rescale history of a job under the adaptive scheduler: its initial schedule, then one rescale
//! per change of its resource requirements. A rescale the slots allow completes at once; one that
//! changes nothing is ignored; one the slots cannot meet stays open until newer requirements replace
//! it (ignored, as Flink reports it). Newest first, as Flink lists them.

use serde_json::{json, Value};

use crate::answer::Answer;
use crate::cluster::Cluster;
use crate::recorded::Scheduler;
use crate::request::Req;

/// One rescale of a job.
#[derive(Debug, Clone)]
pub(crate) struct Rescale {
    pub uuid: String,
    pub requirements_uuid: String,
    pub cause: &'static str,
    pub start: u64,
    /// When it ended, its terminal state and the reason; none while it is open.
    pub end: Option<(u64, &'static str, &'static str)>,
}

/// How a change of requirements ends, as it is made.
pub(crate) enum Outcome {
    Completed,
    ChangesNothing,
    WaitsForSlots,
}

impl Cluster {
    /// Records a rescale of `job` for new requirements: the open one (if any) replaced by it.
    pub(crate) fn record_rescale(&mut self, job: &str, cause: &'static str, outcome: Outcome) {
        let (uuid, requirements_uuid, now) = (self.fresh_id(), self.fresh_id(), self.now());
        let Some(job) = self.jobs.iter_mut().find(|j| j.id == job) else {
            return;
        };
        for open in job.rescales.iter_mut().filter(|r| r.end.is_none()) {
            open.end = Some((now, "IGNORED", "RESOURCE_REQUIREMENTS_UPDATED"));
        }
        let end = match outcome {
            Outcome::Completed => Some((now, "COMPLETED", "SUCCEEDED")),
            Outcome::ChangesNothing => {
                Some((now, "IGNORED", "NO_RESOURCES_OR_PARALLELISMS_CHANGE"))
            }
            Outcome::WaitsForSlots => None,
        };
        job.rescales.push(Rescale {
            uuid,
            requirements_uuid,
            cause,
            start: now,
            end,
        });
    }

    /// `GET /jobs/:jobid/rescales/history`: each rescale in the recorded history's item shape.
    /// With the default scheduler, the recorded 404 (`RescalesUnavailableException`).
    pub(crate) fn rescale_history(&self, req: &Req) -> Answer {
        let job = self.job(req.param("jobid"));
        let Some(job) = job.filter(|_| self.scheduler == Scheduler::Adaptive) else {
            return self.not_found(req);
        };
        let item = self.rec.ok_where(req.pair, |b| b.get(0).is_some());
        let item = (item.and_then(|e| e.response.body.as_ref()?.get(0).cloned()))
            .unwrap_or_else(|| json!({}));
        let history: Vec<Value> = (job.rescales.iter().rev())
            .map(|r| {
                let mut v = item.clone();
                fill(&mut v, r);
                v
            })
            .collect();
        Answer::json(200, Value::Array(history))
    }

    /// `GET /jobs/:jobid/rescales/details/:rescaleuuid`: the recorded details of a rescale that ended
    /// alike, made this one's (with the default scheduler, the recorded 404).
    pub(crate) fn rescale_details(&self, req: &Req) -> Answer {
        let job = self.job(req.param("jobid"));
        let rescale = (job.filter(|_| self.scheduler == Scheduler::Adaptive)).and_then(|j| {
            j.rescales
                .iter()
                .find(|r| r.uuid == req.param("rescaleuuid"))
        });
        let Some(rescale) = rescale else {
            return self.not_found(req);
        };
        let state = rescale.end.map(|(_, state, _)| state);
        let template = (self
            .rec
            .ok_where(req.pair, |b| b["terminalState"].as_str() == state))
        .or_else(|| self.rec.ok(req.pair));
        let Some(template) = template else {
            return self.not_found(req);
        };
        let mut answer = Answer::recorded(template).remapped(&self.rewrites(template, req));
        if let Some(body) = &mut answer.body {
            fill(body, rescale);
        }
        answer
    }
}

/// A rescale's own ids, times, state and cause in a recorded history item or details.
fn fill(v: &mut Value, r: &Rescale) {
    let (end, state, reason) = match r.end {
        Some((at, state, reason)) => (json!(at), json!(state), json!(reason)),
        None => (Value::Null, Value::Null, Value::Null),
    };
    for (field, value) in [
        ("rescaleUuid", json!(r.uuid)),
        ("resourceRequirementsUuid", json!(r.requirements_uuid)),
        ("triggerCause", json!(r.cause)),
        ("startTimestampInMillis", json!(r.start)),
        ("endTimestampInMillis", end),
        ("terminalState", state),
        ("terminatedReason", reason),
    ] {
        v[field] = value;
    }
}
