//! Typed coverage: of the leaf values live servers sent (every non-null string, number and boolean in
//! the recorded answers), the share the crate's types give a type, rather than leaving them in a
//! `serde_json::Value` (`"type": "any"`) or dropping them (a field the types do not have).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use flink_rest_codegen::model::{Api, StringType, Ty, TypeDef};
use serde_json::Value;

use crate::evidence::{admits, body_type};
use crate::fixture::{Exchange, Kind};

/// Leaf values: how many land in typed fields, of how many.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub typed: u64,
    pub total: u64,
}

impl Count {
    fn add(&mut self, other: Count) {
        self.typed += other.typed;
        self.total += other.total;
    }

    /// Percent typed; 100 where there is nothing to type.
    pub fn percent(&self) -> f64 {
        match self.total {
            0 => 100.0,
            n => 100.0 * self.typed as f64 / n as f64,
        }
    }
}

/// Per version, per endpoint.
#[derive(Debug, Default)]
pub struct Coverage {
    pub by_version: BTreeMap<String, BTreeMap<String, Count>>,
}

impl Coverage {
    /// Counts one recorded answer of `version`, read with `api` (the crate's types).
    pub fn add(&mut self, api: &Api, version: &str, e: &Exchange) {
        let (Kind::Scenario, Some(endpoint), Some(body)) =
            (&e.kind, e.endpoint, e.response.body.as_ref())
        else {
            return;
        };
        let Some(op) = api.operations.iter().find(|o| o.key == endpoint.key()) else {
            return;
        };
        let status = e.response.status;
        let count = match body_type(op, status) {
            Some(ty) => typed(api, &ty, body),
            // Flink's error body: the client reads it into `Error::Api { errors }`.
            None if status >= 400 => typed(
                api,
                &Ty::Map(Box::new(Ty::Array(Box::new(Ty::String)))),
                body,
            ),
            None => untyped(body),
        };
        self.by_version
            .entry(version.to_string())
            .or_default()
            .entry(endpoint.to_string())
            .or_default()
            .add(count);
    }

    pub fn version_total(&self, version: &str) -> Count {
        let mut total = Count::default();
        for c in self
            .by_version
            .get(version)
            .into_iter()
            .flat_map(|m| m.values())
        {
            total.add(*c);
        }
        total
    }

    /// A Markdown report: per version, then per endpoint (below 100 % only).
    pub fn markdown(&self) -> String {
        let mut out =
            String::from("| version | typed leaf values | of | share |\n|---|---:|---:|---:|\n");
        let mut all = Count::default();
        for version in self.by_version.keys() {
            let c = self.version_total(version);
            all.add(c);
            let _ = writeln!(
                out,
                "| {version} | {} | {} | {:.1} % |",
                c.typed,
                c.total,
                c.percent()
            );
        }
        let _ = writeln!(
            out,
            "| all | {} | {} | {:.1} % |",
            all.typed,
            all.total,
            all.percent()
        );
        let mut endpoints: BTreeMap<&str, Count> = BTreeMap::new();
        for by_endpoint in self.by_version.values() {
            for (e, c) in by_endpoint {
                endpoints.entry(e).or_default().add(*c);
            }
        }
        out.push_str("\n| endpoint (all versions, below 100 %) | typed | of | share |\n|---|---:|---:|---:|\n");
        for (e, c) in endpoints.iter().filter(|(_, c)| c.typed < c.total) {
            let _ = writeln!(
                out,
                "| `{e}` | {} | {} | {:.1} % |",
                c.typed,
                c.total,
                c.percent()
            );
        }
        out
    }
}

