//! Real Flink clusters on loopback: download (pip, cached), assemble, configure, start, wait, stop.
//!
//! A distribution is the PyPI package `apache-flink` (bin/, conf/) plus `apache-flink-libraries`
//! (lib/) of the same version. Downloads are cached in `~/.cache/flink-rest/downloads/<V>` and assembled
//! distributions in `~/.cache/flink-rest/dist/<V>` (override the root with `FLINK_REST_CACHE`); each
//! cluster runs from `target/flink/<V>-<port>/` with its own configuration, ports, pid, log and tmp dirs.
//! Only processes whose pid files are in that run directory are ever stopped.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::progress::Progress;
use crate::tls::{Certs, Connection, PASSWORD};

/// Versions known to run here on Java 17.
pub const VERSIONS: [&str; 10] = [
    "1.15.4", "1.16.3", "1.17.2", "1.18.1", "1.19.3", "1.20.3", "2.0.2", "2.1.3", "2.2.1", "2.3.0",
];

/// The names of the twins harness runs start beside a version's cluster (`Cluster::twin`).
pub const TWINS: [&str; 3] = ["adaptive", "tls", "mutual-tls"];

/// The version the main job and CI gate on when none is named.
pub const DEFAULT_VERSION: &str = "1.20.3";

/// The module flags 1.18's default configuration ships in `env.java.opts.all`; 1.15 to 1.17 die at start
/// on Java 17 without them, and since this harness writes the whole configuration, every version gets them.
pub const JAVA_OPTS: &str = "--add-exports=java.base/sun.net.util=ALL-UNNAMED \
--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED \
--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED \
--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED \
--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED \
--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED \
--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED \
--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED \
--add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
--add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED \
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED";

/// A cluster of one version: where it lives, which ports it uses, how many TaskManagers it starts and
/// which scheduler its jobs get.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub version: String,
    pub dist: PathBuf,
    pub run: PathBuf,
    pub port: u16,
    /// TaskManagers started (2 slots each); jobs spread their slots over them.
    pub taskmanagers: usize,
    /// Runs the adaptive scheduler (rescaling in place), with its waits shortened.
    pub adaptive: bool,
    /// Serves REST over TLS.
    pub tls: Option<Tls>,
}

/// How a cluster serves REST over TLS.
#[derive(Debug, Clone)]
pub struct Tls {
    pub certs: Certs,
    /// Mutual TLS: a client must present a certificate the cluster's trust store (the CA) vouches for.
    pub mutual: bool,
}

impl Cluster {
    /// Two TaskManagers, the default scheduler. Default REST port: 18000 + 100·major + minor
    /// (1.20 -> 18120), so versions can run side by side; its run directory is
    /// `target/flink/<V>-<port>`, so clusters of one version on other ports can too.
    pub fn new(root: &Path, version: &str, port: Option<u16>) -> Result<Cluster> {
        let mut parts = version.split('.').map(str::parse::<u16>);
        let (Some(Ok(major)), Some(Ok(minor))) = (parts.next(), parts.next()) else {
            bail!("{version:?} is not a Flink version like 1.20.3");
        };
        let port = port.unwrap_or(18000 + 100 * major + minor);
        Ok(Cluster {
            version: version.to_string(),
            dist: cache_root().join("dist").join(version),
            // Per version and port: two clusters of one version never share (or stop) each other's.
            run: root.join("target/flink").join(format!("{version}-{port}")),
            port,
            taskmanagers: 2,
            adaptive: false,
            tls: None,
        })
    }

    /// A cluster of this version that runs beside this one: its own run directory
    /// `target/flink/<V>-<port>-<name>` and REST port (its other ports follow the REST port).
    pub fn twin(&self, name: &str, port: u16) -> Cluster {
        let mut run = self.run.clone().into_os_string();
        run.push(format!("-{name}"));
        Cluster {
            run: run.into(),
            port,
            ..self.clone()
        }
    }

