//! The client core the generated methods call (hand-written): base URL, `/v1` prefix, timeouts,
//! sending, decoding, and the one error type.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use reqwest::multipart::{Form, Part};
use reqwest::{Method, RequestBuilder, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::ids::{IdError, JobId, TriggerId};
use crate::pair::{FillError, Method as PairMethod, Pair};
use crate::wait::{Failure, Poll};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a call can fail with. Non-exhaustive: a later version of the crate may tell more cases
/// apart.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Flink answered with a non-success status. `errors` is Flink's error body (`{"errors": [...]}`);
    /// where the body is not that, it holds the body text.
    Api {
        endpoint: &'static str,
        status: u16,
        errors: Vec<String>,
        /// Why servers answer so, where the evidence ledger knows this answer to a valid request
        /// (`PATCH /jobs/:jobid/rescaling` is disabled on every version: rescale with
        /// [`Client::rescale`]; resource requirements need the adaptive scheduler …).
        known: Option<&'static str>,
    },
    /// The request did not get an answer: connection, TLS, timeout.
    Transport {
        endpoint: &'static str,
        source: reqwest::Error,
    },
    /// The answer is not what the type expects. `path` is where in the JSON it failed (`jobs[0].status`).
    Decode {
        endpoint: &'static str,
        status: u16,
        path: String,
        source: serde_json::Error,
        body: String,
    },
    /// A request body could not be encoded.
    Encode(serde_json::Error),
    /// The base URL cannot carry path segments, or is not a URL.
    InvalidUrl(String),
    /// A string cannot go where it was given: not a valid id, or it would change the request (a path
    /// segment `..`, a control character, a comma inside one item of a list, a line break in an
    /// upload's file name). Nothing was sent.
    InvalidId(IdError),
    /// A file to upload could not be read.
    Io(std::io::Error),
    /// A header given to [`ClientBuilder::header`] has an invalid name or value.
    InvalidHeader(String),
    /// The server's version (as the client knows it: [`ClientBuilder::flink_version`],
    /// [`Client::detect_version`]) does not have this pair: its docs do not list it and the evidence
    /// ledger does not show its server serving it. Nothing was sent.
    NotAvailable {
        endpoint: &'static str,
        version: String,
        since: Option<&'static str>,
        until: Option<&'static str>,
    },
    /// A query parameter's value that the server's version does not have: its docs do not list it
    /// (`agg=skew` before Flink 1.20, whose servers refuse it with 400). Nothing was sent.
    ValueNotAvailable {
        endpoint: &'static str,
        parameter: &'static str,
        value: String,
        version: String,
        since: Option<&'static str>,
        until: Option<&'static str>,
    },
    /// An operation Flink ran (a savepoint, a checkpoint, a job's start …) ended in failure: Flink's
    /// cause, and the job it was about. A job that fails while it starts may be restarting in Flink
    /// still (see [`Client::start_jar`]): cancel it there if it should not.
    Failed {
        operation: &'static str,
        /// Boxed: it carries Flink's whole trace, and keeps every `Result` of the crate small.
        failure: Box<Failure>,
        job: Option<JobId>,
    },
    /// Flink took the request but will not carry it out as asked: a rescale it ignored (the cluster's
    /// slots cannot meet the new lower bounds) or one that later requirements replaced before it ended.
    /// The job runs on as it was; the new requirements stay set in Flink.
    NotApplied {
        operation: &'static str,
        job: Option<JobId>,
        reason: String,
    },
    /// A waiting operation did not end within the client's [`Poll`] timeout (it may still end in
    /// Flink). `job` and `trigger` are what it was following, so a caller can go on following it
    /// (`get_savepoint_status(job, trigger)` …) instead of losing an operation still running.
    Timeout {
        operation: &'static str,
        /// How long it waited, and the timeout it was held to ([`Poll::timeout`]).
        waited: Duration,
        limit: Duration,
        job: Option<JobId>,
        trigger: Option<TriggerId>,
    },
    /// The answer is longer than the client takes ([`ClientBuilder::max_answer_bytes`]); the rest was
    /// not read.
    TooLarge { endpoint: &'static str, limit: u64 },
}

impl Error {
    /// Whether Flink answered 404: no such job, jar, vertex, trigger id … (or path).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The HTTP status, where there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::Decode { status, .. } => Some(*status),
            Error::Transport { source, .. } => source.status().map(|s| s.as_u16()),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api {
                endpoint,
                status,
                errors,
                known,
            } => {
                write!(f, "{endpoint}: Flink answered {status}")?;
                match headline(errors) {
                    Some(first) => write!(f, ": {first}")?,
                    None => write!(f, " with no body")?,
                }
                if let Some(cause) = root_cause(errors) {
                    write!(f, " (root cause: {cause})")?;
                }
                if let Some(why) = known {
                    write!(f, " (known: {why})")?;
                }
                // `{:#}`: everything Flink sent, its stack traces too.
                if f.alternate() {
                    for error in errors {
                        write!(f, "\n{error}")?;
                    }
                }
                Ok(())
            }
            Error::Transport { endpoint, source } => {
                write!(f, "{endpoint}: {source}")?;
                // reqwest says "error sending request"; what went wrong (a certificate, a refused
                // connection) is further down the chain.
                let mut cause = std::error::Error::source(source);
                let mut root = None;
                while let Some(c) = cause {
                    root = Some(c);
                    cause = c.source();
                }
                match root {
                    Some(root) => write!(f, " (cause: {root})"),
                    None => Ok(()),
                }
            }
            Error::Decode {
                endpoint,
                status,
                path,
                source,
                ..
            } => write!(
                f,
                "{endpoint}: cannot decode the {status} answer at `{path}`: {source}"
            ),
            Error::Encode(e) => write!(f, "cannot encode the request body: {e}"),
            Error::InvalidUrl(url) => write!(f, "{url:?} cannot be used as a base URL"),
            Error::InvalidId(e) => e.fmt(f),
            Error::Io(e) => write!(f, "cannot read a file: {e}"),
            Error::InvalidHeader(name) => {
                write!(f, "the header {name:?} is not a valid HTTP header")
            }
            Error::NotAvailable {
                endpoint,
                version,
                since,
                until,
            } => {
                write!(f, "{endpoint}: Flink {version} does not have it (")?;
                match (since, until) {
                    (Some(s), Some(u)) => write!(f, "Flink {s} to {u} do)"),
                    (Some(s), None) => write!(f, "Flink {s} and later do)"),
                    (None, Some(u)) => write!(f, "Flink {u} and earlier do)"),
                    (None, None) => write!(f, "no version does)"),
                }
            }
            Error::ValueNotAvailable {
                endpoint,
                parameter,
                value,
                version,
                since,
                until,
            } => {
                write!(
                    f,
                    "{endpoint}: {parameter}={value} is not in Flink {version}'s docs ("
                )?;
                match (since, until) {
                    (Some(s), Some(u)) => write!(f, "Flink {s} to {u} list it")?,
                    (Some(s), None) => write!(f, "Flink {s} and later list it")?,
                    (None, Some(u)) => write!(f, "Flink {u} and earlier list it")?,
                    (None, None) => write!(f, "no version lists it")?,
                }
                write!(f, "); nothing was sent")
            }
            Error::Failed {
                operation,
                failure,
                job,
            } => ended(f, operation, "failed", job.as_ref(), failure),
            Error::NotApplied {
                operation,
                job,
                reason,
            } => ended(f, operation, "not applied", job.as_ref(), reason),
            Error::Timeout {
                operation,
                waited,
                limit,
                job,
                trigger,
            } => {
                write!(f, "{operation} did not end within the client's timeout of ")?;
                write!(f, "{} (waited {}", Span(*limit), Span(*waited))?;
                if let Some(job) = job {
                    write!(f, "; job {job}")?;
                }
                if let Some(trigger) = trigger {
                    write!(f, ", trigger id {trigger}")?;
                }
                write!(f, ")")
            }
            Error::TooLarge { endpoint, limit } => {
                write!(f, "{endpoint}: the answer is longer than {limit} bytes")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Decode { source, .. } | Error::Encode(source) => Some(source),
            Error::InvalidId(e) => Some(e),
            Error::Io(e) => Some(e),
            Error::Api { .. }
            | Error::InvalidUrl(_)
            | Error::InvalidHeader(_)
            | Error::NotAvailable { .. }
            | Error::ValueNotAvailable { .. }
            | Error::Failed { .. }
            | Error::NotApplied { .. }
            | Error::Timeout { .. }
            | Error::TooLarge { .. } => None,
        }
    }
}

