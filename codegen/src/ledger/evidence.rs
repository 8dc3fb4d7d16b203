//! What recorded bodies show about the API, set against a spec's types: the ground the ledger stands on.
//!
//! [`Observations`] walks each body with the types of a version's API (the corrected one, so what the
//! ledger already explains is not news) and notes: fields present, null, absent; undocumented fields;
//! values a field's type does not admit; enum values; statuses. From them, [`super::propose`] makes
//! ledger entries for what the ledger does not explain yet, and [`super::supported`] tells whether an
//! entry is still borne out (an entry no exchange supports any more is resolved drift).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::compare_versions;
use crate::model::{Api, Operation, Ty, TypeDef};

/// Where a value was seen: version and fixture file (`1.20.3/015-GET-jobs-jobid.json`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seen {
    pub version: String,
    pub fixture: String,
}

/// A struct field's record.
#[derive(Debug, Default, Clone)]
pub struct FieldObs {
    pub present: BTreeSet<Seen>,
    pub null: BTreeSet<Seen>,
    /// Values the field's type does not admit (up to a few per version).
    pub misfits: Vec<(Seen, Value)>,
    /// Where an object of the type (in a version whose API has the field) did not have it at all.
    pub absent: BTreeSet<Seen>,
    /// Non-null values (a few per version), for inferring a schema and as evidence.
    pub samples: Vec<(Seen, Value)>,
}

/// Where an answer was seen, and its body.
pub type Answered = (Seen, Option<Value>);

/// One answer to a documented pair, as a recording holds it.
pub struct Observed<'a> {
    pub endpoint: &'a str,
    pub seen: Seen,
    /// The names of the query parameters the request sent.
    pub query: Vec<String>,
    pub status: u16,
    pub body: Option<&'a Value>,
}

#[derive(Debug, Default)]
pub struct Observations {
    /// Type -> where an object of it was seen.
    pub types: BTreeMap<String, BTreeSet<Seen>>,
    /// (type, field) -> record; undocumented fields too.
    pub fields: BTreeMap<(String, String), FieldObs>,
    /// (type, field) of fields the API does not have.
    pub extra: BTreeSet<(String, String)>,
    /// (enum, value) -> where, for values the enum does not have.
    pub enum_values: BTreeMap<(String, String), BTreeSet<Seen>>,
    /// (enum, value) -> where, for every value.
    pub enum_all: BTreeMap<(String, String), BTreeSet<Seen>>,
    /// (endpoint, status) -> where, with bodies.
    pub statuses: BTreeMap<(String, u16), Vec<Answered>>,
    /// Endpoint -> where a success body was seen that the API gives no schema.
    pub blank_bodies: BTreeMap<String, Vec<(Seen, Value)>>,
    /// (endpoint, query parameter) -> where it was sent.
    pub query_params: BTreeMap<(String, String), BTreeSet<Seen>>,
    /// Type -> the endpoints it was seen under.
    pub endpoints_of: BTreeMap<String, BTreeSet<String>>,
}

const SAMPLES_PER_VERSION: usize = 8;

impl FieldObs {
    fn sample(&mut self, seen: &Seen, value: &Value) {
        let n = self
            .samples
            .iter()
            .filter(|(s, _)| s.version == seen.version)
            .count();
        if n < SAMPLES_PER_VERSION {
            self.samples.push((seen.clone(), value.clone()));
        }
    }

    pub fn values(&self) -> Vec<Value> {
        self.samples.iter().map(|(_, v)| v.clone()).collect()
    }
}

impl Observations {
    /// Notes what one answer to a documented pair shows, against `api` (the API of its version).
    pub fn add(&mut self, api: &Api, a: &Observed) {
        let endpoint = a.endpoint;
        let Some(op) = api.operations.iter().find(|o| o.key == endpoint) else {
            return;
        };
        let seen = a.seen.clone();
        for name in &a.query {
            self.query_params
                .entry((endpoint.to_string(), name.clone()))
                .or_default()
                .insert(seen.clone());
        }
        let status = a.status;
        self.statuses
            .entry((endpoint.to_string(), status))
            .or_default()
            .push((seen.clone(), a.body.cloned()));
        let Some(body) = a.body else { return };
        match body_type(op, status) {
            Some(ty) => self.walk(api, endpoint, &ty, body, &seen),
            None if (200..300).contains(&status) && !body.is_null() => self
                .blank_bodies
                .entry(endpoint.to_string())
                .or_default()
                .push((seen, body.clone())),
            None => {}
        }
    }

