//! Writing the generated files, or checking that they are up to date.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::Path;
use std::process::ExitCode;

/// `gen [--check]`: every output made from the inputs under `root`, then written (or, with `check`,
/// compared: a stale file fails, naming the command to run). Problems in the inputs are printed
/// and fail; an input or output that cannot be read or written is the error.
pub fn generate(root: &Path, check: bool) -> io::Result<ExitCode> {
    generate_with(root, check, BTreeMap::new(), &[])
}

/// [`generate`], with `extra` files made elsewhere (the data schemas of the test crate) in folders
/// of their own, `extra_owned`.
pub fn generate_with(
    root: &Path,
    check: bool,
    extra: BTreeMap<String, String>,
    extra_owned: &[&str],
) -> io::Result<ExitCode> {
    let mut files = match crate::outputs(crate::Inputs::read(root)?) {
        Ok(files) => files,
        Err(problems) => {
            eprint!("{problems}");
            return Ok(ExitCode::FAILURE);
        }
    };
    files.extend(extra);
    let owned: Vec<&str> = crate::OWNED_DIRS
        .iter()
        .chain(extra_owned)
        .copied()
        .collect();
    let stale = sync(root, &files, &owned, check)?;
    if !check {
        println!("{} files generated, {} changed", files.len(), stale.len());
        return Ok(ExitCode::SUCCESS);
    }
    if stale.is_empty() {
        println!("{} generated files are up to date", files.len());
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("{} generated files are stale:", stale.len());
    for path in &stale {
        eprintln!("  {path}");
    }
    eprintln!("run `cargo xtask gen` and commit the result");
    Ok(ExitCode::FAILURE)
}

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
