//! What one Flink version answered: its recorded exchanges (`contract-tests/fixtures/<V>/`), by pair,
//! and the path templates of its pairs.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// One recorded request and its answer (the fields the emulator reads).
#[derive(Debug, Clone, Deserialize)]
pub struct Exchange {
    /// `GET /jobs/:jobid`; none for a path or verb no pair has.
    pub endpoint: Option<String>,
    /// `scenario` or `bad-input`.
    pub kind: String,
    pub step: String,
    pub request: Request,
    pub response: Response,
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

    /// The recorded values of the template's parameters in this exchange's path.
    pub fn params(&self) -> Vec<(String, String)> {
        let Some(key) = &self.endpoint else {
            return Vec::new();
        };
        let template = Template::parse(key);
        template.bind(&self.request.path).unwrap_or_default()
    }
}

/// A pair's method and path template, `GET /jobs/:jobid/vertices/:vertexid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub key: String,
    pub method: String,
    segments: Vec<String>,
}

impl Template {
    pub fn parse(key: &str) -> Template {
        let (method, path) = key.split_once(' ').unwrap_or(("GET", key));
        Template {
            key: key.to_string(),
            method: method.to_string(),
            segments: segments(path).map(str::to_string).collect(),
        }
    }

    /// The parameters' values, where `path` has this template's shape.
    pub fn bind(&self, path: &str) -> Option<Vec<(String, String)>> {
        let parts: Vec<&str> = segments(path).collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (have, want) in parts.iter().zip(&self.segments) {
            match want.strip_prefix(':') {
                Some(name) => params.push((name.to_string(), have.to_string())),
                None if have == want => {}
                None => return None,
            }
        }
        Some(params)
    }

    /// How many segments are literal: where two templates match, the more literal one wins
    /// (`/jobs/overview` over `/jobs/:jobid`).
    fn literals(&self) -> usize {
        self.segments.iter().filter(|s| !s.starts_with(':')).count()
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// Where a request goes.
#[derive(Debug, PartialEq)]
pub enum Route<'a> {
    /// A pair of the version, with the values of its path parameters.
    Pair(&'a Template, Vec<(String, String)>),
    /// A path some pair has, but not with this verb.
    WrongVerb,
    /// No pair has this path.
    Unknown,
}

/// Every answer one version gave.
pub struct Recorded {
    pub version: String,
    by_key: BTreeMap<String, Vec<Exchange>>,
    /// Exchanges no pair has (unknown paths, wrong verbs): how the version says "not found".
    pub unmatched: Vec<Exchange>,
    templates: Vec<Template>,
    /// Every value a path parameter had in a successful answer (vertex ids, subtask indexes,
    /// checkpoint ids, TaskManager ids …): what the version knows.
    seen: BTreeMap<String, BTreeSet<String>>,
}

/// The scheduler the emulated cluster runs jobs with (`jobmanager.scheduler`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheduler {
    /// Flink's default: a job's parallelism is fixed; resource requirements cannot be changed.
    #[default]
    Default,
    /// The adaptive scheduler: a job runs at the upper bound of its resource requirements, which
    /// `PUT /jobs/:jobid/resource-requirements` changes (how a running job is rescaled).
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
    /// Every fixture of `dir/<version>/`; every file that cannot be read is named in the error.
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
        let entries = std::fs::read_dir(&at).map_err(|e| vec![error(&at, e.to_string())])?;
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        let mut errors = Vec::new();
        let mut exchanges = Vec::new();
        for path in files {
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
        let mut by_key: BTreeMap<String, Vec<Exchange>> = BTreeMap::new();
        let mut unmatched = Vec::new();
        let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        // With the default scheduler the emulator is the recorded main cluster: what the scenario asked
        // its adaptive-scheduler twin is another cluster's answer. With the adaptive one it is both.
        let main = (exchanges.into_iter())
            .filter(|e| scheduler == Scheduler::Adaptive || !TWIN_STEPS.contains(&e.step.as_str()));
        for e in main {
            if e.is_scenario() && e.ok() {
                for (name, value) in e.params() {
                    seen.entry(name).or_default().insert(value);
                }
            }
            match e.endpoint.clone() {
                Some(key) => by_key.entry(key).or_default().push(e),
                None => unmatched.push(e),
            }
        }
        let mut templates: Vec<Template> = by_key.keys().map(|k| Template::parse(k)).collect();
        templates.sort_by_key(|t| std::cmp::Reverse(t.literals()));
        Recorded {
            version: version.to_string(),
            by_key,
            unmatched,
            templates,
            seen,
        }
    }

    pub fn route(&self, method: &str, path: &str) -> Route<'_> {
        let mut shape_known = false;
        for t in &self.templates {
            if let Some(params) = t.bind(path) {
                if t.method == method {
                    return Route::Pair(t, params);
                }
                shape_known = true;
            }
        }
        match shape_known {
            true => Route::WrongVerb,
            false => Route::Unknown,
        }
    }

