//! `cargo xtask …`: the project's own commands (see `cargo xtask --help`).

mod conformance;
mod fuzz;
mod gen;
mod generators;
mod ledger;
mod load;

use contract_tests::{flink, live, record};

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
    /// The main job: `gen`, then the conformance gate against a local Flink it starts itself.
    Main {
        /// The version to gate on.
        #[arg(long, default_value = flink::DEFAULT_VERSION)]
        version: String,
        #[arg(long, default_value = "target/conformance")]
        out: PathBuf,
    },
    /// Parse every source's docs (schemas/source/sources.json) into schemas/documented/<source>/.
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
    /// Run the scenario against a cluster of that version (or of every known version) and write
    /// contract-tests/fixtures/<V>/.
    Record {
        #[arg(long, required_unless_present = "all")]
        version: Option<String>,
        /// Every known version, one after another.
        #[arg(long)]
        all: bool,
    },
    /// Propose ledger entries from the fixtures; report entries no fixture supports any more.
    Ledger {
        #[command(subcommand)]
        action: LedgerAction,
    },
    /// The conformance gate: run the scenario against a real cluster and check every exchange
    /// against that version's corrected spec. Exit 0 clean, 1 gate failed, 2 could not run.
    Conformance {
        /// Start this version here (default: 1.20.3 when nothing else is said).
        #[arg(long, conflicts_with = "url")]
        version: Option<String>,
        /// A running cluster instead; its version is read from /config.
        #[arg(long)]
        url: Option<String>,
        /// With --url: end with DELETE /cluster.
        #[arg(long, requires = "url")]
        shutdown: bool,
        /// Every known version, one after another, into one cross-version matrix.
        #[arg(long, conflicts_with_all = ["version", "url"])]
        all: bool,
        /// Classify the checked-in fixtures instead of a live run (offline, seconds).
        #[arg(long, conflicts_with = "url")]
        fixtures: bool,
        /// Run the scenario against the emulated Flink of the version(s), in-process (no JVM).
        #[arg(long, conflicts_with_all = ["url", "fixtures"])]
        emulated: bool,
        /// Where the reports go: report.{json,md,html}, junit.xml.
        #[arg(long, default_value = "target/conformance")]
        out: PathBuf,
        #[command(flatten)]
        tls: TlsArgs,
    },
    /// Typed coverage: the share of the fixtures' leaf values the crate's types give a type (not
    /// `serde_json::Value`, not dropped), per version and per endpoint.
    Coverage,
    /// Render an HTML report to PNG with headless Chromium.
    Screenshot { html: PathBuf, png: PathBuf },
    /// Serve an emulated Flink of that version (built from its recorded answers; no JVM) until
    /// Ctrl-C; prints its base URL. `conformance --url` gates it like a real cluster.
    Emulate {
        #[arg(long, default_value = flink::DEFAULT_VERSION)]
        version: String,
        /// The port (default: any free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Run jobs with the adaptive scheduler (resource requirements change; a job rescales).
        #[arg(long)]
        adaptive: bool,
        /// Print what it models, what it replays and where it is not Flink, and exit.
        #[arg(long)]
        fidelity: bool,
    },
    /// Rename a generated type (`JobVertexDetails` -> `VertexDetails`) in the data that names it
    /// (`schemas/names.json`, the evidence ledger), then regenerate; lists the hand-written sources
    /// that still name it.
    Rename { old: String, new: String },
    /// A bounded load on Flink REST servers, real and emulated, side by side in one run:
    /// `connections` keep-alive connections sending GETs for `seconds` on `/jobs/overview` and on a
    /// running job's details, round by round, alternating servers, each after a warm-up; requests
    /// per second and latency percentiles as a Markdown table, the emulator compared with each
    /// other server, and its resident memory idle and after the load.
    Load {
        /// Start a real Flink of this version (its own run directory; the scenario's job built by
        /// javac and run on it), load it, stop it.
        #[arg(long)]
        flink: Option<String>,
        /// A running server with a running job (`http://127.0.0.1:8081`).
        #[arg(long)]
        url: Vec<String>,
        /// Serve the emulated Flink of this version as `cargo xtask emulate` does (its own
        /// process), run a job on it, load it, shut it down.
        #[arg(long)]
        emulated: Option<String>,
        #[arg(long, default_value_t = 200)]
        connections: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Seconds of load before each measured run, not measured.
        #[arg(long, default_value_t = 3)]
        warmup: u64,
        #[arg(long, default_value_t = 2)]
        rounds: usize,
    },
    /// Short libFuzzer runs of the generator's and the crate's fuzz targets (codegen/fuzz), seeded
    /// from every source and every recorded answer. Exit 1 if any target fails.
    Fuzz {
        /// How long each target runs.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// The targets (default: all of import, pipeline, decode).
        targets: Vec<String>,
    },
    /// OpenAPI generators nobody here wrote (openapi-python-client, datamodel-code-generator), fed
    /// the corrected specs; their output must take every recorded answer of the spec's version.
    /// Installed pinned under the tool cache. Exit 1 if any answer fails.
    Generators {
        /// The minors (default: 1.20 and 2.3).
        minors: Vec<String>,
        /// Every recorded minor.
        #[arg(long, conflicts_with = "minors")]
        all: bool,
    },
    /// Time `gen` in-process (no file I/O) over many runs and report the distribution.
    Bench {
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
}

