//! `cargo xtask gen --check`: passes on this repository, and fails, naming the command, when stale.

use std::fs;
use std::path::Path;
use std::process::Command;

fn xtask(root: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("xtask runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn checked_in_generated_files_are_fresh() {
    let (code, text) = xtask(repo(), &["gen", "--check"]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn check_fails_on_stale_missing_and_extra_files_and_gen_repairs_them() {
    let dir = std::env::temp_dir().join(format!("flink-rest-gen-check-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    for rel in [
        "schemas/source/flink-1.10-monitoring-rest-api.txt",
        "schemas/names.json",
    ] {
        fs::create_dir_all(dir.join(rel).parent().unwrap()).unwrap();
        fs::copy(repo().join(rel), dir.join(rel)).unwrap();
    }
    let (code, text) = xtask(&dir, &["gen", "--check"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("run `cargo xtask gen`"), "{text}");
    assert!(!dir.join("generated").exists(), "--check wrote files");

    let (code, text) = xtask(&dir, &["gen"]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = xtask(&dir, &["gen", "--check"]);
    assert_eq!(code, 0, "{text}");

    let spec = dir.join("generated/openapi/flink-rest-documented.json");
    fs::write(&spec, "{}").unwrap();
    fs::write(dir.join("generated/openapi/left-over.json"), "{}").unwrap();
    let (code, text) = xtask(&dir, &["gen", "--check"]);
    assert_eq!(code, 1);
    assert!(
        text.contains("generated/openapi/flink-rest-documented.json"),
        "{text}"
    );
    assert!(
        text.contains("left-over.json (no longer generated)"),
        "{text}"
    );

    let (code, _) = xtask(&dir, &["gen"]);
    assert_eq!(code, 0);
    assert!(!dir.join("generated/openapi/left-over.json").exists());
    let (code, text) = xtask(&dir, &["gen", "--check"]);
    assert_eq!(code, 0, "{text}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_reported_not_panicked() {
    let dir = std::env::temp_dir().join(format!("flink-rest-gen-bad-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("schemas/source")).unwrap();
    fs::copy(
        repo().join("schemas/names.json"),
        dir.join("schemas/names.json"),
    )
    .unwrap();
    let page = fs::read_to_string(repo().join("schemas/source/flink-1.10-monitoring-rest-api.txt"))
        .unwrap()
        .replace("Verb: PATCH", "Verb: PATCHY")
        .replacen("\"type\" : \"integer\"", "\"type\" : \"int\"", 1);
    fs::write(
        dir.join("schemas/source/flink-1.10-monitoring-rest-api.txt"),
        page,
    )
    .unwrap();
    let (code, text) = xtask(&dir, &["gen"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("3 problems found"), "{text}");
    assert!(text.contains("unknown verb \"PATCHY\""), "{text}");
    assert!(
        text.contains(":60 [GET /config] at /properties/refresh-interval/type"),
        "{text}"
    );
    assert!(!text.contains("panicked"), "{text}");
    fs::remove_dir_all(&dir).unwrap();
}