    fn walk(&mut self, api: &Api, endpoint: &str, ty: &Ty, v: &Value, seen: &Seen) {
        match (ty, v) {
            (Ty::Named(name), _) => match api.types.get(name) {
                Some(TypeDef::Struct(s)) => {
                    let Value::Object(map) = v else { return };
                    self.types
                        .entry(name.clone())
                        .or_default()
                        .insert(seen.clone());
                    self.endpoints_of
                        .entry(name.clone())
                        .or_default()
                        .insert(endpoint.to_string());
                    for f in &s.fields {
                        let key = (name.clone(), f.name.clone());
                        let rec = self.fields.entry(key).or_default();
                        match map.get(&f.name) {
                            None => {
                                rec.absent.insert(seen.clone());
                            }
                            Some(Value::Null) => {
                                rec.null.insert(seen.clone());
                            }
                            Some(value) => {
                                rec.present.insert(seen.clone());
                                rec.sample(seen, value);
                                if !admits_deep(api, &f.ty, value) {
                                    if rec
                                        .misfits
                                        .iter()
                                        .filter(|(s, _)| s.version == seen.version)
                                        .count()
                                        < 3
                                    {
                                        rec.misfits.push((seen.clone(), value.clone()));
                                    }
                                } else {
                                    self.walk(api, endpoint, &f.ty, value, seen);
                                }
                            }
                        }
                    }
                    for (k, value) in map {
                        if s.fields.iter().any(|f| &f.name == k) {
                            continue;
                        }
                        let key = (name.clone(), k.clone());
                        self.extra.insert(key.clone());
                        let rec = self.fields.entry(key).or_default();
                        if value.is_null() {
                            rec.null.insert(seen.clone());
                        } else {
                            rec.present.insert(seen.clone());
                            rec.sample(seen, value);
                        }
                    }
                }
                Some(TypeDef::Enum(en)) => {
                    if let Value::String(s) = v {
                        self.enum_all
                            .entry((name.clone(), s.clone()))
                            .or_default()
                            .insert(seen.clone());
                        if !en.values.contains(s) {
                            self.enum_values
                                .entry((name.clone(), s.clone()))
                                .or_default()
                                .insert(seen.clone());
                        }
                    }
                }
                None => {}
            },
            (Ty::Array(items), Value::Array(vs)) => {
                for item in vs {
                    self.walk(api, endpoint, items, item, seen);
                }
            }
            (Ty::KeyedMap { key, value }, Value::Object(map)) => {
                for (k, item) in map {
                    self.walk(
                        api,
                        endpoint,
                        &Ty::Named(key.clone()),
                        &Value::String(k.clone()),
                        seen,
                    );
                    self.walk(api, endpoint, value, item, seen);
                }
            }
            (Ty::Map(values), Value::Object(map)) => {
                for item in map.values() {
                    self.walk(api, endpoint, values, item, seen);
                }
            }
            _ => {}
        }
    }
}

/// The schema of the body an operation answers `status` with, where the API gives one.
pub fn body_type(op: &Operation, status: u16) -> Option<Ty> {
    if status == op.status {
        return op.response.clone();
    }
    op.answers
        .iter()
        .find(|a| a.status == status)
        .and_then(|a| a.body.clone())
}

