//! Documentation -> the endpoint table and the named schemas it documents, one [`Documented`] per source.
//!
//! Two forms of the same content are read: the text of the 1.10 "Monitoring REST API" page ([`page`]) and
//! the html table each minor's docs render ([`html`]). Both give [`RawEndpoint`]s: path, verb, status,
//! description, parameters ([`params`] reads their types from their descriptions) and Jackson's JSON schemas.
//! [`schema`] then lifts every `urn:jsonschema:…` id'd object out into one named schema, across all
//! sources at once, so a type has one name in every version (see [`schema::Lifter`]).

mod html;
mod page;
mod params;
mod schema;
mod widths;

pub(crate) use schema::each_ref;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diag::{Location, Problems};

/// Everything one source documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Documented {
    /// The source's id in `schemas/source/sources.json`: `1.10` (the page), `1.15` … `2.3` (each minor's docs).
    pub id: String,
    /// The file it was read from, relative to the repository root.
    pub source: String,
    pub endpoints: Vec<Endpoint>,
    /// Named schemas, by name.
    #[serde(skip)]
    pub types: BTreeMap<String, NamedSchema>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    /// As the page writes it: `/jobs/:jobid`.
    pub path: String,
    pub method: String,
    pub status: u16,
    pub status_text: String,
    pub description: String,
    /// Line of the path in the source.
    pub line: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_params: Vec<Param>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_params: Vec<Param>,
    /// `None`: the page documents no request body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Body>,
    /// `None`: the page documents no response body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Body>,
}

impl Endpoint {
    /// `GET /jobs/:jobid`: how fixtures, the ledger and reports name an endpoint.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    /// Path parameters are always required.
    pub required: bool,
    pub description: String,
    /// The page marks it deprecated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    /// What the value really is, read from the description.
    #[serde(rename = "type")]
    pub ty: ParamType,
}

/// What a parameter takes, as its description says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ParamType {
    String,
    Boolean,
    /// An integer ≥ 0 (the docs say "positive" of subtask indexes and attempts, which start at 0): a
    /// Java `int`.
    PositiveInteger,
    /// A Java `long`.
    Long,
    /// A Java `int`.
    Integer,
    /// A `key:value` pair.
    KeyValue,
    /// A 32-character hexadecimal string.
    Hex32,
    /// One of a fixed set of strings.
    Enum {
        values: Vec<String>,
    },
    /// Comma-separated list.
    List {
        items: Box<ParamType>,
    },
    /// An integer range such as `5-9`, or a single integer; in lists: `1,3,5-9`.
    IntegerRange,
}

/// A request or response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body {
    /// `application/json`, or `multipart/form-data` where the description asks for it.
    pub content_type: String,
    /// Multipart file parts the description names (`jarfile`), or that carry the JSON (`request`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// The schema, with named types as `{"$ref": "<Name>"}`; `None` where the page shows none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub name: String,
    pub content_type: String,
    /// The part carries the body's schema as JSON (`request` of `POST /jobs`), not a file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub json: bool,
}

/// One named schema (a `urn:jsonschema:…` id of the page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedSchema {
    pub name: String,
    /// The Jackson id, e.g. `urn:jsonschema:org:apache:flink:runtime:rest:messages:JobPlanInfo`.
    pub id: String,
    /// Every line of the page where this definition is written out.
    pub lines: Vec<usize>,
    /// Draft-3 schema without its `id`; nested named types are `{"$ref": "<Name>"}`.
    pub schema: Value,
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// One source to import: its id, its path (relative to the repository root; `.html` is read as the
/// docs' html, anything else as the page's text) and its text.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub id: &'a str,
    pub file: &'a str,
    pub text: &'a str,
    /// Flink's OpenAPI rendering of the same docs (path, text), where there is one: the widths of its
    /// integers ([`widths`]).
    pub openapi: Option<(&'a str, &'a str)>,
}

/// A JSON schema as found in a source, before lifting.
pub(crate) struct RawSchema {
    pub value: Value,
    /// 1-based line of the opening brace.
    pub start: usize,
    /// Pointer -> 0-based line offset from `start`.
    pub lines: crate::jsonpos::PointerLines,
}

/// One endpoint as found in a source, before its schemas are lifted.
pub(crate) struct RawEndpoint {
    pub path: String,
    pub method: String,
    pub status: u16,
    pub status_text: String,
    pub description: String,
    /// 1-based line of the path.
    pub line: usize,
    pub path_params: Vec<Param>,
    pub query_params: Vec<Param>,
    pub request: Option<RawSchema>,
    pub response: Option<RawSchema>,
}

