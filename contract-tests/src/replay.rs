//! The four checks every recorded (or live) exchange goes through:
//!
//! 1. **decodes**: the generated client, making the real call against a server that answers what was
//!    recorded, returns its typed result (an error answer: the typed API error with the same errors);
//! 2. **lossless**: the typed result, serialised again, still has every non-null value of the body;
//! 3. **valid**: the body validates (jsonschema crate) against that version's corrected spec, with
//!    objects closed (`additionalProperties: false`), so an undocumented field is a finding too;
//! 4. **status**: the status is one that spec names for the operation.
//!
//! [`Checker`] runs them; `tests/replay.rs` runs it over every fixture and `cargo xtask conformance`
//! over a live scenario.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{anyhow, Context, Result};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::fixture::{Exchange, RequestBody};
use flink_rest::Pair;

/// A recorded request's parameters, as the generated dispatch asks for them.
#[derive(Debug, Clone, Default)]
pub struct Args {
    path: BTreeMap<String, String>,
    query: Vec<(String, String)>,
    body: Option<RequestBody>,
}

/// Why a recorded request could not be turned into a client call, or the call failed.
#[derive(Debug)]
pub enum CallError {
    NotDocumented(String),
    /// A parameter or body the typed client cannot take (a malformed id, a wrong field type): the client
    /// refuses it before sending, which is the point of typing it.
    Argument(String),
    Client(flink_rest::Error),
    Encode(serde_json::Error),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::NotDocumented(e) => write!(f, "{e} is not a documented pair"),
            CallError::Argument(m) => write!(f, "the typed client refuses the request: {m}"),
            CallError::Client(e) => write!(f, "{e}"),
            CallError::Encode(e) => write!(f, "re-serialising the typed answer: {e}"),
        }
    }
}

impl From<flink_rest::Error> for CallError {
    fn from(e: flink_rest::Error) -> Self {
        match e {
            // The client refused an argument before sending (an id `..`, a hostile file name).
            flink_rest::Error::InvalidId(e) => CallError::Argument(e.to_string()),
            e => CallError::Client(e),
        }
    }
}

impl From<serde_json::Error> for CallError {
    fn from(e: serde_json::Error) -> Self {
        CallError::Encode(e)
    }
}

fn argument(what: &str, e: impl fmt::Display) -> CallError {
    CallError::Argument(format!("{what}: {e}"))
}

impl Args {
    /// The parameters of `exchange`, read against `pair`'s path template.
    pub fn of(pair: Pair, exchange: &Exchange) -> Args {
        let params = pair
            .path()
            .matches(&exchange.request.path)
            .unwrap_or_default();
        let path = (params.iter())
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        Args {
            path,
            query: exchange.request.query_pairs(),
            body: exchange.request.body.clone(),
        }
    }

    pub fn path<T: FromStr>(&self, name: &str) -> Result<T, CallError>
    where
        T::Err: fmt::Display,
    {
        let raw = self
            .path
            .get(name)
            .ok_or_else(|| argument(name, "missing"))?;
        raw.parse()
            .map_err(|e| argument(&format!("path parameter {name}={raw:?}"), e))
    }

