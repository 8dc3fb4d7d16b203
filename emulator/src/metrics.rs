//! Metrics answered from what is asked: `get=` selects the metrics the cluster knows (an unknown one
//! is left out, so an unknown list is `[]`), and the aggregating pairs compute `agg=` (min, max, sum,
//! avg, skew, as Flink's `AggregatingMetricsHandler` and its accumulators do) over the selected
//! jobs, subtasks or TaskManagers. Values are the recorded ones.

use std::collections::BTreeSet;

use flink_rest::Pair;
use serde_json::{json, Map, Value};

use crate::answer::Answer;
use crate::cluster::{ms, Cluster};
use crate::recorded::Exchange;
use crate::request::{query_pairs, Req};

/// Every aggregation Flink knows, in the order its answers list them.
const AGGREGATIONS: [&str; 5] = ["min", "max", "avg", "sum", "skew"];

impl Cluster {
    /// A vertex's back pressure: while the job has run for less than the metrics take to be fetched
    /// ([`crate::Timing::metrics`]), the version's recorded refusal where its recording has one (real
    /// 1.18.1 and later answer 500, `NoSuchElementException`, until the JobManager holds the tasks' metrics);
    /// else as recorded.
    pub(crate) fn backpressure(&self, req: &Req) -> Answer {
        let job = req.at.get("jobid").and_then(|id| self.job(id));
        let early = self.rec.with_status(req.pair, 500);
        if let (Some(job), Some(refusal)) = (job, early) {
            let running = job.submitted + ms(self.timing.start);
            if job.ending.is_none() && self.now() < running + ms(self.timing.metrics) {
                return Answer::recorded(refusal).remapped(&self.rewrites(refusal, req));
            }
        }
        self.replay(req)
    }

    /// A metrics pair of one component (the JobManager, a job, a vertex, a subtask, a TaskManager):
    /// the recorded list without `get`; with it, each metric asked for that the cluster knows, with
    /// its recorded value (0 where none was recorded).
    pub(crate) fn metric_values(&self, req: &Req) -> Answer {
        let Some(asked) = req.query("get") else {
            return self.replay(req);
        };
        let known = self.known_metrics(&[req.pair]);
        let values: Vec<Value> = (asked.split(',').filter(|id| known.contains(*id)))
            .map(|id| {
                let value = self.recorded_value(req.pair, id, None);
                json!({ "id": id, "value": value.unwrap_or_else(|| "0".into()) })
            })
            .collect();
        Answer::json(200, Value::Array(values))
    }

    /// An aggregating metrics pair (jobs, a vertex's subtasks, TaskManagers): without `get` the
    /// recorded list; with it, the aggregations asked for (all the version has, when none) of each
    /// metric asked for, over the components selected (all, when none).
    pub(crate) fn metric_aggregates(&self, req: &Req) -> Answer {
        let Some(asked) = req.query("get") else {
            return self.replay(req);
        };
        let allowed = self.aggregations(req.pair);
        let wanted: Vec<&str> = match req.query("agg") {
            Some(agg) if !agg.is_empty() => agg.split(',').collect(),
            _ => allowed.iter().map(String::as_str).collect(),
        };
        if let Some(bad) = wanted.iter().find(|a| !allowed.iter().any(|x| x == *a)) {
            return self.refused_query(req, "agg", bad);
        }
        let (component, components) = self.components(req);
        let known = self.known_metrics(&[req.pair, component]);
        let mut out = Vec::new();
        for id in asked.split(',').filter(|id| known.contains(*id)) {
            let values: Vec<f64> = (components.iter())
                .map(|c| self.recorded_value(component, id, Some(c)))
                .filter_map(|v| v.map_or(Some(0.0), |v| v.parse().ok()))
                .collect();
            if values.is_empty() {
                continue;
            }
            let mut item = Map::new();
            item.insert("id".into(), json!(id));
            for agg in AGGREGATIONS.iter().filter(|a| wanted.contains(a)) {
                item.insert(agg.to_string(), json!(aggregate(agg, &values)));
            }
            out.push(Value::Object(item));
        }
        Answer::json(200, Value::Array(out))
    }