/// How a waiting operation's end reads: `{operation} {how} (job …): {why}`.
fn ended(
    f: &mut fmt::Formatter<'_>,
    operation: &str,
    how: &str,
    job: Option<&JobId>,
    why: &dyn fmt::Display,
) -> fmt::Result {
    write!(f, "{operation} {how}")?;
    if let Some(job) = job {
        write!(f, " (job {job})")?;
    }
    write!(f, ": {why}")
}

/// A duration as a person reads it: `14 ms`, `2.5 s`, `10 min`.
pub(crate) struct Span(pub Duration);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs_f64();
        if secs < 1.0 {
            write!(f, "{} ms", self.0.as_millis())
        } else if secs < 120.0 {
            write!(f, "{secs:.1} s")
        } else {
            write!(f, "{:.1} min", secs / 60.0)
        }
    }
}

impl From<IdError> for Error {
    fn from(e: IdError) -> Self {
        Error::InvalidId(e)
    }
}

/// A client of one Flink cluster's REST API. Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct Client {
    base: Url,
    http: reqwest::Client,
    poll: Poll,
    /// The server's Flink version, where the client knows it.
    version: Option<String>,
    max_answer_bytes: u64,
}

/// The longest answer a client reads unless told otherwise: 64 MiB (a job list of 100,000 jobs is
/// about 30 MiB).
pub const DEFAULT_MAX_ANSWER_BYTES: u64 = 64 << 20;

