//! An emulated Flink REST API for tests: an HTTP server on loopback, started in-process, that answers
//! every pair a Flink version has as that version does, with state. Built from the answers recorded
//! from the real version (`contract-tests/fixtures/<V>/`): no JVM, no download.
//!
//! - It answers under `/` and `/v1`, as Flink's router does, with `access-control-allow-origin: *`;
//!   Flink's own CLI and other REST clients can be pointed at it.
//! - Jars uploaded (under any part name, streamed to disk) are listed, run and deleted; a run creates
//!   a job with a fresh id, a submitted JobGraph one with its own, that goes INITIALIZING -> RUNNING
//!   (and, as its program says, FAILED or FINISHED), and can be cancelled or stopped with a savepoint.
//! - Metrics answer what is asked (`get=`), aggregated as asked (`agg=`).
//! - Savepoints, stops, checkpoints and disposals are in progress, then done (or failed: [`Fault`]).
//! - Everything else is the recorded answer about the same kind of thing, its ids made the ones asked
//!   about; unknown ids, paths and verbs get the answers Flink gives.
//! - Time is a [`Clock`]: the wall clock, or one a test moves with [`Clock::advance`].
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let flink = flink_rest_emulator::Emulator::start("1.20.3").await?;
//! let url = flink.url(); // http://127.0.0.1:<port>
//! # Ok(()) }
//! ```

mod answer;
mod applications;
mod checkpoints;
mod clock;
mod cluster;
mod fault;
mod files;
pub mod graph;
mod jars;
mod jobs;
pub mod layout;
mod metrics;
mod operations;
pub mod program;
mod recorded;
mod replay;
mod request;
mod rescales;
mod scheduler;
mod server;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use answer::Answer;
pub use clock::Clock;
pub use fault::{Fault, OperationKind, Timing};
pub use recorded::{LoadError, Recorded, Scheduler};

/// Where the recorded answers are when the emulator is used from this repository (or a git or path
/// dependency on it).
pub fn default_fixtures() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../contract-tests/fixtures"
    ))
}

