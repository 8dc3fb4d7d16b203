//! The scheduler: with the adaptive one a job runs at the upper bound of its resource requirements (as
//! far as the cluster's slots go), which `PUT` changes (how a running job is rescaled); requirements
//! whose lower bounds need more slots than the cluster has are kept but not applied, the job runs on as
//! it was (Flink ignores that rescale). The default scheduler refuses both, as recorded.

use flink_rest::Pair;
use serde_json::{json, Value};

use crate::answer::Answer;
use crate::cluster::Cluster;
use crate::recorded::Scheduler;
use crate::request::Req;
use crate::rescales::Outcome;

impl Cluster {
    /// A job's resource requirements: each vertex's bounds (adaptive scheduler), or the default
    /// scheduler's recorded refusal.
    pub(crate) fn requirements(&self, req: &Req) -> Answer {
        if self.scheduler == Scheduler::Default {
            return self.requirements_refused(req);
        }
        let id = req.param("jobid");
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

    /// New bounds (adaptive scheduler), all or none: the job runs at each vertex's new upper bound, or
    /// as many slots as the cluster has; at its old parallelism where a lower bound needs more.
    pub(crate) fn set_requirements(&mut self, req: &Req) -> Answer {
        if self.scheduler == Scheduler::Default {
            return self.requirements_refused(req);
        }
        let Some(Ok(body)) = &req.incoming.json else {
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
        let (slots, id) = (self.slots(), req.param("jobid"));
        let vertices = self.vertices(id);
        let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) else {
            return Answer::error(404, "Job not found");
        };
        let outcome = if bounds.iter().all(|(_, (lower, _))| *lower <= slots) {
            let now_at = |v: &str| {
                let recorded = vertices
                    .iter()
                    .find(|(id, _)| id == v)
                    .map_or(1, |(_, p)| *p);
                job.parallelism_of(v, recorded)
            };
            let applied: Vec<(String, i64)> = (bounds.iter())
                .map(|(v, (_, upper))| (v.clone(), *upper.min(&slots)))
                .collect();
            let changes = applied.iter().any(|(v, p)| now_at(v) != *p);
            job.running_at.extend(applied);
            if changes {
                Outcome::Completed
            } else {
                Outcome::ChangesNothing
            }
        } else {
            Outcome::WaitsForSlots
        };
        job.requirements.extend(bounds);
        self.record_rescale(id, "UPDATE_REQUIREMENT", outcome);
        Answer::json(200, json!({}))
    }

    /// The slots the cluster has, as recorded (`slots-total` of its overview).
    pub(crate) fn slots(&self) -> i64 {
        let overview = self.rec.ok(Pair::GetClusterOverview);
        (overview.and_then(|e| e.response.body.as_ref()?["slots-total"].as_i64())).unwrap_or(1)
    }

    /// How the default scheduler answers anything about resource requirements (recorded: a 500).
    fn requirements_refused(&self, req: &Req) -> Answer {
        let recorded = self.rec.answers(Pair::GetJobResourceRequirements);
        match recorded.iter().find(|e| e.response.status >= 500) {
            Some(e) => Answer::recorded(e).remapped(&self.rewrites(e, req)),
            None => Answer::error(500, "Internal server error."),
        }
    }

    /// The vertices of a job (the recorded job's) and the parallelism each was recorded at.
    pub(crate) fn vertices(&self, job: &str) -> Vec<(String, i64)> {
        let recorded = (self.job(job).map(|j| j.recorded.clone())).unwrap_or_default();
        let details = (self.rec.answers(Pair::GetJob).iter())
            .filter(|e| e.is_scenario() && e.ok())
            .find(|e| e.params().iter().any(|(_, v)| v == recorded))
            .or_else(|| self.rec.ok(Pair::GetJob));
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
    pub(crate) fn jobmanager_config(&self, req: &Req) -> Answer {
        let mut answer = self.replay(req);
        if self.scheduler == Scheduler::Adaptive {
            if let Some(entries) = answer.body.as_mut().and_then(Value::as_array_mut) {
                entries.retain(|e| e["key"] != "jobmanager.scheduler");
                entries.push(json!({ "key": "jobmanager.scheduler", "value": "adaptive" }));
            }
        }
        answer
    }
}
