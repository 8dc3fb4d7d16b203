//! Periodic checkpoints: a running job completes one every checkpoint interval (the recorded
//! `GET /jobs/:jobid/checkpoints/config`'s), numbered on from the recorded job's last. Each is the
//! recorded latest completed checkpoint, its id, times and path made its own.

use flink_rest::pair::Params;
use flink_rest::Pair;
use serde_json::{json, Value};

use crate::answer::Answer;
use crate::cluster::{ms, Cluster};
use crate::jobs::{Behaviour, Job};
use crate::request::{Incoming, Req};

/// A checkpoint the emulator added: its id and when it was triggered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Added {
    pub id: u64,
    pub triggered: u64,
}

/// The checkpoints completed from `running_at` until `until` every `interval` ms, after `last`.
pub fn added(last: u64, running_at: u64, until: u64, interval: u64) -> Vec<Added> {
    if interval == 0 || until <= running_at {
        return Vec::new();
    }
    // A bound on a clock moved far ahead: Flink keeps a short history anyway.
    let n = ((until - running_at) / interval).min(10_000);
    (1..=n)
        .map(|k| Added {
            id: last + k,
            triggered: running_at + k * interval,
        })
        .collect()
}

/// A recorded completed checkpoint (statistics or details) as the added one.
pub fn as_added(recorded: &Value, added: Added) -> Value {
    let mut v = recorded.clone();
    let old = v["id"].as_u64().unwrap_or(0);
    let took = v["end_to_end_duration"].as_u64().unwrap_or(0);
    v["id"] = json!(added.id);
    for (field, at) in [
        ("trigger_timestamp", added.triggered),
        ("latest_ack_timestamp", added.triggered + took),
    ] {
        if v.get(field).is_some() {
            v[field] = json!(at);
        }
    }
    if let Some(path) = v["external_path"].as_str() {
        let path = path.replace(&format!("chk-{old}"), &format!("chk-{}", added.id));
        v["external_path"] = json!(path);
    }
    v
}

/// The recorded statistics with the added checkpoints: counted, the newest as the latest completed,
/// the history newest first and as long as the recorded one (at least 10, Flink's default).
pub fn statistics(recorded: &Value, added: &[Added]) -> Value {
    let mut v = recorded.clone();
    let Some(newest) = added.last() else {
        return v;
    };
    let latest = v["latest"]["completed"].clone();
    if latest.is_null() {
        return v;
    }
    let n = added.len() as u64;
    for count in ["completed", "total"] {
        if let Some(c) = v["counts"][count].as_u64() {
            v["counts"][count] = json!(c + n);
        }
    }
    v["latest"]["completed"] = as_added(&latest, *newest);
    if let Some(history) = v["history"].as_array_mut() {
        let keep = history.len().max(10);
        let mut all: Vec<Value> = added.iter().rev().map(|a| as_added(&latest, *a)).collect();
        all.append(history);
        all.truncate(keep);
        *history = all;
    }
    v
}

impl Cluster {
    /// The checkpoints a job has completed since it runs, beyond those of the recorded statistics it
    /// answers with (none for a job whose checkpoints time out).
    fn added_checkpoints(&self, job: &Job, last: u64) -> Vec<Added> {
        if job.behaviour == Behaviour::SlowCheckpoints {
            return Vec::new();
        }
        let interval = (self.rec.ok(Pair::GetJobCheckpointConfig))
            .and_then(|e| e.response.body.as_ref()?["interval"].as_u64())
            .unwrap_or(0);
        let running_at = job.submitted + ms(self.timing.start);
        let until = match self.state(job) {
            (_, end) if end >= 0 => end as u64,
            _ => self.now(),
        };
        added(last, running_at, until, interval)
    }

    /// The id of the latest completed checkpoint in the recorded statistics the job answers with.
    fn latest_recorded_checkpoint(&self, job: &Job) -> Option<u64> {
        let incoming = Incoming::default();
        let req = Req {
            pair: Pair::GetJobCheckpoints,
            at: Params(vec![("jobid", job.id.clone())]),
            incoming: &incoming,
        };
        self.replay(&req).body?["latest"]["completed"]["id"].as_u64()
    }

    /// The added checkpoint `value` names for the job the path names, and the recorded latest one it
    /// is a copy of.
    pub(crate) fn added_checkpoint(&self, req: &Req, value: &str) -> Option<(Added, u64)> {
        let job = self.job(req.at.get("jobid")?)?;
        let id: u64 = value.parse().ok()?;
        let last = self.latest_recorded_checkpoint(job)?;
        let added = (self.added_checkpoints(job, last).into_iter()).find(|a| a.id == id)?;
        Some((added, last))
    }

    pub(crate) fn checkpoint_statistics(&self, req: &Req) -> Answer {
        let mut answer = self.replay(req);
        if let (Some(body), Some(job)) = (&mut answer.body, self.job(req.param("jobid"))) {
            // Numbered on from the latest of the very statistics answered.
            if let Some(last) = body["latest"]["completed"]["id"].as_u64() {
                *body = statistics(body, &self.added_checkpoints(job, last));
            }
        }
        answer
    }

    /// An added checkpoint answers as the recorded latest completed one, made its own.
    pub(crate) fn checkpoint_details(&self, req: &Req) -> Answer {
        let Some((added, latest)) = self.added_checkpoint(req, req.param("checkpointid")) else {
            return self.replay(req);
        };
        let recorded = Params(
            (req.at.iter())
                .map(|(n, v)| match n {
                    "checkpointid" => (n, latest.to_string()),
                    _ => (n, v.to_string()),
                })
                .collect(),
        );
        let mut answer = self.replay(&req.with_params(recorded));
        if let Some(body) = &mut answer.body {
            *body = as_added(body, added);
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_job_completes_one_every_interval_numbered_on() {
        assert_eq!(added(2, 1_000, 1_000, 2_000), []);
        let a = added(2, 1_000, 6_500, 2_000);
        assert_eq!(a.iter().map(|a| a.id).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(a[1].triggered, 5_000);
        let recorded = json!({
            "counts": {"completed": 2, "total": 3},
            "latest": {"completed": {"id": 2, "trigger_timestamp": 10, "latest_ack_timestamp": 15,
                "end_to_end_duration": 5, "external_path": "file:/c/job/chk-2"}},
            "history": [{"id": 2}, {"id": 1}],
        });
        let v = statistics(&recorded, &a);
        assert_eq!(v["counts"]["completed"], 4);
        assert_eq!(v["counts"]["total"], 5);
        assert_eq!(v["latest"]["completed"]["id"], 4);
        assert_eq!(v["latest"]["completed"]["latest_ack_timestamp"], 5_005);
        assert_eq!(
            v["latest"]["completed"]["external_path"],
            "file:/c/job/chk-4"
        );
        let ids: Vec<&Value> = v["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| &h["id"])
            .collect();
        assert_eq!(ids, [&json!(4), &json!(3), &json!(2), &json!(1)]);
    }
}
