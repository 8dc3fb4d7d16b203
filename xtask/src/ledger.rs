//! `cargo xtask ledger`: propose ledger entries from the recorded fixtures, and report resolved ones.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use contract_tests::evidence;
use flink_rest_codegen::ledger;
use serde_json::{json, Value};

pub fn propose(root: &Path, write: bool) -> Result<ExitCode> {
    let evidence::Review {
        proposals,
        resolved,
        required,
    } = evidence::review(root)?;
    for e in &proposals {
        println!("propose {}: {}", e.id, e.why);
    }
    for id in &resolved {
        println!("resolved {id}: no fixture supports it any more");
    }
    let required_now = required_text(&required);
    let required_file = root.join(ledger::REQUIRED_FILE);
    let required_stale =
        std::fs::read_to_string(&required_file).ok().as_deref() != Some(&required_now);
    println!(
        "{} proposals, {} resolved entries, {} required fields{}",
        proposals.len(),
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
            let mut text = serde_json::to_string_pretty(&list)?;
            text.push('\n');
            std::fs::write(&file, text)?;
            println!(
                "wrote {} — review it, then run `cargo xtask gen`",
                file.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    Ok(
        if proposals.is_empty() && resolved.is_empty() && !required_stale {
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
    let mut text = serde_json::to_string_pretty(&Value::Object(map)).expect("plain data");
    text.push('\n');
    text
}