    /// A twin with the adaptive scheduler: one TaskManager, REST port + 50.
    pub fn adaptive(&self) -> Cluster {
        Cluster {
            taskmanagers: 1,
            adaptive: true,
            ..self.twin("adaptive", self.port + 50)
        }
    }

    /// This cluster serving REST over TLS with `certs` (client certificates required if `mutual`).
    pub fn with_tls(self, certs: Certs, mutual: bool) -> Cluster {
        Cluster {
            tls: Some(Tls { certs, mutual }),
            ..self
        }
    }

    pub fn base_url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// How to reach this cluster: trusting its CA, presenting the client identity where it wants one.
    pub fn connection(&self) -> Result<Connection> {
        let Some(tls) = &self.tls else {
            return Ok(Connection::default());
        };
        let identity = tls.mutual.then(|| tls.certs.client_identity_pem());
        Connection::from_files(Some(&tls.certs.ca_pem()), identity.as_deref(), None, &[])
    }

    /// The crate's client of this cluster, each call limited to `timeout`.
    pub fn client(&self, timeout: Duration) -> Result<flink_rest::Client> {
        self.connection()?.client(&self.base_url(), timeout)
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env("FLINK_CONF_DIR", self.run.join("conf"))
            .env("FLINK_LOG_DIR", self.run.join("log"))
            .env("FLINK_PID_DIR", self.run.join("pid"))
            .env_remove("FLINK_HOME");
    }

