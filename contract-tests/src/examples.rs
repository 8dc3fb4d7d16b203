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

/// What the `operator` example printed about `job`, run with two checkpoints to watch: the job listed
/// running, each of its vertices with a back-pressure level, two checkpoints that ended, the savepoint,
/// the stop, and the states it went through ending in FINISHED.
pub fn check_operator(out: &str, job: &str) -> Result<()> {
    let lines: Vec<&str> = out.lines().collect();
    fn with<'a>(lines: &'a [&'a str], prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        lines.iter().copied().filter(move |l| l.starts_with(prefix))
    }
    ensure!(
        with(&lines, &format!("job {job} RUNNING")).count() == 1,
        "the job listed running:\n{out}"
    );
    // A level, or (before Flink has sampled one) its status in parentheses.
    let level = |l: &str| {
        let said = l.split("back pressure ").nth(1).unwrap_or_default();
        ["ok ", "low ", "high ", "("]
            .iter()
            .any(|lv| said.starts_with(lv))
    };
    ensure!(
        with(&lines, "vertex ").count() >= 2 && with(&lines, "vertex ").all(level),
        "every vertex with its back pressure:\n{out}"
    );
    let checkpoints: Vec<&str> = with(&lines, "checkpoint ").collect();
    ensure!(
        checkpoints.len() == 2
            && checkpoints
                .iter()
                .all(|l| l.contains(" COMPLETED ") || l.contains(" FAILED ")),
        "two checkpoints that ended:\n{out}"
    );
    ensure!(
        with(&lines, "savepoint file:").count() == 1,
        "the savepoint:\n{out}"
    );
    ensure!(
        with(&lines, "stopped, final savepoint file:").count() == 1,
        "the stop:\n{out}"
    );
    ensure!(
        lines.last() == Some(&"state FINISHED"),
        "its last state FINISHED:\n{out}"
    );
    Ok(())
}