/// Settings of a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    base: String,
    version_prefix: bool,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    poll: Poll,
    /// PEM certificates to trust besides the system's roots (with `rustls`).
    #[cfg_attr(not(feature = "rustls"), allow(dead_code))]
    ca_certificates: Vec<Vec<u8>>,
    /// PEM of a client certificate and its private key, for mutual TLS (with `rustls`).
    #[cfg_attr(not(feature = "rustls"), allow(dead_code))]
    identity: Option<Vec<u8>>,
    headers: reqwest::header::HeaderMap,
    /// The first header [`ClientBuilder::header`] could not take, reported by `build`.
    invalid_header: Option<String>,
    version: Option<String>,
    max_answer_bytes: u64,
}

impl ClientBuilder {
    /// Prefix every path with `/v1` (Flink answers both forms).
    pub fn version_prefix(mut self, yes: bool) -> Self {
        self.version_prefix = yes;
        self
    }

    /// Limit for a whole call. Default: none.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Limit for connecting. Default: 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Trust this CA certificate (PEM) for HTTPS, besides the system's roots: a Flink whose REST
    /// endpoint has a certificate of its own CA (`security.ssl.rest.*`).
    #[cfg(feature = "rustls")]
    pub fn ca_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.ca_certificates.push(pem.to_vec());
        self
    }

    /// Present this client certificate and private key (PEM, one buffer holding both) when the server
    /// asks for one: Flink's mutual TLS (`security.ssl.rest.authentication-enabled`).
    #[cfg(feature = "rustls")]
    pub fn identity_pem(mut self, pem: &[u8]) -> Self {
        self.identity = Some(pem.to_vec());
        self
    }

    /// Send this header with every request (a token for a proxy in front of Flink, say). An invalid
    /// name or value is reported by [`ClientBuilder::build`].
    pub fn header(mut self, name: &str, value: &str) -> Self {
        use reqwest::header::{HeaderName, HeaderValue};
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(mut value)) => {
                value.set_sensitive(true);
                self.headers.append(name, value);
            }
            _ => {
                self.invalid_header.get_or_insert_with(|| name.to_string());
            }
        }
        self
    }

    /// `Authorization: Bearer <token>` with every request.
    pub fn bearer_token(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// The server runs this Flink version (`1.20.3`): a method for a pair it does not serve then fails
    /// with [`Error::NotAvailable`] without sending. See also [`Client::detect_version`].
    pub fn flink_version(mut self, version: &str) -> Self {
        self.version = Some(version.to_string());
        self
    }

    /// The longest answer to read; a longer one is [`Error::TooLarge`]. Default:
    /// [`DEFAULT_MAX_ANSWER_BYTES`].
    pub fn max_answer_bytes(mut self, limit: u64) -> Self {
        self.max_answer_bytes = limit;
        self
    }

    /// How operations that wait ([`Client::savepoint`] …) poll. Default: [`Poll::default`].
    pub fn poll(mut self, poll: Poll) -> Self {
        self.poll = poll;
        self
    }

    /// Use this HTTP client (proxies, anything else reqwest can do); timeouts, certificates and headers
    /// set here are then that client's business.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    pub fn build(self) -> Result<Client> {
        let mut base = Url::parse(&self.base).map_err(|_| Error::InvalidUrl(self.base.clone()))?;
        if base.cannot_be_a_base() {
            return Err(Error::InvalidUrl(self.base));
        }
        if self.version_prefix {
            base.path_segments_mut()
                .map_err(|_| Error::InvalidUrl(self.base.clone()))?
                .pop_if_empty()
                .push("v1");
        }
        if let Some(name) = self.invalid_header {
            return Err(Error::InvalidHeader(name));
        }
        let setup = |source| Error::Transport {
            endpoint: "client setup",
            source,
        };
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut b = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                    .default_headers(self.headers);
                if let Some(t) = self.timeout {
                    b = b.timeout(t);
                }
                #[cfg(feature = "rustls")]
                {
                    for pem in &self.ca_certificates {
                        let ca = reqwest::Certificate::from_pem(pem).map_err(setup)?;
                        b = b.add_root_certificate(ca);
                    }
                    if let Some(pem) = &self.identity {
                        b = b.identity(reqwest::Identity::from_pem(pem).map_err(setup)?);
                    }
                }
                b.build().map_err(setup)?
            }
        };
        Ok(Client {
            base,
            http,
            poll: self.poll,
            version: self.version,
            max_answer_bytes: self.max_answer_bytes,
        })
    }
}

