//! Answers: a status and a JSON body (or none), and the rewriting that turns a recorded answer into
//! one about the emulator's own jobs, jars and operations.

use std::time::Duration;

use serde_json::{json, Value};

use crate::recorded::Exchange;

/// What the emulator sends back.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    /// JSON, or nothing (Flink's 413 has no body).
    pub body: Option<Value>,
    /// A body that is not JSON (a log file).
    pub text: Option<String>,
    /// Sent this much later (an injected slow answer).
    pub(crate) delay: Duration,
    /// The server stops once it is sent (`DELETE /cluster`).
    pub(crate) shutdown: bool,
}

/// An answer as it goes on the wire: status, content type, bytes (cheap to clone).
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    pub status: u16,
    pub content_type: &'static str,
    pub bytes: bytes::Bytes,
    pub delay: Duration,
    pub shutdown: bool,
}

impl Rendered {
    pub fn of(answer: Answer) -> Rendered {
        let (content_type, bytes) = match (&answer.body, answer.text) {
            (Some(body), _) => (
                "application/json; charset=UTF-8",
                serde_json::to_vec(body).unwrap_or_default(),
            ),
            // As Flink serves a log file.
            (None, Some(text)) => ("text/plain", text.into_bytes()),
            (None, None) => ("application/json; charset=UTF-8", Vec::new()),
        };
        Rendered {
            status: answer.status,
            content_type,
            bytes: bytes.into(),
            delay: answer.delay,
            shutdown: answer.shutdown,
        }
    }
}

impl Answer {
    fn new(status: u16, body: Option<Value>, text: Option<String>) -> Answer {
        Answer {
            status,
            body,
            text,
            delay: Duration::ZERO,
            shutdown: false,
        }
    }

    pub fn json(status: u16, body: Value) -> Answer {
        Answer::new(status, Some(body), None)
    }

    /// A plain-text body (a log file).
    pub fn text(status: u16, text: String) -> Answer {
        Answer::new(status, None, Some(text))
    }

    pub fn empty(status: u16) -> Answer {
        Answer::new(status, None, None)
    }

    /// Flink's error body, `{"errors": [...]}`.
    pub fn error(status: u16, message: impl Into<String>) -> Answer {
        Answer::json(status, json!({ "errors": [message.into()] }))
    }

    /// A recorded answer as it was.
    pub fn recorded(e: &Exchange) -> Answer {
        let r = &e.response;
        Answer::new(r.status, r.body.clone(), r.text.clone())
    }

    /// Every occurrence of each `from` in the body's strings and keys becomes its `to`.
    pub fn remapped(mut self, pairs: &[(String, String)]) -> Answer {
        let pairs: Vec<&(String, String)> = pairs
            .iter()
            .filter(|(f, t)| f != t && !f.is_empty())
            .collect();
        if pairs.is_empty() {
            return self;
        }
        if let Some(body) = &mut self.body {
            remap(body, &pairs);
        }
        if let Some(text) = &mut self.text {
            *text = replace_all(text, &pairs);
        }
        self
    }
}

fn remap(v: &mut Value, pairs: &[&(String, String)]) {
    match v {
        Value::String(s) if pairs.iter().any(|(f, _)| s.contains(f.as_str())) => {
            *s = replace_all(s, pairs);
        }
        Value::Array(items) => items.iter_mut().for_each(|i| remap(i, pairs)),
        Value::Object(map) => {
            let renamed = map
                .keys()
                .any(|k| pairs.iter().any(|(f, _)| k.contains(f.as_str())));
            if renamed {
                let old = std::mem::take(map);
                for (k, val) in old {
                    map.insert(replace_all(&k, pairs), val);
                }
            }
            map.values_mut().for_each(|i| remap(i, pairs));
        }
        _ => {}
    }
}

fn replace_all(s: &str, pairs: &[&(String, String)]) -> String {
    pairs
        .iter()
        .fold(s.to_string(), |s, (from, to)| s.replace(from.as_str(), to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remapping_reaches_strings_inside_strings_and_keys() {
        let a = Answer::json(
            200,
            json!({"jid": "old", "url": "/jobs/old/x", "map": {"old": 1}, "n": 3}),
        );
        let a = a.remapped(&[("old".into(), "new".into())]);
        assert_eq!(
            a.body.unwrap(),
            json!({"jid": "new", "url": "/jobs/new/x", "map": {"new": 1}, "n": 3})
        );
    }
}
