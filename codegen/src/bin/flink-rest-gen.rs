//! `cargo run -p flink-rest-codegen -- [--check]`: what `cargo xtask gen` does, from a binary that
//! does not link the crate it generates (xtask does, through the contract tests). When a generator
//! change leaves `flink-rest` not compiling until it is regenerated, this one still runs.

use std::path::Path;
use std::process::ExitCode;

use flink_rest_codegen as codegen;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    codegen::files::generate(root, check).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}