/// How the gate reaches a cluster over TLS: one it starts (test certificates), or one at --url.
#[derive(clap::Args)]
struct TlsArgs {
    /// Start the cluster with REST over TLS (the test CA in target/flink/certs).
    #[arg(long, conflicts_with = "url")]
    tls: bool,
    /// Start it with mutual TLS: clients must present a certificate.
    #[arg(long, conflicts_with = "url")]
    mutual_tls: bool,
    /// With --url: trust this CA certificate (PEM) besides the system's.
    #[arg(long, requires = "url")]
    ca_cert: Option<PathBuf>,
    /// With --url: present this client certificate (PEM; with its key, or see --client-key).
    #[arg(long, requires = "url")]
    client_cert: Option<PathBuf>,
    /// With --url: the client certificate's private key (PEM).
    #[arg(long, requires = "client_cert")]
    client_key: Option<PathBuf>,
    /// With --url: send this header with every request, `Name: value` (repeatable).
    #[arg(long, requires = "url")]
    header: Vec<String>,
}

impl TlsArgs {
    fn security(&self) -> live::Security {
        match (self.tls, self.mutual_tls) {
            (_, true) => live::Security::MutualTls,
            (true, false) => live::Security::Tls,
            (false, false) => live::Security::Plain,
        }
    }

    fn connection(&self) -> anyhow::Result<contract_tests::tls::Connection> {
        contract_tests::tls::Connection::from_files(
            self.ca_cert.as_deref(),
            self.client_cert.as_deref(),
            self.client_key.as_deref(),
            &self.header,
        )
    }
}

