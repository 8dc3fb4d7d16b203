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
    /// A bounded load on a Flink REST endpoint, real or emulated: `connections` keep-alive
    /// connections sending GETs for `seconds` on `/jobs/overview` and on a running job's details;
    /// requests per second and latency percentiles, as a Markdown table. The server needs a running
    /// job (the emulator: `--emulated V` starts one in-process and runs a job on it).
    Load {
        /// A running server (`http://127.0.0.1:8081`).
        #[arg(long, conflicts_with = "emulated")]
        url: Option<String>,
        /// Start the emulated Flink of this version (in this process) with a job, and load it.
        #[arg(long)]
        emulated: Option<String>,
        #[arg(long, default_value_t = 200)]
        connections: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
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
            url,
            emulated,
            connections,
            seconds,
        } => load(url, emulated, connections, seconds),
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

/// `cargo xtask load`: against `url`, or an emulator started here with a job running.
fn load(
    url: Option<String>,
    emulated: Option<String>,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<ExitCode> {
    use flink_rest_emulator::{Emulator, Timing};
    // The emulator on a runtime of its own (one thread), the load on another.
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let (url, label, emulator) = match (url, emulated) {
        (Some(url), _) => (url, "Flink".to_string(), None),
        (None, Some(version)) => {
            let flink = server.block_on(async {
                Emulator::builder(&version)
                    .timing(Timing::instant())
                    .start()
                    .await
            })?;
            let url = flink.url().to_string();
            runtime.block_on(start_a_job(&url))?;
            (url, format!("emulated {version}"), Some(flink))
        }
        (None, None) => anyhow::bail!("--url U or --emulated V"),
    };
    let rss = || {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        (status.lines())
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let before = rss();
    let measured = runtime.block_on(load::run(&url, connections, seconds))?;
    print!("{}", load::table(&label, &measured));
    if emulator.is_some() {
        println!(
            "\nthis process (emulator and load) resident: {before} before, {} after",
            rss()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A jar (any bytes) uploaded to the emulator at `url` and run.
async fn start_a_job(url: &str) -> anyhow::Result<()> {
    use flink_rest::types::JarRunRequestBody;
    let client = flink_rest::Client::new(url)?;
    let jar = flink_rest::UploadFile::from_bytes("load.jar", b"PK\x05\x06".to_vec());
    let jar = client.upload_jar(jar).await?.jar_id();
    client
        .start_jar(&jar, &JarRunRequestBody::default())
        .await?;
    Ok(())
}

/// `cargo xtask emulate`: serves until Ctrl-C.
fn emulate(version: &str, port: u16, adaptive: bool) -> anyhow::Result<ExitCode> {
    use flink_rest_emulator::{Emulator, Scheduler};
    let scheduler = match adaptive {
        true => Scheduler::Adaptive,
        false => Scheduler::Default,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let flink = Emulator::builder(version)
            .port(port)
            .scheduler(scheduler)
            .start()
            .await?;
        println!("{}", flink.url());
        eprintln!(
            "emulating Flink {version} at {} (Ctrl-C stops it)",
            flink.url()
        );
        tokio::signal::ctrl_c().await?;
        Ok(ExitCode::SUCCESS)
    })
}