    /// Downloads (cached), assembles, configures and starts the cluster, then waits until REST answers
    /// and a TaskManager has registered. Stops what an earlier, crashed run of this version left first.
    pub fn up(&self) -> Result<Duration> {
        if !VERSIONS.contains(&self.version.as_str()) {
            eprintln!(
                "note: Flink {} is not one of the versions known to run here ({})",
                self.version,
                VERSIONS.join(", ")
            );
        }
        let mut progress =
            Progress::new(format!("Flink {} at {}", self.version, self.base_url()), 0);
        progress.set("assembling the distribution (PyPI, cached)");
        self.ensure_dist()?;
        self.down()?;
        self.configure()?;
        started::add(self);
        let started = Instant::now();
        progress.set("starting");
        let mut cmd = Command::new("bash");
        cmd.arg(self.dist.join("bin/start-cluster.sh"));
        self.env(&mut cmd);
        let out = cmd.output().context("running bin/start-cluster.sh")?;
        if !out.status.success() {
            bail!(
                "start-cluster.sh failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        match self.wait_ready(Duration::from_secs(90), &mut progress) {
            Ok(()) => {
                let took = started.elapsed();
                progress.finish(&format!("ready in {:.1} s", took.as_secs_f64()));
                Ok(took)
            }
            Err(e) => {
                let log = self.log_tail();
                let _ = self.down();
                Err(e.context(log))
            }
        }
    }

    /// Stops every process whose pid file is in this cluster's pid dir: politely through the scripts,
    /// then by pid. Never touches any other process.
    pub fn down(&self) -> Result<()> {
        let pids = self.pids();
        if pids.is_empty() {
            return Ok(());
        }
        for script in ["taskmanager.sh", "jobmanager.sh"] {
            let mut cmd = Command::new("bash");
            cmd.arg(self.dist.join("bin").join(script)).arg("stop-all");
            self.env(&mut cmd);
            let _ = cmd.output();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline && pids.iter().any(|p| alive(*p)) {
            std::thread::sleep(Duration::from_millis(200));
        }
        for pid in pids.iter().filter(|p| alive(**p)) {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        }
        let _ = fs::remove_dir_all(self.run.join("pid"));
        started::remove(self);
        Ok(())
    }

    /// Pids from this cluster's pid files that still run a JVM from this distribution.
    fn pids(&self) -> Vec<u32> {
        let Ok(entries) = fs::read_dir(self.run.join("pid")) else {
            return Vec::new();
        };
        let dist = self.dist.to_string_lossy().to_string();
        let mut pids = Vec::new();
        for entry in entries.flatten() {
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            for pid in text
                .split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok())
            {
                let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                if String::from_utf8_lossy(&cmdline).contains(&dist) {
                    pids.push(pid);
                }
            }
        }
        pids
    }

    fn wait_ready(&self, limit: Duration, progress: &mut Progress) -> Result<()> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let client = self.client(Duration::from_secs(5))?;
        let start = Instant::now();
        let mut last = String::from("no answer yet");
        while start.elapsed() < limit {
            match runtime.block_on(client.get_cluster_overview()) {
                Ok(o) if o.taskmanagers as usize >= self.taskmanagers => return Ok(()),
                Ok(o) => {
                    last = format!(
                        "REST answers, {} of {} TaskManagers registered",
                        o.taskmanagers, self.taskmanagers
                    );
                    progress.set(&last);
                }
                // Not answering yet is what starting looks like; the error is kept for a failure.
                Err(e) => {
                    last = e.to_string();
                    progress.set("waiting for the REST endpoint");
                }
            }
            // The scripts write pid files at once; none alive after a few seconds means it died.
            if start.elapsed() > Duration::from_secs(5) && self.pids().is_empty() {
                bail!("Flink {} exited during start ({last})", self.version);
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        bail!("Flink {} not ready after {limit:?}: {last}", self.version)
    }

    fn log_tail(&self) -> String {
        let mut out = String::new();
        for entry in fs::read_dir(self.run.join("log"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(15).collect();
            out.push_str(&format!("--- {}\n", entry.path().display()));
            for line in tail.into_iter().rev() {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// Writes the whole configuration: loopback only, this cluster's ports and directories, 2 slots per
    /// TaskManager spread evenly, the scheduler.
    fn configure(&self) -> Result<()> {
        let conf = self.run.join("conf");
        for dir in [
            "conf",
            "log",
            "pid",
            "tmp",
            "web",
            "checkpoints",
            "savepoints",
        ] {
            fs::create_dir_all(self.run.join(dir))?;
        }
        // Logging and the other files come from the distribution; the config file is ours.
        for entry in fs::read_dir(self.dist.join("conf"))? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name != "flink-conf.yaml" && name != "config.yaml" {
                fs::copy(entry.path(), conf.join(&*name))?;
            }
        }
        let file = if self.dist.join("conf/config.yaml").exists() {
            "config.yaml"
        } else {
            "flink-conf.yaml"
        };
        let _ = fs::remove_file(conf.join(if file == "config.yaml" {
            "flink-conf.yaml"
        } else {
            "config.yaml"
        }));
        let run = self.run.canonicalize()?;
        let p = self.port;
        let settings = [
            ("jobmanager.rpc.address", "localhost".to_string()),
            ("jobmanager.rpc.port", (p + 1000).to_string()),
            ("jobmanager.bind-host", "localhost".into()),
            ("taskmanager.bind-host", "localhost".into()),
            ("taskmanager.host", "localhost".into()),
            ("taskmanager.rpc.port", format!("{}-{}", p + 2000, p + 2009)),
            ("taskmanager.data.port", "0".into()),
            ("blob.server.port", format!("{}-{}", p + 3000, p + 3009)),
            ("rest.address", "127.0.0.1".into()),
            ("rest.bind-address", "127.0.0.1".into()),
            ("rest.port", p.to_string()),
            ("jobmanager.memory.process.size", "1024m".into()),
            ("taskmanager.memory.process.size", "1280m".into()),
            ("taskmanager.numberOfTaskSlots", "2".into()),
            // Jobs spread over both TaskManagers (the key 2.x reads; 1.x the one before).
            ("cluster.evenly-spread-out-slots", "true".into()),
            ("taskmanager.load-balance.mode", "SLOTS".into()),
            // How long REST answers about a job may be cached (default 3 s): short-lived states (a job
            // restarting) stay visible, and waits end sooner.
            ("web.refresh-interval", "500".into()),
            // TaskManagers report accumulators with their heartbeats (default every 10 s).
            ("heartbeat.interval", "1000".into()),
            ("parallelism.default", "1".into()),
            ("io.tmp.dirs", run.join("tmp").display().to_string()),
            ("web.tmpdir", run.join("web").display().to_string()),
            ("web.upload.dir", run.join("web").display().to_string()),
            (
                "state.checkpoints.dir",
                format!("file://{}", run.join("checkpoints").display()),
            ),
            (
                "state.savepoints.dir",
                format!("file://{}", run.join("savepoints").display()),
            ),
            ("env.pid.dir", run.join("pid").display().to_string()),
            ("env.log.dir", run.join("log").display().to_string()),
            ("env.java.opts", JAVA_OPTS.into()),
            ("env.java.opts.all", JAVA_OPTS.into()),
        ];
        // Rescale as soon as requirements change: no cool-down after a rescale (1.18 to 1.20 call it the
        // minimum scaling interval) and a short wait for resources to settle; keep a rescale history
        // (2.3; off by default). Keys a version does not know are ignored by it.
        let adaptive = [
            ("jobmanager.scheduler", "adaptive"),
            ("web.adaptive-scheduler.rescale-history.size", "8"),
            ("jobmanager.adaptive-scheduler.scaling-interval.min", "0 ms"),
            (
                "jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling",
                "0 ms",
            ),
            (
                "jobmanager.adaptive-scheduler.resource-stabilization-timeout",
                "1 s",
            ),
            (
                "jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout",
                "1 s",
            ),
        ];
        let scheduler = adaptive.iter().filter(|_| self.adaptive);
        let tls = self.tls.iter().flat_map(tls_settings);
        let mut text = format!(
            "# Written by `cargo xtask flink up --version {}`; rewritten on every start.\n",
            self.version
        );
        for (key, value) in settings
            .iter()
            .cloned()
            .chain(scheduler.map(|(k, v)| (*k, v.to_string())))
            .chain(tls)
        {
            text.push_str(&format!("{key}: {value}\n"));
        }
        fs::write(conf.join(file), text)?;
        fs::write(conf.join("masters"), format!("localhost:{p}\n"))?;
        fs::write(
            conf.join("workers"),
            "localhost\n".repeat(self.taskmanagers),
        )?;
        Ok(())
    }

    /// Downloads the two packages (cached) and assembles bin/, conf/ and lib/ from them.
    pub fn ensure_dist(&self) -> Result<()> {
        if self.dist.join("bin/start-cluster.sh").exists() && self.dist.join("lib").is_dir() {
            return Ok(());
        }
        let downloads = cache_root().join("downloads").join(&self.version);
        let files = download(&self.version, &downloads)?;
        let partial = self.dist.with_extension("partial");
        let _ = fs::remove_dir_all(&partial);
        fs::create_dir_all(&partial)?;
        for file in &files {
            extract(file, &partial).with_context(|| format!("unpacking {}", file.display()))?;
        }
        for must in ["bin/start-cluster.sh", "conf", "lib"] {
            if !partial.join(must).exists() {
                bail!("the packages of Flink {} have no {must}", self.version);
            }
        }
        let _ = fs::remove_dir_all(&self.dist);
        fs::rename(&partial, &self.dist)?;
        Ok(())
    }
}

/// The clusters this process started and has not stopped: on Ctrl-C or SIGTERM they are stopped before
/// it exits (a guard's `Drop` does not run then), so no JVM outlives an interrupted run.
mod started {
    use std::sync::{Mutex, Once};

    use super::Cluster;

    static CLUSTERS: Mutex<Vec<Cluster>> = Mutex::new(Vec::new());

    pub(super) fn add(c: &Cluster) {
        static SIGNALS: Once = Once::new();
        SIGNALS.call_once(|| {
            std::thread::spawn(stop_on_signal);
        });
        let mut all = CLUSTERS.lock().unwrap_or_else(|e| e.into_inner());
        all.retain(|o| o.run != c.run);
        all.push(c.clone());
    }

    pub(super) fn remove(c: &Cluster) {
        let mut all = CLUSTERS.lock().unwrap_or_else(|e| e.into_inner());
        all.retain(|o| o.run != c.run);
    }

    fn stop_on_signal() {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        let signal = runtime.block_on(async {
            use tokio::signal::unix::{signal, SignalKind};
            let mut term = signal(SignalKind::terminate())?;
            tokio::select! {
                r = tokio::signal::ctrl_c() => r.map(|()| "interrupted"),
                _ = term.recv() => Ok("terminated"),
            }
        });
        let Ok(what) = signal else { return };
        let clusters = CLUSTERS.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for c in clusters {
            eprintln!("{what}: stopping Flink {} ({})", c.version, c.run.display());
            let _ = c.down();
        }
        std::process::exit(130);
    }
}

/// A started cluster that is stopped when dropped, also when a test panics.
pub struct Running {
    pub cluster: Cluster,
    /// How long start took until REST answered with a TaskManager registered.
    pub ready_after: Duration,
}

impl Cluster {
    /// Starts the cluster and returns a guard that stops it when dropped.
    pub fn start(self) -> Result<Running> {
        let ready_after = self.up()?;
        Ok(Running {
            cluster: self,
            ready_after,
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Err(e) = self.cluster.down() {
            eprintln!("stopping Flink {}: {e:#}", self.cluster.version);
        }
    }
}

/// REST over TLS with the test certificates. Flink's default cipher suite (`TLS_RSA_WITH_AES_128_CBC_SHA`)
/// has no forward secrecy and rustls refuses it, so the suites are ECDHE ones (the keys are P-256).
fn tls_settings(tls: &Tls) -> Vec<(&'static str, String)> {
    let path = |p: PathBuf| p.display().to_string();
    vec![
        ("security.ssl.rest.enabled", "true".into()),
        ("security.ssl.rest.keystore", path(tls.certs.keystore())),
        ("security.ssl.rest.keystore-password", PASSWORD.into()),
        ("security.ssl.rest.key-password", PASSWORD.into()),
        ("security.ssl.rest.truststore", path(tls.certs.truststore())),
        ("security.ssl.rest.truststore-password", PASSWORD.into()),
        (
            "security.ssl.rest.authentication-enabled",
            tls.mutual.to_string(),
        ),
        (
            "security.ssl.algorithms",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
                .into(),
        ),
    ]
}

/// Where downloads, distributions and installed tools are cached: `FLINK_REST_CACHE`, else
/// `~/.cache/flink-rest`.
pub fn cache_root() -> PathBuf {
    std::env::var_os("FLINK_REST_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home =
                std::env::var_os("HOME").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
            home.join(".cache/flink-rest")
        })
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// `pip download --no-deps` of both packages (pip shows its own progress bars); returns their files.
fn download(version: &str, dir: &Path) -> Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    // `apache-flink-` is also the start of `apache-flink-libraries-`: tell them apart by that word.
    let find = |libraries: bool| -> Option<PathBuf> {
        fs::read_dir(dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                name.replace('_', "-").starts_with("apache-flink-")
                    && is_libraries(p) == libraries
                    && (name.ends_with(".whl") || name.ends_with(".tar.gz"))
            })
    };
    if find(false).is_none() || find(true).is_none() {
        eprintln!(
            "downloading Flink {version} from PyPI into {}",
            dir.display()
        );
        let status = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--disable-pip-version-check",
            ])
            .args(["--no-binary", "apache-flink-libraries"])
            .arg(format!("apache-flink=={version}"))
            .arg(format!("apache-flink-libraries=={version}"))
            .arg("-d")
            .arg(dir)
            .status()
            .context("running pip (python3 -m pip)")?;
        if !status.success() {
            bail!("pip download of Flink {version} failed");
        }
    }
    let flink = find(false).context("no apache-flink package downloaded")?;
    let libs = find(true).context("no apache-flink-libraries package downloaded")?;
    Ok(vec![flink, libs])
}

fn is_libraries(path: &Path) -> bool {
    let n = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_lowercase();
    n.contains("libraries")
}

/// Where an archive entry goes: `…/deps/<dir>/…` (sdists) or `pyflink/<dir>/…` (wheels), for bin, conf
/// and lib; everything else is not needed to run a cluster.
fn target_of(entry: &str) -> Option<PathBuf> {
    let parts: Vec<&str> = entry.split('/').collect();
    let at = parts.iter().position(|p| *p == "deps" || *p == "pyflink")?;
    let rest = &parts[at + 1..];
    match rest.first() {
        Some(&("bin" | "conf" | "lib")) if rest.len() > 1 && !rest[rest.len() - 1].is_empty() => {
            Some(rest.iter().collect())
        }
        _ => None,
    }
}

fn write_entry(dest: &Path, rel: &Path, reader: &mut dyn Read) -> Result<()> {
    let path = dest.join(rel);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut file = fs::File::create(&path)?;
    std::io::copy(reader, &mut file)?;
    if rel.starts_with("bin") {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}

fn extract(archive: &Path, dest: &Path) -> Result<()> {
    let name = archive.to_string_lossy();
    if name.ends_with(".whl") {
        let mut zip = zip::ZipArchive::new(fs::File::open(archive)?)?;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i)?;
            if let Some(rel) = target_of(entry.name()) {
                write_entry(dest, &rel, &mut entry)?;
            }
        }
    } else {
        let gz = flate2::read::GzDecoder::new(fs::File::open(archive)?);
        let mut tar = tar::Archive::new(gz);
        for entry in tar.entries()? {
            let mut entry = entry?;
            let path = entry.path()?.to_string_lossy().to_string();
            if let Some(rel) = target_of(&path) {
                if entry.header().entry_type().is_file() {
                    write_entry(dest, &rel, &mut entry)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_entries_map_to_the_distribution_layout() {
        let t = |s| target_of(s).map(|p| p.display().to_string());
        assert_eq!(
            t("pyflink/bin/start-cluster.sh").as_deref(),
            Some("bin/start-cluster.sh")
        );
        assert_eq!(
            t("apache-flink-1.15.4/deps/conf/flink-conf.yaml").as_deref(),
            Some("conf/flink-conf.yaml")
        );
        assert_eq!(
            t("apache_flink_libraries-2.0.2/deps/lib/flink-dist-2.0.2.jar").as_deref(),
            Some("lib/flink-dist-2.0.2.jar")
        );
        assert_eq!(
            t("apache-flink-libraries-1.15.4/deps/bin/bash-java-utils.jar").as_deref(),
            Some("bin/bash-java-utils.jar")
        );
        assert_eq!(
            t("apache_flink_libraries-2.0.2/deps/plugins/metrics-jmx/x.jar"),
            None
        );
        assert_eq!(t("pyflink/datastream/__init__.py"), None);
        assert_eq!(t("apache-flink-1.15.4/deps/bin/"), None);
    }

    #[test]
    fn ports_follow_the_version_unless_given() {
        let root = Path::new("/repo");
        assert_eq!(Cluster::new(root, "1.20.3", None).unwrap().port, 18120);
        assert_eq!(Cluster::new(root, "2.3.0", None).unwrap().port, 18203);
        assert_eq!(Cluster::new(root, "2.3.0", Some(9000)).unwrap().port, 9000);
        assert!(Cluster::new(root, "latest", None).is_err());
        let twin = Cluster::new(root, "1.20.3", None).unwrap().adaptive();
        assert_eq!((twin.port, twin.adaptive), (18170, true));
        assert_eq!(
            twin.run,
            Path::new("/repo/target/flink/1.20.3-18120-adaptive")
        );
        let (a, b) = (
            Cluster::new(root, "1.20.3", None).unwrap(),
            Cluster::new(root, "1.20.3", Some(19000)).unwrap(),
        );
        assert_ne!(
            a.run, b.run,
            "one version on two ports: two run directories"
        );
    }
}
