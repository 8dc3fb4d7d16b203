//! Recorded exchanges (fixtures) and the redaction that makes them stable and safe to check in.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One request to a live server and its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Exchange {
    /// The documented pair exactly as the page writes it (`GET /jobs/:jobid`); `None` for a request that
    /// matches no documented pair (an unknown path, a wrong verb).
    pub endpoint: Option<flink_rest::Pair>,
    /// `scenario` (a valid request made to reach a documented response) or `bad-input`.
    pub kind: Kind,
    /// The scenario step it was made in.
    pub step: String,
    pub flink_version: String,
    pub request: RecordedRequest,
    pub response: RecordedResponse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Scenario,
    BadInput,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Only `content-type`: no Authorization, cookie or token header is ever stored.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<RequestBody>,
}

impl RecordedRequest {
    /// The JSON body sent: the body itself, or a multipart request's JSON part.
    pub fn json_body(&self) -> Option<&Value> {
        match self.body.as_ref()? {
            RequestBody::Json(v) => Some(v),
            RequestBody::Multipart(parts) => parts.iter().find_map(|p| p.json.as_ref()),
            RequestBody::Text(_) | RequestBody::Described { .. } => None,
        }
    }

    /// The query as decoded name/value pairs, in the order sent.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .and_then(|q| reqwest::Url::parse(&format!("http://x/?{q}")).ok())
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RequestBody {
    Json(Value),
    /// Sent as is: not JSON (the invalid-body cases).
    Text(String),
    /// Multipart form: what each part was, not its bytes.
    Multipart(Vec<PartRecord>),
    /// Bytes too many or too odd to keep (a huge body, invalid UTF-8): how many, and what they were.
    Described {
        bytes: usize,
        about: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PartRecord {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    pub content_type: String,
    /// The part's JSON, for a JSON attribute; else its size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordedResponse {
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The body, where it is JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The body, where it is not JSON (and not empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Loads every fixture of a version directory (`<step>/<NN>-<pair>.json`, see
/// [`flink_rest_emulator::layout`]), in recording order, each with its name there.
pub fn load_dir(dir: &Path) -> anyhow::Result<Vec<(String, Exchange)>> {
    let files = flink_rest_emulator::layout::exchange_files(dir).map_err(anyhow::Error::msg)?;
    (files.into_iter())
        .map(|(name, path)| {
            let text = std::fs::read_to_string(&path)?;
            let exchange = serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            Ok((name, exchange))
        })
        .collect()
}

/// Replaces what differs between machines and runs with stable placeholders of the same shape, so a
/// fixture stays valid data and re-recording gives small diffs. Placeholders are numbered by first
/// appearance within one recording, which follows the scenario's fixed order.
pub struct Redactor {
    /// Literal prefixes -> replacement (run dir, distribution dir, home, host name).
    literals: Vec<(String, String)>,
    uuid: Regex,
    hex_run: Regex,
    tm_suffix: Regex,
    placeholders: Placeholders,
}

/// Stand-ins handed out so far, by class (0 uuid, 1 32-hex id, 2 TaskManager suffix) and original.
#[derive(Default)]
struct Placeholders {
    seen: HashMap<(u8, String), String>,
    counters: [u64; 3],
}

impl Placeholders {
    fn get(&mut self, class: u8, original: &str) -> String {
        if let Some(p) = self.seen.get(&(class, original.to_string())) {
            return p.clone();
        }
        self.counters[class as usize] += 1;
        let n = self.counters[class as usize];
        let p = match class {
            0 => format!("00000000-0000-4000-8000-{n:012x}"),
            1 => format!("{n:032x}"),
            _ => format!("{n:06x}"),
        };
        self.seen.insert((class, original.to_string()), p.clone());
        p
    }
}

impl Redactor {
    /// `literals`: machine-specific strings and what to write instead, longest first wins.
    pub fn new(mut literals: Vec<(String, String)>) -> Redactor {
        literals.retain(|(from, _)| !from.is_empty());
        literals.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        Redactor {
            literals,
            uuid: Regex::new(
                r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            )
            .expect("valid regex"),
            hex_run: Regex::new(r"[0-9a-fA-F]+").expect("valid regex"),
            // TaskManager resource ids: `localhost:20120-43214a`.
            tm_suffix: Regex::new(r"(:[0-9]{1,5}-)([0-9a-f]{6})\b").expect("valid regex"),
            placeholders: Placeholders::default(),
        }
    }

    pub fn string(&mut self, s: &str) -> String {
        let mut out = shorten_traces(s);
        for (from, to) in &self.literals {
            if out.contains(from.as_str()) {
                out = replace_token(&out, from, to);
            }
        }
        let placeholders = &mut self.placeholders;
        let out = self.uuid.replace_all(&out, |c: &regex::Captures| {
            if c[0].starts_with("00000000-0000-4000-8000-") {
                c[0].to_string()
            } else {
                placeholders.get(0, &c[0].to_lowercase())
            }
        });
        // Maximal hex runs; only those of exactly 32 digits are ids. Placeholders (16+ leading zeros)
        // are left alone, so redacting twice changes nothing.
        let out = self.hex_run.replace_all(&out, |c: &regex::Captures| {
            let run = &c[0];
            if run.len() == 32 && !run.starts_with("0000000000000000") {
                placeholders.get(1, &run.to_lowercase())
            } else {
                run.to_string()
            }
        });
        let out = self.tm_suffix.replace_all(&out, |c: &regex::Captures| {
            if c[2].starts_with("000") {
                c[0].to_string()
            } else {
                format!("{}{}", &c[1], placeholders.get(2, &c[2]))
            }
        });
        out.into_owned()
    }

    /// Every string in `value`, keys too; `dataPort` numbers (ephemeral) become a fixed port.
    pub fn value(&mut self, value: &mut Value) {
        match value {
            Value::String(s) => *s = self.string(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            Value::Object(map) => {
                let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
                for (k, mut v) in entries {
                    if k == "dataPort" && v.is_number() {
                        v = Value::from(40000);
                    }
                    self.value(&mut v);
                    map.insert(self.string(&k), v);
                }
            }
            _ => {}
        }
    }

    pub fn exchange(&mut self, e: &mut Exchange) {
        e.request.path = self.string(&e.request.path);
        if let Some(q) = &mut e.request.query {
            *q = self.string(q);
        }
        match &mut e.request.body {
            Some(RequestBody::Json(v)) => self.value(v),
            Some(RequestBody::Text(t)) => *t = self.string(t),
            Some(RequestBody::Described { .. }) => {}
            Some(RequestBody::Multipart(parts)) => {
                for p in parts {
                    if let Some(v) = &mut p.json {
                        self.value(v);
                    }
                    if let Some(f) = &mut p.file_name {
                        *f = self.string(f);
                    }
                }
            }
            None => {}
        }
        if let Some(b) = &mut e.response.body {
            self.value(b);
        }
        if let Some(t) = &mut e.response.text {
            *t = self.string(t);
        }
    }
}

/// Replaces `from` where it is a whole token: not inside a longer name (the host name `vm` must not
/// turn `jvm` into something else). Paths start with `/`, so a path literal is always a token start.
fn replace_token(s: &str, from: &str, to: &str) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back().or(out.chars().next_back());
        let after = rest[i + from.len()..].chars().next();
        let starts = from.starts_with('/') || !before.is_some_and(word);
        let ends = from.ends_with('/') || !after.is_some_and(word) || from.starts_with('/');
        out.push_str(&rest[..i]);
        out.push_str(if starts && ends { to } else { from });
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

/// Java stack traces in error strings keep their first [`FRAMES`] frames per trace; the rest (dozens of
/// Netty frames, the same on every version) become one line saying how many were cut.
pub const FRAMES: usize = 3;

fn shorten_traces(s: &str) -> String {
    if !s.contains("\n\tat ") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() / 4);
    let mut run = 0usize;
    let flush = |out: &mut String, run: &mut usize| {
        if *run > FRAMES {
            out.push_str(&format!(
                "\n\t... {} frames cut by the recorder",
                *run - FRAMES
            ));
        }
        *run = 0;
    };
    for (i, line) in s.split('\n').enumerate() {
        if line.starts_with("\tat ") {
            run += 1;
            if run <= FRAMES {
                out.push('\n');
                out.push_str(line);
            }
            continue;
        }
        flush(&mut out, &mut run);
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
    }
    flush(&mut out, &mut run);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redaction_is_stable_shape_preserving_and_consistent() {
        let mut r = Redactor::new(vec![
            ("/work/main/target/flink/1.20.3".into(), "/flink/run".into()),
            ("myhost".into(), "flink-host".into()),
            ("vm".into(), "flink-host".into()),
        ]);
        let job = "a5d3f7c7e6b3d4f2a1b0c9d8e7f6a5b4";
        let mut v = json!({
            "jid": job,
            "path": format!("/work/main/target/flink/1.20.3/savepoints/savepoint-a5d3f7-{job}"),
            "id": "localhost:20120-43214a",
            "jar": "4c5d8f1e-6b7a-4c3d-9e2f-1a0b9c8d7e6f_job.jar",
            "trace": "E: boom\n\tat a(A.java:1)\n\tat b(B.java:2)\n\tat c(C.java:3)\n\tat d(D.java:4)\n\tat e(E.java:5)\nCaused by: F\n\t... 50 more",
            "host": "myhost",
            "opts": "-XX:jvm vm:8081",
            "dataPort": 43139,
            "tasks": { job: 1 },
            "other": "ffffffffffffffffffffffffffffffff"
        });
        r.value(&mut v);
        assert_eq!(
            v,
            json!({
                "jid": "00000000000000000000000000000001",
                "path": "/flink/run/savepoints/savepoint-a5d3f7-00000000000000000000000000000001",
                "id": "localhost:20120-000001",
                "jar": "00000000-0000-4000-8000-000000000001_job.jar",
                "trace": "E: boom\n\tat a(A.java:1)\n\tat b(B.java:2)\n\tat c(C.java:3)\n\t... 2 frames cut by the recorder\nCaused by: F\n\t... 50 more",
                "host": "flink-host",
                "opts": "-XX:jvm flink-host:8081",
                "dataPort": 40000,
                "tasks": { "00000000000000000000000000000001": 1 },
                "other": "00000000000000000000000000000002"
            })
        );
        // The same original gets the same placeholder later on.
        assert_eq!(
            r.string(&format!("/jobs/{job}")),
            "/jobs/00000000000000000000000000000001"
        );
        // Redacting redacted data changes nothing.
        let again = v.clone();
        r.value(&mut v);
        assert_eq!(v, again);
    }
}
