//! What a metric's value measures (hand-written). Flink's metrics answers give an id and a string
//! value, no unit; its metrics are named by convention (its docs' "Metrics" page: `…PerSecond` a
//! rate, `numBytes…` bytes, `…TimeMsPerSecond` milliseconds per second, `Status.JVM.Memory.…`
//! bytes …). [`Unit::of`] reads those conventions from one table, first match wins.

use crate::types::Metric;

/// What a metric's value measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Unit {
    /// How many (records, restarts, buffers, threads, checkpoints …).
    Count,
    /// How many per second: a meter's rate (`numRecordsInPerSecond`).
    PerSecond,
    Bytes,
    BytesPerSecond,
    /// A duration.
    Milliseconds,
    /// Milliseconds per second of wall time, 0 to 1000 (`busyTimeMsPerSecond`).
    MillisecondsPerSecond,
    /// A duration (`checkpointStartDelayNanos`, `Status.JVM.CPU.Time`).
    Nanoseconds,
    /// A point in time, in milliseconds since the epoch (a watermark: `i64::MIN` before the first).
    EpochMilliseconds,
    /// A share, 0 to 1 (`inPoolUsage`, `Status.JVM.CPU.Load`).
    Ratio,
    /// `true` or `false` (`isBackPressured`).
    Boolean,
    /// Text (a path).
    Text,
    /// A number that names something (a checkpoint's id), not an amount.
    Id,
}

/// Flink's naming conventions: a pattern over the metric's id (its subtask index left out), `*`
/// standing for any run of characters; first match wins.
const CONVENTIONS: &[(&str, Unit)] = &[
    // The JobManager's and TaskManagers' own status (`Status.…`), by whole id.
    ("Status.JVM.CPU.Load", Unit::Ratio),
    ("Status.JVM.CPU.Time", Unit::Nanoseconds),
    ("Status.JVM.*.Count", Unit::Count),
    (
        "Status.JVM.GarbageCollector.*.TimeMsPerSecond",
        Unit::MillisecondsPerSecond,
    ),
    ("Status.JVM.GarbageCollector.*.Time", Unit::Milliseconds),
    ("Status.JVM.Memory.*", Unit::Bytes),
    ("Status.JVM.ClassLoader.*", Unit::Count),
    ("Status.JVM.FileDescriptor.*", Unit::Count),
    ("*MemorySegments", Unit::Count),
    ("Status.Shuffle.Netty.RequestedMemoryUsage", Unit::Ratio),
    ("Status.Shuffle.Netty.*Memory", Unit::Bytes),
    ("Status.Flink.Memory.Managed.*", Unit::Bytes),
    // Tasks, operators and jobs, by name (an operator's name may come first).
    ("*MsPerSecond", Unit::MillisecondsPerSecond),
    ("*numBytes*PerSecond", Unit::BytesPerSecond),
    ("*PerSecond", Unit::PerSecond),
    ("*numBytes*", Unit::Bytes),
    ("*Usage", Unit::Ratio),
    ("*QueueLength", Unit::Count),
    ("*mailboxQueueSize", Unit::Count),
    ("*QueueSize", Unit::Bytes),
    ("*Watermark", Unit::EpochMilliseconds),
    ("*Timestamp", Unit::EpochMilliseconds),
    ("*Nanos", Unit::Nanoseconds),
    ("*checkpointAlignmentTime", Unit::Nanoseconds),
    ("*lastCheckpointDuration", Unit::Milliseconds),
    ("*lastCheckpointExternalPath", Unit::Text),
    ("*lastCompletedCheckpointId", Unit::Id),
    ("*lastCheckpoint*", Unit::Bytes),
    ("*Ms", Unit::Milliseconds),
    ("*Ms_*", Unit::Milliseconds),
    ("*isBackPressured", Unit::Boolean),
    // A job's time in each status (`runningTime` …), its uptime and downtime.
    ("*uptime", Unit::Milliseconds),
    ("*downtime", Unit::Milliseconds),
    ("*createdTime", Unit::Milliseconds),
    ("*initializingTime", Unit::Milliseconds),
    ("*deployingTime", Unit::Milliseconds),
    ("*runningTime", Unit::Milliseconds),
    ("*restartingTime", Unit::Milliseconds),
    ("*failingTime", Unit::Milliseconds),
    ("*cancellingTime", Unit::Milliseconds),
    ("*numberOf*", Unit::Count),
    ("*NumberOf*", Unit::Count),
    ("*num*", Unit::Count),
    ("*Restarts", Unit::Count),
    ("*taskSlots*", Unit::Count),
    ("*unassignedSplits", Unit::Count),
];

impl std::fmt::Display for Unit {
    /// Its name: `bytes per second`, `milliseconds since the epoch` …
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unit::Count => "count",
            Unit::PerSecond => "per second",
            Unit::Bytes => "bytes",
            Unit::BytesPerSecond => "bytes per second",
            Unit::Milliseconds => "milliseconds",
            Unit::MillisecondsPerSecond => "milliseconds per second",
            Unit::Nanoseconds => "nanoseconds",
            Unit::EpochMilliseconds => "milliseconds since the epoch",
            Unit::Ratio => "ratio (0 to 1)",
            Unit::Boolean => "boolean",
            Unit::Text => "text",
            Unit::Id => "id",
        })
    }
}

