//! An emulated Flink REST API for tests: an HTTP server on loopback, started in-process, that answers
//! every pair a Flink version has as that version does, with state. Built from the answers recorded
//! from the real version (`contract-tests/fixtures/<V>/`): no JVM, no download.
//!
//! - Jars uploaded are listed, run and deleted; a run creates a job with a fresh id that goes
//!   INITIALIZING -> RUNNING (and, as its program says, FAILED or FINISHED), and can be cancelled or
//!   stopped with a savepoint.
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
mod checkpoints;
mod clock;
mod recorded;
mod server;
mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use answer::Answer;
pub use clock::Clock;
pub use recorded::{LoadError, Recorded, Scheduler};
pub use world::{Fault, Timing};

/// Where the recorded answers are when the emulator is used from this repository (or a git or path
/// dependency on it).
pub fn default_fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures"))
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
    let pairs = rec.pairs();
    let modelled: Vec<&world::Modelled> = (world::MODELLED.iter())
        .filter(|m| pairs.contains(&m.pair))
        .collect();
    let _ = writeln!(
        out,
        "## Modelled: {} pairs, from the emulator's own state\n",
        modelled.len()
    );
    for m in &modelled {
        let _ = writeln!(out, "- `{}`: {}", m.pair, m.what);
    }
    let replayed: Vec<&&str> = (pairs.iter())
        .filter(|p| !modelled.iter().any(|m| m.pair == **p))
        .collect();
    let _ = writeln!(
        out,
        "\n## Recorded: {} pairs, the recorded answer to the same question, its ids the ones asked about\n",
        replayed.len()
    );
    for pair in replayed {
        let n = rec.answers(pair).len();
        let _ = writeln!(out, "- `{pair}` ({n} recorded)");
    }
    let _ = writeln!(out, "\n## Where it is not Flink\n");
    for d in world::DIFFERENCES {
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

    /// Loads the version's answers and listens; answers from the first request on. Needs a tokio
    /// runtime.
    pub async fn start(self) -> Result<Emulator, Error> {
        let recorded = Recorded::load(&self.fixtures, &self.version, self.scheduler)
            .map_err(Error::Fixtures)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(Error::Io)?;
        let addr = listener.local_addr().map_err(Error::Io)?;
        let world = world::World::new(recorded, self.clock.clone(), self.timing, self.scheduler);
        let world = Arc::new(Mutex::new(world));
        let stop = Arc::new(tokio::sync::watch::channel(false).0);
        tokio::spawn(server::serve(listener, world.clone(), stop.clone()));
        Ok(Emulator {
            addr,
            url: format!("http://{addr}"),
            clock: self.clock,
            world,
            stop,
        })
    }
}

/// A running emulated Flink. Dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    url: String,
    clock: Clock,
    world: Arc<Mutex<world::World>>,
    stop: Arc<tokio::sync::watch::Sender<bool>>,
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
        }
    }

    /// `http://127.0.0.1:<port>`: what a client's base URL is.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The Flink version it answers as.
    pub fn version(&self) -> String {
        self.world
            .lock()
            .map(|w| w.version().to_string())
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
        if let Ok(mut world) = self.world.lock() {
            world.inject(fault);
        }
    }

    /// Stops answering (as dropping it does).
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
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
