//! The documentation page -> the endpoint table and the named schemas it documents.
//!
//! The page is the plain text of Flink's "Monitoring REST API" documentation. Each endpoint is a block:
//!
//! ```text
//! /jobs/:jobid/rescaling          path template, as written
//! Verb: PATCH
//! Response code: 200 OK
//! Triggers the rescaling ...     description, one or more lines
//! Path parameters                 optional: `name` / `- description` pairs
//! Query parameters                optional: `name` / `(optional|mandatory): description` pairs
//! Request                         then an optional JSON schema
//! Response                        then an optional JSON schema
//! ```
//!
//! Schemas are Jackson's JSON Schema (draft-3 flavour). Objects carry `urn:jsonschema:…` ids; a type seen
//! before in the same schema is written as `$ref` to its id. [`import`] lifts every id'd object out into
//! one named schema and replaces it by `{"$ref": "<Name>"}`, so each type is written down once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use heck::ToUpperCamelCase;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::diag::{Location, Problems};
use crate::jsonpos::{escape_token, pointer_lines};

/// Everything the page documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Documented {
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
    /// Line of the path in the source page.
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
    /// An integer > 0.
    PositiveInteger,
    /// A 64-bit integer.
    Long,
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
const KEYWORDS: [&str; 10] = [
    "type",
    "id",
    "properties",
    "items",
    "additionalProperties",
    "enum",
    "$ref",
    "required",
    "description",
    "format",
];
const TYPES: [&str; 8] = [
    "object", "array", "string", "integer", "number", "boolean", "any", "null",
];

/// Parses the page. Every problem found is reported, each with its line.
pub fn import(file: &str, text: &str) -> Result<Documented, Problems> {
    let mut problems = Problems::default();
    let raw = parse_blocks(file, text, &mut problems);
    let mut registry = Registry::default();
    let mut endpoints = Vec::with_capacity(raw.len());
    for block in raw {
        let key = format!("{} {}", block.method, block.path);
        let mut body = |raw: Option<RawSchema>, kind: &str, problems: &mut Problems| {
            raw.map(|raw| {
                let ctx = Ctx {
                    file,
                    endpoint: &key,
                    lines: &raw.lines,
                    start: raw.start,
                };
                registry.lift(&ctx, raw.value, "", &mut HashMap::new(), problems, kind)
            })
        };
        let request = body(block.request, "request", &mut problems);
        let response = body(block.response, "response", &mut problems);
        let (content_type, parts) = request_content(&block.description);
        let request = match (request, content_type) {
            (None, None) => None,
            (schema, content_type) => Some(Body {
                content_type: content_type.unwrap_or("application/json").to_string(),
                parts,
                schema,
            }),
        };
        endpoints.push(Endpoint {
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
        });
    }
    let names = registry.names(file, &mut problems);
    for endpoint in &mut endpoints {
        for body in [&mut endpoint.request, &mut endpoint.response]
            .into_iter()
            .flatten()
        {
            if let Some(schema) = &mut body.schema {
                rename_refs(schema, &names);
            }
        }
    }
    let mut types = BTreeMap::new();
    for (key, mut def) in registry.defs {
        rename_refs(&mut def.schema, &names);
        let name = names[&key].clone();
        types.insert(
            name.clone(),
            NamedSchema {
                name,
                id: key.urn,
                lines: def.lines,
                schema: def.schema,
            },
        );
    }
    problems.into_result(Documented {
        source: file.to_string(),
        endpoints,
        types,
    })
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

// ---------------------------------------------------------------------------------------------------
// Blocks

struct RawSchema {
    value: Value,
    /// 1-based line of the opening brace.
    start: usize,
    lines: HashMap<String, usize>,
}

struct RawEndpoint {
    path: String,
    method: String,
    status: u16,
    status_text: String,
    description: String,
    line: usize,
    path_params: Vec<Param>,
    query_params: Vec<Param>,
    request: Option<RawSchema>,
    response: Option<RawSchema>,
}

fn is_endpoint_start(lines: &[&str], i: usize) -> bool {
    lines[i].starts_with('/')
        && lines
            .get(i + 1)
            .is_some_and(|next| next.starts_with("Verb:"))
}

fn parse_blocks(file: &str, text: &str, problems: &mut Problems) -> Vec<RawEndpoint> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| is_endpoint_start(&lines, i))
        .collect();
    if starts.is_empty() {
        problems.push(
            Location::file(file),
            "no endpoint found: expected a path line followed by `Verb: …`",
        );
    }
    let mut out = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(lines.len());
        if let Some(block) = parse_block(file, &lines, start, end, problems) {
            out.push(block);
        }
    }
    out
}

