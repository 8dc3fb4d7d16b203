//! The vocabulary of the API: [`Pair`] (generated: every endpoint/verb pair any Flink version has),
//! its [`Method`] and [`PathTemplate`] (fill a path, match one, percent-encoding both ways), and the
//! [`Versions`] that document or serve it. The client, the recorded fixtures, the emulator and the
//! conformance gate all name pairs with these values.

use std::fmt;
use std::str::FromStr;

pub use crate::pairs::Pair;

/// An HTTP method the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = UnknownPair;

    fn from_str(s: &str) -> Result<Method, UnknownPair> {
        Ok(match s {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => return Err(UnknownPair(s.to_string())),
        })
    }
}

/// The first and last Flink that has a pair (`None`: from the oldest / to the newest one known).
/// Documented: by minor (`1.17`); served: by version (`1.17.2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    pub since: Option<&'static str>,
    pub until: Option<&'static str>,
}

impl Versions {
    /// Whether `version` (`1.18.1`, or a minor `1.18`) lies within, compared by minor.
    pub fn contains(&self, version: &str) -> bool {
        let v = minor(version);
        self.since.is_none_or(|s| v >= minor(s)) && self.until.is_none_or(|u| v <= minor(u))
    }
}

/// `1.18.1` -> [1, 18].
fn minor(version: &str) -> [u64; 2] {
    let mut parts = version.split('.').map(|p| p.parse().unwrap_or(0));
    [parts.next().unwrap_or(0), parts.next().unwrap_or(0)]
}

/// A string that names no pair (`GET /nothing`), or no method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPair(pub String);

impl fmt::Display for UnknownPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an endpoint/verb pair of Flink's REST API",
            self.0
        )
    }
}

impl std::error::Error for UnknownPair {}

impl Pair {
    /// Where `method` and `path` (percent-encoded, as sent; no query) go among `pairs`: the pair
    /// whose template matches with the most literal segments (`/jobs/overview` over
    /// `/jobs/:jobid`), and its path parameters decoded; or whether another verb has the path.
    pub fn route(pairs: &[Pair], method: &str, path: &str) -> Route {
        let mut best: Option<(usize, Pair, Params)> = None;
        let mut other_verb = false;
        for &pair in pairs {
            let Some(params) = pair.path().matches(path) else {
                continue;
            };
            if pair.method().as_str() != method {
                other_verb = true;
                continue;
            }
            let literals = pair.path().literals();
            if best.as_ref().is_none_or(|(l, ..)| literals > *l) {
                best = Some((literals, pair, params));
            }
        }
        match (best, other_verb) {
            (Some((_, pair, params)), _) => Route::Pair(pair, params),
            (None, true) => Route::WrongVerb,
            (None, false) => Route::Unknown,
        }
    }
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Pair {
    type Err = UnknownPair;

    /// `GET /jobs/:jobid`.
    fn from_str(s: &str) -> Result<Pair, UnknownPair> {
        (Pair::ALL.iter().copied())
            .find(|p| p.key() == s)
            .ok_or_else(|| UnknownPair(s.to_string()))
    }
}

impl serde::Serialize for Pair {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One of the pairs' keys (`GET /jobs/:jobid`).
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Pair {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Pair".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let keys: Vec<&str> = Pair::ALL.iter().map(|p| p.key()).collect();
        schemars::json_schema!({"type": "string", "enum": keys})
    }
}

impl<'de> serde::Deserialize<'de> for Pair {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pair, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Where a request goes (see [`Pair::route`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A pair, with the values of its path parameters.
    Pair(Pair, Params),
    /// A path some pair has, but not with this verb.
    WrongVerb,
    /// No pair has this path.
    Unknown,
}

/// A request's path parameters by name, decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(&'static str, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        (self.0.iter())
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(n, v)| (*n, v.as_str()))
    }
}

/// A path as Flink's docs write it: `/jobs/:jobid/vertices/:vertexid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathTemplate(&'static str);

