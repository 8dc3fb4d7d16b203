//! `cargo xtask record --version V`: start that version, run the scenario, redact, write the fixtures.

use flink_rest_emulator::layout;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::fixture::{Exchange, Redactor};
use crate::live::Target;

/// What a recording measured.
pub struct Summary {
    pub version: String,
    pub download: Duration,
    pub ready: Duration,
    pub scenario: Duration,
    pub steps: Vec<(String, Duration)>,
    /// Pairs the version documents that the scenario did not reach.
    pub unreached: Vec<flink_rest::Pair>,
    pub files: usize,
    pub bytes: u64,
    pub dir: PathBuf,
}

/// Starts the version's clusters, runs the scenario against them and returns the redacted exchanges.
pub fn run_scenario(root: &Path, version: &str) -> Result<(Vec<Exchange>, Summary)> {
    let live = crate::live::run(root, Target::version(version))
        .with_context(|| format!("the scenario on Flink {version}"))?;
    let mut redactor = Redactor::new(literals(&live.run_dir, &live.dist));
    let mut exchanges = live.recording.exchanges;
    for e in &mut exchanges {
        redactor.exchange(e);
    }
    let summary = Summary {
        version: version.to_string(),
        download: live.download,
        ready: live.ready.unwrap_or_default(),
        scenario: live.scenario,
        steps: live.recording.steps,
        unreached: live.recording.unreached,
        files: exchanges.len(),
        bytes: 0,
        dir: PathBuf::new(),
    };
    Ok((exchanges, summary))
}

/// Machine-specific strings and their stable stand-ins: paths stay paths, the host name a host name.
/// The adaptive twin's run directory (`<run>-adaptive`) becomes `/tmp/flink-rest/run-adaptive`.
fn literals(run_dir: &Path, dist: &Path) -> Vec<(String, String)> {
    let mut out = vec![
        (
            run_dir.display().to_string(),
            "/tmp/flink-rest/run".to_string(),
        ),
        (dist.display().to_string(), "/opt/flink".to_string()),
    ];
    if let Ok(dist) = dist.canonicalize() {
        out.push((dist.display().to_string(), "/opt/flink".to_string()));
    }
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        if home.components().count() > 1 {
            out.push((home.display().to_string(), "/home/flink".to_string()));
        }
    }
    if let Ok(name) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        let name = name.trim();
        if !name.is_empty() && name != "localhost" {
            out.push((name.to_string(), "flink-host".to_string()));
        }
    }
    out
}

/// Records one version into `contract-tests/fixtures/<V>/`, replacing what was there.
pub fn record(root: &Path, version: &str) -> Result<Summary> {
    let (exchanges, mut summary) = run_scenario(root, version)?;
    let dir = root.join("contract-tests/fixtures").join(version);
    let partial = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial)?;
    let mut bytes = 0;
    let mut steps: Vec<(String, usize)> = Vec::new();
    for e in &exchanges {
        let folder = layout::step_folder(&e.step);
        let n = match steps.iter_mut().find(|(s, _)| *s == folder) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                std::fs::create_dir_all(partial.join(&folder))?;
                steps.push((folder.clone(), 1));
                1
            }
        };
        let asked = (e.endpoint.map(|pair| pair.to_string()))
            .unwrap_or_else(|| format!("{} {}", e.request.method, e.request.path));
        let text = flink_rest_codegen::pretty(e);
        bytes += text.len() as u64;
        std::fs::write(
            partial.join(&folder).join(layout::file_name(n, &asked)),
            text,
        )?;
    }
    let order: Vec<&String> = steps.iter().map(|(s, _)| s).collect();
    let order = serde_json::to_string_pretty(&order)? + "\n";
    std::fs::write(partial.join(layout::STEPS_FILE), order)?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&partial, &dir)?;
    summary.bytes = bytes;
    summary.dir = dir;
    Ok(summary)
}
