//! Uploads a jar, runs its job and waits until every vertex runs; prints the vertices and, last, the
//! job's id.
//!
//! `cargo run --example run_jar -- <jar file> [parallelism] [program arguments …]`

mod common;

use flink_rest::types::JarRunRequestBody;
use flink_rest::UploadFile;

#[tokio::main]
async fn main() -> common::Result {
    let usage = "run_jar <jar file> [parallelism] [program arguments …]";
    let jar_file = common::arg(1, usage)?;
    let parallelism = std::env::args().nth(2).map(|p| p.parse()).transpose()?;
    let client = common::client()?;

    let jar = client
        .upload_jar(UploadFile::from_path(&jar_file).await?)
        .await?
        .jar_id();
    let body = JarRunRequestBody {
        parallelism,
        program_args_list: Some(std::env::args().skip(3).collect()),
        ..Default::default()
    };
    let job = client.start_jar(&jar, &body).await?;

    let details = client.get_job(&job).await?;
    println!("{} is {}", details.name, details.state);
    for vertex in &details.vertices {
        println!(
            "  {} × {}: {}",
            vertex.parallelism, vertex.name, vertex.status
        );
    }
    println!("{job}");
    Ok(())
}