    fn raw(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn one<T: FromStr>(&self, name: &str) -> Result<T, CallError>
    where
        T::Err: fmt::Display,
    {
        self.opt(name)?.ok_or_else(|| argument(name, "missing"))
    }

    pub fn opt<T: FromStr>(&self, name: &str) -> Result<Option<T>, CallError>
    where
        T::Err: fmt::Display,
    {
        self.raw(name)
            .map(|raw| {
                raw.parse()
                    .map_err(|e| argument(&format!("query {name}={raw:?}"), e))
            })
            .transpose()
    }

    pub fn list<T: FromStr>(&self, name: &str) -> Result<Vec<T>, CallError>
    where
        T::Err: fmt::Display,
    {
        match self.raw(name) {
            None | Some("") => Ok(Vec::new()),
            Some(raw) => raw
                .split(',')
                .map(|v| {
                    v.parse()
                        .map_err(|e| argument(&format!("query {name}={raw:?}"), e))
                })
                .collect(),
        }
    }

    pub fn json<T: DeserializeOwned>(&self) -> Result<T, CallError> {
        match &self.body {
            Some(RequestBody::Json(v)) => {
                serde_json::from_value(v.clone()).map_err(|e| argument("JSON body", e))
            }
            Some(RequestBody::Text(_) | RequestBody::Described { .. }) => {
                Err(argument("body", "not JSON"))
            }
            // A body the page marks optional may be left out.
            _ => serde_json::from_value(json!({})).map_err(|e| argument("JSON body", e)),
        }
    }

    pub fn json_part<T: DeserializeOwned>(&self, name: &str) -> Result<T, CallError> {
        let Some(RequestBody::Multipart(parts)) = &self.body else {
            return Err(argument("body", "not multipart"));
        };
        let part = parts
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| argument(name, "no such part"))?;
        let v = part
            .json
            .clone()
            .ok_or_else(|| argument(name, "not JSON"))?;
        serde_json::from_value(v).map_err(|e| argument(name, e))
    }

    /// The file parts, with bytes of the recorded size (what they held does not matter to the checks).
    pub fn files(&self) -> Vec<flink_rest::UploadFile> {
        let Some(RequestBody::Multipart(parts)) = &self.body else {
            return Vec::new();
        };
        parts
            .iter()
            .filter_map(|p| {
                let name = p.file_name.clone()?;
                Some(flink_rest::UploadFile::from_bytes(
                    name,
                    vec![0u8; p.bytes.unwrap_or(0)],
                ))
            })
            .collect()
    }

    pub fn file(&self) -> Result<flink_rest::UploadFile, CallError> {
        self.files()
            .into_iter()
            .next()
            .ok_or_else(|| argument("body", "no file part"))
    }
}

/// The outcome of the four checks for one exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Check 1; `Err`: what went wrong.
    pub decodes: Result<(), String>,
    /// Check 2: pointers of non-null values the typed result lost.
    pub lost: Vec<String>,
    /// Check 3: `pointer: message` of every validation error.
    pub invalid: Vec<String>,
    /// Check 4; `Err`: the statuses the spec names.
    pub status: Result<(), String>,
    /// The request the client sent differs from the recorded one.
    pub request: Vec<String>,
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome {
            decodes: Ok(()),
            lost: Vec::new(),
            invalid: Vec::new(),
            status: Ok(()),
            request: Vec::new(),
        }
    }
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.decodes.is_ok()
            && self.lost.is_empty()
            && self.invalid.is_empty()
            && self.status.is_ok()
            && self.request.is_empty()
    }

    /// Every failed check, one line each.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Err(e) = &self.decodes {
            out.push(format!("decode: {e}"));
        }
        for p in &self.lost {
            out.push(format!("lossless: {p} lost by the typed value"));
        }
        for p in &self.invalid {
            out.push(format!("spec: {p}"));
        }
        if let Err(e) = &self.status {
            out.push(format!("status: {e}"));
        }
        for r in &self.request {
            out.push(format!("request: {r}"));
        }
        out
    }
}

/// A spec (one version's corrected, or the page's), ready to validate bodies.
pub struct Spec {
    pub name: String,
    doc: Value,
    /// Component schemas with every object closed.
    closed: Value,
    validators: HashMap<(Pair, u16), Option<jsonschema::Validator>>,
}

