//! `cargo xtask conformance`: the live gate, and `screenshot` for its HTML report.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{anyhow, bail, Context, Result};
use contract_tests::conformance::{self, Report, Target};
use contract_tests::flink;
use contract_tests::live::Security;
use contract_tests::tls::Connection;
use flink_rest_codegen as codegen;

pub struct Options {
    /// How a cluster started here serves REST.
    pub security: Security,
    /// How to reach the cluster at `url`.
    pub connection: Connection,
    pub version: Option<String>,
    pub url: Option<String>,
    pub shutdown: bool,
    pub all: bool,
    pub fixtures: bool,
    /// Against the emulated Flink of each version instead of a real one.
    pub emulated: bool,
    pub out: PathBuf,
}

impl Options {
    /// A cluster of `version` started here.
    pub fn local(version: String, out: PathBuf) -> Options {
        Options {
            version: Some(version),
            url: None,
            shutdown: false,
            all: false,
            fixtures: false,
            emulated: false,
            out,
            security: Security::Plain,
            connection: Connection::default(),
        }
    }
}

/// Exit 0: clean; 1: the gate failed; errors (exit 2) are the caller's.
pub fn run(root: &Path, o: Options) -> Result<ExitCode> {
    let inputs = crate::gen::inputs(root)?;
    let apis = codegen::apis(&inputs).map_err(|p| anyhow!("{p}"))?;
    let versions: Vec<String> = match (&o.version, o.all) {
        (Some(v), _) => vec![v.clone()],
        (None, true) => flink::VERSIONS.iter().map(|v| v.to_string()).collect(),
        (None, false) => Vec::new(),
    };
    let mut reports: Vec<Report> = Vec::new();
    if o.fixtures {
        let list = if versions.is_empty() {
            flink::VERSIONS.iter().map(|v| v.to_string()).collect()
        } else {
            versions
        };
        for v in list {
            reports.push(conformance::from_fixtures(root, &apis, &v)?);
        }
    } else if let Some(url) = &o.url {
        reports.push(conformance::run(
            root,
            &apis,
            Target::Url {
                url: url.clone(),
                shutdown: o.shutdown,
                connection: o.connection.clone(),
            },
        )?);
    } else if versions.is_empty() {
        bail!("say --version V, --all, --url U or --fixtures");
    } else {
        for v in versions {
            eprintln!(
                "== Flink {v}{}",
                if o.emulated { " (emulated)" } else { "" }
            );
            let target = match o.emulated {
                true => Target::Emulated {
                    version: v.clone(),
                    scheduler: flink_rest_emulator::Scheduler::Default,
                },
                false => Target::Version {
                    version: v.clone(),
                    security: o.security,
                },
            };
            let report = conformance::run(root, &apis, target)?;
            eprintln!(
                "   of its {} pairs {} conform to its docs, {} with the ledger, {} not exercised; {:.0} s",
                report.endpoints.len(),
                report.raw_conforming(),
                report.count(conformance::Class::Conforms)
                    + report.count(conformance::Class::Explained),
                report.count(conformance::Class::NotExercised),
                report.seconds
            );
            reports.push(report);
        }
    }
    let out = if o.out.is_absolute() {
        o.out.clone()
    } else {
        root.join(&o.out)
    };
    for path in conformance::write_reports(&out, &reports)? {
        eprintln!("wrote {}", path.display());
    }
    print!(
        "{}",
        conformance::markdown(&reports)
            .split("\n## ")
            .next()
            .unwrap_or_default()
    );
    Ok(if reports.iter().any(Report::failed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Renders an HTML file to PNG with headless Chromium (Debian package `chromium`).
pub fn screenshot(html: &Path, png: &Path) -> Result<ExitCode> {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or_else(|| anyhow!("no Chromium found: apt-get install -y chromium"))?;
    let html = html
        .canonicalize()
        .with_context(|| html.display().to_string())?;
    let profile = std::env::temp_dir().join(format!("flink-rest-chromium-{}", std::process::id()));
    let status = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1800,1450",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .status()
        .context("running Chromium")?;
    let _ = std::fs::remove_dir_all(&profile);
    if !status.success() || !png.is_file() {
        bail!("Chromium did not write {}", png.display());
    }
    println!("{}", png.display());
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask coverage`: typed coverage of the checked-in fixtures, per version and endpoint.
pub fn coverage(root: &Path) -> Result<ExitCode> {
    let inputs = codegen::Inputs::read(root)?;
    let apis = codegen::apis(&inputs).map_err(|p| anyhow!("{p}"))?;
    let mut coverage = contract_tests::coverage::Coverage::default();
    for version in apis.versions.iter().map(|c| &c.version) {
        let dir = root.join("contract-tests/fixtures").join(version);
        if !dir.is_dir() {
            continue;
        }
        for (_, e) in contract_tests::fixture::load_dir(&dir)? {
            coverage.add(&apis.merged, version, &e);
        }
    }
    print!("{}", coverage.markdown());
    Ok(ExitCode::SUCCESS)
}
