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

/// A bare checkout: the inputs only (every source, the names, the crate's hand-written files), no
/// ledger, nothing generated.
fn inputs_only(dir: &Path) {
    let _ = fs::remove_dir_all(dir);
    copy_tree(&repo().join("schemas/source"), &dir.join("schemas/source"));
    fs::copy(
        repo().join("schemas/names.json"),
        dir.join("schemas/names.json"),
    )
    .unwrap();
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn checked_in_generated_files_are_fresh() {
    let (code, text) = xtask(repo(), &["gen", "--check"]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn check_fails_on_stale_missing_and_extra_files_and_gen_repairs_them() {
    let dir = std::env::temp_dir().join(format!("flink-rest-gen-check-{}", std::process::id()));
    inputs_only(&dir);
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
    inputs_only(&dir);
    let page = fs::read_to_string(repo().join("schemas/source/flink-1.10-monitoring-rest-api.txt"))
        .unwrap()
        .replace("Verb: PATCH", "Verb: PATCHY")
        .replacen("\"type\" : \"integer\"", "\"type\" : \"int\"", 1);
    fs::write(
        dir.join("schemas/source/flink-1.10-monitoring-rest-api.txt"),
        page,
    )
    .unwrap();
    let html = "schemas/source/flink-docs/2.3/rest_v1_dispatcher.html";
    let docs = fs::read_to_string(repo().join(html))
        .unwrap()
        .replace("Verb: <code>PUT</code>", "Verb: <code>PUTS</code>");
    fs::write(dir.join(html), docs).unwrap();
    let (code, text) = xtask(&dir, &["gen"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("4 problems found"), "{text}");
    assert!(
        text.contains(
            "rest_v1_dispatcher.html:4582 [PUTS /jobs/:jobid/resource-requirements]: unknown verb"
        ),
        "{text}"
    );
    assert!(text.contains("unknown verb \"PATCHY\""), "{text}");
    assert!(
        text.contains(":60 [GET /config] at /properties/refresh-interval/type"),
        "{text}"
    );
    assert!(!text.contains("panicked"), "{text}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_type_renamed_in_the_data_generates_under_its_new_name_with_every_ledger_entry_fitting() {
    let dir = std::env::temp_dir().join(format!("flink-rest-rename-{}", std::process::id()));
    inputs_only(&dir);
    copy_tree(&repo().join("schemas/ledger"), &dir.join("schemas/ledger"));
    let before = fs::read_to_string(dir.join("schemas/ledger/fields.json")).unwrap();
    assert!(before.contains("\"JobVertexDetails\""));
    let (code, text) = xtask(&dir, &["rename", "JobVertexDetails", "VertexDetails"]);
    assert_eq!(code, 0, "{text}");
    let types = fs::read_to_string(dir.join("flink-rest/src/generated/types.rs")).unwrap();
    assert!(types.contains("pub struct VertexDetails {"), "renamed");
    assert!(
        !types.contains("JobVertexDetails "),
        "nothing keeps the old name"
    );
    assert!(
        types.contains("pub struct JobVertexDetailsInfo"),
        "longer names stay"
    );
    let after = fs::read_to_string(dir.join("schemas/ledger/fields.json")).unwrap();
    assert!(!after.contains("\"JobVertexDetails\"") && after.contains("\"VertexDetails\""));
    // Taken or invalid names are refused, and nothing is written.
    let (code, text) = xtask(&dir, &["rename", "VertexDetails", "JobDetailsInfo"]);
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("already"), "{text}");
    let (code, text) = xtask(&dir, &["rename", "VertexDetails", "Vec"]);
    assert_ne!(code, 0, "{text}");
    fs::remove_dir_all(&dir).unwrap();
}
