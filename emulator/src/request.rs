//! A request as the emulated cluster sees it: its pair and path parameters, its query, its body
//! already read (multipart parts split, files kept on disk).

use std::path::PathBuf;

use flink_rest::pair::Params;
use flink_rest::Pair;
use serde_json::{json, Value};

use crate::answer::Answer;

/// What the server read of a request.
#[derive(Debug, Default)]
pub struct Incoming {
    pub method: String,
    /// Without the `/v1` prefix, as sent otherwise (percent-encoded).
    pub path: String,
    pub query: Vec<(String, String)>,
    /// The JSON body, or the JSON part of a multipart body (`request`, or any part without a file
    /// name), or why it is not JSON.
    pub json: Option<Result<Value, String>>,
    pub parts: Vec<Part>,
}

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    /// A part without a file name, read as JSON.
    pub json: Option<Result<Value, String>>,
    /// A file part: where its bytes were written, and how many.
    pub stored: Option<(PathBuf, u64)>,
}

/// A request routed to one of the version's pairs.
pub(crate) struct Req<'a> {
    pub pair: Pair,
    pub at: Params,
    pub incoming: &'a Incoming,
}

impl Req<'_> {
    /// A path parameter's value (empty when the pair has none of that name).
    pub fn param(&self, name: &str) -> &str {
        self.at.get(name).unwrap_or_default()
    }

    /// A query parameter's value.
    pub fn query(&self, name: &str) -> Option<&str> {
        (self.incoming.query.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The JSON body (`{}` when there is none), or the answer Flink gives one that is not JSON.
    pub fn json_body(&self) -> Result<Value, Answer> {
        match &self.incoming.json {
            Some(Ok(body)) => Ok(body.clone()),
            Some(Err(e)) => Err(Answer::error(
                400,
                format!("Request did not match expected format: {e}"),
            )),
            None => Ok(json!({})),
        }
    }

    /// The same request about other path parameter values (a recorded checkpoint instead of an
    /// added one).
    pub fn with_params(&self, at: Params) -> Req<'_> {
        Req {
            pair: self.pair,
            at,
            incoming: self.incoming,
        }
    }
}

/// A query's name/value pairs, decoded (`+` a space, `%XX` a byte), in order.
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}
