//! What recorded bodies show about the API, set against a spec's types: the ground the ledger stands on.
//!
//! [`Observations`] walks each body with the types of a version's API (the corrected one, so what the
//! ledger already explains is not news) and notes: fields present, null, absent; undocumented fields;
//! values a field's type does not admit; enum values; statuses. From them, [`propose`] makes ledger
//! entries for what the ledger does not explain yet, and [`supported`] tells whether an entry is still
//! borne out (an entry no exchange supports any more is resolved drift).

use std::collections::{BTreeMap, BTreeSet};

use flink_rest_codegen::ledger::{compare_versions, Change, Entry, Ledger};
use flink_rest_codegen::model::{Api, Operation, Ty, TypeDef};
use serde_json::{json, Value};

use crate::fixture::{Exchange, Kind};

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

    fn values(&self) -> Vec<Value> {
        self.samples.iter().map(|(_, v)| v.clone()).collect()
    }
}

/// Reads every version's fixtures (`contract-tests/fixtures/<V>/`) against that version's corrected API.
pub fn observe(
    root: &std::path::Path,
    apis: &flink_rest_codegen::Apis,
) -> anyhow::Result<Observations> {
    let mut obs = Observations::default();
    for corrected in &apis.versions {
        let (version, api) = (&corrected.version, &corrected.api);
        let dir = root.join("contract-tests/fixtures").join(version);
        if !dir.is_dir() {
            continue;
        }
        for (name, e) in crate::fixture::load_dir(&dir)? {
            obs.add(api, &name, &e);
        }
    }
    Ok(obs)
}

