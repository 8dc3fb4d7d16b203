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

/// Where a value was seen: version and fixture file (`1.20.3/running-job/01-GET-jobs-jobid.json`).
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
    /// The field's type in the API it was first observed against (`None`: a field it does not have).
    pub declared: Option<Ty>,
    /// Values clients sent in request bodies that the server accepted (a few per version): what a
    /// server takes, where no answer shows the field.
    pub accepted: Vec<(Seen, Value)>,
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
    /// The JSON request body sent, if any.
    pub request: Option<&'a Value>,
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
const MISFITS_PER_VERSION: usize = 3;

/// Adds `value` to `list` unless it holds `most` values of `seen`'s version already.
fn keep(list: &mut Vec<(Seen, Value)>, most: usize, seen: &Seen, value: &Value) {
    if list
        .iter()
        .filter(|(s, _)| s.version == seen.version)
        .count()
        < most
    {
        list.push((seen.clone(), value.clone()));
    }
}

impl FieldObs {
    pub fn values(&self) -> Vec<Value> {
        self.samples.iter().map(|(_, v)| v.clone()).collect()
    }

    /// Values sent either way: in answers, and in requests servers accepted.
    pub fn all_values(&self) -> impl Iterator<Item = &(Seen, Value)> {
        self.samples.iter().chain(&self.accepted)
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
        if let (Some(sent), Some(ty), true) =
            (a.request, request_type(op), (200..300).contains(&status))
        {
            self.accept(api, &ty, sent, &seen);
        }
        self.statuses
            .entry((endpoint.to_string(), status))
            .or_default()
            .push((seen.clone(), a.body.cloned()));
        let Some(body) = a.body else { return };
        match body_type(op, status) {
            Some(ty) if ty != Ty::Any => self.walk(api, endpoint, &ty, body, &seen),
            // A success body the docs leave blank or `any`: what it is, is to be proposed.
            _ if (200..300).contains(&status) && !body.is_null() => self
                .blank_bodies
                .entry(endpoint.to_string())
                .or_default()
                .push((seen, body.clone())),
            _ => {}
        }
    }

