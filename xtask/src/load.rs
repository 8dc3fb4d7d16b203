//! `cargo xtask load`: a bounded load on a Flink REST endpoint, real or emulated, the same for both:
//! `connections` keep-alive HTTP/1.1 connections each sending `GET`s back to back for `seconds`, per
//! path; requests per second and latency percentiles. The paths: `/jobs/overview` and the details of
//! the first running job (`GET /jobs/:jobid`).

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use flink_rest::Pair;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What one path took under load.
pub struct Measured {
    pub path: String,
    pub requests: usize,
    pub errors: usize,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// Loads `url` (`http://host:port`) path by path; what each took.
pub async fn run(url: &str, connections: usize, seconds: u64) -> Result<Vec<Measured>> {
    let addr = url
        .strip_prefix("http://")
        .context("an http:// URL (the load speaks plain HTTP/1.1)")?
        .trim_end_matches('/')
        .to_string();
    let list = Pair::ListJobs.path().as_str();
    let (status, jobs) = get(&mut TcpStream::connect(&addr).await?, list).await?;
    let jobs: serde_json::Value = serde_json::from_slice(&jobs).context(Pair::ListJobs.key())?;
    let running = (jobs["jobs"].as_array().into_iter().flatten())
        .find(|j| j["status"] == "RUNNING")
        .and_then(|j| j["id"].as_str());
    let Some(job) = running.filter(|_| status == 200) else {
        bail!("no running job at {url}: start one first");
    };
    let mut out = Vec::new();
    let overview = Pair::GetJobsOverview.path().fill(&[])?;
    for path in [overview, Pair::GetJob.path().fill(&[job])?] {
        out.push(load(&addr, &path, connections, Duration::from_secs(seconds)).await?);
    }
    Ok(out)
}

async fn load(addr: &str, path: &str, connections: usize, span: Duration) -> Result<Measured> {
    let until = Instant::now() + span;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (addr, path) = (addr.to_string(), path.to_string());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut stream = TcpStream::connect(&addr).await?;
            stream.set_nodelay(true)?;
            while Instant::now() < until {
                let sent = Instant::now();
                match get(&mut stream, &path).await {
                    Ok((200, _)) => latencies.push(sent.elapsed()),
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        stream = TcpStream::connect(&addr).await?;
                    }
                }
            }
            anyhow::Ok((latencies, errors))
        }));
    }
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (l, e) = task.await??;
        latencies.extend(l);
        errors += e;
    }
    latencies.sort_unstable();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1));
        latencies.get(i).copied().unwrap_or_default()
    };
    Ok(Measured {
        path: path.to_string(),
        requests: latencies.len(),
        errors,
        per_second: latencies.len() as f64 / span.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    })
}

/// One `GET` on a kept-alive connection: the status and the body (by `content-length`).
async fn get(stream: &mut TcpStream, path: &str) -> Result<(u16, Vec<u8>)> {
    let request = format!("GET {path} HTTP/1.1\r\nhost: load\r\naccept: application/json\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut buf = Vec::with_capacity(8192);
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("connection closed");
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status line")?;
    let length: usize = (head.lines())
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .context("no content-length")?;
    while buf.len() < head_end + length {
        let mut chunk = vec![0u8; head_end + length - buf.len()];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("connection closed mid-body");
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok((status, buf[head_end..head_end + length].to_vec()))
}

/// The measurements as a Markdown table.
pub fn table(label: &str, measured: &[Measured]) -> String {
    let mut out = String::from(
        "| server | path | requests | requests/s | p50 | p99 | errors |\n|---|---|---:|---:|---:|---:|---:|\n",
    );
    for m in measured {
        out.push_str(&format!(
            "| {label} | `{}` | {} | {:.0} | {:.1} ms | {:.1} ms | {} |\n",
            m.path,
            m.requests,
            m.per_second,
            m.p50.as_secs_f64() * 1e3,
            m.p99.as_secs_f64() * 1e3,
            m.errors
        ));
    }
    out
}