impl Unit {
    /// The unit of the metric `id` as a metrics answer names it, with or without a subtask index or
    /// an operator's name before it (`0.numRecordsIn`, `Keyed_counter.numBytesOut`,
    /// `Status.JVM.Memory.Heap.Used`); `None` for a name Flink's conventions say nothing of.
    pub fn of(id: &str) -> Option<Unit> {
        let id = without_subtask_index(id);
        (CONVENTIONS.iter())
            .find(|(pattern, _)| matches(pattern, id))
            .map(|(_, unit)| *unit)
    }
}

impl Metric {
    /// What its value measures ([`Unit::of`] its id).
    pub fn unit(&self) -> Option<Unit> {
        Unit::of(&self.id)
    }

    /// Its value as a number, where it is one (Flink sends every value as a string; `NaN` and the
    /// infinities are numbers too). `None` without a value (an aggregate was asked for) or for text.
    pub fn number(&self) -> Option<f64> {
        let value = self.value.as_deref()?.trim();
        match value {
            "true" | "false" => None,
            _ => value.parse().ok(),
        }
    }
}

/// `3.numRecordsIn` -> `numRecordsIn`.
fn without_subtask_index(id: &str) -> &str {
    match id.split_once('.') {
        Some((index, rest)) if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) => {
            rest
        }
        _ => id,
    }
}

/// Whether `text` matches `pattern`, whose `*` stand for any run of characters.
fn matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_ids_with_stars_for_any_run() {
        assert!(matches(
            "Status.JVM.*.Count",
            "Status.JVM.Memory.Direct.Count"
        ));
        assert!(!matches(
            "Status.JVM.*.Count",
            "Status.JVM.Memory.Direct.Used"
        ));
        assert!(matches("*PerSecond", "numRecordsInPerSecond"));
        assert!(matches(
            "*numBytes*PerSecond",
            "Keyed_counter.numBytesOutPerSecond"
        ));
        assert!(!matches("*numBytes*PerSecond", "numBytesOut"));
        assert!(matches("Status.JVM.CPU.Load", "Status.JVM.CPU.Load"));
        assert!(!matches("Status.JVM.CPU.Load", "Status.JVM.CPU.LoadX"));
        assert!(matches("*Ms_*", "mailboxLatencyMs_p99"));
        assert!(!matches("*a*a", "a"));
    }

    #[test]
    fn units_follow_flinks_naming() {
        let cases = [
            ("0.numRecordsIn", Unit::Count),
            ("1.numRecordsInPerSecond", Unit::PerSecond),
            ("Keyed_counter.numBytesOut", Unit::Bytes),
            ("numBytesInRemotePerSecond", Unit::BytesPerSecond),
            ("busyTimeMsPerSecond", Unit::MillisecondsPerSecond),
            (
                "Status.JVM.GarbageCollector.G1_Young_Generation.TimeMsPerSecond",
                Unit::MillisecondsPerSecond,
            ),
            (
                "Status.JVM.GarbageCollector.G1_Young_Generation.Time",
                Unit::Milliseconds,
            ),
            ("Status.JVM.GarbageCollector.All.Count", Unit::Count),
            ("Status.JVM.Memory.Heap.Used", Unit::Bytes),
            ("Status.JVM.Memory.Direct.Count", Unit::Count),
            ("Status.JVM.CPU.Time", Unit::Nanoseconds),
            ("Status.Shuffle.Netty.UsedMemorySegments", Unit::Count),
            ("Status.Shuffle.Netty.UsedMemory", Unit::Bytes),
            ("buffers.inPoolUsage", Unit::Ratio),
            ("buffers.inputQueueSize", Unit::Bytes),
            ("mailboxQueueSize", Unit::Count),
            ("currentInputWatermark", Unit::EpochMilliseconds),
            ("lastCheckpointSize", Unit::Bytes),
            ("lastCheckpointDuration", Unit::Milliseconds),
            ("lastCompletedCheckpointId", Unit::Id),
            ("checkpointStartDelayNanos", Unit::Nanoseconds),
            ("accumulateBusyTimeMs", Unit::Milliseconds),
            ("mailboxLatencyMs_p99", Unit::Milliseconds),
            ("runningTime", Unit::Milliseconds),
            ("isBackPressured", Unit::Boolean),
            ("totalNumberOfCheckpoints", Unit::Count),
        ];
        for (id, unit) in cases {
            assert_eq!(Unit::of(id), Some(unit), "{id}");
        }
        assert_eq!(Unit::of("myCustomGauge"), None);
    }

    #[test]
    fn a_metrics_value_reads_as_a_number_where_it_is_one() {
        let metric = |value: Option<&str>| Metric {
            id: "0.numRecordsIn".into(),
            value: value.map(str::to_string),
            min: None,
            max: None,
            avg: None,
            sum: None,
            skew: None,
        };
        assert_eq!(metric(Some("42")).number(), Some(42.0));
        assert_eq!(
            metric(Some("-9223372036854775808")).number(),
            Some(i64::MIN as f64)
        );
        assert!(metric(Some("NaN")).number().is_some_and(f64::is_nan));
        assert_eq!(metric(Some("true")).number(), None);
        assert_eq!(metric(Some("/tmp/chk-1")).number(), None);
        assert_eq!(metric(None).number(), None);
        assert_eq!(metric(None).unit(), Some(Unit::Count));
    }
}
