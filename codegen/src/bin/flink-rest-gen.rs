//! `cargo run -p flink-rest-codegen -- [--check]`: what `cargo xtask gen` does, from a binary that
//! does not link the crate it generates (xtask does, through the contract tests). When a generator
//! change leaves `flink-rest` not compiling until it is regenerated, this one still runs.

use std::path::Path;
use std::process::ExitCode;

use flink_rest_codegen as codegen;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let files = match codegen::Inputs::read(root).map(codegen::outputs) {
        Ok(Ok(files)) => files,
        Ok(Err(problems)) => {
            eprint!("{problems}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match codegen::files::sync(root, &files, &codegen::OWNED_DIRS, check) {
        Ok(stale) if check && !stale.is_empty() => {
            eprintln!("{} generated files are stale:", stale.len());
            stale.iter().for_each(|path| eprintln!("  {path}"));
            ExitCode::FAILURE
        }
        Ok(_) if check => {
            println!("{} generated files are up to date", files.len());
            ExitCode::SUCCESS
        }
        Ok(stale) => {
            println!("{} files generated, {} changed", files.len(), stale.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
