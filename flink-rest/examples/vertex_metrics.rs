//! The metrics of a job's first vertex: which there are, and records in and out summed over its
//! subtasks.
//!
//! `cargo run --example vertex_metrics -- <job id>`

mod common;

use flink_rest::client::{GetJobVertexMetricsQuery, GetJobVertexSubtasksMetricsQuery};
use flink_rest::types::MetricsAggregation;
use flink_rest::JobId;

#[tokio::main]
async fn main() -> common::Result {
    let job: JobId = common::arg(1, "vertex_metrics <job id>")?.parse()?;
    let client = common::client()?;

    let details = client.get_job(&job).await?;
    let vertex = details.vertices.first().ok_or("the job has no vertices")?;
    let available =
        (client.get_job_vertex_metrics(&job, &vertex.id, &GetJobVertexMetricsQuery::default()))
            .await?;
    println!("{}: {} metrics", vertex.name, available.len());

    let query = GetJobVertexSubtasksMetricsQuery {
        get: vec!["numRecordsIn".into(), "numRecordsOut".into()],
        agg: vec![MetricsAggregation::Sum, MetricsAggregation::Max],
        ..Default::default()
    };
    for metric in client
        .get_job_vertex_subtasks_metrics(&job, &vertex.id, &query)
        .await?
    {
        let sum = metric.sum.unwrap_or_default();
        let max = metric.max.unwrap_or_default();
        // Flink sends no unit; its metric names say it.
        let unit = metric
            .unit()
            .map_or("unit unknown".into(), |u| u.to_string());
        println!(
            "{} ({unit}): {sum} in all, {max} in the busiest subtask",
            metric.id
        );
    }
    Ok(())
}