#[derive(Subcommand)]
enum LedgerAction {
    /// Print what the fixtures show that the ledger does not explain (exit 1 if anything);
    /// with --write, append it to schemas/ledger/proposed.json and rewrite required.json.
    Propose {
        #[arg(long)]
        write: bool,
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
        /// Serve REST over TLS (test certificates in target/flink/certs: the CA is ca.pem).
        #[arg(long)]
        tls: bool,
        /// Mutual TLS: also require a client certificate (client-identity.pem there).
        #[arg(long)]
        mutual_tls: bool,
    },
    /// Stop the cluster of that version on that port (only processes this harness started there).
    Down {
        #[arg(long)]
        version: String,
        /// REST port it was started on (default: the version's).
        #[arg(long)]
        port: Option<u16>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.clone().unwrap_or_else(workspace_root);
    let result = match cli.command {
        Command::Import => gen::import(&root),
        Command::Main { version, out } => gen::gen(&root, false).and_then(|code| {
            if code != ExitCode::SUCCESS {
                return Ok(code);
            }
            conformance::run(&root, conformance::Options::local(version, out))
        }),
        Command::Gen { check } => gen::gen(&root, check),
        Command::Bench { runs } => gen::bench(&root, runs),
        Command::Emulate {
            version,
            fidelity: true,
            ..
        } => flink_rest_emulator::fidelity(&flink_rest_emulator::default_fixtures(), &version)
            .map(|report| {
                print!("{report}");
                ExitCode::SUCCESS
            })
            .map_err(anyhow::Error::from),
        Command::Emulate {
            version,
            port,
            adaptive,
            ..
        } => emulate(&version, port, adaptive),
        Command::Rename { old, new } => gen::rename(&root, &old, &new),
        Command::Load {
            flink,
            url,
            emulated,
            connections,
            seconds,
            warmup,
            rounds,
        } => {
            let load = load::Load {
                connections,
                seconds,
                warmup,
                rounds,
            };
            side_by_side(&root, flink, url, emulated, &load)
        }
        Command::Generators { minors, all } => generators::run(&root, minors, all),
        Command::Fuzz { seconds, targets } => {
            let targets = match targets.is_empty() {
                true => fuzz::TARGETS.map(String::from).to_vec(),
                false => targets,
            };
            fuzz::run(&root, &targets, seconds)
        }
        Command::Conformance {
            version,
            url,
            shutdown,
            all,
            fixtures,
            emulated,
            out,
            tls,
        } => {
            let version = match (&version, &url, all, fixtures) {
                (None, None, false, false) => Some(flink::DEFAULT_VERSION.to_string()),
                _ => version,
            };
            tls.connection().and_then(|connection| {
                conformance::run(
                    &root,
                    conformance::Options {
                        version,
                        url,
                        shutdown,
                        all,
                        fixtures,
                        emulated,
                        out,
                        security: tls.security(),
                        connection,
                    },
                )
            })
        }
        Command::Screenshot { html, png } => conformance::screenshot(&html, &png),
        Command::Coverage => conformance::coverage(&root),
        Command::Ledger {
            action: LedgerAction::Propose { write },
        } => ledger::propose(&root, write),
        Command::Record { version, all } => {
            let versions: Vec<String> = if all {
                flink::VERSIONS.iter().map(|v| v.to_string()).collect()
            } else {
                version.into_iter().collect()
            };
            record_all(&root, &versions)
        }
        Command::Flink { action } => match action {
            FlinkAction::Up {
                version,
                port,
                tls,
                mutual_tls,
            } => flink::Cluster::new(&root, &version, port).and_then(|mut c| {
                if tls || mutual_tls {
                    let certs = contract_tests::tls::Certs::ensure(&root.join(live::CERTS_DIR))?;
                    eprintln!("CA certificate: {}", certs.ca_pem().display());
                    if mutual_tls {
                        let identity = certs.client_identity_pem();
                        eprintln!("client identity: {}", identity.display());
                    }
                    c = c.with_tls(certs, mutual_tls);
                }
                c.up()?;
                println!("{}", c.base_url());
                Ok(ExitCode::SUCCESS)
            }),
            // The cluster and the twins a run may have left (adaptive scheduler, TLS, mutual TLS).
            FlinkAction::Down { version, port } => flink::Cluster::new(&root, &version, port)
                .and_then(|c| {
                    c.down()?;
                    for twin in flink::TWINS {
                        c.twin(twin, c.port).down()?;
                    }
                    Ok(ExitCode::SUCCESS)
                }),
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

fn record_all(root: &std::path::Path, versions: &[String]) -> anyhow::Result<ExitCode> {
    let mut failed = Vec::new();
    for version in versions {
        match record::record(root, version) {
            Ok(s) => {
                let steps: Vec<String> = s
                    .steps
                    .iter()
                    .map(|(n, d)| format!("{n} {:.1}", d.as_secs_f64()))
                    .collect();
                println!(
                    "{}: download {:.1} s, ready {:.1} s, scenario {:.1} s, {} fixtures, {} KiB in {}",
                    s.version,
                    s.download.as_secs_f64(),
                    s.ready.as_secs_f64(),
                    s.scenario.as_secs_f64(),
                    s.files,
                    s.bytes / 1024,
                    s.dir.display()
                );
                println!("  steps (s): {}", steps.join(", "));
                if !s.unreached.is_empty() {
                    let unreached: Vec<String> =
                        s.unreached.iter().map(|p| p.to_string()).collect();
                    println!("  documented, not reached yet: {}", unreached.join(", "));
                }
            }
            Err(e) => {
                eprintln!("error: Flink {version}: {e:#}");
                failed.push(version.clone());
            }
        }
    }
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        anyhow::bail!("recording failed for {}", failed.join(", "))
    }
}

/// The repository root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// `cargo xtask load`: the servers asked for, started where asked, loaded side by side; the table,
/// the comparison and the emulator's resident memory.
fn side_by_side(
    root: &std::path::Path,
    flink: Option<String>,
    urls: Vec<String>,
    emulated: Option<String>,
    load: &load::Load,
) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    let servers = Servers::start(root, &runtime, flink, urls, emulated)?;
    let targets = &servers.targets;
    let idle: Vec<Option<u64>> = targets
        .iter()
        .map(|t| t.pid.and_then(load::resident_kb))
        .collect();
    let rows = runtime.block_on(load::side_by_side(targets, load))?;
    std::thread::sleep(std::time::Duration::from_secs(2));
    println!("{}", load::table(&rows));
    print!("{}", load::comparison(&rows));
    print!("{}", load::memory(targets, &idle));
    Ok(ExitCode::SUCCESS)
}

/// The servers a load runs on, each with a job running; those started here stop when dropped (also
/// on an error).
struct Servers {
    targets: Vec<load::Target>,
    _emulator: Option<EmulatorProcess>,
    _flink: Option<flink::Running>,
}

impl Servers {
    fn start(
        root: &std::path::Path,
        runtime: &tokio::runtime::Runtime,
        flink: Option<String>,
        urls: Vec<String>,
        emulated: Option<String>,
    ) -> anyhow::Result<Servers> {
        let mut targets = Vec::new();
        let emulator = emulated.map(|v| EmulatorProcess::start(&v)).transpose()?;
        if let Some(process) = &emulator {
            runtime.block_on(start_a_job(&process.url, None))?;
            targets.push(load::Target {
                label: format!("emulated {}", process.version),
                url: process.url.clone(),
                pid: Some(process.child.id()),
            });
        }
        let real = flink.map(|v| start_flink(root, &v)).transpose()?;
        if let Some(running) = &real {
            let cluster = &running.cluster;
            let jar = contract_tests::job::build_jar(&cluster.dist, &cluster.run.join("job"))?;
            runtime.block_on(start_a_job(&cluster.base_url(), Some(jar)))?;
            targets.push(load::Target {
                label: format!("Flink {}", cluster.version),
                url: cluster.base_url(),
                pid: None,
            });
        }
        for url in urls {
            let label = format!("server at {url}");
            targets.push(load::Target {
                label,
                url,
                pid: None,
            });
        }
        if targets.is_empty() {
            anyhow::bail!("nothing to load: --flink V, --url U and/or --emulated V");
        }
        Ok(Servers {
            targets,
            _emulator: emulator,
            _flink: real,
        })
    }
}

/// A Flink of `version` for the load: a twin of the version's cluster (its own run directory and
/// ports), so one the user runs is left alone.
fn start_flink(root: &std::path::Path, version: &str) -> anyhow::Result<flink::Running> {
    let cluster = flink::Cluster::new(root, version, None)?;
    let port = cluster.port + 60;
    cluster.twin("load", port).start()
}

/// `cargo xtask emulate` as a process of its own (this binary), shut down as a Flink cluster is
/// (`DELETE /cluster`) when dropped.
struct EmulatorProcess {
    child: std::process::Child,
    url: String,
    version: String,
}

impl EmulatorProcess {
    fn start(version: &str) -> anyhow::Result<EmulatorProcess> {
        use std::io::BufRead;
        let mut child = std::process::Command::new(std::env::current_exe()?)
            .args(["emulate", "--version", version])
            .stdout(std::process::Stdio::piped())
            .stdin(std::process::Stdio::null())
            .spawn()?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            std::io::BufReader::new(stdout).read_line(&mut line)?;
        }
        let url = line.trim().to_string();
        if !url.starts_with("http://") {
            let _ = child.kill();
            anyhow::bail!("the emulator did not start (it printed {line:?})");
        }
        let version = version.to_string();
        Ok(EmulatorProcess {
            child,
            url,
            version,
        })
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let shut = flink_rest::Client::new(&self.url).map(|client| {
            let runtime = tokio::runtime::Runtime::new().ok();
            runtime.map(|r| r.block_on(client.shutdown_cluster()).is_ok())
        });
        if !matches!(shut, Ok(Some(true))) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// A jar uploaded to the server at `url` and run (the emulator takes any bytes as a jar).
async fn start_a_job(url: &str, jar: Option<Vec<u8>>) -> anyhow::Result<()> {
    use flink_rest::types::JarRunRequestBody;
    let client = flink_rest::Client::new(url)?;
    let jar = jar.unwrap_or_else(|| b"PK\x05\x06".to_vec());
    let jar = flink_rest::UploadFile::from_bytes(contract_tests::job::JAR_NAME, jar);
    let jar = client.upload_jar(jar).await?.jar_id();
    client
        .start_jar(&jar, &JarRunRequestBody::default())
        .await?;
    Ok(())
}

/// `cargo xtask emulate`: serves, one event loop per core, until Ctrl-C or `DELETE /cluster`.
fn emulate(version: &str, port: u16, adaptive: bool) -> anyhow::Result<ExitCode> {
    use flink_rest_emulator::{Emulator, Scheduler};
    let scheduler = match adaptive {
        true => Scheduler::Adaptive,
        false => Scheduler::Default,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let flink = Emulator::builder(version)
            .port(port)
            .scheduler(scheduler)
            .threads(cores)
            .start()
            .await?;
        println!("{}", flink.url());
        eprintln!(
            "emulating Flink {version} at {} (Ctrl-C stops it)",
            flink.url()
        );
        // Until Ctrl-C, or until a client shuts the cluster down (`DELETE /cluster`), as Flink's
        // process exits then.
        tokio::select! {
            signal = tokio::signal::ctrl_c() => signal?,
            () = flink.stopped() => eprintln!("the cluster was shut down"),
        }
        Ok(ExitCode::SUCCESS)
    })
}
