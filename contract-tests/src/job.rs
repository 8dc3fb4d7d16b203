//! The scenario's job: compiled with `javac` against a distribution's lib/, packed into a jar, and, for
//! `POST /jobs`, turned into a serialized JobGraph by running its own main with `--write-jobgraph`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The Java source kept in the repository.
pub const SOURCE: &str = include_str!("../job/FlinkRestScenario.java");
pub const MAIN_CLASS: &str = "FlinkRestScenario";
pub const JAR_NAME: &str = "flink-rest-scenario.jar";

/// Compiles the job against `dist/lib` into `work/classes` and returns the jar's bytes.
pub fn build_jar(dist: &Path, work: &Path) -> Result<Vec<u8>> {
    let src_dir = work.join("src");
    let classes = work.join("classes");
    let _ = std::fs::remove_dir_all(&classes);
    std::fs::create_dir_all(&src_dir)?;
    std::fs::create_dir_all(&classes)?;
    let source = src_dir.join(format!("{MAIN_CLASS}.java"));
    std::fs::write(&source, SOURCE)?;
    let out = Command::new("javac")
        .arg("-nowarn")
        .arg("-cp")
        .arg(format!("{}/*", dist.join("lib").display()))
        .arg("-d")
        .arg(&classes)
        .arg(&source)
        .output()
        .context("running javac (install a JDK: apt-get install -y openjdk-17-jdk-headless)")?;
    if !out.status.success() {
        bail!("javac failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    jar(&classes)
}

/// A jar: the compiled classes plus a manifest naming the main class.
fn jar(classes: &Path) -> Result<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(classes)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "class"))
        .collect();
    files.sort();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    zip.start_file("META-INF/MANIFEST.MF", options)?;
    zip.write_all(format!("Manifest-Version: 1.0\r\nMain-Class: {MAIN_CLASS}\r\n\r\n").as_bytes())?;
    for file in files {
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        zip.start_file(name, options)?;
        zip.write_all(&std::fs::read(&file)?)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Runs the job's main with `--write-jobgraph` and returns the serialized JobGraph.
pub fn job_graph(dist: &Path, work: &Path, java_opts: &str) -> Result<Vec<u8>> {
    let file = work.join("job.graph");
    let _ = std::fs::remove_file(&file);
    let out = Command::new("java")
        .args(java_opts.split_whitespace())
        .arg("-cp")
        .arg(format!(
            "{}/*:{}",
            dist.join("lib").display(),
            work.join("classes").display()
        ))
        .arg(MAIN_CLASS)
        .arg("--write-jobgraph")
        .arg(&file)
        .output()
        .context("running java")?;
    if !out.status.success() {
        bail!(
            "writing the JobGraph failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::read(&file).context("reading the JobGraph")
}
