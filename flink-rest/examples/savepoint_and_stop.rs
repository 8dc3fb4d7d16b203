//! Takes a savepoint of a running job, then stops the job with a final savepoint; a failed savepoint
//! reports Flink's cause.
//!
//! `cargo run --example savepoint_and_stop -- <job id> <savepoint directory>`

mod common;

use flink_rest::types::{SavepointTriggerRequestBody, StopWithSavepointRequestBody};
use flink_rest::{Error, JobId};

#[tokio::main]
async fn main() -> common::Result {
    let usage = "savepoint_and_stop <job id> <savepoint directory>";
    let job: JobId = common::arg(1, usage)?.parse()?;
    let directory = common::arg(2, usage)?;
    let client = common::client()?;

    let savepoint = SavepointTriggerRequestBody {
        target_directory: Some(directory.clone()),
        ..Default::default()
    };
    match client.savepoint(&job, &savepoint).await {
        Ok(location) => println!("savepoint: {location}"),
        Err(Error::Failed { failure, .. }) => {
            return Err(format!("savepoint failed: {failure}").into())
        }
        Err(other) => return Err(other.into()),
    }

    let stop = StopWithSavepointRequestBody {
        target_directory: Some(directory),
        ..Default::default()
    };
    let location = client.stop(&job, &stop).await?;
    println!("stopped; final savepoint: {location}");
    Ok(())
}
