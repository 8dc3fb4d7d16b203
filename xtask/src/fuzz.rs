//! `cargo xtask fuzz`: short libFuzzer runs of the targets in `codegen/fuzz/`, from a seed corpus made of
//! the repository's own inputs (every source's endpoints, their schemas, every recorded answer) and the
//! hand-made pages in `codegen/fuzz/seeds/`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

/// The fuzz crate, its build and its corpora.
const FUZZ_DIR: &str = "codegen/fuzz";
const BUILD_DIR: &str = "target/fuzz/build";
const CORPUS_DIR: &str = "target/fuzz/corpus";
/// The cargo-fuzz this project runs (installed when missing).
const CARGO_FUZZ: &str = "0.13.2";
/// Recorded answers larger than this are left out of the decode seeds (each input is tried as ~50
/// types; the big ones only slow the run).
const MAX_SEED_BYTES: usize = 64 * 1024;

/// The targets, in the order they run.
pub const TARGETS: [&str; 3] = ["import", "pipeline", "decode"];

/// What one run did, read off libFuzzer's final lines.
#[derive(Debug, Default, PartialEq)]
struct Stats {
    runs: u64,
    coverage: u64,
    corpus: u64,
}

pub fn run(root: &Path, targets: &[String], seconds: u64) -> Result<ExitCode> {
    for t in targets {
        if !TARGETS.contains(&t.as_str()) {
            bail!("no fuzz target {t}; the targets are {}", TARGETS.join(", "));
        }
    }
    ensure_cargo_fuzz()?;
    let mut failed = Vec::new();
    for target in targets {
        let corpus = root.join(CORPUS_DIR).join(target);
        let seeds = write_seeds(root, target, &corpus)?;
        println!("fuzz {target}: {seeds} seeds, {seconds} s");
        match fuzz(root, target, &corpus, seconds)? {
            Ok(s) => println!(
                "fuzz {target}: {} runs in {seconds} s ({}/s), coverage {} edges, corpus {}, no failure",
                s.runs,
                s.runs / seconds.max(1),
                s.coverage,
                s.corpus
            ),
            Err(report) => {
                eprintln!("fuzz {target}: FAILED\n{report}");
                failed.push(target.as_str());
            }
        }
    }
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("failing targets: {}", failed.join(", "));
        Ok(ExitCode::FAILURE)
    }
}

fn ensure_cargo_fuzz() -> Result<()> {
    let have = Command::new("cargo").args(["fuzz", "--version"]).output();
    if have.is_ok_and(|o| {
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains(CARGO_FUZZ)
    }) {
        return Ok(());
    }
    println!("installing cargo-fuzz {CARGO_FUZZ}");
    let status = Command::new("cargo")
        .args(["install", "cargo-fuzz", "--locked", "--version", CARGO_FUZZ])
        .status()
        .context("running cargo install")?;
    if !status.success() {
        bail!("cargo install cargo-fuzz {CARGO_FUZZ} failed");
    }
    Ok(())
}

/// One target for `seconds`: its stats, or what libFuzzer said when it found a failure.
fn fuzz(root: &Path, target: &str, corpus: &Path, seconds: u64) -> Result<Result<Stats, String>> {
    let log = root.join("target/fuzz").join(format!("{target}.log"));
    let mut args: Vec<String> = [
        "fuzz",
        "run",
        "--fuzz-dir",
        FUZZ_DIR,
        "--target-dir",
        BUILD_DIR,
    ]
    .map(String::from)
    .into();
    // No sanitizer (the code is safe Rust; libFuzzer's coverage is what finds panics), with debug
    // assertions and overflow checks on.
    args.extend(["-s", "none", "-a", target].map(String::from));
    args.push(corpus.display().to_string());
    args.push("--".into());
    args.push(format!("-max_total_time={seconds}"));
    args.push("-print_final_stats=1".into());
    args.push(format!(
        "-artifact_prefix={}/",
        root.join("target/fuzz").display()
    ));
    let dict = root.join(FUZZ_DIR).join("fuzz.dict");
    if target != "decode" {
        args.push(format!("-dict={}", dict.display()));
    }
    let out = std::fs::File::create(&log).with_context(|| log.display().to_string())?;
    let status = Command::new("cargo")
        .args(&args)
        .current_dir(root)
        // cargo-fuzz passes -Z flags; this lets the stable toolchain take them.
        .env("RUSTC_BOOTSTRAP", "1")
        .stdout(out.try_clone()?)
        .stderr(out)
        .status()
        .context("running cargo fuzz")?;
    let text = std::fs::read_to_string(&log).with_context(|| log.display().to_string())?;
    if status.success() {
        return Ok(Ok(stats(&text)));
    }
    let tail: Vec<&str> = text.lines().rev().take(40).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Ok(Err(format!(
        "(all of it in {})\n{}",
        log.display(),
        tail.join("\n")
    )))
}

/// libFuzzer's `stat::number_of_executed_units`, and `cov:` / `corp:` of its last status line.
fn stats(log: &str) -> Stats {
    let mut s = Stats::default();
    for line in log.lines() {
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            s.runs = n.trim().parse().unwrap_or(0);
        }
        if line.starts_with('#') {
            let field = |name: &str| {
                let rest = line.split(name).nth(1)?;
                let n = rest.split_whitespace().next()?;
                n.split('/').next()?.parse().ok()
            };
            s.coverage = field("cov: ").unwrap_or(s.coverage);
            s.corpus = field("corp: ").unwrap_or(s.corpus);
        }
    }
    s
}

