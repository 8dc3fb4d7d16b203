//! Clients nobody here wrote against the emulated Flink, each as against the real cluster of the
//! version:
//! - Flink's own CLI (`bin/flink` of the assembled distribution: Flink's Java `RestClusterClient`):
//!   `list`, `list -a`, `run -d` of the scenario job, `savepoint`, `savepoint -d`,
//!   `stop --savepointPath`, and `cancel` twice (a cancelled job's second cancel is acknowledged):
//!   every command exits as against Flink and prints the same lines, ids, times and paths aside.
//! - The PyPI REST client `flink-rest-client` (pinned, in a venv cached under
//!   `~/.cache/flink-rest/pypi/`): its 50 calls (`clients/flink_rest_client_session.py`) answered.
//!
//! Needs Java 17, Python 3 and the distribution (downloaded from PyPI once, cached), so a plain
//! `cargo test` skips them. CI runs the emulated half:
//! `cargo test -p contract-tests --test foreign_clients -- --ignored`. With `FLINK_REST_CLI_REAL=1`
//! each version's real cluster is started too and both runs must match. Versions:
//! `FLINK_REST_CLI_VERSIONS` (default `1.20.3,2.3.0`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use contract_tests::flink::Cluster;
use contract_tests::job;
use flink_rest_emulator::{Emulator, Timing};
use regex::Regex;

/// One CLI command as run: what it was, its exit code, its output with ids, times and paths made
/// placeholders.
#[derive(Debug, PartialEq)]
struct Ran {
    command: String,
    code: i32,
    output: Vec<String>,
}

/// The PyPI client, pinned.
const PYPI_CLIENT: &str = "flink-rest-client==1.0.8";

fn versions() -> Vec<String> {
    let versions = std::env::var("FLINK_REST_CLI_VERSIONS").unwrap_or("1.20.3,2.3.0".into());
    versions.split(',').map(str::to_string).collect()
}

fn against_real_flink() -> bool {
    std::env::var("FLINK_REST_CLI_REAL").is_ok_and(|v| v == "1")
}

#[test]
#[ignore = "runs Flink's CLI (Java 17, the distribution from PyPI); CI runs it with --ignored"]
fn flinks_cli_exits_against_the_emulator_as_against_flink() {
    let session = |cli: &Cli, port, label: &str| cli.session(port, label).unwrap();
    against_each_version(80, session, |version, emulated| {
        for ran in emulated {
            eprintln!("{version} emulated [{}] {}", ran.code, ran.command);
            assert_eq!(ran.code, 0, "{version}: {ran:#?}");
        }
        expect_lines(emulated, version);
    });
}

#[test]
#[ignore = "runs the PyPI client flink-rest-client (Python 3, a venv); CI runs it with --ignored"]
fn a_pypi_rest_client_gets_every_call_answered_by_the_emulator() {
    let python = pypi_client().unwrap_or_else(|e| panic!("installing {PYPI_CLIENT}: {e:#}"));
    let session = |cli: &Cli, port, label: &str| cli.python_session(&python, port, label);
    against_each_version(85, session, |version, emulated: &String| {
        assert!(
            emulated.ends_with("50 calls, all answered"),
            "{version}: {emulated}"
        );
    });
}

/// A client's `session` against the emulator of each version, `check`ed; with
/// `FLINK_REST_CLI_REAL=1` also against the real cluster of the version (on the version's port plus
/// `offset`), which must give the same.
fn against_each_version<T: PartialEq + std::fmt::Debug>(
    offset: u16,
    session: impl Fn(&Cli, u16, &str) -> T,
    check: impl Fn(&str, &T),
) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for version in versions() {
        let version = version.as_str();
        let cli = Cli::prepare(version).unwrap_or_else(|e| panic!("{version}: {e:#}"));
        let emulator = runtime
            .block_on(Emulator::builder(version).timing(Timing::brisk()).start())
            .unwrap();
        let emulated = session(&cli, emulator.addr().port(), "emulated");
        check(version, &emulated);
        if against_real_flink() {
            let port = Cluster::new(&cli.root, version, None).unwrap().port + offset;
            let running = Cluster::new(&cli.root, version, Some(port))
                .unwrap()
                .start()
                .unwrap();
            let flink = session(&cli, running.cluster.port, "real");
            assert_eq!(emulated, flink, "{version}: the emulator, then real Flink");
        }
    }
}

/// A venv with the PyPI client, made once (`~/.cache/flink-rest/pypi/<package>`); its python.
fn pypi_client() -> Result<PathBuf> {
    let venv = contract_tests::flink::cache_root()
        .join("pypi")
        .join(PYPI_CLIENT.replace("==", "-"));
    let python = venv.join("bin/python");
    if python.exists() && venv.join("ready").exists() {
        return Ok(python);
    }
    let _ = std::fs::remove_dir_all(&venv);
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()?;
    ensure_ok(status, "python3 -m venv")?;
    let status = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            PYPI_CLIENT,
        ])
        .status()?;
    ensure_ok(status, "pip install")?;
    std::fs::write(venv.join("ready"), PYPI_CLIENT)?;
    Ok(python)
}

fn ensure_ok(status: std::process::ExitStatus, what: &str) -> Result<()> {
    match status.success() {
        true => Ok(()),
        false => bail!("{what} failed ({status})"),
    }
}