/// Whether `ty` admits `v` at its top level (nested values are walked separately).
pub fn admits(api: &Api, ty: &Ty, v: &Value) -> bool {
    match ty {
        Ty::Any => true,
        Ty::String => v.is_string(),
        Ty::Integer => v.is_i64() || v.is_u64(),
        Ty::Number => v.is_number(),
        Ty::Double => v.is_number() || matches!(v.as_str(), Some("NaN" | "Infinity" | "-Infinity")),
        Ty::Boolean => v.is_boolean(),
        Ty::Array(_) => v.is_array(),
        Ty::Map(_) | Ty::KeyedMap { .. } => v.is_object(),
        Ty::Named(name) => match api.types.get(name) {
            Some(TypeDef::Struct(_)) => v.is_object(),
            Some(TypeDef::Enum(_)) => v.is_string(),
            None => false,
        },
    }
}

/// Like [`admits`], and through arrays and maps down to the next struct (walked on its own): a map of
/// numbers with a `"NaN"` in it misfits as a whole.
pub fn admits_deep(api: &Api, ty: &Ty, v: &Value) -> bool {
    if !admits(api, ty, v) {
        return false;
    }
    match (ty, v) {
        (Ty::Array(items), Value::Array(vs)) => vs.iter().all(|x| admits_deep(api, items, x)),
        (Ty::Map(values), Value::Object(map))
        | (Ty::KeyedMap { value: values, .. }, Value::Object(map)) => {
            map.values().all(|x| admits_deep(api, values, x))
        }
        _ => true,
    }
}

