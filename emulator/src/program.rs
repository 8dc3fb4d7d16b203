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
    /// Its `main` throws before it builds a job: the run fails in the client's code, no job exists.
    FailsInMain,
}

/// Every flag the job reads that sets its program (the Java job's other one, `--write-jobgraph`,
/// writes its graph instead of running). All but the last take a number.
pub const FLAGS: [&str; 5] = [
    "--count",
    "--fail-after",
    "--restarts",
    "--slow-checkpoints",
    "--fail-in-main",
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
            Program::FailsInMain => return vec![FLAGS[4].to_string()],
        };
        vec![flag.to_string(), n.to_string()]
    }

    /// What these program arguments make the job do (unknown ones: it runs unbounded). A number
    /// flag whose value is missing or not a number fails in `main`, as the Java job does.
    pub fn parse(args: &[String]) -> Program {
        let number = args.get(1).and_then(|n| n.parse().ok());
        let Some(flag) = args.first() else {
            return Program::Unbounded;
        };
        let takes: [fn(u64) -> Program; 4] = [
            Program::Count,
            Program::FailAfter,
            Program::Restarts,
            Program::SlowCheckpoints,
        ];
        match FLAGS.iter().position(|f| f == flag) {
            Some(4) => Program::FailsInMain,
            Some(i) => number.map_or(Program::FailsInMain, takes[i]),
            None => Program::Unbounded,
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
            Program::FailsInMain,
        ] {
            assert_eq!(Program::parse(&p.args()), p);
        }
    }

    #[test]
    fn a_number_flag_without_a_number_fails_in_main() {
        for args in [&["--count"][..], &["--restarts", "not-a-number"]] {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            assert_eq!(Program::parse(&args), Program::FailsInMain);
        }
    }
}
