//! The recorded answer to the same question, its ids made the ones asked about; and the version's
//! recorded refusals of what the cluster does not know or cannot parse.

use flink_rest::Pair;
use serde_json::Value;

use crate::answer::Answer;
use crate::cluster::Cluster;
use crate::recorded::Exchange;
use crate::request::{query_pairs, Req};

impl Cluster {
    /// The recorded answer of the pair (the recorded job's where the path names a job), its ids
    /// rewritten to the ones asked about.
    pub(crate) fn replay(&self, req: &Req) -> Answer {
        let job = req.at.get("jobid").and_then(|id| self.job(id));
        let own =
            |e: &Exchange| job.is_some_and(|j| e.params().iter().any(|(_, v)| v == j.recorded));
        let mut asked = req.incoming.query.clone();
        asked.sort_unstable();
        let same_query = |e: &Exchange| {
            let mut recorded = query_pairs(e.request.query.as_deref().unwrap_or_default());
            recorded.sort_unstable();
            recorded == asked
        };
        // Path parameters that are not ids (a subtask index, a checkpoint id, an attempt) asked as
        // recorded: such values are not rewritten, so the template must have them.
        let same_values = |e: &Exchange| {
            (e.params().iter())
                .filter(|(_, v)| !is_id(v))
                .all(|(name, v)| req.at.get(name) == Some(v))
        };
        // The answer to the same question (its query: a bad one gets its refusal) about the same
        // recorded job, a successful scenario answer before a bad input's; of equals, the latest
        // (metrics and statistics fill up over a run).
        let template = (self.rec.answers(req.pair).iter().enumerate())
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
            Some(e) => Answer::recorded(e).remapped(&self.rewrites(e, req)),
            None => Answer::error(404, format!("Not found: {}", req.pair)),
        }
    }

    /// Recorded id -> the one asked about, for each path parameter.
    /// (Ids only: a short value such as a subtask index `0` would rewrite every `0` in the body.)
    pub(crate) fn rewrites(&self, e: &Exchange, req: &Req) -> Vec<(String, String)> {
        (e.params().iter())
            .filter(|(_, recorded)| is_id(recorded))
            .filter_map(|(name, recorded)| {
                Some((recorded.to_string(), req.at.get(name)?.to_string()))
            })
            .collect()
    }

    pub(crate) fn job_not_found(&self, pair: Pair, job: &str) -> Answer {
        let recorded =
            (self.rec.with_status(pair, 404)).or_else(|| self.rec.with_status(Pair::GetJob, 404));
        match recorded {
            Some(e) => {
                let rewrites: Vec<(String, String)> = (e.params().iter())
                    .filter(|(name, _)| *name == "jobid")
                    .map(|(_, v)| (v.to_string(), job.to_string()))
                    .collect();
                Answer::recorded(e).remapped(&rewrites)
            }
            None => Answer::error(
                404,
                format!("org.apache.flink.runtime.rest.NotFoundException: Job {job} not found"),
            ),
        }
    }

    pub(crate) fn not_found(&self, req: &Req) -> Answer {
        match self.rec.with_status(req.pair, 404) {
            Some(e) => Answer::recorded(e).remapped(&self.rewrites(e, req)),
            None => Answer::error(404, format!("Not found: {}", req.pair)),
        }
    }

    /// A path parameter Flink parses (a job, vertex, trigger or data set id; a checkpoint id, a
    /// subtask index, an attempt number) whose value does not parse: Flink's 400, as the version
    /// recorded it for a job id that does not parse, about this parameter and value.
    pub(crate) fn unparsable(&self, req: &Req) -> Option<Answer> {
        let (name, value) = req.at.iter().find(|(name, value)| !parses(name, value))?;
        let recorded = (self.rec.answers(Pair::GetJob).iter())
            .find(|e| e.response.status == 400 && is_unresolved_parameter(e))?;
        let params = recorded.params();
        let was = params.get("jobid")?;
        let from = format!("(jobid) from value \"{was}\"");
        let to = format!("({name}) from value \"{value}\"");
        Some(Answer::recorded(recorded).remapped(&[(from, to)]))
    }
}

/// Whether Flink's path parameter `name` would parse `value` (parameters it takes as strings do).
fn parses(name: &str, value: &str) -> bool {
    let hex32 = || value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit());
    match name {
        "jobid" | "vertexid" | "triggerid" | "datasetid" | "applicationid" => hex32(),
        "checkpointid" => value.parse::<i64>().is_ok(),
        "subtaskindex" | "attempt" => value.parse::<i32>().is_ok(),
        _ => true,
    }
}

fn is_unresolved_parameter(e: &Exchange) -> bool {
    let body = e.response.body.as_ref();
    let first = body.and_then(|b| b["errors"][0].as_str());
    first.is_some_and(|m| m.contains("Cannot resolve path parameter (jobid)"))
}

/// Whether a path parameter's value is an id (a job, vertex, trigger, jar, TaskManager …: long enough
/// to rewrite wherever it appears) rather than a number or a short name.
pub(crate) fn is_id(value: &str) -> bool {
    value.len() >= 8
}

/// The JSON body a recorded request sent, or null.
pub(crate) fn recorded_json(e: &Exchange) -> Value {
    (e.request.body.as_ref())
        .map(|b| b["json"].clone())
        .unwrap_or(Value::Null)
}