/// Parses lines `start..end` (0-based) as one endpoint.
fn parse_block(
    file: &str,
    lines: &[&str],
    start: usize,
    end: usize,
    problems: &mut Problems,
) -> Option<RawEndpoint> {
    let at = |i: usize| Location::at(file, i + 1);
    let path = lines[start].to_string();
    let method = lines[start + 1]["Verb:".len()..].trim().to_string();
    let key = format!("{method} {path}");
    if !METHODS.contains(&method.as_str()) {
        problems.push(
            at(start + 1).endpoint(&key),
            format!("unknown verb {method:?}"),
        );
    }
    let mut i = start + 2;
    let (status, status_text) = match lines.get(i).and_then(|l| l.strip_prefix("Response code:")) {
        Some(rest) => {
            i += 1;
            let rest = rest.trim();
            let (code, text) = rest.split_once(' ').unwrap_or((rest, ""));
            match code.parse::<u16>() {
                Ok(code) if (100..600).contains(&code) => (code, text.to_string()),
                _ => {
                    problems.push(
                        at(i - 1).endpoint(&key),
                        format!("response code {code:?} is not an HTTP status"),
                    );
                    (0, text.to_string())
                }
            }
        }
        None => {
            problems.push(at(i).endpoint(&key), "expected `Response code: …`");
            (0, String::new())
        }
    };
    let is_heading = |l: &str| matches!(l, "Path parameters" | "Query parameters" | "Request");
    let mut description = Vec::new();
    while i < end && !is_heading(lines[i]) {
        description.push(lines[i]);
        i += 1;
    }
    let description = description.join(" ");

    let mut path_params = Vec::new();
    let mut query_params = Vec::new();
    if lines.get(i) == Some(&"Path parameters") {
        i += 1;
        while i + 1 < end && !is_heading(lines[i]) {
            let name = lines[i];
            match lines[i + 1].strip_prefix("- ") {
                Some(text) => path_params.push(param(name, true, text, at(i + 1), &key, problems)),
                None => problems.push(
                    at(i + 1).endpoint(&key),
                    format!("path parameter {name:?}: expected `- description`"),
                ),
            }
            i += 2;
        }
    }
    if lines.get(i) == Some(&"Query parameters") {
        i += 1;
        while i + 1 < end && !is_heading(lines[i]) {
            let name = lines[i];
            let next = lines[i + 1];
            let parsed = next
                .strip_prefix("(optional):")
                .map(|t| (false, t))
                .or_else(|| next.strip_prefix("(mandatory):").map(|t| (true, t)));
            match parsed {
                Some((required, text)) => query_params.push(param(
                    name,
                    required,
                    text.trim(),
                    at(i + 1),
                    &key,
                    problems,
                )),
                None => problems.push(
                    at(i + 1).endpoint(&key),
                    format!(
                        "query parameter {name:?}: expected `(optional): …` or `(mandatory): …`"
                    ),
                ),
            }
            i += 2;
        }
    }
    for name in path_names(&path) {
        if !path_params.iter().any(|p| p.name == name) {
            problems.push(
                at(start).endpoint(&key),
                format!("path parameter {name:?} is in the path but not documented"),
            );
        }
    }

    let mut request = None;
    let mut response = None;
    for (heading, slot) in [("Request", &mut request), ("Response", &mut response)] {
        if lines.get(i) != Some(&heading) || i >= end {
            problems.push(at(i).endpoint(&key), format!("expected `{heading}`"));
            return None;
        }
        i += 1;
        if i < end && lines[i].starts_with('{') {
            let (schema, next) = json_block(file, lines, i, end, &key, problems);
            *slot = schema;
            i = next;
        }
    }
    if i < end {
        problems.push(
            at(i).endpoint(&key),
            format!("unexpected text after the response: {:?}", lines[i]),
        );
    }
    Some(RawEndpoint {
        path,
        method,
        status,
        status_text,
        description,
        line: start + 1,
        path_params,
        query_params,
        request,
        response,
    })
}

fn path_names(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|s| s.strip_prefix(':'))
}

