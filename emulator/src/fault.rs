//! What a test can make go wrong, and how long things take.

use std::time::Duration;

use flink_rest::Pair;

/// How long things take, in emulated time.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// A job from submission to RUNNING (INITIALIZING, then CREATED, before).
    pub start: Duration,
    /// A savepoint, a checkpoint, a disposal.
    pub operation: Duration,
    /// A job from cancel to CANCELED.
    pub cancel: Duration,
    /// A failing job (`--fail-after`) from RUNNING to FAILED; a finite one (`--count`) to FINISHED.
    pub run_out: Duration,
    /// A job from RUNNING until the JobManager has fetched its tasks' metrics (Flink's
    /// `metrics.fetcher.update-interval`, 10 s by default): meanwhile a version that refuses back
    /// pressure then (1.18.1 and later: a recorded 500) does.
    pub metrics: Duration,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            start: Duration::from_millis(150),
            operation: Duration::from_millis(100),
            cancel: Duration::from_millis(50),
            run_out: Duration::from_millis(400),
            metrics: Duration::from_millis(500),
        }
    }
}

impl Timing {
    /// Tens of milliseconds: for a client that polls every few (the gate's scenario then runs in about
    /// a second).
    pub fn brisk() -> Timing {
        Timing {
            start: Duration::from_millis(20),
            operation: Duration::from_millis(10),
            cancel: Duration::from_millis(10),
            run_out: Duration::from_millis(40),
            metrics: Duration::from_millis(50),
        }
    }

    /// Everything done by the next request.
    pub fn instant() -> Timing {
        Timing {
            start: Duration::ZERO,
            operation: Duration::ZERO,
            cancel: Duration::ZERO,
            run_out: Duration::ZERO,
            metrics: Duration::ZERO,
        }
    }
}

/// An async operation's kind, as faults name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    /// A savepoint, or the savepoint of a stop.
    Savepoint,
    Checkpoint,
    /// The disposal of a savepoint.
    Disposal,
}

/// What a test can make go wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// The next `times` requests to the pair get this status and Flink's error body instead of their
    /// answer.
    Status {
        pair: Pair,
        status: u16,
        times: usize,
    },
    /// The next async operation of this kind fails.
    FailOperation { kind: OperationKind },
    /// The next async operation of this kind takes this much longer.
    SlowOperation { kind: OperationKind, by: Duration },
    /// The next `times` answers of the pair come this much later.
    SlowAnswer {
        pair: Pair,
        by: Duration,
        times: usize,
    },
}

impl Fault {
    /// How many more times it applies, for a fault that counts them.
    fn times_mut(&mut self) -> Option<&mut usize> {
        match self {
            Fault::Status { times, .. } | Fault::SlowAnswer { times, .. } => Some(times),
            _ => None,
        }
    }
}

/// The faults injected and not yet spent.
#[derive(Debug, Default)]
pub(crate) struct Faults(Vec<Fault>);

impl Faults {
    pub fn inject(&mut self, fault: Fault) {
        self.0.push(fault);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first injected fault `wanted` picks, used once: one that counts its times is kept until
    /// they are spent, any other is gone.
    fn take(&mut self, wanted: impl Fn(&Fault) -> bool) -> Option<Fault> {
        let i =
            (self.0.iter_mut()).position(|f| wanted(f) && f.times_mut().is_none_or(|t| *t > 0))?;
        let fault = self.0[i].clone();
        match self.0[i].times_mut() {
            Some(times) if *times > 1 => *times -= 1,
            _ => {
                self.0.remove(i);
            }
        }
        Some(fault)
    }

    /// The status an injected fault gives the next answer of `pair`.
    pub fn status(&mut self, of: Pair) -> Option<u16> {
        match self.take(|f| matches!(f, Fault::Status { pair, .. } if *pair == of))? {
            Fault::Status { status, .. } => Some(status),
            _ => None,
        }
    }

    /// How much later the next answer of `pair` comes.
    pub fn delay(&mut self, of: Pair) -> Duration {
        match self.take(|f| matches!(f, Fault::SlowAnswer { pair, .. } if *pair == of)) {
            Some(Fault::SlowAnswer { by, .. }) => by,
            _ => Duration::ZERO,
        }
    }

    /// How much longer the next operation of `kind` takes.
    pub fn slower(&mut self, of: OperationKind) -> Duration {
        match self.take(|f| matches!(f, Fault::SlowOperation { kind, .. } if *kind == of)) {
            Some(Fault::SlowOperation { by, .. }) => by,
            _ => Duration::ZERO,
        }
    }

    /// Whether the next operation of `kind` fails.
    pub fn fails(&mut self, of: OperationKind) -> bool {
        (self.take(|f| matches!(f, Fault::FailOperation { kind } if *kind == of))).is_some()
    }
}
