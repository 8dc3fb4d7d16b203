//! The evidence ledger: every way live servers differ from the page, as reviewable data.
//!
//! Each file in `schemas/ledger/` (but `versions.json` and `required.json`) is a JSON array of
//! [`Entry`]s: what changes, for which Flink versions, why, and which fixtures prove it. `versions.json`
//! lists the versions the ledger covers (one corrected spec each); `required.json` names, per type, the
//! fields every recorded answer of every version carries non-null (proposed from fixtures, like the rest).
//!
//! [`apply`] turns the documented [`Api`] into the API of one version (for its corrected spec) or of all
//! of them (for the one set of Rust types that decodes every version).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diag::{Location, Problems};
use crate::model::{
    rust_field_name, Answer, Api, EnumDef, Field, Param, ParamTy, StructDef, Ty, TypeDef,
};

pub const DIR: &str = "schemas/ledger";
pub const VERSIONS_FILE: &str = "schemas/ledger/versions.json";
pub const REQUIRED_FILE: &str = "schemas/ledger/required.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Unique, stable: `JobDetailsInfo.plan:type`.
    pub id: String,
    /// The documented pairs where it shows.
    pub endpoints: Vec<String>,
    pub change: Change,
    /// What the page says.
    pub documented: Value,
    /// What servers send.
    pub observed: Value,
    /// First and last version it holds for; `None`: open (the oldest / the newest recorded).
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
    pub why: String,
    /// Fixtures that prove it, relative to `contract-tests/fixtures/`.
    pub evidence: Vec<String>,
}

/// What an entry changes. Schemas are in the page's own (draft-3, Jackson) dialect, plus
/// `"type": "double"`: a Java double as Jackson writes it (a number, or `"NaN"`, `"Infinity"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Change {
    /// A documented field has another type.
    FieldType {
        r#type: String,
        field: String,
        schema: Value,
    },
    /// The keys of a documented map field are the values of an enum.
    MapKeys {
        r#type: String,
        field: String,
        r#enum: String,
    },
    /// A documented field may be `null`.
    Nullable { r#type: String, field: String },
    /// A field the page does not document.
    AddField {
        r#type: String,
        field: String,
        schema: Value,
    },
    /// A documented field these versions do not send.
    RemoveField { r#type: String, field: String },
    /// Values an enum does not document.
    EnumValues { r#enum: String, add: Vec<String> },
    /// A type the page does not define (bodies it leaves blank).
    AddType { name: String, schema: Value },
    /// A query parameter servers take that the page does not document. `type`: `string`, `boolean`,
    /// `integer` (positive), `long`, or `list` (comma-separated strings).
    QueryParam {
        endpoint: String,
        name: String,
        r#type: String,
        description: String,
    },
    /// A status the server answers with, and its body (`None`: Flink's error body).
    Response {
        endpoint: String,
        status: u16,
        #[serde(default)]
        schema: Option<Value>,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    pub versions: Vec<String>,
    /// Entries with the file they are in.
    pub entries: Vec<(String, Entry)>,
    /// Type -> fields every recorded answer carries non-null.
    pub required: BTreeMap<String, Vec<String>>,
}

/// Version order: numerically, part by part (`1.9` < `1.10`).
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parts = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    parts(a).cmp(&parts(b))
}

/// `1.20.3` -> `1.20`.
pub fn minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

impl Entry {
    /// Whether it holds for `version`.
    pub fn holds_for(&self, version: &str) -> bool {
        self.since
            .as_deref()
            .is_none_or(|s| compare_versions(s, version) != Ordering::Greater)
            && self
                .until
                .as_deref()
                .is_none_or(|u| compare_versions(version, u) != Ordering::Greater)
    }
}

/// Parses the ledger's files (name -> text); every problem is reported, with file, line and pointer.
pub fn parse(files: &BTreeMap<String, String>) -> Result<Ledger, Problems> {
    let mut problems = Problems::default();
    let mut ledger = Ledger::default();
    for (file, text) in files {
        let at = |e: &serde_json::Error| Location::at(file.clone(), e.line());
        if file == VERSIONS_FILE {
            match serde_json::from_str::<Vec<String>>(text) {
                Ok(v) => ledger.versions = v,
                Err(e) => problems.push(at(&e), e.to_string()),
            }
        } else if file == REQUIRED_FILE {
            match serde_json::from_str::<BTreeMap<String, Value>>(text) {
                Ok(map) => {
                    for (ty, fields) in map {
                        if ty.starts_with('$') {
                            continue;
                        }
                        match serde_json::from_value::<Vec<String>>(fields) {
                            Ok(f) => {
                                ledger.required.insert(ty, f);
                            }
                            Err(e) => problems.push(
                                Location::file(file.clone()).pointer(format!("/{ty}")),
                                e.to_string(),
                            ),
                        }
                    }
                }
                Err(e) => problems.push(at(&e), e.to_string()),
            }
        } else {
            let lines = crate::jsonpos::pointer_lines(text);
            let items: Vec<Value> = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(at(&e), e.to_string());
                    continue;
                }
            };
            for (i, item) in items.into_iter().enumerate() {
                let line = lines.get(&format!("/{i}")).copied().unwrap_or(0);
                match serde_json::from_value::<Entry>(item) {
                    Ok(entry) => ledger.entries.push((file.clone(), entry)),
                    Err(e) => problems.push(
                        Location::at(file.clone(), line).pointer(format!("/{i}")),
                        e.to_string(),
                    ),
                }
            }
        }
    }
    ledger.versions.sort_by(|a, b| compare_versions(a, b));
    let mut seen = BTreeMap::new();
    for (file, e) in &ledger.entries {
        if let Some(first) = seen.insert(e.id.clone(), file.clone()) {
            problems.push(
                Location::file(file.clone()),
                format!("entry {:?} is also in {first}", e.id),
            );
        }
        if e.why.trim().is_empty() {
            problems.push(
                Location::file(file.clone()),
                format!("entry {:?} says no why", e.id),
            );
        }
        for v in [&e.since, &e.until].into_iter().flatten() {
            if !ledger.versions.contains(v) {
                problems.push(
                    Location::file(file.clone()),
                    format!("entry {:?}: {v} is not in {VERSIONS_FILE}", e.id),
                );
            }
        }
    }
    problems.into_result(ledger)
}

