//! The pairs a run is held to, from
//! `schemas/documented/<source>/endpoints.json`.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use flink_rest::Pair;
use serde_json::Value;

/// What one source's docs say that a run needs, read once.
pub struct Source {
    /// `1.10`, `1.15` … `2.3`.
    id: String,
    /// Each documented pair.
    pairs: Vec<Pair>,
    /// The values it lists for `agg` of `GET /jobs/metrics`, if it lists them.
    agg: Option<Vec<String>>,
    /// Where it was read from, for errors.
    file: PathBuf,
}

/// Every source's docs, oldest source first.
pub fn sources(root: &Path) -> Result<Vec<Source>> {
    let dir = root.join("schemas/documented");
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
        let id = entry?.file_name().to_string_lossy().into_owned();
        let file = dir.join(&id).join("endpoints.json");
        if file.is_file() {
            sources.push(source(id, file)?);
        }
    }
    sources.sort_by(|a, b| flink_rest_codegen::ledger::compare_versions(&a.id, &b.id));
    Ok(sources)
}

fn source(id: String, file: PathBuf) -> Result<Source> {
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let doc: Value = serde_json::from_str(&text).with_context(|| format!("{}", file.display()))?;
    let endpoints = doc["endpoints"]
        .as_array()
        .ok_or_else(|| anyhow!("{}: no endpoints array", file.display()))?;
    let pairs = (endpoints.iter().enumerate())
        .map(|(i, e)| match (e["method"].as_str(), e["path"].as_str()) {
            (Some(m), Some(p)) => format!("{m} {p}")
                .parse::<Pair>()
                .map_err(|unknown| anyhow!("{}: /endpoints/{i}: {unknown}", file.display())),
            _ => Err(anyhow!(
                "{}: /endpoints/{i}: endpoint without method or path",
                file.display()
            )),
        })
        .collect::<Result<Vec<Pair>>>()?;
    let agg = (endpoints.iter().zip(&pairs))
        .filter(|(_, pair)| **pair == Pair::GetJobsMetrics)
        .flat_map(|(e, _)| e["query_params"].as_array().into_iter().flatten())
        .find(|q| q["name"] == "agg")
        .and_then(|q| q["type"]["items"]["values"].as_array())
        .map(|values| (values.iter().filter_map(|v| v.as_str().map(str::to_string))).collect());
    Ok(Source {
        id,
        pairs,
        agg,
        file,
    })
}

/// The pairs a run is held to: the 1.10 page's and the version's own docs' (its minor's, or the newest
/// older minor's).
pub struct Pairs {
    pub baseline: Vec<Pair>,
    pub own: Vec<Pair>,
    /// Every `agg` value the version's docs list for aggregated metrics (`min,max,sum,avg[,skew]`).
    pub agg: String,
}

impl Pairs {
    pub fn of(sources: &[Source], version: &str) -> Result<Pairs> {
        let keys = |s: &Source| s.pairs.clone();
        let minor = flink_rest_codegen::ledger::minor(version);
        let own = (sources.iter())
            .rfind(|s| flink_rest_codegen::ledger::compare_versions(&s.id, &minor).is_le());
        let agg = match own {
            Some(s) => s.agg.as_ref().ok_or_else(|| {
                anyhow!(
                    "{}: no `agg` values for {}",
                    s.file.display(),
                    Pair::GetJobsMetrics
                )
            })?,
            None => &Vec::new(),
        };
        Ok(Pairs {
            baseline: sources.first().map(keys).unwrap_or_default(),
            own: own.map(keys).unwrap_or_default(),
            agg: agg.join(","),
        })
    }

    /// Whether the version's own docs list `pair`.
    pub fn documents(&self, pair: Pair) -> bool {
        self.own.contains(&pair)
    }
}
