//! `cargo xtask ledger`: propose ledger entries from the recorded fixtures, and report resolved ones.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use contract_tests::evidence;
use flink_rest_codegen::{ledger, pretty};
use serde_json::{json, Value};

pub fn propose(root: &Path, write: bool) -> Result<ExitCode> {
    let evidence::Review {
        proposals,
        revisions,
        resolved,
        required,
        stale_evidence,
    } = evidence::review(root)?;
    for (verb, list) in [("propose", &proposals), ("revise", &revisions)] {
        for e in list {
            println!("{verb} {}: {}", e.id, serde_json::to_string(&e.change)?);
        }
    }
    for id in &resolved {
        println!("resolved {id}: no fixture supports it any more");
    }
    for (id, cite) in &stale_evidence {
        println!("evidence of {id} is stale: cite {}", cite.join(", "));
    }
    let required_now = required_text(&required);
    let required_file = root.join(ledger::REQUIRED_FILE);
    let required_stale =
        std::fs::read_to_string(&required_file).ok().as_deref() != Some(&required_now);
    println!(
        "{} proposals, {} resolved entries, {} required fields{}",
        proposals.len() + revisions.len(),
        resolved.len(),
        required.values().map(Vec::len).sum::<usize>(),
        if required_stale {
            " (required.json changes)"
        } else {
            ""
        }
    );
    if write {
        std::fs::write(&required_file, required_now)?;
        refresh_evidence(root, &stale_evidence)?;
        revise(root, &revisions)?;
        if !proposals.is_empty() {
            let file = root.join(ledger::DIR).join("proposed.json");
            let mut list: Vec<Value> = std::fs::read_to_string(&file)
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
            list.extend(
                proposals
                    .iter()
                    .map(|e| serde_json::to_value(e).expect("plain data")),
            );
            std::fs::write(&file, pretty(&list))?;
            println!(
                "wrote {} — review it, then run `cargo xtask gen`",
                file.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    Ok(
        if proposals.is_empty()
            && revisions.is_empty()
            && resolved.is_empty()
            && stale_evidence.is_empty()
            && !required_stale
        {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}

fn required_text(required: &BTreeMap<String, Vec<String>>) -> String {
    let mut map = serde_json::Map::new();
    map.insert(
        "$comment".into(),
        json!("Per type, the fields every recorded answer of every version carries non-null: these are not Option in Rust. Written by `cargo xtask ledger propose --write`."),
    );
    for (ty, fields) in required {
        map.insert(ty.clone(), json!(fields));
    }
    pretty(&Value::Object(map))
}

/// Replaces revised entries in place (same id), keeping their reviewed `why`.
fn revise(root: &Path, revisions: &[ledger::Entry]) -> Result<()> {
    edit_entries(root, |item| {
        let Some(r) = revisions.iter().find(|r| item["id"] == r.id.as_str()) else {
            return Ok(false);
        };
        let why = item["why"].clone();
        *item = serde_json::to_value(r)?;
        item["why"] = why;
        Ok(true)
    })
}

/// Rewrites the `evidence` of the named entries in place, leaving everything else as reviewed.
fn refresh_evidence(root: &Path, stale: &BTreeMap<String, Vec<String>>) -> Result<()> {
    edit_entries(root, |item| {
        let Some(cite) = item["id"].as_str().and_then(|id| stale.get(id)) else {
            return Ok(false);
        };
        item["evidence"] = json!(cite);
        Ok(true)
    })
}

/// Applies `edit` to every entry of every ledger entry file, rewriting the files it changed.
fn edit_entries(root: &Path, mut edit: impl FnMut(&mut Value) -> Result<bool>) -> Result<()> {
    for entry in std::fs::read_dir(root.join(ledger::DIR))?.flatten() {
        let path = entry.path();
        let rel = format!("{}/{}", ledger::DIR, entry.file_name().to_string_lossy());
        if rel == ledger::VERSIONS_FILE
            || rel == ledger::REQUIRED_FILE
            || path.extension().is_none_or(|e| e != "json")
        {
            continue;
        }
        let mut list: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        let mut changed = false;
        for item in &mut list {
            changed |= edit(item)?;
        }
        if changed {
            std::fs::write(&path, pretty(&list))?;
            println!("rewrote entries in {}", path.display());
        }
    }
    Ok(())
}
