//! `import`, `gen [--check]` and `bench`: the file side of the generator.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use flink_rest_codegen::{self as codegen, Inputs};

pub fn inputs(root: &Path) -> Result<Inputs> {
    Ok(Inputs::read(root)?)
}

pub fn import(root: &Path) -> Result<ExitCode> {
    match codegen::import(&inputs(root)?) {
        Ok(documented) => {
            let mut files = BTreeMap::new();
            for doc in &documented {
                files.extend(codegen::documented_files(doc));
                println!(
                    "{:>5}: {} endpoints, {} named schemas -> schemas/documented/{}/",
                    doc.id,
                    doc.endpoints.len(),
                    doc.types.len(),
                    doc.id
                );
            }
            codegen::files::sync(root, &files, &["schemas/documented"], false)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            eprint!("{problems}");
            Ok(ExitCode::FAILURE)
        }
    }
}

pub fn gen(root: &Path, check: bool) -> Result<ExitCode> {
    let extra = contract_tests::data_schemas();
    let owned = [contract_tests::DATA_SCHEMAS_DIR];
    Ok(codegen::files::generate_with(root, check, extra, &owned)?)
}

/// `cargo xtask rename Old New`: the type renamed in `names.json` and the ledger, everything
/// regenerated; hand-written sources that still name it are listed (theirs to change).
pub fn rename(root: &Path, old: &str, new: &str) -> Result<ExitCode> {
    use flink_rest_codegen::{naming, rename};
    if naming::rust_type_name(new) != new {
        anyhow::bail!(
            "`{new}` cannot be a type's name (as a name: `{}`)",
            naming::rust_type_name(new)
        );
    }
    let types = match codegen::apis(&inputs(root)?) {
        Ok(apis) => apis.merged.types,
        Err(problems) => anyhow::bail!("the inputs do not generate as they are:\n{problems}"),
    };
    if !types.contains_key(old) {
        anyhow::bail!("no generated type is named `{old}`");
    }
    if types.contains_key(new) {
        anyhow::bail!("a generated type is named `{new}` already");
    }
    let names = root.join(codegen::model::NAMES_FILE);
    let text = fs::read_to_string(&names)?;
    fs::write(
        &names,
        rename::names(&text, old, new).map_err(anyhow::Error::msg)?,
    )?;
    for entry in fs::read_dir(root.join(codegen::ledger::DIR))?.flatten() {
        let text = fs::read_to_string(entry.path())?;
        let renamed = rename::whole_name(&text, old, new);
        if renamed != text {
            fs::write(entry.path(), renamed)?;
        }
    }
    let code = gen(root, false)?;
    for dir in [
        "flink-rest/src",
        "flink-rest/examples",
        "contract-tests",
        "emulator/src",
    ] {
        still_named(&root.join(dir), old, root);
    }
    Ok(code)
}

/// Prints each line of a hand-written Rust source under `dir` that names `old`.
fn still_named(dir: &Path, old: &str, root: &Path) {
    let Ok(listing) = fs::read_dir(dir) else {
        return;
    };
    for path in listing.flatten().map(|e| e.path()) {
        if path.is_dir() && !path.ends_with("generated") && !path.ends_with("fixtures") {
            still_named(&path, old, root);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&path).unwrap_or_default();
            for (i, line) in text.lines().enumerate() {
                if flink_rest_codegen::rename::whole_name(line, old, "\u{0}") != line {
                    let at = path.strip_prefix(root).unwrap_or(&path).display();
                    println!("still names {old}: {at}:{}", i + 1);
                }
            }
        }
    }
}

/// Times the whole pipeline in-process, inputs already in memory: what `gen` costs beyond file I/O.
pub fn bench(root: &Path, runs: usize) -> Result<ExitCode> {
    let inputs = inputs(root)?;
    let runs = runs.max(1);
    let mut times = Vec::with_capacity(runs);
    let mut bytes = 0;
    let mut peak = None;
    for run in 0..runs {
        let inputs = inputs.clone();
        let start = Instant::now();
        let files = codegen::outputs(inputs).map_err(|p| anyhow::anyhow!("{p}"))?;
        times.push(start.elapsed());
        bytes = files.values().map(String::len).sum();
        if run == 0 {
            // What one `gen` costs this process, inputs and outputs included.
            peak = peak_rss_kb();
        }
    }
    times.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "gen pipeline, {runs} runs, {bytes} bytes out: min {:.2} ms, median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        ms(times[0]),
        ms(times[runs / 2]),
        ms(times[(runs * 95 / 100).min(runs - 1)]),
        ms(times[runs - 1]),
    );
    match peak {
        Some(kb) => println!("peak RSS after the first run: {:.1} MB", kb as f64 / 1024.0),
        None => println!("peak RSS: not measured (no /proc/self/status)"),
    }
    Ok(ExitCode::SUCCESS)
}

/// This process's peak resident set size so far (`VmHWM`, Linux), in KiB.
fn peak_rss_kb() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
