//! What one Flink version answered: its recorded exchanges (`contract-tests/fixtures/<V>/`), by pair.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use flink_rest::pair::{Pair, Params, Route};
use serde::Deserialize;
use serde_json::Value;

/// One recorded request and its answer (the fields the emulator reads).
#[derive(Debug, Clone, Deserialize)]
pub struct Exchange {
    /// The pair; none for a path or verb no pair has.
    pub endpoint: Option<Pair>,
    /// `scenario` or `bad-input`.
    pub kind: String,
    pub step: String,
    pub request: Request,
    pub response: Response,
    /// The pair's path parameters in the request's path (found once, when loaded).
    #[serde(skip)]
    params: Params,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Request {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: Option<String>,
    /// `{"json": …}`, `{"multipart": […]}`, `{"text": …}` as recorded.
    #[serde(default)]
    pub body: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Response {
    pub status: u16,
    #[serde(default)]
    pub body: Option<Value>,
    #[serde(default)]
    pub text: Option<String>,
}

impl Exchange {
    pub fn is_scenario(&self) -> bool {
        self.kind == "scenario"
    }

    pub fn ok(&self) -> bool {
        (200..300).contains(&self.response.status)
    }

    /// The recorded values of the pair's path parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    fn find_params(&mut self) {
        self.params = (self.endpoint)
            .and_then(|pair| pair.path().matches(&self.request.path))
            .unwrap_or_default();
    }
}

/// Every answer one version gave.
pub struct Recorded {
    pub version: String,
    by_pair: BTreeMap<Pair, Vec<Exchange>>,
    /// Exchanges no pair has (unknown paths, wrong verbs): how the version says "not found".
    pub unmatched: Vec<Exchange>,
    /// The pairs it has answers of.
    pairs: Vec<Pair>,
    /// Every value a path parameter had in a successful answer (vertex ids, subtask indexes,
    /// checkpoint ids, TaskManager ids …): what the version knows.
    seen: BTreeMap<&'static str, BTreeSet<String>>,
}

/// The scheduler the emulated cluster runs jobs with (`jobmanager.scheduler`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheduler {
    /// Flink's default: a job's parallelism is fixed; resource requirements cannot be changed.
    #[default]
    Default,
    /// The adaptive scheduler: a job runs at the upper bound of its resource requirements (as far as
    /// the cluster's slots go), which `PUT /jobs/:jobid/resource-requirements` changes (how a running
    /// job is rescaled); requirements whose lower bounds need more slots leave the job as it was.
    Adaptive,
}

/// Steps of the recording scenario that ran against its adaptive-scheduler twin, not the main cluster.
const TWIN_STEPS: [&str; 1] = ["adaptive scheduler"];

/// A fixture directory that cannot be read.
#[derive(Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for LoadError {}