/// What the emulated run must show even where no real run is compared with it.
fn expect_lines(ran: &[Ran], version: &str) {
    let shows = |i: usize, text: &str| {
        assert!(
            ran[i].output.iter().any(|l| l.contains(text)),
            "{version}: `{}` did not print {text:?}: {:#?}",
            ran[i].command,
            ran[i].output
        )
    };
    shows(2, "Job has been submitted with JobID <id>");
    shows(3, "<id> : flink-rest scenario (RUNNING)");
    shows(4, "Savepoint completed. Path: file:<dir>/savepoint-<sp>");
    shows(5, "disposed.");
    shows(6, "Savepoint completed.");
    shows(8, "Cancelled job <id>.");
}

struct Cli {
    root: PathBuf,
    dist: PathBuf,
    jar: PathBuf,
    work: PathBuf,
}

impl Cli {
    /// The version's distribution (cached) and the scenario job built against it.
    fn prepare(version: &str) -> Result<Cli> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let cluster = Cluster::new(root, version, None)?;
        cluster.ensure_dist()?;
        let work = root.join("target/flink/cli").join(version);
        std::fs::create_dir_all(&work)?;
        let jar = work.join(job::JAR_NAME);
        std::fs::write(&jar, job::build_jar(&cluster.dist, &work)?)?;
        Ok(Cli {
            root: root.to_path_buf(),
            dist: cluster.dist,
            jar,
            work,
        })
    }

    /// The commands, in order, against the REST endpoint at `port`.
    fn session(&self, port: u16, label: &str) -> Result<Vec<Ran>> {
        let m = format!("127.0.0.1:{port}");
        let dir = self.work.join(label).join("savepoints");
        let _ = std::fs::remove_dir_all(&dir);
        let dir_arg = dir.display().to_string();
        let jar = self.jar.display().to_string();
        let mut ran = Vec::new();
        let mut run = |args: &[&str]| -> Result<(String, i32)> {
            let (out, code) = self.flink(args, &m)?;
            ran.push(Ran {
                command: shape(&args.join(" "), &dir_arg).concat(),
                code,
                output: shape(&out, &dir_arg),
            });
            Ok((out, code))
        };
        run(&["list"])?;
        run(&["list", "-a"])?;
        let (out, _) = run(&["run", "-d", &jar])?;
        let job = job_id(&out)?;
        std::thread::sleep(Duration::from_secs(3));
        run(&["list"])?;
        let (out, _) = run(&["savepoint", &job, &dir_arg])?;
        let savepoint = (out.split_whitespace())
            .find(|w| w.starts_with("file:"))
            .context("no savepoint path printed")?
            .to_string();
        run(&["savepoint", "-d", &savepoint])?;
        run(&["stop", "--savepointPath", &dir_arg, &job])?;
        let (out, _) = run(&["run", "-d", &jar])?;
        let second = job_id(&out)?;
        std::thread::sleep(Duration::from_secs(3));
        run(&["cancel", &second])?;
        run(&["cancel", &second])?;
        run(&["list", "-a"])?;
        Ok(ran)
    }

    /// The PyPI client's session against the REST endpoint at `port`: what it printed (each call
    /// answered, or the first that failed).
    fn python_session(&self, python: &Path, port: u16, label: &str) -> String {
        let script = self
            .root
            .join("contract-tests/clients/flink_rest_client_session.py");
        let dir = self.work.join(label).join("python-savepoints");
        let out = Command::new(python)
            .arg(script)
            .args(["127.0.0.1", &port.to_string()])
            .arg(&self.jar)
            .arg(&dir)
            .output()
            .expect("python runs");
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            out.status.success(),
            "{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    }

    /// `bin/flink <args> -m <m>` (the JobManager option right after the action, as Flink parses
    /// it); its output and exit code.
    fn flink(&self, args: &[&str], m: &str) -> Result<(String, i32)> {
        let out = Command::new(self.dist.join("bin/flink"))
            .arg(args[0])
            .args(["-m", m])
            .args(&args[1..])
            .current_dir(&self.work)
            .output()
            .context("running bin/flink")?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        Ok((text, out.status.code().unwrap_or(-1)))
    }
}

fn job_id(out: &str) -> Result<String> {
    let re = Regex::new(r"JobID ([0-9a-f]{32})").unwrap();
    match re.captures(out) {
        Some(c) => Ok(c[1].to_string()),
        None => bail!("no job id in: {out}"),
    }
}

/// The output's lines with what differs between runs made placeholders: ids, times, the savepoint
/// directory and the names of savepoints in it. Java's warnings and blank lines are left out.
fn shape(out: &str, dir: &str) -> Vec<String> {
    let replacements = [
        (r"[0-9a-f]{32}", "<id>"),
        (r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d", "<time>"),
        (r"savepoint-[0-9a-f]{6}-[0-9a-f]{12}", "savepoint-<sp>"),
    ]
    .map(|(re, to)| (Regex::new(re).unwrap(), to));
    (out.lines())
        .filter(|l| !l.trim().is_empty() && !l.starts_with("WARNING") && !l.starts_with("SLF4J"))
        .map(|l| {
            let l = l.replace(dir, "<dir>");
            (replacements.iter()).fold(l, |l, (re, to)| re.replace_all(&l, *to).into_owned())
        })
        .collect()
}
