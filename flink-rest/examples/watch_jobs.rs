//! Watches every job of a cluster: one line per job and round, every second.
//!
//! `cargo run --example watch_jobs -- [rounds]` (without a number of rounds: until interrupted)

mod common;

use std::time::Duration;

use flink_rest::types::TaskCountKey;

#[tokio::main]
async fn main() -> common::Result {
    let rounds: Option<u32> = std::env::args().nth(1).map(|n| n.parse()).transpose()?;
    let client = common::client()?;

    let mut round = 0;
    loop {
        for job in client.get_jobs_overview().await?.jobs {
            let count = |key| job.tasks.get(&key).copied().unwrap_or_default();
            let (running, total) = (count(TaskCountKey::Running), count(TaskCountKey::Total));
            let seconds = job.duration / 1000;
            println!(
                "{} {:<12} {running}/{total} tasks running, {seconds} s  {}",
                job.jid, job.state, job.name
            );
        }
        round += 1;
        if rounds.is_some_and(|n| round >= n) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
