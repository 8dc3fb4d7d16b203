//! `cargo xtask …`: the project's own commands (see `cargo xtask --help`).

mod flink;
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
    /// Start or stop a local Flink cluster of one version.
    Flink {
        #[command(subcommand)]
        action: FlinkAction,
    },
    /// Time `gen` in-process (no file I/O) over many runs and report the distribution.
    Bench {
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
}

#[derive(Subcommand)]
enum FlinkAction {
    /// Download (cached), assemble, configure and start; print the base URL when ready.
    Up {
        #[arg(long)]
        version: String,
        /// REST port (default: 18000 + 100·major + minor).
        #[arg(long)]
        port: Option<u16>,
    },
    /// Stop the cluster of that version (only processes this harness started).
    Down {
        #[arg(long)]
        version: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.clone().unwrap_or_else(workspace_root);
    let result = match cli.command {
        Command::Import => gen::import(&root),
        Command::Gen { check } => gen::gen(&root, check),
        Command::Bench { runs } => gen::bench(&root, runs),
        Command::Flink { action } => match action {
            FlinkAction::Up { version, port } => flink::Cluster::new(&root, &version, port)
                .and_then(|c| {
                    let took = c.up()?;
                    eprintln!("Flink {version} ready in {:.1} s", took.as_secs_f64());
                    println!("{}", c.base_url());
                    Ok(ExitCode::SUCCESS)
                }),
            FlinkAction::Down { version } => flink::Cluster::new(&root, &version, None)
                .and_then(|c| c.down().map(|()| ExitCode::SUCCESS)),
        },
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