/// The environment variables [`Client::from_env`] reads.
pub const ENV_VARS: [(&str, &str); 5] = [
    (
        "FLINK_REST_URL",
        "the REST endpoint (default `http://localhost:8081`)",
    ),
    (
        "FLINK_REST_CA",
        "a PEM file: the CA certificate of a Flink serving HTTPS with its own CA",
    ),
    (
        "FLINK_REST_IDENTITY",
        "a PEM file: a client certificate and its key (Flink's mutual TLS)",
    ),
    (
        "FLINK_REST_TOKEN",
        "a bearer token for a proxy in front of Flink",
    ),
    (
        "FLINK_REST_VERSION",
        "the server's Flink version (`1.20.3`): pairs and parameter values it lacks are refused unsent",
    ),
];

impl ClientBuilder {
    /// A builder set up from the environment ([`ENV_VARS`]): the URL, TLS files, token and version.
    /// A file that cannot be read is an [`Error::Io`] naming the variable and the file.
    pub fn from_env() -> Result<ClientBuilder> {
        ClientBuilder::from_vars(|name| std::env::var(name).ok())
    }

    /// [`ClientBuilder::from_env`] over any lookup of those variables (a config file, a test).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder> {
        let url = var("FLINK_REST_URL").unwrap_or_else(|| "http://localhost:8081".into());
        let mut builder = Client::builder(&url);
        let read = |name: &str| -> Result<Option<Vec<u8>>> {
            let Some(path) = var(name) else {
                return Ok(None);
            };
            let bytes = std::fs::read(&path).map_err(|e| {
                Error::Io(std::io::Error::new(e.kind(), format!("{name}={path}: {e}")))
            })?;
            Ok(Some(bytes))
        };
        if let Some(pem) = read("FLINK_REST_CA")? {
            builder = builder.ca_certificate_pem(&pem);
        }
        if let Some(pem) = read("FLINK_REST_IDENTITY")? {
            builder = builder.identity_pem(&pem);
        }
        if let Some(token) = var("FLINK_REST_TOKEN") {
            builder = builder.bearer_token(&token);
        }
        if let Some(version) = var("FLINK_REST_VERSION") {
            builder = builder.flink_version(&version);
        }
        Ok(builder)
    }
}