/// The versions there are answers of.
pub fn versions() -> Vec<String> {
    let mut versions: Vec<String> = std::fs::read_dir(default_fixtures())
        .map(|dir| {
            dir.flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions
}

/// What the emulated `version` answers how: each pair it models and what it does, each pair it answers
/// with the recorded answer, and where it is not Flink (Markdown).
pub fn fidelity(fixtures: &std::path::Path, version: &str) -> Result<String, Error> {
    use std::fmt::Write;
    let rec = Recorded::load(fixtures, version, Scheduler::Adaptive).map_err(Error::Fixtures)?;
    let mut out = format!("# The emulated Flink {version}\n\n");
    let (mut modelled, mut replayed) = (Vec::new(), Vec::new());
    for &pair in rec.pairs() {
        match cluster::model(pair) {
            cluster::Model::Own(what, _) => modelled.push(format!("- `{pair}`: {what}")),
            cluster::Model::Replayed => {
                let n = rec.answers(pair).len();
                replayed.push(format!("- `{pair}` ({n} recorded)"));
            }
        }
    }
    let _ = writeln!(
        out,
        "## Modelled: {} pairs, from the emulator's own state\n",
        modelled.len()
    );
    out.extend(modelled.iter().map(|m| format!("{m}\n")));
    let _ = writeln!(
        out,
        "\n## Recorded: {} pairs, the recorded answer to the same question, its ids the ones asked about\n",
        replayed.len()
    );
    out.extend(replayed.iter().map(|r| format!("{r}\n")));
    let _ = writeln!(out, "\n## Where it is not Flink\n");
    for d in cluster::DIFFERENCES {
        let _ = writeln!(out, "- {d}");
    }
    Ok(out)
}

/// How to start one.
#[derive(Debug, Clone)]
pub struct Builder {
    version: String,
    fixtures: PathBuf,
    port: u16,
    clock: Clock,
    timing: Timing,
    scheduler: Scheduler,
    threads: usize,
}

impl Builder {
    /// The scheduler its jobs run with (default: Flink's default one).
    pub fn scheduler(mut self, scheduler: Scheduler) -> Builder {
        self.scheduler = scheduler;
        self
    }

    /// Another directory of recorded answers (`<dir>/<version>/*.json`).
    pub fn fixtures(mut self, dir: impl Into<PathBuf>) -> Builder {
        self.fixtures = dir.into();
        self
    }

    /// A fixed port (default: any free one).
    pub fn port(mut self, port: u16) -> Builder {
        self.port = port;
        self
    }

    pub fn clock(mut self, clock: Clock) -> Builder {
        self.clock = clock;
        self
    }

    pub fn timing(mut self, timing: Timing) -> Builder {
        self.timing = timing;
        self
    }

    /// Serves on `n` threads of its own, each an event loop with its own listener on the one port
    /// (as Netty's worker loops serve Flink's REST endpoint), instead of on the caller's runtime.
    /// For load: `cargo xtask emulate` serves on one thread per core. `0` (the default): the
    /// caller's runtime.
    pub fn threads(mut self, n: usize) -> Builder {
        self.threads = n;
        self
    }

    /// Loads the version's answers and listens; answers from the first request on. Needs a tokio
    /// runtime.
    pub async fn start(self) -> Result<Emulator, Error> {
        let recorded = Recorded::load(&self.fixtures, &self.version, self.scheduler)
            .map_err(Error::Fixtures)?;
        let listeners = server::listeners(self.port, self.threads.max(1)).map_err(Error::Io)?;
        let addr = listeners[0].local_addr().map_err(Error::Io)?;
        let uploads = std::env::temp_dir().join(format!(
            "flink-rest-emulator-{}-{}",
            std::process::id(),
            addr.port()
        ));
        std::fs::create_dir_all(&uploads).map_err(Error::Io)?;
        let cluster =
            cluster::Cluster::new(recorded, self.clock.clone(), self.timing, self.scheduler);
        let shared = Arc::new(server::Shared::new(cluster, uploads));
        match self.threads {
            0 => server::spawn(listeners, &shared).map_err(Error::Io)?,
            _ => server::spawn_threads(listeners, &shared).map_err(Error::Io)?,
        }
        Ok(Emulator {
            addr,
            url: format!("http://{addr}"),
            clock: self.clock,
            shared,
        })
    }
}

/// A running emulated Flink. Dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    url: String,
    clock: Clock,
    shared: Arc<server::Shared>,
}

impl Emulator {
    /// One emulating `version` (`1.20.3`), on any free port, the wall clock, default timing.
    pub async fn start(version: &str) -> Result<Emulator, Error> {
        Emulator::builder(version).start().await
    }

    pub fn builder(version: &str) -> Builder {
        Builder {
            version: version.to_string(),
            fixtures: default_fixtures(),
            port: 0,
            clock: Clock::system(),
            timing: Timing::default(),
            scheduler: Scheduler::Default,
            threads: 0,
        }
    }

    /// `http://127.0.0.1:<port>`: what a client's base URL is.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The Flink version it answers as.
    pub fn version(&self) -> String {
        (self.shared.cluster.lock())
            .map(|c| c.version().to_string())
            .unwrap_or_default()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its time: advance it rather than sleep.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Makes something go wrong (see [`Fault`]).
    pub fn inject(&self, fault: Fault) {
        if let Ok(mut cluster) = self.shared.cluster.lock() {
            cluster.inject(fault);
        }
    }

    /// Stops answering (as dropping it does).
    pub fn stop(&self) {
        let _ = self.shared.stop.send(true);
    }

    /// Resolves once it has stopped answering: [`Emulator::stop`], or `DELETE /cluster` (after
    /// which Flink's process exits).
    pub async fn stopped(&self) {
        let mut stop = self.shared.stop.subscribe();
        let _ = stop.wait_for(|stopped| *stopped).await;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.shared.uploads);
    }
}

/// Why an emulator did not start.
#[derive(Debug)]
pub enum Error {
    /// The recorded answers could not be read: each file and why.
    Fixtures(Vec<LoadError>),
    Io(std::io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Fixtures(errors) => {
                write!(f, "the recorded answers cannot be read:")?;
                errors.iter().try_for_each(|e| write!(f, "\n  {e}"))
            }
            Error::Io(e) => write!(f, "cannot listen on loopback: {e}"),
        }
    }
}

impl std::error::Error for Error {}
