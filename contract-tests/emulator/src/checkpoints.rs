//! Periodic checkpoints: a running job completes one every checkpoint interval (the recorded
//! `GET /jobs/:jobid/checkpoints/config`'s), numbered on from the recorded job's last. Each is the
//! recorded latest completed checkpoint, its id, times and path made its own.

use serde_json::{json, Value};

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
