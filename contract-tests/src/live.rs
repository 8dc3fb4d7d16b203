//! One live run, the path `record` and the gate share: bring up the version's clusters (or use a
//! running one), run the scenario against them, and stop what was started, also when a step fails.
//!
//! Starting a version starts two clusters where its docs list `PUT /jobs/:jobid/resource-requirements`:
//! the main one (default scheduler, two TaskManagers) and an adaptive-scheduler twin, which boots while
//! the scenario's first steps run on the main one.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};

use crate::flink::{Cluster, Running};
use crate::scenario::{self, Pairs, Recording, Setup, Source};
use crate::tls::{Certs, Connection};

/// Where a live run goes.
pub enum Target {
    /// Start this version here (and stop it after), its REST endpoint plain or over TLS.
    Version { version: String, security: Security },
    /// A running cluster; its version is read from `/config`. `DELETE /cluster` only with `shutdown`.
    Url {
        url: String,
        shutdown: bool,
        connection: Connection,
    },
    /// The emulated Flink of this version, started in-process (no JVM: the job is any bytes).
    Emulated {
        version: String,
        scheduler: flink_rest_emulator::Scheduler,
    },
}

impl Target {
    /// This version, started here with plain HTTP.
    pub fn version(version: &str) -> Target {
        Target::Version {
            version: version.to_string(),
            security: Security::Plain,
        }
    }
}

/// How a cluster started here serves REST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    #[default]
    Plain,
    /// TLS with the test CA (`target/flink/certs`).
    Tls,
    /// TLS, and clients must present a certificate of the test CA.
    MutualTls,
}

/// Where the harness keeps its test certificates.
pub const CERTS_DIR: &str = "target/flink/certs";

/// What a live run produced and how long its parts took.
pub struct Live {
    pub version: String,
    pub base_url: String,
    pub recording: Recording,
    /// The run directory of the main cluster (paths in answers point into it).
    pub run_dir: PathBuf,
    pub dist: PathBuf,
    /// Fetching and assembling the distribution (0 when cached).
    pub download: Duration,
    /// Until the main cluster answered with its TaskManagers registered (`None`: not started here).
    pub ready: Option<Duration>,
    pub scenario: Duration,
}

/// The pair only an adaptive scheduler answers as documented.
const ADAPTIVE_PAIR: flink_rest::Pair = flink_rest::Pair::SetJobResourceRequirements;

pub fn run(root: &Path, target: Target) -> Result<Live> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (version, url, shutdown, security, connection) = match target {
        Target::Emulated { version, scheduler } => {
            return runtime.block_on(emulated(root, &version, scheduler))
        }
        Target::Version { version, security } => (version, None, true, security, None),
        Target::Url {
            url,
            shutdown,
            connection,
        } => {
            let version = runtime.block_on(server_version(&url, &connection))?;
            (
                version,
                Some(url),
                shutdown,
                Security::Plain,
                Some(connection),
            )
        }
    };
    let mut cluster = Cluster::new(root, &version, None)?;
    if security != Security::Plain {
        let certs = Certs::ensure(&root.join(CERTS_DIR))?;
        cluster = cluster.with_tls(certs, security == Security::MutualTls);
    }
    let connection = match connection {
        Some(given) => given,
        None => cluster.connection()?,
    };
    let started = Instant::now();
    cluster.ensure_dist()?;
    let download = started.elapsed();
    // Every source's docs, read once: which clusters to start, and the pairs the run is held to.
    let sources = scenario::sources(root)?;
    let (main, twin) = match url {
        None => start(&sources, &cluster)?,
        Some(_) => (None, None),
    };
    let base_url = url.unwrap_or_else(|| cluster.base_url());
    let run_dir = match &main {
        Some(running) => running.cluster.run.canonicalize()?,
        None => {
            let dir = root.join("target/conformance").join(&version);
            std::fs::create_dir_all(&dir)?;
            dir.canonicalize()?
        }
    };
    let mut setup = Setup::new(root, &version, &base_url, &cluster.dist, &run_dir, shutdown);
    setup.adaptive_url = twin.as_ref().map(|t| t.url.clone());
    setup.connection = connection;
    let started = Instant::now();
    let recording = runtime.block_on(scenario::run(&setup, &sources));
    let scenario = started.elapsed();
    // The twin is joined (and so stopped) before an error is returned; its own failure to start is
    // what a step that waited for it reports with.
    let twin = twin.map(Twin::join).transpose();
    let recording = match (recording, twin) {
        (Ok(recording), Ok(_)) => recording,
        (Err(e), Err(twin)) => return Err(e.context(format!("{twin:#}"))),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => return Err(e),
    };
    Ok(Live {
        ready: main.as_ref().map(|m| m.ready_after),
        version,
        base_url,
        recording,
        run_dir,
        dist: cluster.dist.clone(),
        download,
        scenario,
    })
}

/// The scenario against the emulated Flink of `version`, polled every 5 ms.
async fn emulated(
    root: &Path,
    version: &str,
    scheduler: flink_rest_emulator::Scheduler,
) -> Result<Live> {
    let flink = flink_rest_emulator::Emulator::builder(version)
        .scheduler(scheduler)
        .timing(flink_rest_emulator::Timing::brisk())
        .start()
        .await?;
    let run_dir = root.join("target/conformance/emulated").join(version);
    std::fs::create_dir_all(&run_dir)?;
    let run_dir = run_dir.canonicalize()?;
    let setup = Setup::emulated(root, version, flink.url(), &run_dir);
    let sources = scenario::sources(root)?;
    let started = Instant::now();
    let recording = scenario::run(&setup, &sources).await?;
    Ok(Live {
        version: version.to_string(),
        base_url: flink.url().to_string(),
        recording,
        run_dir,
        dist: PathBuf::new(),
        download: Duration::ZERO,
        ready: None,
        scenario: started.elapsed(),
    })
}

/// Starts the main cluster, then (where the version documents what only it answers) its adaptive twin
/// in the background.
fn start(sources: &[Source], cluster: &Cluster) -> Result<(Option<Running>, Option<Twin>)> {
    let wants_twin = Pairs::of(sources, &cluster.version)?.documents(ADAPTIVE_PAIR);
    let main = cluster.clone().start()?;
    let twin = wants_twin.then(|| Twin::start(cluster.adaptive()));
    Ok((Some(main), twin))
}

/// The adaptive twin, starting on its own thread.
struct Twin {
    url: String,
    handle: JoinHandle<Result<Running>>,
}

impl Twin {
    fn start(cluster: Cluster) -> Twin {
        let url = cluster.base_url();
        let handle = std::thread::spawn(move || cluster.start());
        Twin { url, handle }
    }

    /// Waits for its start to end; the cluster stops when the returned guard is dropped.
    fn join(self) -> Result<Running> {
        (self.handle.join())
            .map_err(|_| anyhow!("starting the adaptive cluster panicked"))?
            .context("starting the adaptive-scheduler cluster")
    }
}

async fn server_version(url: &str, connection: &Connection) -> Result<String> {
    let client = connection.client(url, Duration::from_secs(10))?;
    let config = client
        .get_dashboard_config()
        .await
        .map_err(|e| anyhow!("{url}: {e}"))?;
    Ok(config.flink_version)
}