/// One segment of a [`PathTemplate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    Literal(&'static str),
    /// A path parameter, by name (`jobid`).
    Param(&'static str),
}

/// A value that cannot fill a path parameter: it would change the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FillError {
    /// Not as many values as the template has parameters.
    Count { expected: usize, given: usize },
    /// Empty, `.` or `..` (a URL resolves those away), or a control character (a URL drops those).
    Segment { param: &'static str, value: String },
}

impl fmt::Display for FillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FillError::Count { expected, given } => {
                write!(f, "{given} values for a path of {expected} parameters")
            }
            FillError::Segment { param, value } => write!(
                f,
                "`{}` cannot be the path parameter {param}: a non-empty segment other than `.` and \
                 `..`, without control characters",
                value.escape_debug()
            ),
        }
    }
}

impl std::error::Error for FillError {}

impl PathTemplate {
    pub const fn new(template: &'static str) -> PathTemplate {
        PathTemplate(template)
    }

    pub const fn as_str(self) -> &'static str {
        self.0
    }

    pub fn segments(self) -> impl Iterator<Item = Segment> {
        (self.0.split('/').filter(|s| !s.is_empty())).map(|s| match s.strip_prefix(':') {
            Some(name) => Segment::Param(name),
            None => Segment::Literal(s),
        })
    }

    /// The path parameters' names, in order.
    pub fn params(self) -> impl Iterator<Item = &'static str> {
        self.segments().filter_map(|s| match s {
            Segment::Param(name) => Some(name),
            Segment::Literal(_) => None,
        })
    }

    /// How many segments are literal.
    pub fn literals(self) -> usize {
        (self.segments())
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }

    /// The OpenAPI form: `/jobs/{jobid}`.
    pub fn openapi(self) -> String {
        (self.segments())
            .map(|s| match s {
                Segment::Literal(l) => format!("/{l}"),
                Segment::Param(p) => format!("/{{{p}}}"),
            })
            .collect()
    }

    /// The path with `values` for its parameters, in order, each percent-encoded as one segment.
    pub fn fill(self, values: &[&str]) -> Result<String, FillError> {
        let expected = self.params().count();
        if values.len() != expected {
            return Err(FillError::Count {
                expected,
                given: values.len(),
            });
        }
        let mut values = values.iter();
        let mut out = String::with_capacity(self.0.len() + 32);
        for segment in self.segments() {
            out.push('/');
            match segment {
                Segment::Literal(l) => out.push_str(l),
                Segment::Param(param) => {
                    let value = values.next().copied().unwrap_or_default();
                    let bad = matches!(value, "" | "." | "..") || value.contains(char::is_control);
                    if bad {
                        let value = value.to_string();
                        return Err(FillError::Segment { param, value });
                    }
                    encode_segment(value, &mut out);
                }
            }
        }
        Ok(out)
    }

    /// The parameters' values where `path` (as sent, percent-encoded) has this template's shape;
    /// each value decoded. Empty segments are ignored, as Flink's router ignores them.
    pub fn matches(self, path: &str) -> Option<Params> {
        let mut given = path.split('/').filter(|s| !s.is_empty());
        let mut params = Vec::new();
        for segment in self.segments() {
            let have = given.next()?;
            match segment {
                Segment::Literal(l) if l == have => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) => params.push((name, decode_segment(have))),
            }
        }
        given.next().is_none().then_some(Params(params))
    }
}

impl fmt::Display for PathTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, sub-delimiters, `:` and `@`.
fn encode_segment(value: &str, out: &mut String) {
    for b in value.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b);
        match keep {
            true => out.push(b as char),
            false => out.push_str(&format!("%{b:02X}")),
        }
    }
}