impl Spec {
    pub fn load(path: &Path) -> Result<Spec> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let doc: Value = serde_json::from_str(&text).with_context(|| path.display().to_string())?;
        Ok(Spec::new(
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            doc,
        ))
    }

    pub fn new(name: String, doc: Value) -> Spec {
        let mut closed = doc["components"]["schemas"].clone();
        if let Some(map) = closed.as_object_mut() {
            for schema in map.values_mut() {
                if schema.get("properties").is_some() {
                    schema["additionalProperties"] = json!(false);
                }
            }
        }
        Spec {
            name,
            doc,
            closed,
            validators: HashMap::new(),
        }
    }

    fn operation(&self, pair: Pair) -> Option<&Value> {
        let method = pair.method().as_str().to_lowercase();
        self.doc["paths"].get(pair.path().openapi())?.get(method)
    }

    /// The statuses the spec names for `pair`, besides the 4XX/5XX ranges.
    pub fn statuses(&self, pair: Pair) -> Vec<u16> {
        self.operation(pair)
            .and_then(|op| op["responses"].as_object())
            .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
            .unwrap_or_default()
    }

    /// The body schema for `status` (an explicit status, else its 4XX/5XX range).
    fn response_schema(&self, pair: Pair, status: u16) -> Option<Value> {
        let responses = &self.operation(pair)?["responses"];
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get(format!("{}XX", status / 100)))?;
        let response = match response.get("$ref").and_then(Value::as_str) {
            Some(r) => self.doc.pointer(r.trim_start_matches('#'))?,
            None => response,
        };
        response["content"]["application/json"]
            .get("schema")
            .cloned()
    }

    /// Validation errors of `body` as the answer `status` of `pair`; `None`: the spec has no body
    /// schema there (nothing to validate against).
    pub fn validate(&mut self, pair: Pair, status: u16, body: &Value) -> Option<Vec<String>> {
        let key = (pair, status);
        if !self.validators.contains_key(&key) {
            let validator = self.response_schema(pair, status).and_then(|schema| {
                let mut root = match schema {
                    Value::Object(map) => Value::Object(map),
                    other => json!({ "allOf": [other] }),
                };
                root["components"] = json!({ "schemas": self.closed });
                root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
                jsonschema::validator_for(&root).ok()
            });
            self.validators.insert(key, validator);
        }
        let validator = self.validators.get(&key)?.as_ref()?;
        Some(
            validator
                .iter_errors(body)
                .map(|e| format!("{}: {e}", e.instance_path()))
                .take(20)
                .collect(),
        )
    }
}

/// Pointers of non-null values in `original` that `typed` does not have (or has otherwise).
pub fn lost(original: &Value, typed: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk_lost(original, Some(typed), String::new(), &mut out);
    out
}