    /// Notes the fields of a request body a server accepted: only their values (what clients leave
    /// out of a request says nothing about what servers send).
    fn accept(&mut self, api: &Api, ty: &Ty, v: &Value, seen: &Seen) {
        match (ty, v) {
            (Ty::Named(name), Value::Object(map)) => {
                let Some(TypeDef::Struct(s)) = api.types.get(name) else {
                    return;
                };
                for f in &s.fields {
                    let Some(value) = map.get(&f.name).filter(|v| !v.is_null()) else {
                        continue;
                    };
                    let rec = self
                        .fields
                        .entry((name.clone(), f.name.clone()))
                        .or_default();
                    rec.declared.get_or_insert_with(|| f.ty.clone());
                    keep(&mut rec.accepted, SAMPLES_PER_VERSION, seen, value);
                    self.accept(api, &f.ty, value, seen);
                }
            }
            (Ty::Array(items), Value::Array(vs)) => {
                vs.iter().for_each(|x| self.accept(api, items, x, seen))
            }
            _ => {}
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
                        rec.declared.get_or_insert_with(|| f.ty.clone());
                        match map.get(&f.name) {
                            None => {
                                rec.absent.insert(seen.clone());
                            }
                            Some(Value::Null) => {
                                rec.null.insert(seen.clone());
                            }
                            Some(value) => {
                                rec.present.insert(seen.clone());
                                keep(&mut rec.samples, SAMPLES_PER_VERSION, seen, value);
                                if !admits_deep(api, &f.ty, value) {
                                    keep(&mut rec.misfits, MISFITS_PER_VERSION, seen, value);
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
                            keep(&mut rec.samples, SAMPLES_PER_VERSION, seen, value);
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

/// The type of an operation's JSON request body (alone, or as the JSON part of a multipart request).
fn request_type(op: &Operation) -> Option<Ty> {
    match op.request.as_ref()? {
        crate::model::Request::Json(ty) => Some(ty.clone()),
        crate::model::Request::MultipartWithJson { body, .. } => Some(body.clone()),
        crate::model::Request::MultipartFile { .. } => None,
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
        Ty::Integer(Some(width)) => width.holds(v),
        Ty::Integer(None) => v.is_i64() || v.is_u64(),
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
/// come with `"NaN"`, arrays of scalars by item, maps of scalars; anything more is `any`. Integers are
/// `int64`: no Java type says how wide a field the docs leave out is, and a `long` holds an `int` too.
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
        ["integer"] => json!({"type": "integer", "format": "int64"}),
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

/// The type of `{}`, the answer of operations that only acknowledge.
pub const EMPTY: &str = "EmptyResponseBody";

/// For a blank body: the types it holds and its schema (`<Op>Body`, or `<Op>Item` for a list).
pub(super) fn infer_body(op_name: &str, bodies: &[Value]) -> (Vec<(String, Value)>, Value) {
    let name = match bodies.iter().all(Value::is_array) {
        true => upper_camel(op_name),
        false => format!("{}Body", upper_camel(op_name)),
    };
    let mut types = Vec::new();
    let schema = infer_named(&name, bodies, &mut types);
    (types, schema)
}

/// Like [`infer`], but objects become types: a record (fixed, identifier-like keys) is a type named
/// `name` whose fields are inferred the same way (`<name><Field>`), one keyed by ids or free names a map
/// of what its values are (`<name>Value`), `{}` Flink's empty body; array items are `<name>Item`.
/// Types go to `types` (schema per name, in the order they were met).
pub fn infer_named(name: &str, samples: &[Value], types: &mut Vec<(String, Value)>) -> Value {
    let present: Vec<&Value> = samples.iter().filter(|v| !v.is_null()).collect();
    if !present.is_empty() && present.iter().all(|v| v.is_array()) {
        let items: Vec<Value> = (present.iter().filter_map(|v| v.as_array()).flatten())
            .cloned()
            .collect();
        if items.iter().any(|i| i.is_object() || i.is_array()) {
            let item = infer_named(&format!("{name}Item"), &items, types);
            return json!({"type": "array", "items": item});
        }
        return infer(samples);
    }
    let objects: Vec<&serde_json::Map<String, Value>> =
        present.iter().filter_map(|v| v.as_object()).collect();
    if objects.is_empty() || objects.len() < present.len() {
        return infer(samples);
    }
    if objects.iter().all(|o| o.is_empty()) {
        if !types.iter().any(|(n, _)| n == EMPTY) {
            types.push((
                EMPTY.to_string(),
                json!({"type": "object", "properties": {}}),
            ));
        }
        return json!({"$ref": EMPTY});
    }
    let mut keys: Vec<&String> = Vec::new();
    for k in objects.iter().flat_map(|o| o.keys()) {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let values_of =
        |k: &str| -> Vec<Value> { (objects.iter().filter_map(|o| o.get(k)).cloned()).collect() };
    if is_map(&keys, &objects) {
        let values: Vec<Value> = objects.iter().flat_map(|o| o.values().cloned()).collect();
        let value = infer_named(&format!("{name}Value"), &values, types);
        return json!({"type": "object", "additionalProperties": value});
    }
    let mut props = serde_json::Map::new();
    for k in keys {
        let field = format!("{name}{}", upper_camel(&k.replace('-', "_")));
        props.insert(k.clone(), infer_named(&field, &values_of(k), types));
    }
    if !types.iter().any(|(n, _)| n == name) {
        types.push((
            name.to_string(),
            json!({"type": "object", "properties": props}),
        ));
    }
    json!({"$ref": name})
}

/// Whether objects with these keys are a map rather than a record: some key is not a name a field
/// could have (an id, a number, a dotted configuration key), or every value is an object of one shape
/// (entries of a table keyed by name).
fn is_map(keys: &[&String], objects: &[&serde_json::Map<String, Value>]) -> bool {
    let field_like = |k: &str| {
        k.starts_with(|c: char| c.is_ascii_alphabetic())
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !(k.len() == 32 && k.chars().all(|c| c.is_ascii_hexdigit()))
    };
    if !keys.iter().all(|k| field_like(k)) {
        return true;
    }
    let shapes: BTreeSet<Vec<&String>> = (objects.iter().flat_map(|o| o.values()))
        .map(|v| {
            v.as_object()
                .map(|m| m.keys().collect())
                .unwrap_or_default()
        })
        .collect();
    keys.len() >= 2
        && shapes.len() == 1
        && (objects.iter().flat_map(|o| o.values()))
            .all(|v| v.as_object().is_some_and(|m| !m.is_empty()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, samples: &[Value]) -> (Value, Vec<(String, Value)>) {
        let mut types = Vec::new();
        let schema = infer_named(name, samples, &mut types);
        (schema, types)
    }

    #[test]
    fn records_become_named_types_down_to_their_nested_records() {
        let samples = [
            json!({"id": "a1", "status": {"id": "DONE"}, "net-runtime": 3, "parts": [{"n": 1}]}),
            json!({"id": "a2", "status": null, "net-runtime": 4, "parts": []}),
        ];
        let (schema, types) = named("JobResult", &samples);
        assert_eq!(schema, json!({"$ref": "JobResult"}));
        let names: Vec<&str> = types.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["JobResultStatus", "JobResultPartsItem", "JobResult"]
        );
        let (_, result) = &types[2];
        assert_eq!(
            result["properties"]["net-runtime"],
            json!({"type": "integer", "format": "int64"})
        );
        assert_eq!(
            result["properties"]["parts"],
            json!({"type": "array", "items": {"$ref": "JobResultPartsItem"}})
        );
    }

    #[test]
    fn objects_keyed_by_ids_or_config_keys_or_one_shape_are_maps() {
        let by_id = json!({"0123456789abcdef0123456789abcdef": {"p": 1}});
        assert_eq!(
            named("T", &[by_id]).0,
            json!({"type": "object", "additionalProperties": {"$ref": "TValue"}})
        );
        let config = json!({"state.backend": "hashmap", "parallelism.default": "1"});
        assert_eq!(
            named("T", &[config]).0,
            json!({"type": "object", "additionalProperties": {"type": "string"}})
        );
        let table = json!({"a": {"min": 1, "max": 2}, "b": {"min": 0, "max": 5}});
        assert_eq!(
            named("T", &[table]).0["additionalProperties"],
            json!({"$ref": "TValue"})
        );
    }

    #[test]
    fn request_fields_a_server_accepted_are_values_not_required_fields() {
        use crate::model::{Field, Request, StructDef};
        let mut api = crate::ledger::tests::api("1.20-documented", &["POST /x"]);
        let body = StructDef {
            name: "Body".into(),
            urn: "urn:Body".into(),
            one_of: Vec::new(),
            fields: vec![Field::new("triggerId", Ty::Any, None)],
        };
        api.types.insert("Body".into(), TypeDef::Struct(body));
        api.operations[0].request = Some(Request::Json(Ty::Named("Body".into())));
        let sent = json!({"triggerId": "f11c0000000000000000000000000001"});
        let mut obs = Observations::default();
        for (status, fixture) in [(200, "001"), (400, "002")] {
            obs.add(
                &api,
                &Observed {
                    endpoint: "POST /x",
                    seen: Seen {
                        version: "1.20.3".into(),
                        fixture: fixture.into(),
                    },
                    query: Vec::new(),
                    status,
                    body: None,
                    request: Some(&sent),
                },
            );
        }
        let rec = &obs.fields[&("Body".to_string(), "triggerId".to_string())];
        assert_eq!(rec.accepted.len(), 1, "only what a server accepted");
        assert_eq!(rec.declared, Some(Ty::Any));
        assert!(rec.present.is_empty() && rec.absent.is_empty());
        assert!(
            required(&obs).is_empty(),
            "a request says nothing of what servers send"
        );
    }

    #[test]
    fn empty_objects_are_flinks_empty_body_and_scalars_stay_scalars() {
        let (schema, types) = named("T", &[json!({}), json!({})]);
        assert_eq!(schema, json!({"$ref": EMPTY}));
        assert_eq!(
            types,
            [(
                EMPTY.to_string(),
                json!({"type": "object", "properties": {}})
            )]
        );
        assert_eq!(
            named("T", &[json!("x"), json!(null)]).0,
            json!({"type": "string"})
        );
        assert_eq!(
            named("T", &[json!([1, 2])]).0,
            json!({"type": "array", "items": {"type": "integer", "format": "int64"}})
        );
    }
}
