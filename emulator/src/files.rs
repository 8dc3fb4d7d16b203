//! Paths no documented pair has but Flink's router serves: the JobManager's log and stdout (plain
//! text, as the web UI reads them); and how Flink answers any other path.

use crate::answer::Answer;
use crate::cluster::Cluster;

/// The answer to a path no pair of the version has.
pub(crate) fn unrouted(method: &str, path: &str, cluster: &Cluster) -> Answer {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match (method, segments.as_slice()) {
        ("GET", ["jobmanager", "log"]) => Answer::text(200, log(cluster, "log")),
        ("GET", ["jobmanager", "stdout"]) => Answer::text(200, log(cluster, "stdout")),
        ("GET", ["jobmanager", "logs", name]) if listed(cluster, name) => {
            Answer::text(200, log(cluster, name))
        }
        ("GET", _) => Answer::error(404, format!("Unable to load requested file {path}.")),
        _ => Answer::error(404, format!("Not found: {path}")),
    }
}

/// A few lines of what the emulated JobManager writes to `file`.
fn log(cluster: &Cluster, file: &str) -> String {
    format!(
        "emulated Flink {} JobManager: {file}\n{} jobs submitted\n",
        cluster.version(),
        cluster.jobs.len()
    )
}

/// Whether the recorded list of the JobManager's log files has `name`.
fn listed(cluster: &Cluster, name: &str) -> bool {
    (cluster
        .rec
        .answers(flink_rest::Pair::ListJobmanagerLogs)
        .iter())
    .filter_map(|e| e.response.body.as_ref()?["logs"].as_array())
    .flatten()
    .any(|l| l["name"] == name)
}
