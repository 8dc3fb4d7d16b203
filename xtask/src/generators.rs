//! `cargo xtask generators`: OpenAPI generators nobody here wrote, fed the corrected specs; their
//! output must take every recorded answer of the spec's version.
//!
//! Each generator is installed pinned, once, under the tool cache (`~/.cache/flink-rest/tools/`,
//! keyed by the pins). The Python ones (openapi-python-client's client, datamodel-code-generator's
//! pydantic models) run in `contract-tests/generators/python_clients.py`, which parses each recorded
//! answer with the generated code; the Rust ones (progenitor, typify, openapi-generator's `rust`) must
//! give crates that compile.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};
use flink_rest_codegen::ledger::minor;
use serde_json::Value;

/// The Python generators and what their output needs, pinned (`pip install name==version`).
const PYTHON: [(&str, &str); 5] = [
    ("openapi-python-client", "0.29.1"),
    ("openapi-generator-cli", "7.26.0"),
    ("datamodel-code-generator", "0.97.0"),
    ("pydantic", "2.14.4"),
    ("httpx", "0.28.1"),
];
/// The harness that generates with them and parses the fixtures.
const PYTHON_HARNESS: &str = "contract-tests/generators/python_clients.py";
/// The minors checked unless `--all` or named: the last 1.x and the newest.
const DEFAULT_MINORS: [&str; 2] = ["1.20", "2.3"];

/// Runs every generator on the corrected spec of each minor (none: the default ones; `all`: every
/// recorded one); exit 1 if any output fails.
pub fn run(root: &Path, minors: Vec<String>, all: bool) -> Result<ExitCode> {
    let minors = match (all, minors.is_empty()) {
        (true, _) => recorded_minors(root)?,
        (false, true) => DEFAULT_MINORS.map(String::from).to_vec(),
        (false, false) => minors,
    };
    let tools = Tools {
        python: python_tools()?,
        harness: root.join(PYTHON_HARNESS),
        progenitor: cargo_tool("cargo-progenitor", PROGENITOR)?,
        typify: cargo_tool("cargo-typify", TYPIFY)?,
        target: root.join("target/generators/target"),
    };
    let mut failed = Vec::new();
    for minor in &minors {
        let case = Case::new(root, minor)?;
        for generator in &GENERATORS {
            println!("== {minor}: {}", generator.name);
            match (generator.run)(&tools, &case) {
                Ok(true) => {}
                Ok(false) => failed.push(format!("{minor}: {}", generator.name)),
                Err(e) => failed.push(format!("{minor}: {} could not run: {e:#}", generator.name)),
            }
        }
    }
    if failed.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("generators failed:\n  {}", failed.join("\n  "));
    Ok(ExitCode::FAILURE)
}

/// One generator of the matrix: what it is and how its output for one minor is made and checked
/// (`Ok(false)`: the output fails; it has said how).
struct Generator {
    name: &'static str,
    run: fn(&Tools, &Case) -> Result<bool>,
}

const GENERATORS: [Generator; 4] = [
    Generator {
        name: "openapi-python-client and datamodel-code-generator: every recorded answer parses",
        run: python,
    },
    Generator {
        name: "progenitor: its client compiles",
        run: progenitor,
    },
    Generator {
        name: "typify: its types compile",
        run: typify,
    },
    Generator {
        name: "openapi-generator (rust): its client compiles",
        run: openapi_generator,
    },
];

/// progenitor and cargo-typify, pinned (`cargo install --locked --version`).
const PROGENITOR: &str = "0.15.1";
const TYPIFY: &str = "0.8.0";

/// Where each installed generator is.
struct Tools {
    /// The virtualenv of the Python generators (and openapi-generator's jar, from PyPI).
    python: PathBuf,
    /// The Python harness.
    harness: PathBuf,
    progenitor: PathBuf,
    typify: PathBuf,
    /// One cargo target directory for every generated crate: their dependencies build once.
    target: PathBuf,
}

/// One minor's inputs and its scratch directory.
struct Case {
    version: String,
    /// The corrected spec (3.1) and its 3.0.3 rendering.
    spec: PathBuf,
    spec30: PathBuf,
    /// The 3.0 rendering as the Rust client generators take it (see [`Case::rust_ready`]).
    rust_ready: PathBuf,
    fixtures: PathBuf,
    out: PathBuf,
}

impl Case {
    fn new(root: &Path, minor: &str) -> Result<Case> {
        let version = recorded_version(root, minor)?;
        let out = root.join("target/generators").join(minor);
        std::fs::create_dir_all(&out)?;
        let spec30 = root.join(format!("generated/openapi/3.0/flink-rest-{minor}.json"));
        Ok(Case {
            spec: root.join(format!("generated/openapi/flink-rest-{minor}.json")),
            rust_ready: Case::rust_ready(&spec30, &out)?,
            spec30,
            fixtures: root.join("contract-tests/fixtures").join(&version),
            out,
            version,
        })
    }

