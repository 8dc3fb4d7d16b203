//! `cargo xtask load`: a bounded load on Flink REST endpoints, real and emulated, the same for each:
//! `connections` keep-alive HTTP/1.1 connections each sending `GET`s back to back for `seconds`, per
//! path; requests per second and latency percentiles. The paths: `/jobs/overview` and the details of
//! the first running job (`GET /jobs/:jobid`). Several servers are loaded side by side in one run:
//! round by round, path by path, server by server, each run after a warm-up of its own.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use flink_rest::Pair;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server to load.
pub struct Target {
    pub label: String,
    pub url: String,
    /// Its process, where its resident memory can be read.
    pub pid: Option<u32>,
}

/// How hard and how long.
pub struct Load {
    pub connections: usize,
    pub seconds: u64,
    pub warmup: u64,
    pub rounds: usize,
}

/// The pairs loaded, in order: the overview and a running job's details.
const LOADED: [Pair; 2] = [Pair::GetJobsOverview, Pair::GetJob];

/// One measured run.
pub struct Row {
    pub round: usize,
    pub label: String,
    /// What was asked (rows of different servers compare by it).
    pub pair: Pair,
    pub measured: Measured,
}

/// Loads every target, round by round and path by path, alternating between them.
pub async fn side_by_side(targets: &[Target], load: &Load) -> Result<Vec<Row>> {
    let mut paths = Vec::new();
    for target in targets {
        paths.push(paths_of(&target.url).await?);
    }
    let mut rows = Vec::new();
    for round in 1..=load.rounds {
        for (p, pair) in LOADED.into_iter().enumerate() {
            for (target, paths) in targets.iter().zip(&paths) {
                let (addr, path) = (&paths.addr, &paths.paths[p]);
                eprintln!(
                    "round {round}: {} {path} ({} s warm-up)",
                    target.label, load.warmup
                );
                run_for(addr, path, load.connections, load.warmup).await?;
                eprintln!(
                    "round {round}: {} {path} ({} s)",
                    target.label, load.seconds
                );
                let measured = run_for(addr, path, load.connections, load.seconds).await?;
                rows.push(Row {
                    round,
                    label: target.label.clone(),
                    pair,
                    measured,
                });
            }
        }
    }
    Ok(rows)
}

async fn run_for(addr: &str, path: &str, connections: usize, seconds: u64) -> Result<Measured> {
    self::load(addr, path, connections, Duration::from_secs(seconds)).await
}

/// What one path took under load.
pub struct Measured {
    pub requests: usize,
    pub errors: usize,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// A server's address and the paths loaded on it.
struct Paths {
    addr: String,
    paths: [String; 2],
}

/// `url`'s (`http://host:port`) paths: the overview and its first running job's details.
async fn paths_of(url: &str) -> Result<Paths> {
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
    let paths = [LOADED[0].path().fill(&[])?, LOADED[1].path().fill(&[job])?];
    Ok(Paths { addr, paths })
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

/// The measurements as a Markdown table (each path as its pair's template, so rows of servers
/// compare).
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| round | server | path | requests | requests/s | p50 | p99 | errors |\n|---:|---|---|---:|---:|---:|---:|---:|\n",
    );
    for Row {
        round,
        label,
        pair,
        measured: m,
    } in rows
    {
        out.push_str(&format!(
            "| {round} | {label} | `{}` | {} | {:.0} | {:.1} ms | {:.1} ms | {} |\n",
            pair.path().as_str(),
            m.requests,
            m.per_second,
            m.p50.as_secs_f64() * 1e3,
            m.p99.as_secs_f64() * 1e3,
            m.errors
        ));
    }
    out
}

/// For each path, how the first target (the emulator) compares with each other one in every round:
/// requests per second at least theirs, p99 at most theirs.
pub fn comparison(rows: &[Row]) -> String {
    let mut out = String::new();
    let Some(first) = rows.first().map(|r| r.label.clone()) else {
        return out;
    };
    for row in rows.iter().filter(|r| r.label != first) {
        let Some(own) =
            (rows.iter()).find(|r| r.label == first && r.round == row.round && r.pair == row.pair)
        else {
            continue;
        };
        let (a, b) = (&own.measured, &row.measured);
        let verdict = match a.per_second >= b.per_second && a.p99 <= b.p99 {
            true => "met",
            false => "NOT met",
        };
        out.push_str(&format!(
            "- round {}, `{}`: {first} {:.2}× the requests/s of {}, p99 {:.1} vs {:.1} ms: {verdict}\n",
            row.round,
            row.pair.path().as_str(),
            a.per_second / b.per_second.max(f64::MIN_POSITIVE),
            row.label,
            a.p99.as_secs_f64() * 1e3,
            b.p99.as_secs_f64() * 1e3,
        ));
    }
    out
}

/// Each target whose process is known: its resident memory idle (`idle`, per target) and now.
pub fn memory(targets: &[Target], idle: &[Option<u64>]) -> String {
    let mut out = String::new();
    for (target, idle) in targets.iter().zip(idle) {
        if let (Some(idle), Some(now)) = (idle, target.pid.and_then(resident_kb)) {
            out.push_str(&format!(
                "- {} resident: {:.1} MB idle, {:.1} MB 2 s after the load ({:.2}× idle)\n",
                target.label,
                *idle as f64 / 1024.0,
                now as f64 / 1024.0,
                now as f64 / *idle as f64,
            ));
        }
    }
    out
}

/// A process's resident memory (Linux), in kB.
pub fn resident_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    kb.trim().trim_end_matches("kB").trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(round: usize, label: &str, pair: Pair, per_second: f64, p99_ms: u64) -> Row {
        let measured = Measured {
            requests: 0,
            errors: 0,
            per_second,
            p50: Duration::ZERO,
            p99: Duration::from_millis(p99_ms),
        };
        let label = label.to_string();
        Row {
            round,
            label,
            pair,
            measured,
        }
    }

    #[test]
    fn the_emulator_is_compared_with_each_server_on_the_same_path_and_round() {
        let rows = [
            row(1, "emulated", Pair::GetJobsOverview, 100.0, 5),
            row(1, "Flink", Pair::GetJobsOverview, 50.0, 10),
            row(1, "emulated", Pair::GetJob, 100.0, 20),
            row(1, "Flink", Pair::GetJob, 120.0, 10),
        ];
        let said = comparison(&rows);
        assert!(
            said.contains(
                "`/jobs/overview`: emulated 2.00× the requests/s of Flink, p99 5.0 vs 10.0 ms: met"
            ),
            "{said}"
        );
        assert!(said.contains("`/jobs/:jobid`: emulated 0.83× the requests/s of Flink, p99 20.0 vs 10.0 ms: NOT met"), "{said}");
        assert!(table(&rows).contains("| 1 | Flink | `/jobs/:jobid` |"));
    }
}
