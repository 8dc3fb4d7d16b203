//! Rescales a running job in place by changing its resource requirements (the adaptive scheduler),
//! and waits until every vertex runs at the new parallelism.
//!
//! `cargo run --example rescale -- <job id> <parallelism>`

mod common;

use flink_rest::JobId;

#[tokio::main]
async fn main() -> common::Result {
    let usage = "rescale <job id> <parallelism>";
    let job: JobId = common::arg(1, usage)?.parse()?;
    let parallelism: i32 = common::arg(2, usage)?.parse()?;
    let client = common::client()?;

    let mut requirements = client.get_job_resource_requirements(&job).await?;
    for vertex in requirements.values_mut() {
        vertex.parallelism.lower_bound = 1;
        vertex.parallelism.upper_bound = parallelism;
    }
    client.rescale(&job, &requirements).await?;

    for vertex in client.get_job(&job).await?.vertices {
        println!("{} × {}", vertex.parallelism, vertex.name);
    }
    Ok(())
}