impl RawEndpoint {
    fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Parses one source on its own (names as if it were the only one).
pub fn import(file: &str, text: &str) -> Result<Documented, Problems> {
    let mut all = import_all(&[Input {
        id: "documented",
        file,
        text,
        openapi: None,
    }])?;
    Ok(all.remove(0))
}

/// Parses every source; named schemas get one name across all of them. Every problem of every source is
/// reported, each with its file, line, endpoint and JSON pointer.
pub fn import_all(inputs: &[Input<'_>]) -> Result<Vec<Documented>, Problems> {
    // Reading and lifting each source is independent; naming across them is not.
    let read = crate::par::map_owned(inputs.iter().enumerate().collect(), |(index, input)| {
        let mut problems = Problems::default();
        let raw = match input.file.ends_with(".html") {
            true => html::endpoints(input.file, input.text, &mut problems),
            false => page::endpoints(input.file, input.text, &mut problems),
        };
        let mut lifter = schema::Lifter::new(index);
        let endpoints: Vec<Endpoint> = raw
            .into_iter()
            .map(|block| endpoint(&mut lifter, input.file, block, &mut problems))
            .collect();
        (endpoints, lifter, problems)
    });
    let mut problems = Problems::default();
    let mut sources = Vec::with_capacity(inputs.len());
    let mut lifters = Vec::with_capacity(inputs.len());
    for (endpoints, lifter, read_problems) in read {
        problems.extend(read_problems);
        sources.push(endpoints);
        lifters.push(lifter);
    }
    let (names, named) = schema::finish(lifters, inputs, &mut problems);
    let named = named.into_iter().zip(sources).zip(inputs).collect();
    let documented = crate::par::map_owned(named, |((named, mut endpoints), input)| {
        for endpoint in &mut endpoints {
            let bodies = [&mut endpoint.request, &mut endpoint.response];
            for schema in bodies
                .into_iter()
                .flatten()
                .filter_map(|b| b.schema.as_mut())
            {
                named.rename(&names, schema);
            }
        }
        let mut types = named.types(&names);
        let mut problems = Problems::default();
        if let Some((file, text)) = input.openapi {
            widths::annotate(file, text, &endpoints, &mut types, &mut problems);
        }
        let documented = Documented {
            id: input.id.to_string(),
            source: input.file.to_string(),
            endpoints,
            types,
        };
        (documented, problems)
    });
    let mut documented: Vec<Documented> = documented
        .into_iter()
        .map(|(documented, found)| {
            problems.extend(found);
            documented
        })
        .collect();
    widths::share(&mut documented);
    problems.into_result(documented)
}

fn endpoint(
    lifter: &mut schema::Lifter,
    file: &str,
    block: RawEndpoint,
    problems: &mut Problems,
) -> Endpoint {
    let key = block.key();
    let mut lift = |raw: Option<RawSchema>, kind: &str, problems: &mut Problems| {
        raw.map(|raw| lifter.document(file, &key, raw, kind, problems))
    };
    let request = lift(block.request, "request", problems);
    let response = lift(block.response, "response", problems);
    let (content_type, parts) = request_content(&block.description);
    let request = match (request, content_type) {
        (None, None) => None,
        (schema, content_type) => Some(Body {
            content_type: content_type.unwrap_or("application/json").to_string(),
            parts,
            schema,
        }),
    };
    Endpoint {
        path: block.path,
        method: block.method,
        status: block.status,
        status_text: block.status_text,
        description: block.description,
        line: block.line,
        path_params: block.path_params,
        query_params: block.query_params,
        request,
        response: response.map(|schema| Body {
            content_type: "application/json".into(),
            parts: Vec::new(),
            schema: Some(schema),
        }),
    }
}

/// Checks what every form shares: a known verb, an HTTP status, every path parameter documented.
fn check_endpoint(file: &str, e: &RawEndpoint, verb_line: usize, problems: &mut Problems) {
    let key = e.key();
    if !METHODS.contains(&e.method.as_str()) {
        problems.push(
            Location::at(file, verb_line).endpoint(&key),
            format!("unknown verb {:?}", e.method),
        );
    }
    for name in e.path.split('/').filter_map(|s| s.strip_prefix(':')) {
        if !e.path_params.iter().any(|p| p.name == name) {
            problems.push(
                Location::at(file, e.line).endpoint(&key),
                format!("path parameter {name:?} is in the path but not documented"),
            );
        }
    }
}

/// `200 OK` -> (200, "OK"); a code that is no HTTP status is reported (and read as 0).
fn status(text: &str, at: Location, problems: &mut Problems) -> (u16, String) {
    let text = text.trim();
    let (code, rest) = text.split_once(' ').unwrap_or((text, ""));
    match code.parse::<u16>() {
        Ok(code) if (100..600).contains(&code) => (code, rest.to_string()),
        _ => {
            problems.push(at, format!("response code {code:?} is not an HTTP status"));
            (0, rest.to_string())
        }
    }
}

/// Parses the JSON of a schema that starts on (1-based) line `start`; `{}` is no schema.
fn json_schema(
    file: &str,
    text: &str,
    start: usize,
    key: &str,
    problems: &mut Problems,
) -> Option<RawSchema> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) if map.is_empty() => None,
        Ok(value) => Some(RawSchema {
            value,
            start,
            lines: crate::jsonpos::pointer_lines(text),
        }),
        Err(e) => {
            problems.push(
                Location::at(file, start + e.line() - 1).endpoint(key),
                format!("invalid JSON: {e}"),
            );
            None
        }
    }
}

/// The documented multipart requests: `/jars/upload` ("must be sent as multi-part data", its part name
/// from the curl example `-F "jarfile=@…"`) and `POST /jobs` ("multipart/form-data … an attribute named
/// "request" for the JSON payload").
fn request_content(description: &str) -> (Option<&'static str>, Vec<Part>) {
    let multipart = description.contains("multi-part data") || description.contains("multipart/");
    if !multipart {
        return (None, Vec::new());
    }
    let mut parts = Vec::new();
    let mut rest = description;
    while let Some(at) = rest.find("-F \"") {
        rest = &rest[at + 4..];
        if let Some(eq) = rest.find("=@") {
            let content_type = quoted_after(description, "Content-Type\" header is set to ")
                .unwrap_or_else(|| "application/octet-stream".into());
            parts.push(Part {
                name: rest[..eq].to_string(),
                content_type,
                json: false,
            });
        }
    }
    if let Some(name) = quoted_after(description, "an attribute named ") {
        parts.push(Part {
            name,
            content_type: "application/json".into(),
            json: true,
        });
    }
    (Some("multipart/form-data"), parts)
}

fn quoted_after(text: &str, marker: &str) -> Option<String> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}