/// Reads the JSON value starting on line `start`; returns it and the line after it.
fn json_block(
    file: &str,
    lines: &[&str],
    start: usize,
    end: usize,
    key: &str,
    problems: &mut Problems,
) -> (Option<RawSchema>, usize) {
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    let mut stop = end;
    'lines: for (i, line) in lines.iter().enumerate().take(end).skip(start) {
        for c in line.chars() {
            match (in_string, escaped, c) {
                (true, true, _) => escaped = false,
                (true, false, '\\') => escaped = true,
                (true, false, '"') => in_string = false,
                (false, _, '"') => in_string = true,
                (false, _, '{' | '[') => depth += 1,
                (false, _, '}' | ']') => depth -= 1,
                _ => {}
            }
        }
        if depth <= 0 {
            stop = i + 1;
            break 'lines;
        }
    }
    let text = lines[start..stop].join("\n");
    match serde_json::from_str::<Value>(&text) {
        Ok(value) => (
            Some(RawSchema {
                value,
                start: start + 1,
                lines: pointer_lines(&text),
            }),
            stop,
        ),
        Err(e) => {
            problems.push(
                Location::at(file, start + e.line()).endpoint(key),
                format!("invalid JSON: {e}"),
            );
            (None, stop)
        }
    }
}

/// Reads what a parameter takes from the words its description starts with.
fn param(
    name: &str,
    required: bool,
    text: &str,
    location: Location,
    key: &str,
    problems: &mut Problems,
) -> Param {
    let deprecated = text.starts_with("Deprecated");
    // "Deprecated, please use 'programArg' instead. String value that …": the type follows.
    let typed = if deprecated {
        text.split_once(". ").map_or(text, |(_, rest)| rest)
    } else {
        text
    };
    let ty = param_type(typed).unwrap_or_else(|| {
        problems.push(
            location.endpoint(key),
            format!("parameter {name:?}: cannot tell its type from {text:?}"),
        );
        ParamType::String
    });
    Param {
        name: name.to_string(),
        required,
        description: text.to_string(),
        deprecated,
        ty,
    }
}

fn param_type(text: &str) -> Option<ParamType> {
    if let Some(rest) = text.strip_prefix("Comma-separated list of ") {
        let items = if rest.starts_with("string values") || rest.starts_with("program arguments") {
            ParamType::String
        } else if rest.starts_with("32-character hexadecimal") {
            ParamType::Hex32
        } else if rest.starts_with("integer ranges") {
            ParamType::IntegerRange
        } else if rest.contains("Available aggregations are:") {
            ParamType::Enum {
                values: quoted_values(rest)?,
            }
        } else {
            return None;
        };
        return Some(ParamType::List {
            items: Box::new(items),
        });
    }
    if text.starts_with("32-character hexadecimal") {
        Some(ParamType::Hex32)
    } else if text.starts_with("Boolean value") {
        Some(ParamType::Boolean)
    } else if text.starts_with("Positive integer value") {
        Some(ParamType::PositiveInteger)
    } else if text.starts_with("Long value") {
        Some(ParamType::Long)
    } else if text.starts_with("String value") {
        Some(match text.contains("Supported values are:") {
            true => ParamType::Enum {
                values: quoted_values(text)?,
            },
            false => ParamType::String,
        })
    } else {
        None
    }
}

/// `… are: "min, max, sum, avg".` -> `["min", "max", "sum", "avg"]`
fn quoted_values(text: &str) -> Option<Vec<String>> {
    let rest = &text[text.find('"')? + 1..];
    let list = &rest[..rest.find('"')?];
    Some(list.split(',').map(|v| v.trim().to_string()).collect())
}

// ---------------------------------------------------------------------------------------------------
// Named schemas

/// A definition's identity: its urn, and which of the distinct definitions of that urn it is (Jackson
/// writes a generic class such as `AsynchronousOperationResult<V>` under one id for every `V`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Key {
    urn: String,
    variant: usize,
}

impl Key {
    fn placeholder(&self) -> String {
        format!("{}#{}", self.urn, self.variant)
    }
}

struct Def {
    schema: Value,
    lines: Vec<usize>,
}

#[derive(Default)]
struct Registry {
    defs: BTreeMap<Key, Def>,
}

struct Ctx<'a> {
    file: &'a str,
    endpoint: &'a str,
    lines: &'a HashMap<String, usize>,
    start: usize,
}

impl Ctx<'_> {
    fn loc(&self, pointer: &str) -> Location {
        let line = self
            .lines
            .get(pointer)
            .map_or(self.start, |l| self.start + l);
        Location::at(self.file, line)
            .endpoint(self.endpoint)
            .pointer(pointer)
    }
}

