//! The crate's client against real Flink: TLS and mutual TLS from PEM files, the operations that wait,
//! and the crate's examples (run as the programs they are), on two clusters this test starts: one
//! serving REST over TLS with the adaptive scheduler (jobs rescale in place), one requiring mutual TLS.
//!
//! Needs Java 17 and starts JVMs, so a plain `cargo test` skips it; CI runs it:
//! `cargo test -p contract-tests --test live -- --ignored`. The version is `FLINK_REST_LIVE_VERSION`
//! (default: the gate's, 1.20.3). The steps are a table run in order over one [`Live`] state.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Command;
use std::time::Instant;

use anyhow::{anyhow, bail, ensure, Context, Result};
use contract_tests::flink::{Cluster, Running, DEFAULT_VERSION};
use contract_tests::job;
use contract_tests::tls::Certs;
use flink_rest::types::{
    CheckpointTriggerRequestBody, JarRunRequestBody, JobStatus, SavepointTriggerRequestBody,
};
use flink_rest::{Client, Error, JobId, UploadFile};

/// What the steps share.
struct Live {
    root: PathBuf,
    version: String,
    /// REST over TLS, adaptive scheduler.
    tls: Running,
    /// REST over mutual TLS.
    mutual: Running,
    /// Trusts the test CA, knows the server's version.
    client: Client,
    jar: PathBuf,
    /// The job `run_jar` started.
    job: Option<JobId>,
    /// The final savepoint of that job.
    savepoint: Option<String>,
}

type StepFuture<'s> = Pin<Box<dyn Future<Output = Result<()>> + 's>>;

struct Step {
    name: &'static str,
    run: fn(&mut Live) -> StepFuture<'_>,
}

macro_rules! step {
    ($name:literal, $f:ident) => {
        Step {
            name: $name,
            run: |s| Box::pin($f(s)),
        }
    };
}

const STEPS: &[Step] = &[
    step!("TLS: the client trusts the cluster's CA, and only it", tls),
    step!("mutual TLS: the client identity is required", mutual_tls),
    step!("example run_jar: upload, run, wait until running", run_jar),
    step!("example watch_jobs: the job is listed running", watch_jobs),
    step!("example vertex_metrics: a vertex's metrics", vertex_metrics),
    step!("checkpoint: waits for the completed checkpoint", checkpoint),
    step!(
        "savepoint: a failed one carries Flink's cause",
        failed_savepoint
    ),
    step!("example rescale: the job runs at parallelism 1", rescale),
    step!(
        "example savepoint_and_stop: savepoint, then stop",
        savepoint_and_stop
    ),
    step!(
        "start_jar and cancel: a second job, cancelled",
        start_and_cancel
    ),
    step!(
        "example operator: jobs, vertices, checkpoints, savepoint, stop",
        operator
    ),
    step!(
        "dispose_savepoint: the final savepoint is gone",
        dispose_savepoint
    ),
    step!(
        "side by side: the cluster of the same version stopped, the other answers",
        side_by_side
    ),
];