impl Recorded {
    /// Every fixture of `dir/<version>/`, in recording order; every file that cannot be read is
    /// named in the error.
    pub fn load(
        dir: &Path,
        version: &str,
        scheduler: Scheduler,
    ) -> Result<Recorded, Vec<LoadError>> {
        let at = dir.join(version);
        let error = |path: &Path, message: String| LoadError {
            path: path.to_path_buf(),
            message,
        };
        let files = crate::layout::exchange_files(&at).map_err(|e| vec![error(&at, e)])?;
        let mut errors = Vec::new();
        let mut exchanges = Vec::new();
        for (_, path) in files {
            let read = std::fs::read_to_string(&path).map_err(|e| e.to_string());
            match read.and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string())) {
                Ok(exchange) => exchanges.push(exchange),
                Err(message) => errors.push(error(&path, message)),
            }
        }
        if exchanges.is_empty() && errors.is_empty() {
            errors.push(error(&at, "no recorded exchange".into()));
        }
        match errors.is_empty() {
            true => Ok(Recorded::new(version, exchanges, scheduler)),
            false => Err(errors),
        }
    }

    pub fn new(version: &str, exchanges: Vec<Exchange>, scheduler: Scheduler) -> Recorded {
        let mut by_pair: BTreeMap<Pair, Vec<Exchange>> = BTreeMap::new();
        let mut unmatched = Vec::new();
        let mut seen: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
        // With the default scheduler the emulator is the recorded main cluster: what the scenario asked
        // its adaptive-scheduler twin is another cluster's answer. With the adaptive one it is both.
        let main = (exchanges.into_iter())
            .filter(|e| scheduler == Scheduler::Adaptive || !TWIN_STEPS.contains(&e.step.as_str()));
        for mut e in main {
            e.find_params();
            if e.is_scenario() && e.ok() {
                for (name, value) in e.params().iter() {
                    seen.entry(name).or_default().insert(value.to_string());
                }
            }
            match e.endpoint {
                Some(pair) => by_pair.entry(pair).or_default().push(e),
                None => unmatched.push(e),
            }
        }
        Recorded {
            version: version.to_string(),
            pairs: by_pair.keys().copied().collect(),
            by_pair,
            unmatched,
            seen,
        }
    }

    /// Where a request goes among the version's pairs (`/v1` already taken off).
    pub fn route(&self, method: &str, path: &str) -> Route {
        Pair::route(&self.pairs, method, path)
    }

    /// Every answer recorded for a pair, in recording order.
    pub fn answers(&self, pair: Pair) -> &[Exchange] {
        self.by_pair.get(&pair).map_or(&[], Vec::as_slice)
    }

    /// The first successful scenario answer of a pair.
    pub fn ok(&self, pair: Pair) -> Option<&Exchange> {
        self.ok_where(pair, |_| true)
    }

    /// The first successful scenario answer of a pair whose body `holds`.
    pub fn ok_where(&self, pair: Pair, holds: impl Fn(&Value) -> bool) -> Option<&Exchange> {
        self.answers(pair)
            .iter()
            .find(|e| e.is_scenario() && e.ok() && e.response.body.as_ref().is_some_and(&holds))
    }

    /// The first item of the list `field` in the first successful answer of the pair that lists
    /// any (the recorded job of an overview, the recorded application …).
    pub fn first_item(&self, pair: Pair, field: &str) -> Option<Value> {
        let listed = |b: &Value| b[field].as_array().is_some_and(|a| !a.is_empty());
        let e = self.ok_where(pair, listed)?;
        e.response.body.as_ref()?[field]
            .as_array()?
            .first()
            .cloned()
    }

    /// The first answer of a pair with this status (a bad input's, or a scenario's).
    pub fn with_status(&self, pair: Pair, status: u16) -> Option<&Exchange> {
        self.answers(pair)
            .iter()
            .find(|e| e.response.status == status)
    }

    /// Every pair there is an answer of, in order.
    pub fn pairs(&self) -> &[Pair] {
        &self.pairs
    }

    pub fn has(&self, pair: Pair) -> bool {
        self.by_pair.contains_key(&pair)
    }

    /// Whether a path parameter had this value in a successful answer.
    pub fn seen(&self, name: &str, value: &str) -> bool {
        self.seen
            .get(name)
            .is_some_and(|values| values.contains(value))
    }

    /// Every value a path parameter had in a successful answer.
    pub fn seen_values(&self, name: &str) -> Vec<String> {
        (self.seen.get(name).into_iter().flatten())
            .cloned()
            .collect()
    }

    /// How the version answered a request at this pair naming a `param` it did not know: the
    /// recorded bad input about that parameter, else its first error there.
    pub fn refusal(&self, pair: Pair, param: &str) -> Option<&Exchange> {
        let answers = self.answers(pair);
        let about = |e: &&Exchange| {
            !e.is_scenario() && (e.params().iter()).any(|(n, v)| n == param && !self.seen(n, v))
        };
        (answers.iter().find(about)).or_else(|| answers.iter().find(|e| e.response.status >= 400))
    }

    /// The recorded bad input at this pair that sent this body (JSON), or, for a body that is not
    /// JSON, the one that sent such a body.
    pub fn refused_body(&self, pair: Pair, body: Option<&Value>) -> Option<&Exchange> {
        fn sent(e: &Exchange) -> Option<(Option<&Value>, bool)> {
            let b = e.request.body.as_ref()?;
            Some((
                b.get("json"),
                b.get("text").or(b.get("described")).is_some(),
            ))
        }
        let answers = self.answers(pair).iter().filter(|e| !e.is_scenario());
        answers.into_iter().find(|e| match (sent(e), body) {
            (Some((Some(json), _)), Some(body)) => json == body,
            (Some((None, true)), None) => true,
            _ => false,
        })
    }
}
