//! Writing the generated files, or checking that they are up to date.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::Path;

/// Brings `owned` (files or folders under `root`) to exactly `files`; returns what differed. With
/// `check`, writes nothing.
pub fn sync(
    root: &Path,
    files: &BTreeMap<String, String>,
    owned: &[&str],
    check: bool,
) -> io::Result<Vec<String>> {
    let context =
        |what: String| move |e: io::Error| io::Error::new(e.kind(), format!("{what}: {e}"));
    let mut stale = Vec::new();
    for (rel, contents) in files {
        let path = root.join(rel);
        if fs::read_to_string(&path).ok().as_deref() == Some(contents.as_str()) {
            continue;
        }
        stale.push(rel.clone());
        if !check {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(context(format!("creating {}", dir.display())))?;
            }
            fs::write(&path, contents).map_err(context(format!("writing {rel}")))?;
        }
    }
    let mut existing = BTreeSet::new();
    for dir in owned {
        list_files(root, &root.join(dir), &mut existing)?;
    }
    for rel in existing {
        if !files.contains_key(&rel) {
            stale.push(format!("{rel} (no longer generated)"));
            if !check {
                fs::remove_file(root.join(&rel)).map_err(context(format!("removing {rel}")))?;
            }
        }
    }
    Ok(stale)
}

fn list_files(root: &Path, path: &Path, out: &mut BTreeSet<String>) -> io::Result<()> {
    if path.is_file() {
        let rel = path.strip_prefix(root).unwrap_or(path);
        out.insert(rel.to_string_lossy().replace('\\', "/"));
    } else if path.is_dir() {
        let listing = fs::read_dir(path)
            .map_err(|e| io::Error::new(e.kind(), format!("listing {}: {e}", path.display())))?;
        for entry in listing {
            list_files(root, &entry?.path(), out)?;
        }
    }
    Ok(())
}