/// `%XX` -> the byte; a `%` not followed by two hex digits stays as it is; invalid UTF-8 is replaced.
fn decode_segment(segment: &str) -> String {
    if !segment.contains('%') {
        return segment.to_string();
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied(),
            bytes.get(i + 2).copied(),
        ) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filled_path_matches_back_to_its_values() {
        let t = PathTemplate::new("/taskmanagers/:taskmanagerid/logs/:filename");
        for values in [
            ["127.0.0.1:40000-a1b2c3", "taskmanager.log"],
            ["id with space/and slash", "50%?#"],
            ["ünï", "a,b"],
        ] {
            let path = t.fill(&values).unwrap();
            assert!(!path[1..].contains("//"), "{path}");
            let params = t.matches(&path).unwrap();
            assert_eq!(params.get("taskmanagerid"), Some(values[0]), "{path}");
            assert_eq!(params.get("filename"), Some(values[1]), "{path}");
        }
        assert_eq!(
            t.fill(&["a b", "x/y"]).unwrap(),
            "/taskmanagers/a%20b/logs/x%2Fy"
        );
    }

    #[test]
    fn values_that_would_change_the_request_are_refused() {
        let t = PathTemplate::new("/jars/:jarid");
        for bad in ["", ".", "..", "a\r\nb"] {
            assert!(
                matches!(
                    t.fill(&[bad]),
                    Err(FillError::Segment { param: "jarid", .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(
            t.fill(&[]),
            Err(FillError::Count {
                expected: 1,
                given: 0
            })
        );
    }

    #[test]
    fn matching_is_by_shape_and_decodes() {
        let t = PathTemplate::new("/jobs/:jobid/vertices/:vertexid");
        assert_eq!(t.matches("/jobs/a/vertices"), None);
        assert_eq!(t.matches("/jobs/a/vertices/b/c"), None);
        assert_eq!(t.matches("/jobs/a/other/b"), None);
        let p = t.matches("/jobs/a%3Ab//vertices/c/").unwrap();
        assert_eq!(
            (p.get("jobid"), p.get("vertexid")),
            (Some("a:b"), Some("c"))
        );
        assert_eq!(t.openapi(), "/jobs/{jobid}/vertices/{vertexid}");
        assert_eq!(t.literals(), 2);
        assert_eq!(decode_segment("100%"), "100%");
    }

    #[test]
    fn the_most_literal_pair_wins_and_other_verbs_are_told_apart() {
        let all = Pair::ALL;
        match Pair::route(all, "GET", "/jobs/overview") {
            Route::Pair(pair, params) => {
                assert_eq!(pair.key(), "GET /jobs/overview");
                assert!(params.0.is_empty());
            }
            other => panic!("{other:?}"),
        }
        match Pair::route(all, "GET", "/jobs/abc") {
            Route::Pair(pair, params) => {
                assert_eq!(pair.key(), "GET /jobs/:jobid");
                assert_eq!(params.get("jobid"), Some("abc"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(Pair::route(all, "PUT", "/jobs/abc"), Route::WrongVerb);
        assert_eq!(Pair::route(all, "GET", "/nothing/here"), Route::Unknown);
    }

    #[test]
    fn every_pair_reads_back_from_its_key_and_keys_are_unique() {
        let mut keys = std::collections::BTreeSet::new();
        for &pair in Pair::ALL {
            assert_eq!(pair.key().parse::<Pair>(), Ok(pair));
            assert_eq!(pair.key(), format!("{} {}", pair.method(), pair.path()));
            assert!(keys.insert(pair.key()), "{pair}");
            let json = serde_json::to_string(&pair).unwrap();
            assert_eq!(serde_json::from_str::<Pair>(&json).unwrap(), pair);
        }
        assert!("GET /jobs/:jobid/nothing".parse::<Pair>().is_err());
        assert!("FETCH /jobs".parse::<Pair>().is_err());
    }

    #[test]
    fn versions_compare_by_minor() {
        let v = Versions {
            since: Some("1.17"),
            until: Some("2.0.2"),
        };
        assert!(v.contains("1.17.2") && v.contains("1.20") && v.contains("2.0.0"));
        assert!(!v.contains("1.16.3") && !v.contains("2.1.3"));
    }
}
