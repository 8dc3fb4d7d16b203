//! An operator's round over one cluster: every job with its state and how long it has run; then, for
//! one job, its vertices with their back pressure, its next checkpoints as they end, a savepoint and a
//! stop with a final savepoint. Built on the job handle (`client.job(&id)`) and its watch stream.
//!
//! `cargo run --example operator -- [<job id> <checkpoints to watch> <savepoint directory>]`
//! (without a job: the list only)

mod common;

use std::pin::pin;

use flink_rest::types::{SavepointTriggerRequestBody, StopWithSavepointRequestBody};
use flink_rest::{Client, JobHandle, JobId};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> common::Result {
    let usage = "operator [<job id> <checkpoints to watch> <savepoint directory>]";
    let client = common::client()?;
    list_jobs(&client).await?;
    let Some(job) = std::env::args().nth(1) else {
        return Ok(());
    };
    let job = client.job(&job.parse::<JobId>()?);
    let checkpoints: usize = common::arg(2, usage)?.parse()?;
    let directory = common::arg(3, usage)?;
    vertices(&job).await?;
    watch_checkpoints(&job, checkpoints).await?;
    savepoint_then_stop(&job, &directory).await
}

/// One line per job: id, state, how long it has run, name.
async fn list_jobs(client: &Client) -> common::Result {
    for job in client.get_jobs_overview().await?.jobs {
        let ran = std::time::Duration::from_millis(job.duration.max(0) as u64);
        println!(
            "job {} {:<10} {:>8.1} s  {}",
            job.jid,
            job.state,
            ran.as_secs_f64(),
            job.name
        );
    }
    Ok(())
}

/// One line per vertex of the job: its parallelism, state and back pressure.
async fn vertices(job: &JobHandle) -> common::Result {
    for vertex in job.details().await?.vertices {
        let pressure = job.back_pressure(&vertex.id).await?;
        // No level until Flink has sampled it (its status says why: `deprecated`).
        let level = (pressure.backpressure_level.as_ref())
            .map_or_else(|| format!("({})", pressure.status), |l| l.to_string());
        println!(
            "vertex {} × {} {:<9} back pressure {:<12} {}",
            vertex.parallelism, vertex.id, vertex.status, level, vertex.name
        );
    }
    Ok(())
}

/// The job's next `n` checkpoints, each as it ends.
async fn watch_checkpoints(job: &JobHandle, n: usize) -> common::Result {
    let mut checkpoints = pin!(job.watch_checkpoints().take(n));
    while let Some(checkpoint) = checkpoints.next().await {
        let c = checkpoint?;
        println!(
            "checkpoint {} {} in {} ms, {} bytes",
            c.id, c.status, c.end_to_end_duration, c.checkpointed_size
        );
    }
    Ok(())
}

async fn savepoint_then_stop(job: &JobHandle, directory: &str) -> common::Result {
    let savepoint = SavepointTriggerRequestBody {
        target_directory: Some(directory.into()),
        ..Default::default()
    };
    println!("savepoint {}", job.savepoint(&savepoint).await?);
    let stop = StopWithSavepointRequestBody {
        target_directory: Some(directory.into()),
        ..Default::default()
    };
    println!("stopped, final savepoint {}", job.stop(&stop).await?);
    let mut states = pin!(job.watch_state());
    while let Some(state) = states.next().await {
        println!("state {}", state?);
    }
    Ok(())
}