    /// The metrics the recorded answers of `pairs` name.
    fn known_metrics(&self, pairs: &[Pair]) -> BTreeSet<String> {
        (pairs.iter().flat_map(|p| self.rec.answers(*p)))
            .filter(|e| e.ok())
            .filter_map(|e| e.response.body.as_ref()?.as_array())
            .flatten()
            .filter_map(|m| m["id"].as_str().map(str::to_string))
            .collect()
    }

    /// The recorded value of metric `id` at `pair` (of the component `of`, where one is named: a
    /// subtask index, a TaskManager id), the latest recorded; else the recorded average of it over
    /// such components.
    fn recorded_value(&self, pair: Pair, id: &str, of: Option<&str>) -> Option<String> {
        let value_in = |e: &Exchange| {
            let items = e.response.body.as_ref()?.as_array()?;
            let item = items.iter().find(|m| m["id"] == id)?;
            item["value"].as_str().map(str::to_string)
        };
        let of_component = |e: &&Exchange| {
            of.is_none_or(|c| (e.params().iter()).any(|(n, v)| component_param(n) && v == c))
        };
        // The latest first.
        let answers = self.rec.answers(pair).iter().rev().filter(|e| e.ok());
        let exact = answers.clone().filter(of_component).find_map(value_in);
        exact
            .or_else(|| answers.clone().find_map(value_in))
            .or_else(|| self.recorded_average(pair, id))
    }

    /// The recorded `avg` of metric `id` in the aggregating pair over `pair`'s components.
    fn recorded_average(&self, pair: Pair, id: &str) -> Option<String> {
        let aggregating = match pair {
            Pair::GetJobMetrics => Pair::GetJobsMetrics,
            Pair::GetSubtaskMetrics => Pair::GetJobVertexSubtasksMetrics,
            Pair::GetTaskmanagerMetrics => Pair::GetTaskmanagersMetrics,
            _ => return None,
        };
        (self.rec.answers(aggregating).iter())
            .filter_map(|e| e.response.body.as_ref()?.as_array())
            .flatten()
            .filter(|m| m["id"] == id)
            .find_map(|m| m["avg"].as_f64())
            .map(|avg| avg.to_string())
    }

    /// The aggregations the version takes at `pair`: those its recorded answers were asked for.
    fn aggregations(&self, pair: Pair) -> Vec<String> {
        let mut seen: Vec<String> = (self.rec.answers(pair).iter())
            .filter(|e| e.is_scenario() && e.ok())
            .flat_map(|e| query_pairs(e.request.query.as_deref().unwrap_or_default()))
            .filter(|(k, _)| k == "agg")
            .flat_map(|(_, v)| v.split(',').map(str::to_string).collect::<Vec<_>>())
            .collect();
        if seen.is_empty() {
            seen = ["min", "max", "sum", "avg"].map(String::from).to_vec();
        }
        seen.sort_unstable();
        seen.dedup();
        seen
    }

    /// The pair each component's own metrics are at, and the components selected: the query's list
    /// (subtask ranges such as `0-1,3`), else every one.
    fn components(&self, req: &Req) -> (Pair, Vec<String>) {
        let list = |name: &str| -> Option<Vec<String>> {
            let given = req.query(name).filter(|v| !v.is_empty())?;
            Some(given.split(',').map(str::to_string).collect())
        };
        match req.pair {
            Pair::GetJobVertexSubtasksMetrics => {
                let parallelism = self.parallelism_of_vertex(req);
                let all = || (0..parallelism).map(|i| i.to_string()).collect();
                let subtasks = list("subtasks").map_or_else(all, |given| expand_ranges(&given));
                (Pair::GetSubtaskMetrics, subtasks)
            }
            Pair::GetTaskmanagersMetrics => {
                let all = || self.rec.seen_values("taskmanagerid");
                (
                    Pair::GetTaskmanagerMetrics,
                    list("taskmanagers").unwrap_or_else(all),
                )
            }
            _ => {
                let all = || self.jobs.iter().map(|j| j.id.clone()).collect();
                (Pair::GetJobMetrics, list("jobs").unwrap_or_else(all))
            }
        }
    }