    /// Every answer recorded for a pair, in recording order.
    pub fn answers(&self, key: &str) -> &[Exchange] {
        self.by_key.get(key).map_or(&[], Vec::as_slice)
    }

    /// The first successful scenario answer of a pair.
    pub fn ok(&self, key: &str) -> Option<&Exchange> {
        self.ok_where(key, |_| true)
    }

    /// The first successful scenario answer of a pair whose body `holds`.
    pub fn ok_where(&self, key: &str, holds: impl Fn(&Value) -> bool) -> Option<&Exchange> {
        self.answers(key)
            .iter()
            .find(|e| e.is_scenario() && e.ok() && e.response.body.as_ref().is_some_and(&holds))
    }

    /// The first answer of a pair with this status (a bad input's, or a scenario's).
    pub fn with_status(&self, key: &str, status: u16) -> Option<&Exchange> {
        self.answers(key)
            .iter()
            .find(|e| e.response.status == status)
    }

    /// Every pair there is an answer of, in order.
    pub fn pairs(&self) -> Vec<&str> {
        self.by_key.keys().map(String::as_str).collect()
    }

    pub fn has(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// Whether a path parameter had this value in a successful answer.
    pub fn seen(&self, name: &str, value: &str) -> bool {
        self.seen
            .get(name)
            .is_some_and(|values| values.contains(value))
    }

    /// How the version answered a request at this pair naming a `param` it did not know: the
    /// recorded bad input about that parameter, else its first error there.
    pub fn refusal(&self, key: &str, param: &str) -> Option<&Exchange> {
        let answers = self.answers(key);
        let about = |e: &&Exchange| {
            !e.is_scenario() && (e.params().iter()).any(|(n, v)| n == param && !self.seen(n, v))
        };
        (answers.iter().find(about)).or_else(|| answers.iter().find(|e| e.response.status >= 400))
    }

    /// The recorded bad input at this pair that sent this body (JSON), or, for a body that is not
    /// JSON, the one that sent such a body.
    pub fn refused_body(&self, key: &str, body: Option<&Value>) -> Option<&Exchange> {
        fn sent(e: &Exchange) -> Option<(Option<&Value>, bool)> {
            let b = e.request.body.as_ref()?;
            Some((
                b.get("json"),
                b.get("text").or(b.get("described")).is_some(),
            ))
        }
        let answers = self.answers(key).iter().filter(|e| !e.is_scenario());
        answers.into_iter().find(|e| match (sent(e), body) {
            (Some((Some(json), _)), Some(body)) => json == body,
            (Some((None, true)), None) => true,
            _ => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_literal_template_wins_and_other_verbs_are_told_apart() {
        let e = |key: &str| Exchange {
            endpoint: Some(key.into()),
            kind: "scenario".into(),
            step: String::new(),
            request: Request {
                method: key.split(' ').next().unwrap().into(),
                path: String::new(),
                query: None,
                body: None,
            },
            response: Response {
                status: 200,
                body: None,
                text: None,
            },
        };
        let r = Recorded::new(
            "1.20.3",
            vec![
                e("GET /jobs/:jobid"),
                e("GET /jobs/overview"),
                e("PATCH /jobs/:jobid"),
            ],
            Scheduler::Default,
        );
        match r.route("GET", "/jobs/overview") {
            Route::Pair(t, params) => {
                assert_eq!((t.key.as_str(), params.len()), ("GET /jobs/overview", 0))
            }
            other => panic!("{other:?}"),
        }
        match r.route("GET", "/jobs/abc") {
            Route::Pair(t, params) => {
                assert_eq!(t.key, "GET /jobs/:jobid");
                assert_eq!(params, [("jobid".to_string(), "abc".to_string())]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(r.route("DELETE", "/jobs/abc"), Route::WrongVerb);
        assert_eq!(r.route("GET", "/nothing/here"), Route::Unknown);
    }
}
