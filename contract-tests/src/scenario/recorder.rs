//! The recorder: sends a step's requests, records the exchanges that matter, and waits (unrecorded)
//! for the states a step needs.

use crate::tls::Connection;
use flink_rest::pair::{Pair, Route};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use reqwest::Method;
use serde_json::Value;

use crate::fixture::{Exchange, Kind, PartRecord, RecordedRequest, RecordedResponse, RequestBody};

/// A request as a step writes it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Body>,
}

#[derive(Debug, Clone)]
pub enum Body {
    Json(Value),
    /// Sent with `content-type: application/json` but not JSON.
    Text(String),
    Multipart(Vec<Part>),
    /// Sent with `content-type: application/json`, recorded as its size and `about`.
    Raw {
        bytes: Vec<u8>,
        about: String,
    },
}

#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Req {
    pub fn new(method: Method, path: impl Into<String>) -> Req {
        Req {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }
    pub fn get(path: impl Into<String>) -> Req {
        Req::new(Method::GET, path)
    }
    pub fn q(mut self, name: &str, value: impl Into<String>) -> Req {
        self.query.push((name.to_string(), value.into()));
        self
    }
    pub fn json(mut self, body: Value) -> Req {
        self.body = Some(Body::Json(body));
        self
    }
    pub fn multipart(mut self, parts: Vec<Part>) -> Req {
        self.body = Some(Body::Multipart(parts));
        self
    }
}

/// Sends requests, records the ones that matter.
pub struct Recorder {
    http: reqwest::Client,
    base: String,
    version: String,
    step: String,
    pub exchanges: Vec<Exchange>,
    /// Between polls: (waiting, recording a state that comes and goes).
    pauses: (Duration, Duration),
}

/// How long the scenario pauses between polls of a real cluster.
const PAUSES: (Duration, Duration) = (Duration::from_millis(300), Duration::from_millis(200));

impl Recorder {
    pub fn new(base: &str, version: &str, connection: &Connection) -> Result<Recorder> {
        let http = connection.http(Duration::from_secs(60))?;
        Ok(Recorder {
            http,
            base: base.trim_end_matches('/').to_string(),
            version: version.to_string(),
            step: String::new(),
            exchanges: Vec::new(),
            pauses: PAUSES,
        })
    }

    /// Polls every `pause` (an emulated cluster moves in milliseconds).
    pub fn polling_every(mut self, pause: Duration) -> Recorder {
        self.pauses = (pause, pause);
        self
    }

    pub fn step(&mut self, name: &str) {
        self.step = name.to_string();
    }

    /// Sends to another cluster of the same version from now on (an adaptive-scheduler one); the
    /// base it sent to before.
    pub fn switch_to(&mut self, base: &str) -> String {
        std::mem::replace(&mut self.base, base.trim_end_matches('/').to_string())
    }