fn walk_lost(original: &Value, typed: Option<&Value>, at: String, out: &mut Vec<String>) {
    match original {
        Value::Null => {}
        Value::Object(map) => {
            for (k, v) in map {
                let child = typed.and_then(|t| t.get(k));
                walk_lost(
                    v,
                    child,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk_lost(v, typed.and_then(|t| t.get(i)), format!("{at}/{i}"), out);
            }
        }
        Value::Number(n) => {
            let same = typed
                .and_then(Value::as_f64)
                .zip(n.as_f64())
                .is_some_and(|(a, b)| a == b || (a - b).abs() <= f64::EPSILON * b.abs());
            if !same {
                out.push(at);
            }
        }
        leaf => {
            if typed != Some(leaf) {
                out.push(at);
            }
        }
    }
}

/// Runs the checks; one wiremock server for every exchange.
pub struct Checker {
    server: MockServer,
    client: flink_rest::Client,
}

/// Which spec an exchange is checked against.
pub fn spec_path(root: &Path, version: &str) -> PathBuf {
    root.join("generated/openapi").join(format!(
        "flink-rest-{}.json",
        flink_rest_codegen::ledger::minor(version)
    ))
}

impl Checker {
    pub async fn start() -> Result<Checker> {
        let server = MockServer::start().await;
        let client = flink_rest::Client::new(&server.uri()).map_err(|e| anyhow!("{e}"))?;
        Ok(Checker { server, client })
    }

    /// Checks one exchange of a documented pair against `spec`.
    pub async fn check(&self, e: &Exchange, spec: &mut Spec) -> Result<Outcome> {
        let pair = e.endpoint.ok_or_else(|| anyhow!("not a documented pair"))?;
        let status = e.response.status;
        let mut outcome = Outcome::default();

        self.server.reset().await;
        let mut template_response = ResponseTemplate::new(status);
        if let Some(body) = &e.response.body {
            template_response =
                template_response.set_body_raw(serde_json::to_vec(body)?, "application/json");
        } else if let Some(text) = &e.response.text {
            template_response =
                template_response.set_body_raw(text.clone().into_bytes(), "text/plain");
        }
        Mock::given(any())
            .respond_with(template_response)
            .mount(&self.server)
            .await;

        let args = Args::of(pair, e);
        let answer = crate::dispatch::call(&self.client, pair, &args).await;
        let body = e.response.body.clone().unwrap_or(Value::Null);
        // A request the typed client refuses is never sent: there is nothing to compare.
        let sent = !matches!(answer, Err(CallError::Argument(_)));
        match answer {
            Ok(typed) => {
                if !(200..300).contains(&status) {
                    outcome.decodes = Err(format!("status {status} decoded as a success"));
                }
                outcome.lost = lost(&body, &typed);
            }
            Err(CallError::Client(flink_rest::Error::Api {
                status: s, errors, ..
            })) => {
                if (200..300).contains(&status) || s != status {
                    outcome.decodes = Err(format!("status {status} became an API error {s}"));
                }
                outcome.lost = lost(&body, &json!({ "errors": errors }));
            }
            Err(other) => outcome.decodes = Err(other.to_string()),
        }
        if sent {
            outcome.request = self.compare_request(e).await;
        }
        if e.response.body.is_some() {
            if let Some(errors) = spec.validate(pair, status, &body) {
                outcome.invalid = errors;
            } else if e.response.body.as_ref().is_some_and(|b| !b.is_null())
                && (200..300).contains(&status)
            {
                outcome.invalid = vec![format!("{}: the spec has no body for {status}", spec.name)];
            }
        }
        let statuses = spec.statuses(pair);
        if !statuses.contains(&status) {
            outcome.status = Err(format!(
                "{status} is not among {statuses:?} in {}",
                spec.name
            ));
        }
        Ok(outcome)
    }

    /// What the client sent, against what was recorded: method, path, query, JSON body.
    async fn compare_request(&self, e: &Exchange) -> Vec<String> {
        let received = self.server.received_requests().await.unwrap_or_default();
        let Some(sent) = received.last() else {
            return vec!["the client sent nothing".into()];
        };
        let mut out = Vec::new();
        if sent.method.as_str() != e.request.method {
            out.push(format!(
                "method {} (recorded {})",
                sent.method, e.request.method
            ));
        }
        if sent.url.path() != e.request.path {
            out.push(format!(
                "path {} (recorded {})",
                sent.url.path(),
                e.request.path
            ));
        }
        let mut got: Vec<(String, String)> = sent.url.query_pairs().into_owned().collect();
        let mut want = e.request.query_pairs();
        got.sort();
        want.sort();
        if got != want {
            out.push(format!("query {got:?} (recorded {want:?})"));
        }
        match &e.request.body {
            Some(RequestBody::Json(v)) => {
                let body: Option<Value> = serde_json::from_slice(&sent.body).ok();
                // Fields the typed body does not have are reported by decode, not here; compare what
                // the recorded body holds that the client sent differently.
                let lost_fields = body
                    .as_ref()
                    .map(|b| lost(v, b))
                    .unwrap_or_else(|| vec!["/".into()]);
                if !lost_fields.is_empty() {
                    out.push(format!("JSON body lost {}", lost_fields.join(", ")));
                }
            }
            Some(RequestBody::Multipart(parts)) => {
                let text = String::from_utf8_lossy(&sent.body);
                // File parts are known to Flink by their file names, attributes by their part names.
                for p in parts {
                    let needle = match &p.file_name {
                        Some(f) => format!("filename=\"{f}\""),
                        None => format!("name=\"{}\"", p.name),
                    };
                    if !text.contains(&needle) {
                        out.push(format!("multipart part {needle} not sent"));
                    }
                }
            }
            _ => {}
        }
        out
    }
}
