//! The crate's examples run as the programs they are (`cargo run -p flink-rest --example`), for the
//! tests that drive a real or an emulated Flink with them.

use std::path::Path;
use std::process::Command;

use anyhow::{ensure, Result};

/// Runs example `name` with `args` and the environment `env` (`FLINK_REST_URL` …) from the workspace at
/// `root`; its standard output, also echoed to stderr line by line. Fails with its exit status and
/// both outputs. (From a multi-threaded tokio runtime it lets the runtime's other tasks go on.)
pub fn run(root: &Path, name: &str, args: &[&str], env: &[(&str, &str)]) -> Result<String> {
    let out = tokio::task::block_in_place(|| {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.current_dir(root)
            .args(["run", "-q", "-p", "flink-rest", "--example", name, "--"])
            .args(args);
        cmd.envs(env.iter().copied()).output()
    })?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    ensure!(
        out.status.success(),
        "example {name} {args:?} failed ({}):\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    eprint!(
        "{}",
        (stdout.lines())
            .map(|l| format!("    {name}> {l}\n"))
            .collect::<String>()
    );
    Ok(stdout)
}