/// Which API to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// One version: what its server sends.
    Version(&'a str),
    /// Every version at once: fields only some send are optional, and say since / until.
    All,
}

/// The documented API corrected by the ledger for `target`. Problems name the entry's file and id.
pub fn apply(api: &Api, ledger: &Ledger, target: Target<'_>) -> Result<Api, Problems> {
    let mut api = api.clone();
    let mut problems = Problems::default();
    api.variant = match target {
        Target::Version(v) => minor(v),
        Target::All => "corrected".into(),
    };
    // Types first: fields may refer to them, and they to each other.
    for (_, e) in &ledger.entries {
        if let Change::AddType { name, .. } = &e.change {
            api.types.entry(name.clone()).or_insert_with(|| {
                TypeDef::Struct(StructDef {
                    name: name.clone(),
                    urn: String::new(),
                    fields: vec![],
                })
            });
        }
    }
    for (file, e) in &ledger.entries {
        if let Change::AddType { name, schema } = &e.change {
            let loc = Location::file(file.clone()).pointer(format!("id:{}", e.id));
            match struct_of(name, schema, &api) {
                Ok(def) => {
                    api.types.insert(name.clone(), TypeDef::Struct(def));
                }
                Err(m) => problems.push(loc, m),
            }
        }
    }
    for (file, e) in &ledger.entries {
        let loc = Location::file(file.clone()).pointer(format!("id:{}", e.id));
        let holds = match target {
            Target::Version(v) => e.holds_for(v),
            Target::All => true,
        };
        if !holds {
            continue;
        }
        let previous = previous_version(&ledger.versions, e.since.as_deref());
        let next = next_version(&ledger.versions, e.until.as_deref());
        let result: Result<(), String> = match &e.change {
            Change::AddType { .. } => Ok(()),
            Change::FieldType {
                r#type,
                field,
                schema,
            } => ty_of(schema, &api)
                .and_then(|ty| with_field(&mut api, r#type, field, |f| f.ty = ty.clone())),
            Change::Nullable { r#type, field } => {
                with_field(&mut api, r#type, field, |f| f.nullable = true)
            }
            Change::MapKeys {
                r#type,
                field,
                r#enum,
            } => match api.types.get(r#enum) {
                Some(TypeDef::Enum(_)) => {
                    let mut result = Ok(());
                    let r = with_field(&mut api, r#type, field, |f| match &f.ty {
                        Ty::Map(value) => {
                            f.ty = Ty::KeyedMap {
                                key: r#enum.clone(),
                                value: value.clone(),
                            }
                        }
                        other => {
                            result = Err(
                                format!("{type}.{field} is {other:?}, not a map", type = r#type),
                            )
                        }
                    });
                    r.and(result)
                }
                _ => Err(format!("no enum {}", r#enum)),
            },
            Change::AddField {
                r#type,
                field,
                schema,
            } => ty_of(schema, &api).and_then(|ty| {
                let def = struct_mut(&mut api, r#type)?;
                if def.fields.iter().any(|f| &f.name == field) {
                    return Err(format!("{type}.{field} is already a field", type = r#type));
                }
                let mut rust_name = rust_field_name(field);
                while def.fields.iter().any(|f| f.rust_name == rust_name) {
                    rust_name.push_str("_2");
                }
                def.fields.push(Field {
                    name: field.clone(),
                    rust_name,
                    ty,
                    required: false,
                    nullable: false,
                    since: if target == Target::All {
                        e.since.clone()
                    } else {
                        None
                    },
                    until: if target == Target::All {
                        e.until.clone()
                    } else {
                        None
                    },
                    doc: Some(e.why.clone()),
                });
                Ok(())
            }),
            Change::RemoveField { r#type, field } => match target {
                Target::Version(_) => struct_mut(&mut api, r#type).and_then(|def| {
                    let before = def.fields.len();
                    def.fields.retain(|f| &f.name != field);
                    if def.fields.len() == before {
                        Err(format!("{type} has no field {field}", type = r#type))
                    } else {
                        Ok(())
                    }
                }),
                // Gone from `since` on: sent until the version before it (or from the one after).
                Target::All => with_field(&mut api, r#type, field, |f| {
                    f.required = false;
                    if e.until.is_none() {
                        f.until = previous.clone();
                    } else if e.since.is_none() {
                        f.since = next.clone();
                    }
                }),
            },
            Change::EnumValues { r#enum, add } => match api.types.get_mut(r#enum) {
                Some(TypeDef::Enum(EnumDef { values, .. })) => {
                    for v in add {
                        if !values.contains(v) {
                            values.push(v.clone());
                        }
                    }
                    Ok(())
                }
                _ => Err(format!("no enum {}", r#enum)),
            },
            Change::QueryParam {
                endpoint,
                name,
                r#type,
                description,
            } => {
                let ty = match r#type.as_str() {
                    "string" => Ok(ParamTy::String),
                    "boolean" => Ok(ParamTy::Boolean),
                    "integer" => Ok(ParamTy::PositiveInteger),
                    "long" => Ok(ParamTy::Long),
                    "list" => Ok(ParamTy::List(Box::new(ParamTy::String))),
                    other => Err(format!("unknown parameter type {other:?}")),
                };
                ty.and_then(|ty| {
                    let op = api
                        .operations
                        .iter_mut()
                        .find(|o| &o.key == endpoint)
                        .ok_or_else(|| format!("no documented endpoint {endpoint}"))?;
                    if op.query_params.iter().any(|p| &p.name == name) {
                        return Err(format!("{endpoint} already has a query parameter {name}"));
                    }
                    op.query_params.push(Param {
                        name: name.clone(),
                        rust_name: rust_field_name(name),
                        description: format!("{description} Not documented: {}", e.why)
                            .trim()
                            .to_string(),
                        required: false,
                        deprecated: false,
                        ty,
                    });
                    Ok(())
                })
            }
            Change::Response {
                endpoint,
                status,
                schema,
            } => {
                let body = match schema {
                    Some(s) => ty_of(s, &api).map(Some),
                    None => Ok(None),
                };
                body.and_then(|body| {
                    let op = api
                        .operations
                        .iter_mut()
                        .find(|o| &o.key == endpoint)
                        .ok_or_else(|| format!("no documented endpoint {endpoint}"))?;
                    if *status == op.status {
                        op.response = body;
                    } else {
                        op.answers.retain(|a| a.status != *status);
                        op.answers.push(Answer {
                            status: *status,
                            body,
                            why: e.why.clone(),
                        });
                        op.answers.sort_by_key(|a| a.status);
                    }
                    Ok(())
                })
            }
        };
        if let Err(m) = result {
            problems.push(loc, m);
        }
    }
    for (ty, fields) in &ledger.required {
        for field in fields {
            let r = with_field(&mut api, ty, field, |f| {
                // Required on the wire for every version: only where no entry makes it come and go.
                if f.since.is_none() && f.until.is_none() && !f.nullable {
                    f.required = true;
                }
            });
            // A version's API may lack the field (added later, or gone): nothing to require there.
            if let (Err(m), Target::All) = (r, target) {
                problems.push(Location::file(REQUIRED_FILE).pointer(format!("/{ty}")), m);
            }
        }
    }
    problems.into_result(api)
}

fn previous_version(versions: &[String], since: Option<&str>) -> Option<String> {
    let since = since?;
    let at = versions.iter().position(|v| v == since)?;
    at.checked_sub(1).map(|i| versions[i].clone())
}

fn next_version(versions: &[String], until: Option<&str>) -> Option<String> {
    let until = until?;
    let at = versions.iter().position(|v| v == until)?;
    versions.get(at + 1).cloned()
}

fn struct_mut<'a>(api: &'a mut Api, name: &str) -> Result<&'a mut StructDef, String> {
    match api.types.get_mut(name) {
        Some(TypeDef::Struct(s)) => Ok(s),
        Some(TypeDef::Enum(_)) => Err(format!("{name} is an enum, not a struct")),
        None => Err(format!("no type {name}")),
    }
}

fn with_field(
    api: &mut Api,
    ty: &str,
    field: &str,
    change: impl FnOnce(&mut Field),
) -> Result<(), String> {
    let def = struct_mut(api, ty)?;
    let f = def
        .fields
        .iter_mut()
        .find(|f| f.name == field)
        .ok_or_else(|| format!("{ty} has no field {field}"))?;
    change(f);
    Ok(())
}

/// A ledger schema as a type use.
pub fn ty_of(schema: &Value, api: &Api) -> Result<Ty, String> {
    if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
        return if api.types.contains_key(name) {
            Ok(Ty::Named(name.to_string()))
        } else {
            Err(format!("unknown type {name}"))
        };
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => Ok(Ty::String),
        Some("integer") => Ok(Ty::Integer),
        Some("number") => Ok(Ty::Number),
        Some("double") => Ok(Ty::Double),
        Some("boolean") => Ok(Ty::Boolean),
        Some("any") => Ok(Ty::Any),
        Some("array") => match schema.get("items") {
            Some(items) => Ok(Ty::Array(Box::new(ty_of(items, api)?))),
            None => Ok(Ty::Array(Box::new(Ty::Any))),
        },
        Some("object") => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => Ok(Ty::Map(Box::new(ty_of(values, api)?))),
            _ => Ok(Ty::Any),
        },
        Some(other) => Err(format!("unknown type {other:?}")),
        None => Err(format!("a schema needs \"type\" or \"$ref\": {schema}")),
    }
}

fn struct_of(name: &str, schema: &Value, api: &Api) -> Result<StructDef, String> {
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("type {name} needs \"properties\""))?;
    let mut fields = Vec::new();
    for (wire, prop) in props {
        let ty = ty_of(prop, api).map_err(|m| format!("{name}.{wire}: {m}"))?;
        let doc = prop
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
        fields.push(Field::new(wire, ty, doc));
    }
    Ok(StructDef {
        name: name.to_string(),
        urn: format!("ledger:{name}"),
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("1.9.0", "1.10.0"), Ordering::Less);
        assert_eq!(compare_versions("2.0.2", "1.20.3"), Ordering::Greater);
        assert_eq!(minor("1.20.3"), "1.20");
    }

    #[test]
    fn entries_hold_for_their_range() {
        let e = |since: Option<&str>, until: Option<&str>| Entry {
            id: "x".into(),
            endpoints: vec![],
            change: Change::Nullable {
                r#type: "T".into(),
                field: "f".into(),
            },
            documented: Value::Null,
            observed: Value::Null,
            since: since.map(str::to_string),
            until: until.map(str::to_string),
            why: "w".into(),
            evidence: vec![],
        };
        assert!(e(None, None).holds_for("1.15.4"));
        assert!(e(Some("1.19.3"), None).holds_for("2.3.0"));
        assert!(!e(Some("1.19.3"), None).holds_for("1.18.1"));
        assert!(e(None, Some("1.20.3")).holds_for("1.20.3"));
        assert!(!e(None, Some("1.20.3")).holds_for("2.0.2"));
    }
}
