//! `cargo xtask …`: the project's own commands (see `cargo xtask --help`).

mod gen;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "flink-rest project tasks", long_about = None)]
struct Cli {
    /// The repository to work on (default: the one this xtask was built from).
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse the documentation page into schemas/documented/.
    Import,
    /// Regenerate schemas/documented/, the OpenAPI documents and the flink-rest sources.
    Gen {
        /// Write nothing; exit 1 and name what is stale if anything is.
        #[arg(long)]
        check: bool,
    },
    /// Time `gen` in-process (no file I/O) over many runs and report the distribution.
    Bench {
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.clone().unwrap_or_else(workspace_root);
    let result = match cli.command {
        Command::Import => gen::import(&root),
        Command::Gen { check } => gen::gen(&root, check),
        Command::Bench { runs } => gen::bench(&root, runs),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The repository root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