    /// The 3.0 rendering as the Rust client generators take it: without the operations whose body is
    /// multipart (progenitor takes none; openapi-generator's Rust template names a multipart part's
    /// model `models::models::…`) and without the bodyless 413 (progenitor wants one error type).
    fn rust_ready(spec30: &Path, out: &Path) -> Result<PathBuf> {
        let mut spec: Value = read_json(spec30)?;
        if let Some(Value::Object(paths)) = spec.get_mut("paths") {
            for ops in paths.values_mut().filter_map(Value::as_object_mut) {
                ops.retain(|_, op| {
                    op.pointer("/requestBody/content/multipart~1form-data")
                        .is_none()
                });
                for op in ops.values_mut() {
                    if let Some(Value::Object(r)) = op.get_mut("responses") {
                        r.remove("413");
                    }
                }
            }
            paths.retain(|_, ops| ops.as_object().is_some_and(|o| !o.is_empty()));
        }
        let path = out.join("rust-ready.json");
        std::fs::write(&path, serde_json::to_string(&spec)?)?;
        Ok(path)
    }
}

fn python(tools: &Tools, case: &Case) -> Result<bool> {
    let status = Command::new(tools.python.join("bin/python"))
        .arg(&tools.harness)
        .args([&case.spec, &case.fixtures, &case.out.join("python")])
        .status()
        .context("running the Python harness")?;
    match status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => bail!(
            "a Python generator could not run (exit {status}) on {}",
            case.version
        ),
    }
}

fn progenitor(tools: &Tools, case: &Case) -> Result<bool> {
    let out = case.out.join("progenitor");
    let _ = std::fs::remove_dir_all(&out);
    let mut generate = Command::new(&tools.progenitor);
    generate.args([
        "progenitor",
        "--name",
        "flink_progenitor",
        "--version",
        "0.0.0",
    ]);
    generate
        .arg("--input")
        .arg(&case.rust_ready)
        .arg("--output")
        .arg(&out);
    quietly(&mut generate, "cargo progenitor")?;
    standalone(&out, |manifest| manifest)?;
    compiles(tools, &out)
}

fn typify(tools: &Tools, case: &Case) -> Result<bool> {
    // A JSON Schema of the 3.0 rendering's schemas (one name per field, as Rust needs).
    let spec: Value = read_json(&case.spec30)?;
    let schemas = spec
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_default();
    let text = serde_json::to_string(&serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": schemas,
    }))?
    .replace("#/components/schemas/", "#/definitions/");
    let out = case.out.join("typify");
    std::fs::create_dir_all(out.join("src"))?;
    let input = case.out.join("typify.json");
    std::fs::write(&input, text)?;
    std::fs::write(out.join("Cargo.toml"), TYPIFY_CRATE)?;
    standalone(&out, |manifest| manifest)?;
    let mut generate = Command::new(&tools.typify);
    generate
        .arg("typify")
        .arg(&input)
        .arg("--output")
        .arg(out.join("src/lib.rs"));
    quietly(&mut generate, "cargo typify")?;
    compiles(tools, &out)
}

/// The crate around typify's output: what its code uses.
const TYPIFY_CRATE: &str = r#"[package]
name = "flink_typify"
version = "0.0.0"
edition = "2021"

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
regress = "0.10"
"#;

fn openapi_generator(tools: &Tools, case: &Case) -> Result<bool> {
    let out = case.out.join("openapi-generator");
    let _ = std::fs::remove_dir_all(&out);
    let mut generate = Command::new(tools.python.join("bin/openapi-generator-cli"));
    generate.args([
        "generate",
        "--generator-name",
        "rust",
        "--package-name",
        "flink_openapi_generator",
    ]);
    generate
        .arg("--input-spec")
        .arg(&case.rust_ready)
        .arg("--output")
        .arg(&out);
    quietly(&mut generate, "openapi-generator-cli generate")?;
    // Built with rustls (no OpenSSL needed).
    standalone(&out, |m| {
        m.replace("default = [\"native-tls\"]", "default = [\"rustls\"]")
    })?;
    compiles(tools, &out)
}

/// A generated crate's manifest, edited, as a workspace of its own (it lies under this repository's).
fn standalone(krate: &Path, edit: impl FnOnce(String) -> String) -> Result<()> {
    let manifest = krate.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    std::fs::write(&manifest, edit(text) + "\n[workspace]\n")?;
    Ok(())
}

/// Runs a generator; its output is shown only when it fails.
fn quietly(command: &mut Command, what: &str) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("running {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// `cargo check` of a generated crate; its errors are printed when it does not compile.
fn compiles(tools: &Tools, krate: &Path) -> Result<bool> {
    let output = Command::new("cargo")
        .args(["check", "--quiet", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &tools.target)
        .output()
        .context("running cargo check")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    if output.status.success() {
        println!("compiles ({})", krate.display());
        return Ok(true);
    }
    println!("does not compile: {} errors\n{stderr}", errors.len());
    Ok(false)
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))
}

/// A cargo-installed generator, pinned, under the tool cache.
fn cargo_tool(name: &str, version: &str) -> Result<PathBuf> {
    let root = contract_tests::flink::cache_root()
        .join("tools")
        .join(format!("{name}-{version}"));
    let bin = root.join("bin").join(name);
    if bin.exists() {
        return Ok(bin);
    }
    println!(
        "installing {name} {version} into {} (minutes, once)",
        root.display()
    );
    let status = Command::new("cargo")
        .args([
            "install",
            "--locked",
            "--quiet",
            name,
            "--version",
            version,
            "--root",
        ])
        .arg(&root)
        .status()
        .with_context(|| format!("running cargo install {name}"))?;
    if !status.success() || !bin.exists() {
        bail!("cargo install {name} {version} failed");
    }
    Ok(bin)
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
