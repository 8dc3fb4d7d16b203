//! `cargo xtask generators`: OpenAPI generators nobody here wrote, fed the corrected specs; their
//! output must take every recorded answer of the spec's version.
//!
//! Each generator is installed pinned, once, under the tool cache (`~/.cache/flink-rest/tools/`,
//! keyed by the pins). The Python ones (openapi-python-client's client, datamodel-code-generator's
//! pydantic models) run in `contract-tests/generators/python_clients.py`, which parses each recorded
//! answer with the generated code.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};
use flink_rest_codegen::ledger::minor;

/// The Python generators and what their output needs, pinned (`pip install name==version`).
const PYTHON: [(&str, &str); 4] = [
    ("openapi-python-client", "0.29.1"),
    ("datamodel-code-generator", "0.97.0"),
    ("pydantic", "2.14.4"),
    ("httpx", "0.28.1"),
];
/// The harness that generates with them and parses the fixtures.
const PYTHON_HARNESS: &str = "contract-tests/generators/python_clients.py";
/// The minors checked unless `--all`: the oldest line still in use and the newest.
const DEFAULT_MINORS: [&str; 2] = ["1.20", "2.3"];

/// Runs every generator on the corrected spec of each minor (none: the default ones; `all`: every
/// recorded one); exit 1 if any output fails an answer.
pub fn run(root: &Path, minors: Vec<String>, all: bool) -> Result<ExitCode> {
    let minors = match (all, minors.is_empty()) {
        (true, _) => recorded_minors(root)?,
        (false, true) => DEFAULT_MINORS.map(String::from).to_vec(),
        (false, false) => minors,
    };
    let python = python_tools()?;
    let mut failed = Vec::new();
    for minor in &minors {
        let version = recorded_version(root, minor)?;
        let spec = root.join(format!("generated/openapi/flink-rest-{minor}.json"));
        let fixtures = root.join("contract-tests/fixtures").join(&version);
        let out = root.join("target/generators").join(minor);
        println!(
            "== {minor}: the Python generators on {}, every answer of {version}",
            rel(root, &spec)
        );
        let status = Command::new(python.join("bin/python"))
            .arg(root.join(PYTHON_HARNESS))
            .args([&spec, &fixtures, &out])
            .status()
            .context("running the Python harness")?;
        match status.code() {
            Some(0) => {}
            Some(1) => failed.push(format!(
                "{minor}: an answer the generated Python does not take"
            )),
            _ => bail!("{minor}: a Python generator could not run (exit {status})"),
        }
    }
    if failed.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("generators failed:\n  {}", failed.join("\n  "));
    Ok(ExitCode::FAILURE)
}

/// The recorded versions: the ledger's.
fn recorded(root: &Path) -> Result<Vec<String>> {
    let file = root.join(flink_rest_codegen::ledger::VERSIONS_FILE);
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    serde_json::from_str(&text).with_context(|| format!("reading {}", file.display()))
}

/// Every recorded minor, oldest first.
fn recorded_minors(root: &Path) -> Result<Vec<String>> {
    Ok(recorded(root)?.iter().map(|v| minor(v)).collect())
}

/// The recorded version of a minor (`1.20` -> `1.20.3`).
fn recorded_version(root: &Path, minor_wanted: &str) -> Result<String> {
    match recorded(root)?
        .into_iter()
        .find(|v| minor(v) == minor_wanted)
    {
        Some(v) => Ok(v),
        None => bail!(
            "no recorded version of {minor_wanted} (the minors: {})",
            recorded_minors(root)?.join(", ")
        ),
    }
}

/// A virtualenv with the Python generators, made once per set of pins.
fn python_tools() -> Result<PathBuf> {
    let key: Vec<String> = PYTHON.iter().map(|(n, v)| format!("{n}-{v}")).collect();
    let venv = contract_tests::flink::cache_root()
        .join("tools")
        .join(format!("python-{}", key.join("+")));
    let marker = venv.join("installed");
    if marker.exists() {
        return Ok(venv);
    }
    println!("installing {} into {}", key.join(", "), venv.display());
    let _ = std::fs::remove_dir_all(&venv);
    let ok = |c: &mut Command| c.status().is_ok_and(|s| s.success());
    if !ok(Command::new("python3").args(["-m", "venv"]).arg(&venv)) {
        bail!("python3 -m venv {} failed", venv.display());
    }
    let pins = PYTHON.iter().map(|(n, v)| format!("{n}=={v}"));
    let pip = venv.join("bin/pip");
    if !ok(Command::new(&pip)
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(pins))
    {
        bail!("pip install of the Python generators failed");
    }
    std::fs::write(&marker, key.join("\n"))?;
    Ok(venv)
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