impl Observations {
    /// Notes what one scenario exchange shows, against `api` (the API of the exchange's version).
    pub fn add(&mut self, api: &Api, fixture: &str, e: &Exchange) {
        if e.kind != Kind::Scenario {
            return;
        }
        let Some(endpoint) = e.endpoint.as_deref() else {
            return;
        };
        let Some(op) = api.operations.iter().find(|o| o.key == endpoint) else {
            return;
        };
        let seen = Seen {
            version: e.flink_version.clone(),
            fixture: fixture.to_string(),
        };
        for (name, _) in e.request.query_pairs() {
            self.query_params
                .entry((endpoint.to_string(), name))
                .or_default()
                .insert(seen.clone());
        }
        let status = e.response.status;
        self.statuses
            .entry((endpoint.to_string(), status))
            .or_default()
            .push((seen.clone(), e.response.body.clone()));
        let Some(body) = &e.response.body else { return };
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
fn range(all: &[String], versions: &BTreeSet<String>) -> (Option<String>, Option<String>) {
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

fn versions_of(seen: &BTreeSet<Seen>) -> BTreeSet<String> {
    seen.iter().map(|s| s.version.clone()).collect()
}

fn endpoints(obs: &Observations, ty: &str) -> Vec<String> {
    obs.endpoints_of
        .get(ty)
        .map(|s| s.iter().cloned().collect())
        .unwrap_or_default()
}

fn range_text(since: &Option<String>, until: &Option<String>, all: &[String]) -> String {
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

/// Entries for what `obs` shows and the ledger does not explain. `documented` is every source's docs at
/// once (`Apis::docs`: what an entry quotes as documented); observations were made against the corrected
/// APIs, so what they flag is what no version's correction explains yet.
pub fn propose(documented: &Api, ledger: &Ledger, obs: &Observations) -> Vec<Entry> {
    let all = &ledger.versions;
    let mut out = Vec::new();
    let known_ids: BTreeSet<&str> = ledger.entries.iter().map(|(_, e)| e.id.as_str()).collect();
    let doc_field = |ty: &str, field: &str| -> Value {
        match documented.types.get(ty) {
            Some(TypeDef::Struct(s)) => s
                .fields
                .iter()
                .find(|f| f.name == field)
                .map(|f| flink_rest_codegen::openapi::ty_schema_value(&f.ty))
                .unwrap_or(json!("not documented")),
            _ => json!("not documented"),
        }
    };
    for ((ty, field), rec) in &obs.fields {
        let everywhere: BTreeSet<Seen> = rec.present.union(&rec.null).cloned().collect();
        let key = |kind: &str| format!("{ty}.{field}:{kind}");
        let (t, f) = (ty.clone(), field.clone());
        if obs.extra.contains(&(ty.clone(), field.clone())) {
            let schema = infer(&rec.values());
            out.push(proposal(
                all,
                key("add"),
                endpoints(obs, ty),
                (json!("not documented"), schema.clone()),
                &everywhere,
                |who| format!("{who} send `{field}` in {ty}; the docs do not list it."),
                Change::AddField {
                    r#type: t,
                    field: f,
                    schema,
                },
            ));
            continue;
        }
        let added = ledger.entries.iter().find(|(_, e)| {
            matches!(&e.change, Change::AddField { r#type: t2, field: f2, .. } if t2 == ty && f2 == field)
        });
        if let (false, Some((_, entry))) = (rec.misfits.is_empty(), added) {
            // A field the ledger added, with a schema the values outgrew: the same entry, revised.
            let schema = infer(&rec.values());
            let mut revised = entry.clone();
            revised.observed = schema.clone();
            revised.change = Change::AddField {
                r#type: t.clone(),
                field: f.clone(),
                schema,
            };
            revised.evidence = cite(&rec.misfits.iter().map(|(s, _)| s.clone()).collect());
            out.push(revised);
        } else if !rec.misfits.is_empty() {
            let seen: BTreeSet<Seen> = rec.misfits.iter().map(|(s, _)| s.clone()).collect();
            let schema = infer(&rec.values());
            let sample = short(&rec.misfits[0].1);
            out.push(proposal(
                all,
                key("type"),
                endpoints(obs, ty),
                (doc_field(ty, field), schema.clone()),
                &seen,
                |who| format!("{who} send `{field}` of {ty} as {sample}, not as the docs type it."),
                Change::FieldType {
                    r#type: t.clone(),
                    field: f.clone(),
                    schema,
                },
            ));
        }
        // `"type": "any"` in the docs, a string from every server: say so (ids, mostly).
        let doc_any = matches!(doc_ty(documented, ty, field), Some(Ty::Any));
        let has_type_entry = ledger.entries.iter().any(|(_, e)| {
            matches!(&e.change, Change::FieldType { r#type: t2, field: f2, .. } if t2 == ty && f2 == field)
        });
        if doc_any
            && !has_type_entry
            && !rec.samples.is_empty()
            && rec.samples.iter().all(|(_, v)| v.is_string())
        {
            let seen: BTreeSet<Seen> = rec.samples.iter().map(|(s, _)| s.clone()).collect();
            out.push(proposal(
                all,
                key("type"),
                endpoints(obs, ty),
                (json!({}), json!({"type": "string"})),
                &seen,
                |who| {
                    format!("The docs type `{field}` of {ty} as `any`; {who} always send a string.")
                },
                Change::FieldType {
                    r#type: t.clone(),
                    field: f.clone(),
                    schema: json!({"type": "string"}),
                },
            ));
        }
        if !rec.null.is_empty() {
            out.push(proposal(
                all,
                key("nullable"),
                endpoints(obs, ty),
                (doc_field(ty, field), json!("null")),
                &rec.null,
                |who| {
                    format!("{who} send `{field}` of {ty} as null; the docs do not say it may be.")
                },
                Change::Nullable {
                    r#type: t.clone(),
                    field: f.clone(),
                },
            ));
        }
        // A field of the version's API that some version never sends (though others do).
        let sent = versions_of(&everywhere);
        let missing: BTreeSet<Seen> = rec
            .absent
            .iter()
            .filter(|s| !sent.contains(&s.version))
            .cloned()
            .collect();
        if !sent.is_empty() && !missing.is_empty() {
            out.push(proposal(
                all,
                key("removed"),
                endpoints(obs, ty),
                (doc_field(ty, field), json!("absent")),
                &missing,
                |who| format!("{who} do not send `{field}` in {ty}; other versions do."),
                Change::RemoveField {
                    r#type: t,
                    field: f,
                },
            ));
        }
    }
    let mut by_enum: BTreeMap<&str, (Vec<String>, BTreeSet<Seen>)> = BTreeMap::new();
    for ((en, value), seen) in &obs.enum_values {
        let slot = by_enum.entry(en).or_default();
        slot.0.push(value.clone());
        slot.1.extend(seen.iter().cloned());
    }
    for (en, (values, seen)) in by_enum {
        let (since, until) = range(all, &versions_of(&seen));
        let documented_values = match documented.types.get(en) {
            Some(TypeDef::Enum(e)) => json!(e.values),
            _ => json!([]),
        };
        out.push(Entry {
            id: format!("{en}:values"),
            endpoints: Vec::new(),
            documented: documented_values,
            observed: json!(values),
            why: format!(
                "{} send {} as {en}; the docs do not list {}.",
                range_text(&since, &until, all),
                values.join(", "),
                if values.len() == 1 { "it" } else { "them" }
            ),
            since,
            until,
            evidence: cite(&seen),
            change: Change::EnumValues {
                r#enum: en.to_string(),
                add: values,
            },
        });
    }
    for ((endpoint, name), seen) in &obs.query_params {
        let Some(op) = documented.operations.iter().find(|o| &o.key == endpoint) else {
            continue;
        };
        let known = op.query_params.iter().any(|p| &p.name == name)
            || ledger.entries.iter().any(|(_, e)| {
                matches!(&e.change, Change::QueryParam { endpoint: ep, name: n, .. } if ep == endpoint && n == name)
            });
        if known {
            continue;
        }
        let (since, until) = range(all, &versions_of(seen));
        out.push(Entry {
            id: format!("{endpoint}?{name}"),
            endpoints: vec![endpoint.clone()],
            documented: json!("not documented"),
            observed: json!(name),
            why: format!(
                "{} take the query parameter `{name}`; the docs do not list it.",
                range_text(&since, &until, all)
            ),
            since,
            until,
            evidence: cite(seen),
            change: Change::QueryParam {
                endpoint: endpoint.clone(),
                name: name.clone(),
                r#type: "string".into(),
                description: String::new(),
            },
        });
    }
    for ((endpoint, status), seen) in &obs.statuses {
        let Some(op) = documented.operations.iter().find(|o| &o.key == endpoint) else {
            continue;
        };
        let in_spec = *status == op.status
            || ledger.entries.iter().any(|(_, e)| {
                matches!(&e.change, Change::Response { endpoint: ep, status: st, .. } if ep == endpoint && st == status)
            });
        if in_spec {
            continue;
        }
        let set: BTreeSet<Seen> = seen.iter().map(|(s, _)| s.clone()).collect();
        let (since, until) = range(all, &versions_of(&set));
        let is_error = seen
            .iter()
            .all(|(_, b)| b.as_ref().is_some_and(|b| b.get("errors").is_some()));
        let first_error = seen
            .iter()
            .find_map(|(_, b)| b.as_ref()?.get("errors")?.get(0)?.as_str().map(first_line))
            .unwrap_or_default();
        out.push(Entry {
            id: format!("{endpoint}:{status}"),
            endpoints: vec![endpoint.clone()],
            documented: json!(op.status),
            observed: json!(status),
            why: if is_error {
                format!(
                    "{} answer {status}: {first_error}",
                    range_text(&since, &until, all)
                )
            } else {
                format!(
                    "{} answer {status}, not {}.",
                    range_text(&since, &until, all),
                    op.status
                )
            },
            since,
            until,
            evidence: cite(&set),
            change: Change::Response {
                endpoint: endpoint.clone(),
                status: *status,
                schema: if is_error {
                    None
                } else {
                    Some(infer(
                        &seen
                            .iter()
                            .filter_map(|(_, b)| b.clone())
                            .collect::<Vec<_>>(),
                    ))
                },
            },
        });
    }
    for (endpoint, seen) in &obs.blank_bodies {
        let set: BTreeSet<Seen> = seen.iter().map(|(s, _)| s.clone()).collect();
        let (since, until) = range(all, &versions_of(&set));
        let bodies: Vec<Value> = seen.iter().map(|(_, b)| b.clone()).collect();
        let Some(op) = documented.operations.iter().find(|o| &o.key == endpoint) else {
            continue;
        };
        let (types, schema) = infer_body(&op.name, &bodies);
        for (name, schema) in types {
            out.push(Entry {
                id: format!("{name}:type"),
                endpoints: vec![endpoint.clone()],
                documented: json!("no body documented"),
                observed: schema.clone(),
                why: format!("The body {endpoint} sends; the docs give none."),
                since: None,
                until: None,
                evidence: cite(&set),
                change: Change::AddType { name, schema },
            });
        }
        out.push(Entry {
            id: format!("{endpoint}:body"),
            endpoints: vec![endpoint.clone()],
            documented: json!("no body documented"),
            observed: schema.clone(),
            why: format!(
                "{} answer {endpoint} with a JSON body; the docs give none.",
                range_text(&since, &until, all)
            ),
            since,
            until,
            evidence: cite(&set),
            change: Change::Response {
                endpoint: endpoint.clone(),
                status: op.status,
                schema: Some(schema),
            },
        });
    }
    // Known ids come back only as revisions (a changed schema); the rest is new.
    out.retain(|e| {
        !known_ids.contains(e.id.as_str())
            || ledger
                .entries
                .iter()
                .any(|(_, k)| k.id == e.id && k.change != e.change)
    });
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The type the docs give a struct field.
fn doc_ty(documented: &Api, ty: &str, field: &str) -> Option<Ty> {
    match documented.types.get(ty) {
        Some(TypeDef::Struct(s)) => s
            .fields
            .iter()
            .find(|f| f.name == field)
            .map(|f| f.ty.clone()),
        _ => None,
    }
}

/// An entry for what was seen where `seen` says: its versions make since / until, its first fixtures
/// the evidence, and `why` gets who sends it ("Flink 1.19.3 to 2.3.0 servers").
fn proposal(
    all: &[String],
    id: String,
    endpoints: Vec<String>,
    (documented, observed): (Value, Value),
    seen: &BTreeSet<Seen>,
    why: impl FnOnce(&str) -> String,
    change: Change,
) -> Entry {
    let (since, until) = range(all, &versions_of(seen));
    Entry {
        id,
        endpoints,
        documented,
        observed,
        why: why(&range_text(&since, &until, all)),
        since,
        until,
        evidence: cite(seen),
        change,
    }
}

fn short(v: &Value) -> String {
    match v {
        Value::Object(_) => "an object".into(),
        Value::Array(_) => "an array".into(),
        Value::String(s) => format!("the string {s:?}"),
        other => format!("{other}"),
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or_default();
    line.rsplit(": ")
        .next()
        .unwrap_or(line)
        .chars()
        .take(160)
        .collect()
}

/// For a blank body: types to add (for object items) and the body schema.
fn infer_body(op_name: &str, bodies: &[Value]) -> (Vec<(String, Value)>, Value) {
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

/// The observations (of `versions` where the entry holds) that bear an entry out; none: it is
/// resolved. Each observation's version's own docs tell a type change from a value the docs admit.
pub fn support(
    entry: &Entry,
    apis: &flink_rest_codegen::Apis,
    obs: &Observations,
    versions: &BTreeSet<String>,
) -> BTreeSet<Seen> {
    let keep = |s: &Seen| versions.contains(&s.version) && entry.holds_for(&s.version);
    let pick = |set: &BTreeSet<Seen>| -> BTreeSet<Seen> {
        set.iter().filter(|s| keep(s)).cloned().collect()
    };
    let field = |ty: &str, f: &str| obs.fields.get(&(ty.to_string(), f.to_string()));
    let samples_where = |ty: &str, f: &str, test: &dyn Fn(&Seen, &Value) -> bool| {
        field(ty, f)
            .map(|r| {
                r.samples
                    .iter()
                    .filter(|(s, v)| keep(s) && test(s, v))
                    .map(|(s, _)| s.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    match &entry.change {
        Change::AddField {
            r#type, field: f, ..
        } => field(r#type, f)
            .map(|r| pick(&r.present.union(&r.null).cloned().collect()))
            .unwrap_or_default(),
        Change::Nullable { r#type, field: f } => {
            field(r#type, f).map(|r| pick(&r.null)).unwrap_or_default()
        }
        // Borne out where the map was seen with keys.
        Change::MapKeys {
            r#type, field: f, ..
        } => samples_where(r#type, f, &|_, v| {
            v.as_object().is_some_and(|m| !m.is_empty())
        }),
        Change::FieldType {
            r#type, field: f, ..
        } => samples_where(r#type, f, &|seen, v| {
            let docs = apis.docs_of(&seen.version);
            match doc_ty(docs, r#type, f) {
                // A type the docs leave open (`any`) is borne out by every value sent.
                Some(Ty::Any) => true,
                Some(ty) => !admits(docs, &ty, v),
                None => false,
            }
        }),
        Change::RemoveField { r#type, field: f } => {
            // The corrected API of those versions lacks the field: it is borne out where objects of the
            // type were seen in them without it.
            let sent: BTreeSet<String> = field(r#type, f)
                .map(|r| {
                    r.present
                        .union(&r.null)
                        .map(|s| s.version.clone())
                        .collect()
                })
                .unwrap_or_default();
            obs.types
                .get(r#type)
                .map(|seen| {
                    seen.iter()
                        .filter(|s| keep(s) && !sent.contains(&s.version))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        }
        Change::EnumValues { r#enum, add } => add
            .iter()
            .filter_map(|v| obs.enum_all.get(&(r#enum.clone(), v.clone())))
            .flat_map(pick)
            .collect(),
        Change::AddType { name, .. } => obs.types.get(name).map(pick).unwrap_or_default(),
        Change::QueryParam { endpoint, name, .. } => obs
            .query_params
            .get(&(endpoint.clone(), name.clone()))
            .map(pick)
            .unwrap_or_default(),
        Change::Response {
            endpoint, status, ..
        } => obs
            .statuses
            .get(&(endpoint.clone(), *status))
            .map(|list| {
                list.iter()
                    .map(|(s, _)| s.clone())
                    .filter(|s| keep(s))
                    .collect()
            })
            .unwrap_or_default(),
        // Borne out where values of the type carried a variant's fields.
        Change::OneOf { r#type, variants } => (variants.iter())
            .flat_map(|v| &v.fields)
            .filter_map(|f| field(r#type, f))
            .flat_map(|r| pick(&r.present))
            .collect(),
        Change::ServedEndpoint { endpoint, .. } => obs
            .statuses
            .iter()
            .filter(|((e, status), _)| e == endpoint && (200..300).contains(status))
            .flat_map(|(_, list)| list.iter().map(|(s, _)| s))
            .filter(|s| keep(s))
            .cloned()
            .collect(),
    }
}

/// Whether anything still bears the entry out (see [`support`]).
pub fn supported(
    entry: &Entry,
    apis: &flink_rest_codegen::Apis,
    obs: &Observations,
    versions: &BTreeSet<String>,
) -> bool {
    !support(entry, apis, obs, versions).is_empty()
}

/// What the fixtures say of the ledger: what it does not explain yet, which of its entries nothing
/// bears out any more, and which fields every answer carries.
pub struct Review {
    /// New entries.
    pub proposals: Vec<Entry>,
    /// Known entries (same id) whose schema the values outgrew.
    pub revisions: Vec<Entry>,
    pub resolved: Vec<String>,
    pub required: BTreeMap<String, Vec<String>>,
    /// Entries that cite no fixture, or ones that do not (any more) bear them out: id -> what to cite.
    pub stale_evidence: BTreeMap<String, Vec<String>>,
}

/// Reads the inputs and every version's fixtures under `root` and reviews the ledger against them.
pub fn review(root: &std::path::Path) -> anyhow::Result<Review> {
    let inputs = flink_rest_codegen::Inputs::read(root)?;
    let apis = flink_rest_codegen::apis(&inputs).map_err(|p| anyhow::anyhow!("{p}"))?;
    let parsed = &apis.ledger;
    let obs = observe(root, &apis)?;
    let versions: BTreeSet<String> = parsed.versions.iter().cloned().collect();
    let mut resolved = Vec::new();
    let mut stale_evidence = BTreeMap::new();
    for (_, e) in &parsed.entries {
        let seen = support(e, &apis, &obs, &versions);
        if seen.is_empty() {
            resolved.push(e.id.clone());
        } else if e.evidence.is_empty()
            || !e.evidence.iter().all(|path| {
                seen.iter()
                    .any(|s| &format!("{}/{}", s.version, s.fixture) == path)
            })
        {
            stale_evidence.insert(e.id.clone(), cite(&seen));
        }
    }
    let (revisions, proposals) = propose(&apis.docs, parsed, &obs)
        .into_iter()
        .partition(|p| parsed.entries.iter().any(|(_, k)| k.id == p.id));
    Ok(Review {
        proposals,
        revisions,
        resolved,
        required: required(&obs),
        stale_evidence,
    })
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
