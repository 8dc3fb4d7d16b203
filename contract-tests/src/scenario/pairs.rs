//! The pairs a run is held to and how a concrete request maps to its documented pair, from
//! `schemas/documented/<source>/endpoints.json`.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use serde_json::Value;

/// One documented endpoint/verb pair, as the page writes it.
#[derive(Debug, Clone)]
pub struct Template {
    pub method: String,
    pub path: String,
    segments: Vec<String>,
}

impl Template {
    pub fn new(method: &str, path: &str) -> Template {
        Template {
            method: method.to_string(),
            path: path.to_string(),
            segments: path.split('/').skip(1).map(str::to_string).collect(),
        }
    }

    /// How many literal segments match, if the whole path matches.
    fn score(&self, method: &str, segments: &[&str]) -> Option<usize> {
        if self.method != method || self.segments.len() != segments.len() {
            return None;
        }
        let mut literal = 0;
        for (t, s) in self.segments.iter().zip(segments) {
            if t.starts_with(':') {
                continue;
            }
            if t != s {
                return None;
            }
            literal += 1;
        }
        Some(literal)
    }

    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Every pair any source documents (`schemas/documented/<source>/endpoints.json`): what a concrete request
/// is matched against.
pub fn templates(root: &Path) -> Result<Vec<Template>> {
    Ok(templates_of(&sources(root)?))
}

pub(super) fn templates_of(sources: &[Source]) -> Vec<Template> {
    let mut out: Vec<Template> = Vec::new();
    for (method, path) in sources.iter().flat_map(|s| &s.pairs) {
        if !out.iter().any(|t| &t.method == method && &t.path == path) {
            out.push(Template::new(method, path));
        }
    }
    out
}

/// What one source's docs say that a run needs, read once.
pub struct Source {
    /// `1.10`, `1.15` … `2.3`.
    id: String,
    /// Each documented pair's (method, path).
    pairs: Vec<(String, String)>,
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
    let pairs = endpoints
        .iter()
        .map(|e| match (e["method"].as_str(), e["path"].as_str()) {
            (Some(m), Some(p)) => Ok((m.to_string(), p.to_string())),
            _ => Err(anyhow!(
                "{}: endpoint without method or path",
                file.display()
            )),
        })
        .collect::<Result<_>>()?;
    let agg = (endpoints.iter())
        .filter(|e| e["method"] == "GET" && e["path"] == "/jobs/metrics")
        .flat_map(|e| e["query_params"].as_array().into_iter().flatten())
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
/// older minor's), as keys (`GET /jobs`).
pub struct Pairs {
    pub baseline: Vec<String>,
    pub own: Vec<String>,
    /// Every `agg` value the version's docs list for aggregated metrics (`min,max,sum,avg[,skew]`).
    pub agg: String,
}

impl Pairs {
    pub fn of(sources: &[Source], version: &str) -> Result<Pairs> {
        let keys = |s: &Source| -> Vec<String> {
            s.pairs.iter().map(|(m, p)| format!("{m} {p}")).collect()
        };
        let minor = flink_rest_codegen::ledger::minor(version);
        let own = (sources.iter())
            .rfind(|s| flink_rest_codegen::ledger::compare_versions(&s.id, &minor).is_le());
        let agg = match own {
            Some(s) => s.agg.as_ref().ok_or_else(|| {
                anyhow!(
                    "{}: no `agg` values for GET /jobs/metrics",
                    s.file.display()
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

    /// Whether the version's own docs list `key`.
    pub fn documents(&self, key: &str) -> bool {
        self.own.iter().any(|k| k == key)
    }
}

/// The documented pair a concrete request is an instance of: the match with most literal segments wins
/// (`/jobs/overview` is not `/jobs/:jobid`).
pub fn endpoint_of<'a>(
    templates: &'a [Template],
    method: &str,
    path: &str,
) -> Option<&'a Template> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    templates
        .iter()
        .filter_map(|t| t.score(method, &segments).map(|s| (s, t)))
        .max_by_key(|(s, _)| *s)
        .map(|(_, t)| t)
}