#[test]
#[ignore = "starts two Flink clusters (Java 17); CI runs it with --ignored"]
fn the_client_and_its_examples_drive_real_flink_over_tls() {
    let mut live = Live::start().unwrap_or_else(|e| panic!("starting the clusters: {e:#}"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for step in STEPS {
        let started = Instant::now();
        runtime
            .block_on((step.run)(&mut live))
            .unwrap_or_else(|e| panic!("{}: {e:#}", step.name));
        eprintln!(
            "ok  {} ({:.1} s)",
            step.name,
            started.elapsed().as_secs_f64()
        );
    }
}

impl Live {
    /// Both clusters (started side by side), the job's jar, the examples built.
    fn start() -> Result<Live> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf();
        let version =
            std::env::var("FLINK_REST_LIVE_VERSION").unwrap_or_else(|_| DEFAULT_VERSION.into());
        let base = Cluster::new(&root, &version, None)?;
        base.ensure_dist()?;
        let certs = Certs::ensure(&root.join("target/flink/certs"))?;
        // Two clusters of one version side by side, each on its own port and run directory
        // (`target/flink/<V>-<port>`): neither may stop the other's processes.
        let tls = Cluster {
            adaptive: true,
            taskmanagers: 1,
            ..Cluster::new(&root, &version, Some(base.port + 60))?.with_tls(certs.clone(), false)
        };
        let mutual = Cluster::new(&root, &version, Some(base.port + 70))?.with_tls(certs, true);
        ensure!(tls.run != mutual.run, "one run directory for two clusters");
        let work = root.join("target/flink/live");
        let jar = work.join(job::JAR_NAME);
        let (tls, mutual, built) = std::thread::scope(|s| {
            let tls = s.spawn(|| tls.start());
            let mutual = s.spawn(|| {
                Cluster {
                    taskmanagers: 1,
                    ..mutual
                }
                .start()
            });
            let built = build(&root, &base.dist, &work, &jar);
            (tls.join(), mutual.join(), built)
        });
        let (tls, mutual) = (
            tls.map_err(|_| anyhow!("TLS start panicked"))??,
            mutual.map_err(|_| anyhow!("mutual TLS start panicked"))??,
        );
        built?;
        let client = pem_client(&tls.cluster)?.flink_version(&version).build()?;
        Ok(Live {
            root,
            version,
            tls,
            mutual,
            client,
            jar,
            job: None,
            savepoint: None,
        })
    }

    fn job(&self) -> Result<&JobId> {
        self.job
            .as_ref()
            .context("no job: the run_jar step did not run")
    }

    /// The TLS cluster's savepoint directory, as a `file://` URL.
    fn savepoints(&self) -> Result<String> {
        let dir = self.tls.cluster.run.join("savepoints").canonicalize()?;
        Ok(format!("file://{}", dir.display()))
    }

    /// Runs one of the crate's examples against the TLS cluster; its standard output.
    fn example(&self, name: &str, args: &[&str]) -> Result<String> {
        let cluster = &self.tls.cluster;
        let ca = cluster
            .tls
            .as_ref()
            .map(|t| t.certs.ca_pem())
            .context("TLS cluster")?;
        let (url, ca) = (cluster.base_url(), ca.display().to_string());
        let env = [
            ("FLINK_REST_URL", url.as_str()),
            ("FLINK_REST_CA", ca.as_str()),
        ];
        contract_tests::examples::run(&self.root, name, args, &env)
    }
}

/// The crate's client of a TLS cluster, built as a user builds one: from the PEM files of the CA and,
/// under mutual TLS, of the client identity.
fn pem_client(cluster: &Cluster) -> Result<flink_rest::ClientBuilder> {
    let tls = cluster.tls.as_ref().context("a TLS cluster")?;
    let mut builder = Client::builder(&cluster.base_url())
        .ca_certificate_pem(&std::fs::read(tls.certs.ca_pem())?);
    if tls.mutual {
        builder = builder.identity_pem(&std::fs::read(tls.certs.client_identity_pem())?);
    }
    Ok(builder)
}

fn cargo(root: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(root);
    cmd
}

/// The job's jar (javac) and the examples (so each example step only runs one).
fn build(root: &Path, dist: &Path, work: &Path, jar: &Path) -> Result<()> {
    std::fs::create_dir_all(work)?;
    std::fs::write(jar, job::build_jar(dist, work)?)?;
    let out = cargo(root)
        .args(["build", "-q", "-p", "flink-rest", "--examples"])
        .output()?;
    ensure!(
        out.status.success(),
        "building the examples: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

async fn tls(s: &mut Live) -> Result<()> {
    ensure!(
        s.client.flink_version().await? == s.version,
        "the version over TLS"
    );
    let url = s.tls.cluster.base_url();
    let untrusting = Client::new(&url)?.get_cluster_overview().await;
    let message = untrusting
        .err()
        .context("a client without the CA connected")?
        .to_string();
    ensure!(
        message.contains("UnknownIssuer"),
        "no root cause in: {message}"
    );
    let plain = Client::new(&url.replace("https:", "http:"))?
        .get_cluster_overview()
        .await;
    ensure!(
        matches!(plain, Err(Error::Transport { .. })),
        "plain HTTP to TLS: {plain:?}"
    );
    Ok(())
}

async fn mutual_tls(s: &mut Live) -> Result<()> {
    let cluster = &s.mutual.cluster;
    let overview = pem_client(cluster)?.build()?.get_cluster_overview().await?;
    ensure!(overview.taskmanagers == 1, "{overview:?}");
    let ca = std::fs::read(cluster.tls.as_ref().context("TLS")?.certs.ca_pem())?;
    let anonymous = Client::builder(&cluster.base_url())
        .ca_certificate_pem(&ca)
        .build()?;
    match anonymous.get_cluster_overview().await {
        Err(e @ Error::Transport { .. }) => {
            let message = e.to_string();
            ensure!(message.contains("cause:"), "no cause in: {message}");
            eprintln!("    without an identity: {message}");
            Ok(())
        }
        other => bail!("a client without an identity got {other:?}"),
    }
}

async fn run_jar(s: &mut Live) -> Result<()> {
    let jar = s.jar.display().to_string();
    let out = s.example("run_jar", &[&jar, "2"])?;
    ensure!(out.contains("is RUNNING"), "{out}");
    ensure!(
        out.lines().filter(|l| l.contains("2 × ")).count() >= 2,
        "parallelism 2: {out}"
    );
    let id = out.lines().last().context("no output")?;
    s.job = Some(id.parse()?);
    Ok(())
}

async fn watch_jobs(s: &mut Live) -> Result<()> {
    let out = s.example("watch_jobs", &["1"])?;
    let job = s.job()?.to_string();
    ensure!(
        out.lines()
            .any(|l| l.starts_with(&job) && l.contains("RUNNING")),
        "{out}"
    );
    Ok(())
}

async fn vertex_metrics(s: &mut Live) -> Result<()> {
    let job = s.job()?.to_string();
    let out = s.example("vertex_metrics", &[&job])?;
    ensure!(
        out.contains(" metrics") && out.contains("numRecordsOut (count): "),
        "{out}"
    );
    Ok(())
}

async fn checkpoint(s: &mut Live) -> Result<()> {
    let body = CheckpointTriggerRequestBody::default();
    match s.client.checkpoint(s.job()?, &body).await {
        Ok(id) => ensure!(id > 0, "checkpoint id {id}"),
        // Before 1.17 there is no checkpoint trigger: the client says so without sending.
        Err(Error::NotAvailable { since, .. }) => ensure!(since == Some("1.17.2"), "{since:?}"),
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

async fn failed_savepoint(s: &mut Live) -> Result<()> {
    let body = SavepointTriggerRequestBody {
        target_directory: Some("file:///dev/null/flink-rest-unwritable".into()),
        ..Default::default()
    };
    match s.client.savepoint(s.job()?, &body).await {
        Err(Error::Failed {
            operation, failure, ..
        }) => {
            ensure!(operation == "savepoint", "{operation}");
            ensure!(
                !failure.class.is_empty() && !failure.stack_trace.is_empty(),
                "{failure:?}"
            );
            eprintln!("    failed as it should: {failure}");
            Ok(())
        }
        other => bail!("a savepoint to /dev/null: {other:?}"),
    }
}

async fn rescale(s: &mut Live) -> Result<()> {
    let job = s.job()?.clone();
    let out = s.example("rescale", &[job.as_str(), "1"])?;
    ensure!(
        !out.is_empty() && out.lines().all(|l| l.starts_with("1 × ")),
        "{out}"
    );
    let details = s.client.get_job(&job).await?;
    ensure!(
        details.vertices.iter().all(|v| v.parallelism == 1),
        "{details:?}"
    );
    Ok(())
}

async fn savepoint_and_stop(s: &mut Live) -> Result<()> {
    let job = s.job()?.clone();
    let dir = s.savepoints()?;
    let out = s.example("savepoint_and_stop", &[job.as_str(), &dir])?;
    let last = out.lines().last().unwrap_or_default();
    let location = last
        .strip_prefix("stopped; final savepoint: ")
        .context(out.clone())?;
    ensure!(out.starts_with("savepoint: file:"), "{out}");
    let status = s.client.get_job_status(&job).await?.status;
    ensure!(status == JobStatus::Finished, "after stop: {status}");
    s.savepoint = Some(location.to_string());
    Ok(())
}

/// A third job, run by `run_jar`, driven by `operator` from the list to its stop.
async fn operator(s: &mut Live) -> Result<()> {
    let jar = s.jar.display().to_string();
    let out = s.example("run_jar", &[&jar, "1"])?;
    let job = out.lines().last().context("no output")?.to_string();
    let out = s.example("operator", &[&job, "2", &s.savepoints()?])?;
    contract_tests::examples::check_operator(&out, &job)
}

async fn start_and_cancel(s: &mut Live) -> Result<()> {
    let upload = s
        .client
        .upload_jar(UploadFile::from_path(&s.jar).await?)
        .await?;
    let body = JarRunRequestBody {
        parallelism: Some(1),
        ..Default::default()
    };
    let job = s.client.start_jar(&upload.jar_id(), &body).await?;
    s.client.cancel(&job).await?;
    let status = s.client.get_job_status(&job).await?.status;
    ensure!(status == JobStatus::Canceled, "after cancel: {status}");
    s.client.delete_jar(&upload.jar_id()).await?;
    Ok(())
}

async fn dispose_savepoint(s: &mut Live) -> Result<()> {
    let location = s
        .savepoint
        .clone()
        .context("no savepoint: the stop step did not run")?;
    let local = PathBuf::from(location.trim_start_matches("file:"));
    ensure!(local.exists(), "{} before disposal", local.display());
    s.client.dispose_savepoint(&location).await?;
    ensure!(!local.exists(), "{} is still there", local.display());
    Ok(())
}

/// The mutual-TLS cluster stopped (`down`, as `xtask flink down --port` does), the TLS one of the
/// same version still answers: each stops only the processes of its own run directory.
async fn side_by_side(s: &mut Live) -> Result<()> {
    s.mutual.cluster.down()?;
    let overview = s.client.get_cluster_overview().await?;
    ensure!(
        overview.taskmanagers == 1,
        "the other cluster lost its TaskManager: {overview:?}"
    );
    Ok(())
}