impl Registry {
    /// Checks `schema` and returns it with every id'd object lifted out into a definition.
    /// `seen`: ids defined so far in this schema document, which its `$ref`s refer to.
    fn lift(
        &mut self,
        ctx: &Ctx,
        schema: Value,
        pointer: &str,
        seen: &mut HashMap<String, Key>,
        problems: &mut Problems,
        kind: &str,
    ) -> Value {
        let Value::Object(mut map) = schema else {
            problems.push(
                ctx.loc(pointer),
                format!("{kind} schema: expected an object, found {schema}"),
            );
            return Value::Object(Map::new());
        };
        for key in map.keys() {
            if !KEYWORDS.contains(&key.as_str()) {
                problems.push(
                    ctx.loc(&format!("{pointer}/{}", escape_token(key))),
                    format!("{kind} schema: unknown keyword {key:?}"),
                );
            }
        }
        match map.get("type") {
            Some(Value::String(t)) if TYPES.contains(&t.as_str()) => {}
            None if map.contains_key("$ref") => {}
            other => problems.push(
                ctx.loc(&format!("{pointer}/type")),
                format!(
                    "{kind} schema: `type` must be one of {}, found {}",
                    TYPES.join(", "),
                    other.map_or("nothing".to_string(), Value::to_string)
                ),
            ),
        }
        if let Some(values) = map.get("enum") {
            let strings = values
                .as_array()
                .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string));
            if !strings {
                problems.push(
                    ctx.loc(&format!("{pointer}/enum")),
                    format!("{kind} schema: `enum` must be a non-empty list of strings"),
                );
            }
        }
        if let Some(required) = map.get("required") {
            if !required.is_boolean() {
                problems.push(
                    ctx.loc(&format!("{pointer}/required")),
                    format!("{kind} schema: draft-3 `required` must be true or false"),
                );
            }
        }
        if map.get("type").and_then(Value::as_str) == Some("array") && !map.contains_key("items") {
            problems.push(
                ctx.loc(pointer),
                format!("{kind} schema: array without `items`"),
            );
        }
        if let Some(Value::String(target)) = map.get("$ref") {
            let site_required = map.get("required").cloned();
            let Some(key) = seen
                .get(target)
                .cloned()
                .or_else(|| self.only_variant(target))
            else {
                problems.push(
                    ctx.loc(&format!("{pointer}/$ref")),
                    format!("{kind} schema: `$ref` to {target:?}, which is not defined before it"),
                );
                return Value::Object(map);
            };
            let mut out = Map::new();
            out.insert("$ref".into(), Value::String(key.placeholder()));
            if let Some(required) = site_required {
                out.insert("required".into(), required);
            }
            return Value::Object(out);
        }
        if let Some(properties) = map.get_mut("properties") {
            match properties {
                Value::Object(props) => {
                    for (name, prop) in props.iter_mut() {
                        let p = format!("{pointer}/properties/{}", escape_token(name));
                        *prop = self.lift(ctx, prop.take(), &p, seen, problems, kind);
                    }
                }
                _ => problems.push(
                    ctx.loc(&format!("{pointer}/properties")),
                    format!("{kind} schema: `properties` must be an object"),
                ),
            }
        }
        for child in ["items", "additionalProperties"] {
            if let Some(sub) = map.get_mut(child) {
                if !sub.is_boolean() {
                    let p = format!("{pointer}/{child}");
                    *sub = self.lift(ctx, sub.take(), &p, seen, problems, kind);
                }
            }
        }
        let Some(id) = map.remove("id") else {
            return Value::Object(map);
        };
        let Value::String(urn) = id else {
            problems.push(
                ctx.loc(&format!("{pointer}/id")),
                format!("{kind} schema: `id` must be a string"),
            );
            return Value::Object(map);
        };
        // `required` belongs to the property that holds this object, not to the type.
        let site_required = map.remove("required");
        let line = ctx.lines.get(pointer).map_or(ctx.start, |l| ctx.start + l);
        let key = self.define(urn.clone(), Value::Object(map), line);
        seen.insert(urn, key.clone());
        let mut out = Map::new();
        out.insert("$ref".into(), Value::String(key.placeholder()));
        if let Some(required) = site_required {
            out.insert("required".into(), required);
        }
        Value::Object(out)
    }

    fn define(&mut self, urn: String, schema: Value, line: usize) -> Key {
        let variants = self.defs.range_mut(
            Key {
                urn: urn.clone(),
                variant: 0,
            }..Key {
                urn: urn.clone(),
                variant: usize::MAX,
            },
        );
        let mut count = 0;
        for (key, def) in variants {
            if def.schema == schema {
                def.lines.push(line);
                return key.clone();
            }
            count += 1;
        }
        let key = Key {
            urn,
            variant: count,
        };
        self.defs.insert(
            key.clone(),
            Def {
                schema,
                lines: vec![line],
            },
        );
        key
    }

    fn variants<'a>(&'a self, urn: &'a str) -> impl Iterator<Item = &'a Key> {
        self.defs.keys().filter(move |k| k.urn == urn)
    }

    fn only_variant(&self, urn: &str) -> Option<Key> {
        let mut variants = self.variants(urn);
        match (variants.next(), variants.next()) {
            (Some(key), None) => Some(key.clone()),
            _ => None,
        }
    }

    /// Names every definition (see [`base_names`]); a urn with several distinct definitions gets one
    /// name per definition: `<Base>Of<the types only that definition refers to>`.
    fn names(&self, file: &str, problems: &mut Problems) -> HashMap<Key, String> {
        let urns: BTreeSet<&str> = self.defs.keys().map(|k| k.urn.as_str()).collect();
        let base = base_names(&urns);
        let mut names = HashMap::new();
        for urn in &urns {
            let keys: Vec<&Key> = self.variants(urn).collect();
            if keys.len() == 1 {
                names.insert(keys[0].clone(), base[urn].clone());
                continue;
            }
            let refs: Vec<BTreeSet<String>> = keys
                .iter()
                .map(|k| {
                    let mut out = BTreeSet::new();
                    collect_refs(&self.defs[*k].schema, &mut out);
                    out
                })
                .collect();
            for (i, key) in keys.iter().enumerate() {
                let own: Vec<String> = refs[i]
                    .iter()
                    .filter(|r| {
                        refs.iter()
                            .enumerate()
                            .all(|(j, o)| j == i || !o.contains(*r))
                    })
                    .map(|r| {
                        let urn = r.rsplit_once('#').map_or(r.as_str(), |(u, _)| u);
                        base.get(urn).cloned().unwrap_or_default()
                    })
                    .collect();
                let name = match own.is_empty() {
                    true => format!("{}{}", base[urn], key.variant + 1),
                    false => format!("{}Of{}", base[urn], own.join("And")),
                };
                names.insert((*key).clone(), name);
            }
        }
        let mut taken: HashMap<&String, &Key> = HashMap::new();
        for (key, name) in &names {
            if let Some(other) = taken.insert(name, key) {
                problems.push(
                    Location::file(file),
                    format!(
                        "{} and {} both get the name {name}",
                        other.placeholder(),
                        key.placeholder()
                    ),
                );
            }
        }
        names
    }
}