    /// The parallelism the vertex the path names runs at.
    fn parallelism_of_vertex(&self, req: &Req) -> i64 {
        let (job, vertex) = (req.param("jobid"), req.param("vertexid"));
        let recorded = (self.vertices(job).into_iter())
            .find(|(id, _)| id == vertex)
            .map_or(1, |(_, p)| p);
        self.job(job)
            .map_or(recorded, |j| j.parallelism_of(vertex, recorded))
    }

    /// A query parameter value the version refused at this pair: its recorded refusal of that
    /// parameter, about this value.
    fn refused_query(&self, req: &Req, name: &str, value: &str) -> Answer {
        let refused = (self.rec.answers(req.pair).iter()).find_map(|e| {
            let query = query_pairs(e.request.query.as_deref()?);
            let (_, was) = query.into_iter().find(|(k, _)| k == name)?;
            (e.response.status == 400).then_some((e, was))
        });
        match refused {
            Some((e, was)) => {
                let from = format!("({name}) from value \"{was}\"");
                let to = format!("({name}) from value \"{value}\"");
                Answer::recorded(e).remapped(&[(from, to)])
            }
            None => Answer::error(
                400,
                format!("Bad request, could not parse parameters: Cannot resolve query parameter ({name}) from value \"{value}\"."),
            ),
        }
    }
}

/// Whether a path parameter names a metrics component.
fn component_param(name: &str) -> bool {
    matches!(name, "subtaskindex" | "taskmanagerid" | "jobid")
}

/// `0-1,3` -> 0, 1, 3.
fn expand_ranges(given: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for item in given {
        match item
            .split_once('-')
            .map(|(a, b)| (a.parse::<u32>(), b.parse::<u32>()))
        {
            Some((Ok(from), Ok(to))) => out.extend((from..=to).map(|i| i.to_string())),
            _ => out.push(item.clone()),
        }
    }
    out
}

/// One of Flink's aggregations of `values` (not empty).
fn aggregate(agg: &str, values: &[f64]) -> f64 {
    let sum: f64 = values.iter().sum();
    let avg = sum / values.len() as f64;
    match agg {
        "min" => values.iter().copied().fold(f64::INFINITY, f64::min),
        "max" => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        "sum" => sum,
        "avg" => avg,
        // The mean absolute deviation over the mean, in percent, at most 100 (0 for a mean of 0).
        _ if avg == 0.0 => 0.0,
        _ => {
            let deviation =
                values.iter().map(|v| (avg - v).abs()).sum::<f64>() / values.len() as f64;
            (deviation / avg * 100.0).min(100.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregations_are_flinks() {
        let v = [21_000_000.0, 22_000_000.0];
        assert_eq!(aggregate("min", &v), 21_000_000.0);
        assert_eq!(aggregate("max", &v), 22_000_000.0);
        assert_eq!(aggregate("sum", &v), 43_000_000.0);
        assert_eq!(aggregate("avg", &v), 21_500_000.0);
        // As recorded from Flink 1.20.3 for these two subtasks.
        assert_eq!(aggregate("skew", &v), 2.3255813953488373);
        assert_eq!(aggregate("skew", &[0.0, 0.0]), 0.0);
        assert_eq!(aggregate("skew", &[0.0, 100.0]), 100.0);
    }

    #[test]
    fn subtask_ranges_expand() {
        let given = ["0-2".to_string(), "5".to_string()];
        assert_eq!(expand_ranges(&given), ["0", "1", "2", "5"]);
    }
}