    /// Sends without recording.
    pub async fn send(&self, req: &Req) -> Result<Exchange> {
        let url = format!("{}{}", self.base, req.path);
        let mut builder = self.http.request(req.method.clone(), &url);
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        let mut headers = std::collections::BTreeMap::new();
        let sent = match &req.body {
            None => None,
            Some(Body::Json(v)) => {
                headers.insert("content-type".into(), "application/json".into());
                builder = builder
                    .header("content-type", "application/json")
                    .body(serde_json::to_vec(v)?);
                Some(RequestBody::Json(v.clone()))
            }
            Some(Body::Text(t)) => {
                headers.insert("content-type".into(), "application/json".into());
                builder = builder
                    .header("content-type", "application/json")
                    .body(t.clone());
                Some(RequestBody::Text(t.clone()))
            }
            Some(Body::Raw { bytes, about }) => {
                headers.insert("content-type".into(), "application/json".into());
                builder = builder
                    .header("content-type", "application/json")
                    .body(bytes.clone());
                Some(RequestBody::Described {
                    bytes: bytes.len(),
                    about: about.clone(),
                })
            }
            Some(Body::Multipart(parts)) => {
                headers.insert("content-type".into(), "multipart/form-data".into());
                let mut form = reqwest::multipart::Form::new();
                let mut records = Vec::new();
                for p in parts {
                    let mut part = reqwest::multipart::Part::bytes(p.bytes.clone())
                        .mime_str(&p.content_type)?;
                    if let Some(f) = &p.file_name {
                        part = part.file_name(f.clone());
                    }
                    form = form.part(p.name.clone(), part);
                    let json = (p.content_type == "application/json")
                        .then(|| serde_json::from_slice(&p.bytes).ok())
                        .flatten();
                    records.push(PartRecord {
                        name: p.name.clone(),
                        file_name: p.file_name.clone(),
                        content_type: p.content_type.clone(),
                        bytes: json.is_none().then_some(p.bytes.len()),
                        json,
                    });
                }
                builder = builder.multipart(form);
                Some(RequestBody::Multipart(records))
            }
        };
        let request = builder.build()?;
        let query = request.url().query().map(str::to_string);
        let response = self
            .http
            .execute(request)
            .await
            .with_context(|| format!("{} {}", req.method, req.path))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = response.bytes().await?;
        let (body, text) = match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => (Some(v), None),
            Err(_) if bytes.is_empty() => (None, None),
            Err(_) => (None, Some(String::from_utf8_lossy(&bytes).into_owned())),
        };
        let method = req.method.as_str();
        Ok(Exchange {
            endpoint: match Pair::route(Pair::ALL, method, &req.path) {
                Route::Pair(pair, _) => Some(pair),
                Route::WrongVerb | Route::Unknown => None,
            },
            kind: Kind::Scenario,
            step: self.step.clone(),
            flink_version: self.version.clone(),
            request: RecordedRequest {
                method: method.to_string(),
                path: req.path.clone(),
                query,
                headers,
                body: sent,
            },
            response: RecordedResponse {
                status,
                content_type,
                body,
                text,
            },
        })
    }

    /// Sends and records a scenario exchange; returns the response body (`null` if none).
    pub async fn call(&mut self, req: Req) -> Result<Value> {
        let e = self.send(&req).await?;
        let body = e.response.body.clone().unwrap_or(Value::Null);
        self.exchanges.push(e);
        Ok(body)
    }

    /// Like [`Recorder::call`], but fails unless the status is 2xx.
    pub async fn ok(&mut self, req: Req) -> Result<Value> {
        let e = self.send(&req).await?;
        let status = e.response.status;
        let body = e.response.body.clone().unwrap_or(Value::Null);
        self.exchanges.push(e);
        if !(200..300).contains(&status) {
            bail!("{} {} answered {status}: {body}", req.method, req.path);
        }
        Ok(body)
    }

    /// Records a bad-input exchange.
    pub async fn bad(&mut self, req: Req) -> Result<()> {
        let mut e = self.send(&req).await?;
        e.kind = Kind::BadInput;
        self.exchanges.push(e);
        Ok(())
    }

    /// GET without recording; the body.
    pub async fn peek(&self, path: &str) -> Result<Value> {
        let e = self.send(&Req::get(path)).await?;
        Ok(e.response.body.unwrap_or(Value::Null))
    }

    /// Repeats an unrecorded GET until `done` holds for its body.
    pub async fn wait_for(
        &self,
        req: Req,
        what: &str,
        limit: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        let e = self
            .poll_until(&req, what, limit, self.pauses.0, done)
            .await?;
        Ok(e.response.body.unwrap_or(Value::Null))
    }

    /// Like [`Recorder::wait_for`], but records the answer that satisfied `done`, polling more often:
    /// for states that come and go (a checkpoint in progress).
    pub async fn wait_and_record(
        &mut self,
        req: Req,
        what: &str,
        limit: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        let e = self
            .poll_until(&req, what, limit, self.pauses.1, done)
            .await?;
        let body = e.response.body.clone().unwrap_or(Value::Null);
        self.exchanges.push(e);
        Ok(body)
    }

    /// Sends `req` every `pause` until its body satisfies `done`; that exchange. Fails after `limit`.
    async fn poll_until(
        &self,
        req: &Req,
        what: &str,
        limit: Duration,
        pause: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Exchange> {
        let start = Instant::now();
        loop {
            let e = self.send(req).await?;
            let body = e.response.body.as_ref().unwrap_or(&Value::Null);
            if done(body) {
                return Ok(e);
            }
            if start.elapsed() > limit {
                bail!("waited {limit:?} for {what}; last answer: {body}");
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// Triggers an async operation (recorded, must be 2xx) and follows it to its end at
    /// `<status>/<trigger id>` (see [`Recorder::operation`]); the final answer.
    pub async fn trigger(&mut self, req: Req, status: &str) -> Result<Value> {
        let trigger = self.ok(req).await?;
        self.operation(format!("{status}/{}", trigger_id(&trigger)?))
            .await
    }

    /// Polls an async operation: records the first answer, then (if it was not final) the final one.
    pub async fn operation(&mut self, path: String) -> Result<Value> {
        let first = self.call(Req::get(path.clone())).await?;
        if is_final(&first) {
            return Ok(first);
        }
        let _ = self
            .wait_for(
                Req::get(path.clone()),
                &path,
                Duration::from_secs(120),
                is_final,
            )
            .await?;
        self.call(Req::get(path)).await
    }
}

pub(super) fn is_final(body: &Value) -> bool {
    body["status"]["id"].as_str() == Some("COMPLETED") || body.get("errors").is_some()
}

pub(super) fn trigger_id(answer: &Value) -> Result<String> {
    answer["request-id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no request-id in {answer}"))
}
