//! Hand-written code names endpoint/verb pairs as values (`flink_rest::Pair::GetJob`), never as
//! strings (`"GET /jobs/:jobid"`): a typo in a string is silently a pair no one serves, a typo in a
//! value does not compile. Checked over the hand-written sources of the crate, the contract tests,
//! the emulator and xtask (their unit tests, which assert on wire text, aside; codegen makes the
//! vocabulary from the docs' own strings).

use std::path::{Path, PathBuf};

use flink_rest::Pair;
use regex::Regex;

const DIRS: [&str; 4] = [
    "flink-rest/src",
    "contract-tests/src",
    "emulator/src",
    "xtask/src",
];

/// A string literal that looks like a pair's key (`"GET /jobs/:jobid"`); its text captured.
fn pair_literal() -> Regex {
    Regex::new(r#""((?:GET|POST|PUT|PATCH|DELETE) /[^"\s]*)""#).unwrap()
}

#[test]
fn no_pair_is_named_by_a_string_in_hand_written_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let literal = pair_literal();
    let mut files = Vec::new();
    for dir in DIRS {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 40, "only {} files found", files.len());
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        // Up to the unit tests, if any.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, line) in code.lines().enumerate() {
            for m in literal.captures_iter(line) {
                if m[1].parse::<Pair>().is_ok() {
                    let at = file.strip_prefix(root).unwrap_or(file).display();
                    found.push(format!("{at}:{}: {}", i + 1, &m[0]));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "pairs named by strings (name them `flink_rest::Pair::…`):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_a_pair_string() {
    let literal = pair_literal();
    let line = r#"let pair = "GET /jobs/:jobid"; let not = "GET /jobs/:jobid/nothing";"#;
    let pairs: Vec<bool> = (literal.captures_iter(line))
        .map(|m| m[1].parse::<Pair>().is_ok())
        .collect();
    assert_eq!(pairs, [true, false]);
}

/// Every `.rs` file under `dir`, generated ones (under a `generated` folder) aside.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() && !path.ends_with("generated") {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The scenario job's flags: the Java job reads exactly those the steps and the emulator use
/// (`flink_rest_emulator::program::FLAGS`), besides `--write-jobgraph`.
#[test]
fn the_java_job_reads_the_flags_the_steps_and_the_emulator_use() {
    let case = Regex::new(r#"case "(--[a-z-]+)":"#).unwrap();
    let mut read: Vec<&str> = (case.captures_iter(contract_tests::job::SOURCE))
        .map(|c| c.get(1).unwrap().as_str())
        .filter(|f| *f != "--write-jobgraph")
        .collect();
    read.sort_unstable();
    let mut shared = flink_rest_emulator::program::FLAGS.to_vec();
    shared.sort_unstable();
    assert_eq!(read, shared);
}
