//! The scenario job's program (`contract-tests/job/FlinkRestScenario.java`): what its arguments make
//! it do. One description for the three that must agree: the Java job reads these flags, the
//! scenario's steps pass them (`Program::args`), and the emulator behaves as they say
//! (`Program::parse`). A test in the contract tests checks the Java source's flags against
//! [`FLAGS`].

/// What the job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    /// Runs until stopped or cancelled (no arguments).
    Unbounded,
    /// Emits this many records, then finishes.
    Count(u64),
    /// Throws after this many records in its keyed map, restarts off: a failed job.
    FailAfter(u64),
    /// Every source subtask throws after 1000 records; restarted this many times (2 s apart), then
    /// failed for good.
    Restarts(u64),
    /// Snapshots take this many ms; checkpoints time out after 1 s, failures tolerated.
    SlowCheckpoints(u64),
}

/// Every flag the job reads that sets its program (the Java job's other one, `--write-jobgraph`,
/// writes its graph instead of running).
pub const FLAGS: [&str; 4] = [
    "--count",
    "--fail-after",
    "--restarts",
    "--slow-checkpoints",
];

impl Program {
    /// Its program arguments.
    pub fn args(self) -> Vec<String> {
        let (flag, n) = match self {
            Program::Unbounded => return Vec::new(),
            Program::Count(n) => (FLAGS[0], n),
            Program::FailAfter(n) => (FLAGS[1], n),
            Program::Restarts(n) => (FLAGS[2], n),
            Program::SlowCheckpoints(ms) => (FLAGS[3], ms),
        };
        vec![flag.to_string(), n.to_string()]
    }

    /// What these program arguments make the job do (unknown ones: it runs unbounded).
    pub fn parse(args: &[String]) -> Program {
        let n = || args.get(1).and_then(|n| n.parse().ok()).unwrap_or(0);
        match args.first().map(String::as_str) {
            Some(f) if f == FLAGS[0] => Program::Count(n()),
            Some(f) if f == FLAGS[1] => Program::FailAfter(n()),
            Some(f) if f == FLAGS[2] => Program::Restarts(n()),
            Some(f) if f == FLAGS[3] => Program::SlowCheckpoints(n()),
            _ => Program::Unbounded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_read_back_as_the_program() {
        for p in [
            Program::Unbounded,
            Program::Count(500),
            Program::FailAfter(200),
            Program::Restarts(2),
            Program::SlowCheckpoints(1500),
        ] {
            assert_eq!(Program::parse(&p.args()), p);
        }
    }
}