/// Leaves of `v` read as `ty`: typed where the type reaches them.
pub fn typed(api: &Api, ty: &Ty, v: &Value) -> Count {
    let struct_def = |name: &str| match api.types.get(name) {
        Some(TypeDef::Struct(s)) => Some(s),
        _ => None,
    };
    match (ty, v) {
        (_, Value::Null) => Count::default(),
        (Ty::Any, _) => untyped(v),
        (Ty::Named(name), Value::Object(map)) if struct_def(name).is_some() => {
            let s = struct_def(name).expect("checked");
            sum(map
                .iter()
                .map(|(k, value)| match s.fields.iter().find(|f| &f.name == k) {
                    Some(f) => typed(api, &f.ty, value),
                    None => untyped(value),
                }))
        }
        (Ty::Array(items), Value::Array(vs)) => sum(vs.iter().map(|x| typed(api, items, x))),
        (Ty::Map(values) | Ty::KeyedMap { value: values, .. }, Value::Object(map)) => {
            sum(map.values().map(|x| typed(api, values, x)))
        }
        (_, Value::Object(_) | Value::Array(_)) => untyped(v),
        // A scalar: typed where its type admits it (the evidence walker's own test).
        _ if admits(api, ty, v) => Count { typed: 1, total: 1 },
        _ => untyped(v),
    }
}

/// The values of `v` read as `ty` that land in an enum (a field's, a map key's) as a value it does not
/// know: `(enum, value)`. The crate decodes them (its enums are open) as `Unknown`.
pub fn unknown_enum_values(api: &Api, ty: &Ty, v: &Value, out: &mut BTreeSet<(String, String)>) {
    let check = |name: &str, value: &str, out: &mut BTreeSet<(String, String)>| {
        if let Some(TypeDef::Enum(e)) = api.types.get(name) {
            if !e.values.iter().any(|known| known == value) {
                out.insert((name.to_string(), value.to_string()));
            }
        }
    };
    match (ty, v) {
        (Ty::Named(name), Value::String(s)) => check(name, s, out),
        (Ty::Named(name), Value::Object(map)) => {
            let Some(TypeDef::Struct(s)) = api.types.get(name) else {
                return;
            };
            for (k, value) in map {
                let Some(f) = s.fields.iter().find(|f| &f.name == k) else {
                    continue;
                };
                match (&f.string_type, value) {
                    (Some(StringType::Enum(e)), Value::String(s)) => check(e, s, out),
                    _ => unknown_enum_values(api, &f.ty, value, out),
                }
            }
        }
        (Ty::Array(items), Value::Array(vs)) => vs
            .iter()
            .for_each(|x| unknown_enum_values(api, items, x, out)),
        (Ty::Map(values), Value::Object(map)) => map
            .values()
            .for_each(|x| unknown_enum_values(api, values, x, out)),
        (Ty::KeyedMap { key, value }, Value::Object(map)) => {
            for (k, x) in map {
                check(key, k, out);
                unknown_enum_values(api, value, x, out);
            }
        }
        _ => {}
    }
}

/// Every leaf of `v`, none typed.
pub fn untyped(v: &Value) -> Count {
    match v {
        Value::Null => Count::default(),
        Value::Array(vs) => sum(vs.iter().map(untyped)),
        Value::Object(map) => sum(map.values().map(untyped)),
        _ => Count { typed: 0, total: 1 },
    }
}

fn sum(counts: impl Iterator<Item = Count>) -> Count {
    let mut total = Count::default();
    counts.for_each(|c| total.add(c));
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use flink_rest_codegen::model::{Field, StructDef};
    use serde_json::json;

    #[test]
    fn any_and_unknown_fields_are_untyped_the_rest_typed() {
        let mut api = Api {
            variant: "t".into(),
            source: "t".into(),
            operations: vec![],
            types: BTreeMap::new(),
            ids: BTreeMap::new(),
        };
        api.types.insert(
            "T".into(),
            TypeDef::Struct(StructDef {
                name: "T".into(),
                urn: String::new(),
                one_of: Vec::new(),
                fields: vec![
                    Field::new("a", Ty::Integer(None), None),
                    Field::new("b", Ty::Any, None),
                    Field::new("c", Ty::Array(Box::new(Ty::String)), None),
                ],
            }),
        );
        let v =
            json!({"a": 1, "b": {"x": 1, "y": [true, "s"]}, "c": ["p", "q"], "d": 4, "e": null});
        assert_eq!(
            typed(&api, &Ty::Named("T".into()), &v),
            Count { typed: 3, total: 7 }
        );
        assert_eq!(
            typed(&api, &Ty::String, &json!(3)),
            Count { typed: 0, total: 1 }
        );
    }
}