impl Client {
    /// A client for the cluster at `base_url`, e.g. `http://localhost:8081`.
    pub fn new(base_url: &str) -> Result<Client> {
        Client::builder(base_url).build()
    }

    /// A client set up from the environment: see [`ENV_VARS`] and [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    pub fn builder(base_url: &str) -> ClientBuilder {
        ClientBuilder {
            base: base_url.to_string(),
            version_prefix: false,
            timeout: None,
            connect_timeout: None,
            http: None,
            poll: Poll::default(),
            ca_certificates: Vec::new(),
            identity: None,
            headers: reqwest::header::HeaderMap::new(),
            invalid_header: None,
            version: None,
            max_answer_bytes: DEFAULT_MAX_ANSWER_BYTES,
        }
    }

    /// The Flink version the server runs (`flink-version` of `/config`), e.g. `1.20.3`.
    pub async fn flink_version(&self) -> Result<String> {
        Ok(self.get_dashboard_config().await?.flink_version)
    }

    /// This client, knowing the server's version (asked from `/config`): from then on a method for a
    /// pair that version does not serve fails with [`Error::NotAvailable`], and one given a
    /// parameter value its docs do not list (`agg=skew` before 1.20) with
    /// [`Error::ValueNotAvailable`], without sending.
    pub async fn detect_version(&self) -> Result<Client> {
        let version = self.flink_version().await?;
        Ok(Client {
            version: Some(version),
            ..self.clone()
        })
    }

    /// Whether the server (where the client knows its version) has `pair`: documented or known to
    /// be served (by minor: `1.18.1` and `1.18.0` are both 1.18).
    pub(crate) fn available(&self, pair: Pair) -> Result<()> {
        let Some(version) = &self.version else {
            return Ok(());
        };
        let served = pair.served();
        match served.contains(version) {
            true => Ok(()),
            false => Err(Error::NotAvailable {
                endpoint: pair.key(),
                version: version.clone(),
                since: served.since,
                until: served.until,
            }),
        }
    }

    /// Whether the server (where the client knows its version) has each of a query parameter's
    /// `values` (its wire text and the versions whose docs list it).
    pub(crate) fn values_available<'v>(
        &self,
        pair: Pair,
        parameter: &'static str,
        values: impl IntoIterator<Item = (&'v str, crate::pair::Versions)>,
    ) -> Result<()> {
        let Some(version) = &self.version else {
            return Ok(());
        };
        match values
            .into_iter()
            .find(|(_, listed)| !listed.contains(version))
        {
            None => Ok(()),
            Some((value, listed)) => Err(Error::ValueNotAvailable {
                endpoint: pair.key(),
                parameter,
                value: value.to_string(),
                version: version.clone(),
                since: listed.since,
                until: listed.until,
            }),
        }
    }

    /// How operations that wait poll (see [`ClientBuilder::poll`]).
    pub fn poll(&self) -> Poll {
        self.poll
    }

    /// This client, polling as `poll` says (a cheap clone sharing connections).
    pub fn with_poll(&self, poll: Poll) -> Client {
        Client {
            poll,
            ..self.clone()
        }
    }

    /// The base URL every path is appended to (with `/v1` when asked for).
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// A request of `pair` to the base URL plus its path, filled with `values` (each percent-encoded
    /// as one path segment).
    pub(crate) fn request(&self, pair: Pair, values: &[&str]) -> Result<RequestBuilder> {
        let path = pair.path().fill(values).map_err(|e| match e {
            FillError::Segment { value, .. } => Error::InvalidId(IdError {
                kind: "path segment",
                value,
                expected: "a non-empty segment other than `.` and `..`, without control characters",
            }),
            count => Error::InvalidUrl(format!("{pair}: {count}")),
        })?;
        let mut url = self.base.clone();
        if url.cannot_be_a_base() {
            return Err(Error::InvalidUrl(self.base.to_string()));
        }
        url.set_path(&format!("{}{path}", self.base.path().trim_end_matches('/')));
        let method = match pair.method() {
            PairMethod::Get => Method::GET,
            PairMethod::Post => Method::POST,
            PairMethod::Put => Method::PUT,
            PairMethod::Patch => Method::PATCH,
            PairMethod::Delete => Method::DELETE,
        };
        Ok(self.http.request(method, url))
    }

    pub(crate) fn json_body<T: Serialize + ?Sized>(
        &self,
        req: RequestBuilder,
        body: &T,
    ) -> Result<RequestBuilder> {
        let bytes = serde_json::to_vec(body).map_err(Error::Encode)?;
        Ok(req
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(bytes))
    }

    /// Sends, then decodes a success answer as `T` or turns any other into [`Error::Api`].
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        pair: Pair,
        req: RequestBuilder,
    ) -> Result<T> {
        let endpoint = pair.key();
        let transport = |source| Error::Transport { endpoint, source };
        let mut response = req.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let success = response.status().is_success();
        let limit = self.max_answer_bytes;
        let too_large = Error::TooLarge { endpoint, limit };
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        if !success {
            return Err(api_error(pair, status, &body));
        }
        // An empty answer decodes like `null` (so an undocumented body becomes `Value::Null`).
        let bytes: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &body
        };
        decode(bytes).map_err(|DecodeError { path, source }| Error::Decode {
            endpoint,
            status,
            path,
            source,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// Reads an answer's body as `T` the way the client does, for bodies that come from elsewhere (a
/// recording, a proxy, a test). On failure: where in the JSON it failed, and why.
///
/// The body is checked as UTF-8 once, as a whole, and read without tracking the path; only a body that
/// fails is read again to find where (tracking the path costs a `String` per key read).
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> std::result::Result<T, DecodeError> {
    if let Ok(Ok(value)) = std::str::from_utf8(body).map(serde_json::from_str) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| DecodeError {
        path: e.path().to_string(),
        source: e.into_inner(),
    })
}

/// Why [`decode`] failed: the JSON path (`jobs[1].status`, `.` for the whole body) and serde_json's error.
#[derive(Debug)]
pub struct DecodeError {
    pub path: String,
    pub source: serde_json::Error,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.path, self.source)
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The first line of Flink's first error, its exception class without the package
/// (`RestHandlerException: Job cancellation failed …`).
fn headline(errors: &[String]) -> Option<String> {
    let first = errors
        .iter()
        .flat_map(|e| e.lines())
        .map(str::trim)
        .find(|l| !l.is_empty())?;
    Some(short_class(first).to_string())
}

/// The root cause in Flink's stack traces: the last `Caused by:`, or the exception a 500's
/// `<Exception on server side: …>` names, where it is not the headline itself.
fn root_cause(errors: &[String]) -> Option<String> {
    let lines = errors.iter().flat_map(|e| e.lines()).map(str::trim);
    let caused = lines.rev().find_map(|l| l.strip_prefix("Caused by: "));
    let thrown = || {
        (errors.iter().skip(1).flat_map(|e| e.lines()).map(str::trim))
            .find(|l| !l.is_empty() && !l.starts_with('<') && !l.starts_with("at "))
    };
    let cause = short_class(caused.or_else(thrown)?);
    // Left out where the headline says it already (a parameter Flink could not parse).
    let message = cause.split_once(": ").map_or(cause, |(_, m)| m);
    let said = headline(errors).is_some_and(|h| h.contains(message));
    (!said).then(|| cause.to_string())
}

/// `org.apache.flink.….RestHandlerException: message` -> `RestHandlerException: message`.
fn short_class(line: &str) -> &str {
    let class_end = line.find(": ").unwrap_or(line.len());
    let class = &line[..class_end];
    let is_class = class.contains('.') && !class.contains(' ');
    match class.rfind('.') {
        Some(dot) if is_class => &line[dot + 1..],
        _ => line,
    }
}

impl Error {
    /// The error the client makes of an error answer of `pair` (a status >= 400 and its body): for
    /// answers read elsewhere, a recording or a proxy, as [`decode`] is for successful ones.
    pub fn from_answer(pair: Pair, status: u16, body: &[u8]) -> Error {
        api_error(pair, status, body)
    }
}

fn api_error(pair: Pair, status: u16, body: &[u8]) -> Error {
    #[derive(serde::Deserialize)]
    struct FlinkErrors {
        errors: Vec<String>,
    }
    let text = String::from_utf8_lossy(body);
    let errors = match serde_json::from_slice::<FlinkErrors>(body) {
        Ok(e) => e.errors,
        // No body at all: Flink's HTTP layer refused before its handlers (413 past
        // `rest.server.max-content-length`).
        Err(_) if text.trim().is_empty() => Vec::new(),
        Err(_) => vec![text.trim().to_string()],
    };
    let known = (crate::client::KNOWN_ERRORS.iter())
        .find(|(known, code, _)| *known == pair && *code == status)
        .map(|(_, _, why)| *why);
    Error::Api {
        endpoint: pair.key(),
        status,
        errors,
        known,
    }
}

/// Builds a query string: lists comma-separated, empty lists and `None` left out. An item of a list
/// with a comma in it would read as two: [`Query::apply`] refuses it.
#[derive(Default)]
pub(crate) struct Query(Vec<(&'static str, String)>, Option<IdError>);

impl Query {
    pub fn one<T: fmt::Display>(&mut self, name: &'static str, value: &T) {
        self.0.push((name, value.to_string()));
    }

    pub fn opt<T: fmt::Display>(&mut self, name: &'static str, value: Option<&T>) {
        if let Some(value) = value {
            self.one(name, value);
        }
    }

    pub fn list<T: fmt::Display>(&mut self, name: &'static str, values: &[T]) {
        if !values.is_empty() {
            let items: Vec<String> = values.iter().map(T::to_string).collect();
            if let Some(item) = items.iter().find(|i| i.contains(',')) {
                self.1.get_or_insert(IdError {
                    kind: name,
                    value: item.clone(),
                    expected: "a list item without a comma (the list is comma-separated)",
                });
            }
            self.0.push((name, items.join(",")));
        }
    }

    pub fn apply(self, req: RequestBuilder) -> Result<RequestBuilder> {
        if let Some(e) = self.1 {
            return Err(Error::InvalidId(e));
        }
        Ok(if self.0.is_empty() {
            req
        } else {
            req.query(&self.0)
        })
    }
}

/// A file for a multipart upload: a jar for `/jars/upload`, or a job graph, jar or artifact for `POST /jobs`.
#[derive(Debug, Clone)]
pub struct UploadFile {
    /// The file name sent with the part; `POST /jobs` refers to files by it.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl UploadFile {
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        UploadFile {
            file_name: file_name.into(),
            bytes: bytes.into(),
        }
    }

    /// Reads the file; its name becomes the part's file name.
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = tokio::fs::read(path).await.map_err(Error::Io)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "upload".into());
        Ok(UploadFile { file_name, bytes })
    }

    fn part(self, content_type: &str) -> Result<Part> {
        if self
            .file_name
            .contains(|c: char| c.is_control() || c == '"')
        {
            return Err(Error::InvalidId(IdError {
                kind: "upload file name",
                value: self.file_name,
                expected: "no control characters or quotes (it goes into a multipart header)",
            }));
        }
        Part::bytes(self.bytes)
            .file_name(self.file_name)
            .mime_str(content_type)
            .map_err(|source| Error::Transport {
                endpoint: "multipart form",
                source,
            })
    }

    /// The form of a single-file upload: one part `name`.
    pub(crate) fn into_form(self, name: &'static str, content_type: &str) -> Result<Form> {
        Ok(Form::new().part(name, self.part(content_type)?))
    }

    /// The form of `POST /jobs`: the JSON body in part `json_part`, then each file as a part named
    /// after its file name.
    pub(crate) fn form_with_json<T: Serialize>(
        json_part: &'static str,
        body: &T,
        files: Vec<UploadFile>,
    ) -> Result<Form> {
        let json = serde_json::to_vec(body).map_err(Error::Encode)?;
        // A part without a file name: Flink reads it as a form attribute, not as an uploaded file.
        let json = Part::bytes(json)
            .mime_str("application/json")
            .map_err(|source| Error::Transport {
                endpoint: "multipart form",
                source,
            })?;
        let mut form = Form::new().part(json_part, json);
        for file in files {
            let name = file.file_name.clone();
            form = form.part(name, file.part("application/octet-stream")?);
        }
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_error_is_one_line_led_by_flinks_message_and_its_root_cause() {
        let body = serde_json::json!({"errors": [
            "Internal server error.",
            "<Exception on server side:\norg.apache.flink.util.FlinkException: Could not run\n\tat a.B.c(B.java:1)\nCaused by: java.lang.IllegalStateException: no slots\n\t... 3 more\n\nEnd of exception on server side>"
        ]});
        let e = Error::from_answer(Pair::GetJob, 500, body.to_string().as_bytes());
        assert_eq!(
            e.to_string(),
            "GET /jobs/:jobid: Flink answered 500: Internal server error. (root cause: IllegalStateException: no slots)"
        );
        assert!(format!("{e:#}").contains("\tat a.B.c(B.java:1)"));
        let e = Error::from_answer(Pair::GetJob, 413, b"");
        assert_eq!(
            e.to_string(),
            "GET /jobs/:jobid: Flink answered 413 with no body"
        );
        assert_eq!(short_class("a.b.C: x.y z"), "C: x.y z");
        assert_eq!(short_class("Not found: /x.y"), "Not found: /x.y");
    }

    #[test]
    fn a_client_from_the_environment_reads_its_variables() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                (pairs.iter())
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let client = ClientBuilder::from_vars(vars(&[]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.base_url().as_str(), "http://localhost:8081/");
        const SET: &[(&str, &str)] = &[
            ("FLINK_REST_URL", "http://flink.example:9000/"),
            ("FLINK_REST_VERSION", "1.18.1"),
        ];
        let client = ClientBuilder::from_vars(vars(SET))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.base_url().as_str(), "http://flink.example:9000/");
        assert_eq!(client.version.as_deref(), Some("1.18.1"));
        const MISSING: &[(&str, &str)] = &[("FLINK_REST_CA", "/no/such/ca.pem")];
        let err = ClientBuilder::from_vars(vars(MISSING)).err().unwrap();
        assert!(matches!(err, Error::Io(_)), "{err:?}");
        assert!(
            err.to_string().contains("FLINK_REST_CA=/no/such/ca.pem"),
            "{err}"
        );
    }

    #[test]
    fn durations_print_in_the_unit_a_person_reads() {
        let span = |ms| Span(Duration::from_millis(ms)).to_string();
        assert_eq!(span(14), "14 ms");
        assert_eq!(span(2_500), "2.5 s");
        assert_eq!(span(600_000), "10.0 min");
    }
}