/// `urn:…:CheckpointingStatistics:Counts` -> `Counts`; where two ids share a last segment, a nested
/// class (one whose parent segment is a class, i.e. starts upper-case) takes its parent's name as a
/// prefix (`CheckpointingStatisticsCounts`), repeatedly, until the names differ or no parents are left.
fn base_names<'a>(urns: &BTreeSet<&'a str>) -> HashMap<&'a str, String> {
    let segments: HashMap<&str, Vec<&str>> = urns
        .iter()
        .map(|u| {
            (
                *u,
                u.trim_start_matches("urn:jsonschema:").split(':').collect(),
            )
        })
        .collect();
    let mut depth: HashMap<&str, usize> = urns.iter().map(|u| (*u, 1)).collect();
    let name = |urn: &str, depth: usize| -> String {
        let segs = &segments[urn];
        segs[segs.len() - depth..]
            .iter()
            // Class names stay as Java writes them (`IOMetricsInfo`); package segments are capitalised.
            .map(|s| match s.starts_with(char::is_uppercase) {
                true => s.to_string(),
                false => s.to_upper_camel_case(),
            })
            .collect()
    };
    loop {
        let mut by_name: HashMap<String, Vec<&str>> = HashMap::new();
        for urn in urns {
            by_name.entry(name(urn, depth[urn])).or_default().push(urn);
        }
        let mut changed = false;
        for group in by_name.values().filter(|g| g.len() > 1) {
            for urn in group {
                let segs = &segments[urn];
                let d = depth[urn];
                let parent_is_class = segs.len() > d
                    && segs[segs.len() - d - 1]
                        .chars()
                        .next()
                        .is_some_and(char::is_uppercase);
                if parent_is_class {
                    *depth.get_mut(urn).unwrap_or(&mut 0) += 1;
                    changed = true;
                }
            }
        }
        if !changed {
            return urns.iter().map(|u| (*u, name(u, depth[u]))).collect();
        }
    }
}

fn collect_refs(schema: &Value, out: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.insert(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn rename_refs(schema: &mut Value, names: &HashMap<Key, String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                if let Some((urn, variant)) = r.rsplit_once('#') {
                    let key = Key {
                        urn: urn.to_string(),
                        variant: variant.parse().unwrap_or(0),
                    };
                    if let Some(name) = names.get(&key) {
                        *r = name.clone();
                    }
                }
            }
            map.values_mut().for_each(|v| rename_refs(v, names));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, names)),
        _ => {}
    }
}
