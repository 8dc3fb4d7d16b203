//! How a version's recorded exchanges are laid out: `<V>/<step>/<NN>-<pair>.json`, one folder per
//! scenario step (a new step adds a folder and renames no file), and `<V>/steps.json` listing the
//! steps in the order they ran, so the exchanges read back in recording order.

use std::path::{Path, PathBuf};

/// The file listing a version's steps in the order they ran.
pub const STEPS_FILE: &str = "steps.json";

/// A step's folder: its name in lower case, words joined by `-` (`job graph submission` ->
/// `job-graph-submission`).
pub fn step_folder(step: &str) -> String {
    slug(&step.to_lowercase(), 72)
}

/// An exchange's file in its step's folder: its number there (from 1) and what it asked
/// (`03-GET-jobs-jobid.json`; `GET /jobs/:jobid` or, for no pair, the method and path).
pub fn file_name(n: usize, asked: &str) -> String {
    format!("{n:02}-{}.json", slug(asked, 72))
}

fn slug(text: &str, limit: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(limit).collect()
}

/// Every recorded exchange's file under `dir` (one version's), in recording order, each with its
/// name relative to `dir` (`cluster/01-GET-config.json`).
pub fn exchange_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let steps_file = dir.join(STEPS_FILE);
    let text = std::fs::read_to_string(&steps_file)
        .map_err(|e| format!("{}: {e}", steps_file.display()))?;
    let steps: Vec<String> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", steps_file.display()))?;
    let mut files = Vec::new();
    for step in steps {
        let folder = dir.join(&step);
        let listing =
            std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        let mut names: Vec<String> = (listing.flatten())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        files.extend(
            names
                .into_iter()
                .map(|n| (format!("{step}/{n}"), folder.join(n))),
        );
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_slugs() {
        assert_eq!(step_folder("job graph submission"), "job-graph-submission");
        assert_eq!(file_name(3, "GET /jobs/:jobid"), "03-GET-jobs-jobid.json");
        assert_eq!(
            file_name(12, "GET /jobs/00000000000000000000000000000005%0D%0AX"),
            "12-GET-jobs-00000000000000000000000000000005-0D-0AX.json"
        );
    }
}