/// Writes the target's seeds into its corpus (named by content, so rerunning adds nothing twice);
/// returns how many there are.
fn write_seeds(root: &Path, target: &str, corpus: &Path) -> Result<usize> {
    let mut seeds: BTreeSet<Vec<u8>> = BTreeSet::new();
    match target {
        "import" => {
            for (_, text) in sources(root)? {
                seeds.extend(endpoint_blocks(&text).into_iter().map(String::into_bytes));
            }
        }
        "pipeline" => {
            for (_, text) in sources(root)? {
                seeds.extend(schemas(&text).into_iter().map(String::into_bytes));
            }
        }
        "decode" => seeds.extend(answers(root)?),
        other => bail!("no fuzz target {other}"),
    }
    let own = root.join(FUZZ_DIR).join("seeds").join(target);
    if own.is_dir() {
        for entry in std::fs::read_dir(&own)? {
            let path = entry?.path();
            seeds.insert(std::fs::read(&path).with_context(|| path.display().to_string())?);
        }
    }
    std::fs::create_dir_all(corpus)?;
    for seed in &seeds {
        let path = corpus.join(format!("seed-{:016x}", fnv(seed)));
        std::fs::write(&path, seed).with_context(|| path.display().to_string())?;
    }
    Ok(seeds.len())
}

/// Every source's text: the 1.10 page and each minor's docs html.
fn sources(root: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut files = vec![root.join("schemas/source/flink-1.10-monitoring-rest-api.txt")];
    for entry in std::fs::read_dir(root.join("schemas/source/flink-docs"))? {
        let html = entry?.path().join("rest_v1_dispatcher.html");
        if html.is_file() {
            files.push(html);
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).with_context(|| f.display().to_string())?;
            Ok((f, text))
        })
        .collect()
}

/// Each endpoint of a source as a source of its own: an html `<table>`, or a page block from its path
/// line to the next (with the heading the page reader looks for).
fn endpoint_blocks(text: &str) -> Vec<String> {
    if text.contains("<table") {
        return text
            .split("<table")
            .skip(1)
            .filter_map(|t| t.split_once("</table>"))
            .map(|(table, _)| format!("<table{table}</table>\n"))
            .collect();
    }
    let lines: Vec<&str> = text.lines().collect();
    let starts: Vec<usize> = (0..lines.len().saturating_sub(1))
        .filter(|&i| lines[i].starts_with('/') && lines[i + 1].starts_with("Verb: "))
        .collect();
    let ends = starts.iter().skip(1).copied().chain([lines.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&s, e)| format!("API\n{}\n", lines[s..e].join("\n")))
        .collect()
}

/// Every JSON schema of an html source (the `<pre><code>` blocks), unescaped.
fn schemas(text: &str) -> Vec<String> {
    text.split("<pre><code>")
        .skip(1)
        .filter_map(|t| t.split_once("</code></pre>"))
        .map(|(code, _)| unescape(code))
        .filter(|code| code.len() > 2)
        .collect()
}

fn unescape(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every recorded answer body (JSON), as the server sent it, up to [`MAX_SEED_BYTES`].
fn answers(root: &Path) -> Result<BTreeSet<Vec<u8>>> {
    let mut out = BTreeSet::new();
    for version in std::fs::read_dir(root.join("contract-tests/fixtures"))? {
        for (_, exchange) in contract_tests::fixture::load_dir(&version?.path())? {
            if let Some(body) = exchange.response.body.as_ref().filter(|b| !b.is_null()) {
                let bytes = serde_json::to_vec(body)?;
                if bytes.len() <= MAX_SEED_BYTES {
                    out.insert(bytes);
                }
            }
        }
    }
    Ok(out)
}

/// FNV-1a, 64 bits: a stable file name for a seed.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libfuzzer_final_lines_give_runs_coverage_and_corpus() {
        let log = "INFO: Seed: 1\n#2\tINITED cov: 10 ft: 12 corp: 3/120b exec/s: 0 rss: 30Mb\n\
                   #4096\tpulse  cov: 55 ft: 80 corp: 9/1Kb lim: 43 exec/s: 2048 rss: 31Mb\n\
                   Done 5000 runs in 2 second(s)\nstat::number_of_executed_units: 5000\n";
        assert_eq!(
            stats(log),
            Stats {
                runs: 5000,
                coverage: 55,
                corpus: 9
            }
        );
    }

    #[test]
    fn a_page_splits_into_one_source_per_endpoint() {
        let page = "Intro\n/a\nVerb: GET\nx\n/b/:id\nVerb: POST\ny\n";
        assert_eq!(
            endpoint_blocks(page),
            ["API\n/a\nVerb: GET\nx\n", "API\n/b/:id\nVerb: POST\ny\n"]
        );
        let html = "<table class=\"t\"><tr>1</tr></table>\n<table><tr>2</tr></table>";
        assert_eq!(
            endpoint_blocks(html),
            [
                "<table class=\"t\"><tr>1</tr></table>\n",
                "<table><tr>2</tr></table>\n"
            ]
        );
        assert_eq!(
            schemas("<pre><code>{ &quot;a&quot; : 1 }</code></pre><pre><code>{}</code></pre>"),
            ["{ \"a\" : 1 }"]
        );
    }
}