/// A schema (ledger dialect) that admits every sample: scalars by kind, a Java double where numbers
/// come with `"NaN"`, arrays of scalars by item, maps of scalars; anything more is `any`.
pub fn infer(samples: &[Value]) -> Value {
    let mut kinds = BTreeSet::new();
    for s in samples {
        kinds.insert(match s {
            Value::Null => continue,
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(s) if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") => "special",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        });
    }
    let numeric = |k: &&str| matches!(*k, "integer" | "number" | "special");
    let v: Vec<&str> = kinds.iter().copied().collect();
    match v.as_slice() {
        [] => json!({"type": "any"}),
        ["boolean"] => json!({"type": "boolean"}),
        ["integer"] => json!({"type": "integer"}),
        ["string"] => json!({"type": "string"}),
        ["special"] => json!({"type": "double"}),
        all if all.iter().all(numeric) => {
            if all.contains(&"special") {
                json!({"type": "double"})
            } else {
                json!({"type": "number"})
            }
        }
        ["array"] => {
            let items: Vec<Value> = samples
                .iter()
                .filter_map(Value::as_array)
                .flatten()
                .cloned()
                .collect();
            let item = infer(&items);
            if items.iter().any(|i| i.is_object() || i.is_array()) {
                json!({"type": "array", "items": {"type": "any"}})
            } else {
                json!({"type": "array", "items": item})
            }
        }
        ["object"] => {
            let values: Vec<Value> = samples
                .iter()
                .filter_map(Value::as_object)
                .flat_map(|m| m.values().cloned())
                .collect();
            if !values.is_empty() && values.iter().all(|v| !v.is_object() && !v.is_array()) {
                json!({"type": "object", "additionalProperties": infer(&values)})
            } else {
                json!({"type": "any"})
            }
        }
        _ => json!({"type": "any"}),
    }
}

/// `since` / `until` of an entry seen in `versions`: open where it reaches the oldest / newest one.
pub(super) fn range(
    all: &[String],
    versions: &BTreeSet<String>,
) -> (Option<String>, Option<String>) {
    let mut seen: Vec<&String> = versions.iter().collect();
    seen.sort_by(|a, b| compare_versions(a, b));
    let (Some(first), Some(last)) = (seen.first(), seen.last()) else {
        return (None, None);
    };
    let since = (all.first() != Some(*first)).then(|| (*first).clone());
    let until = (all.last() != Some(*last)).then(|| (*last).clone());
    (since, until)
}

/// The fixtures to cite for what `seen` holds: the first of the oldest, a middle and the newest version.
pub fn cite(seen: &BTreeSet<Seen>) -> Vec<String> {
    // The first fixture of each version, oldest version first, at most 3.
    let mut by_version: BTreeMap<&str, &Seen> = BTreeMap::new();
    for s in seen {
        by_version.entry(s.version.as_str()).or_insert(s);
    }
    let mut list: Vec<&Seen> = by_version.into_values().collect();
    list.sort_by(|a, b| compare_versions(&a.version, &b.version));
    let n = list.len();
    let pick: Vec<&Seen> = if n <= 3 {
        list
    } else {
        vec![list[0], list[n / 2], list[n - 1]]
    };
    pick.into_iter()
        .map(|s| format!("{}/{}", s.version, s.fixture))
        .collect()
}

pub(super) fn versions_of(seen: &BTreeSet<Seen>) -> BTreeSet<String> {
    seen.iter().map(|s| s.version.clone()).collect()
}

pub(super) fn range_text(since: &Option<String>, until: &Option<String>, all: &[String]) -> String {
    let first = since
        .clone()
        .or_else(|| all.first().cloned())
        .unwrap_or_default();
    let last = until
        .clone()
        .or_else(|| all.last().cloned())
        .unwrap_or_default();
    if first == last {
        format!("Flink {first} servers")
    } else {
        format!("Flink {first} to {last} servers")
    }
}

pub(super) fn short(v: &Value) -> String {
    match v {
        Value::Object(_) => "an object".into(),
        Value::Array(_) => "an array".into(),
        Value::String(s) => format!("the string {s:?}"),
        other => format!("{other}"),
    }
}

pub(super) fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or_default();
    line.rsplit(": ")
        .next()
        .unwrap_or(line)
        .chars()
        .take(160)
        .collect()
}

/// For a blank body: types to add (for object items) and the body schema.
pub(super) fn infer_body(op_name: &str, bodies: &[Value]) -> (Vec<(String, Value)>, Value) {
    let items: Vec<&Value> = bodies
        .iter()
        .filter_map(Value::as_array)
        .flatten()
        .collect();
    let all_arrays = bodies.iter().all(Value::is_array);
    let objects: Vec<&serde_json::Map<String, Value>> = if all_arrays {
        items.iter().filter_map(|v| v.as_object()).collect()
    } else {
        bodies.iter().filter_map(Value::as_object).collect()
    };
    let struct_schema = |name: &str| -> (String, Value) {
        let mut keys: Vec<String> = Vec::new();
        for o in &objects {
            for k in o.keys() {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
        let mut props = serde_json::Map::new();
        for k in keys {
            let samples: Vec<Value> = objects.iter().filter_map(|o| o.get(&k).cloned()).collect();
            props.insert(k, infer(&samples));
        }
        (
            name.to_string(),
            json!({"type": "object", "properties": props}),
        )
    };
    if !objects.is_empty() && objects.iter().all(|o| o.is_empty()) && !all_arrays {
        // `{}`: an object, with nothing in it so far.
        return (
            Vec::new(),
            json!({"type": "object", "additionalProperties": {"type": "any"}}),
        );
    }
    if all_arrays && !objects.is_empty() && objects.len() == items.len() {
        let name = format!("{}Item", upper_camel(op_name));
        let (n, s) = struct_schema(&name);
        (
            vec![(n, s)],
            json!({"type": "array", "items": {"$ref": name}}),
        )
    } else if !all_arrays && objects.len() == bodies.len() && !objects.is_empty() {
        let name = format!("{}Body", upper_camel(op_name));
        let (n, s) = struct_schema(&name);
        (vec![(n, s)], json!({"$ref": name}))
    } else {
        (Vec::new(), infer(bodies))
    }
}

/// `get_jobs_metrics` -> `GetJobsMetrics`.
fn upper_camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Type -> fields every object of it carried non-null, in every fixture of every version.
pub fn required(obs: &Observations) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for ((ty, field), rec) in &obs.fields {
        if rec.absent.is_empty()
            && rec.null.is_empty()
            && !rec.present.is_empty()
            && !obs.extra.contains(&(ty.clone(), field.clone()))
        {
            out.entry(ty.clone()).or_default().push(field.clone());
        }
    }
    out
}
