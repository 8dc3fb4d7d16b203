//! Proposing entries from observations: the driver, and what every kind's proposer shares. What each
//! kind proposes is in its own module ([`super::kinds`]).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::evidence::{
    cite, infer_named, range, range_text, versions_of, FieldObs, Observations, Seen,
};
use super::kinds::{self, AddType, Change};
use super::{Entry, Ledger};
use crate::model::{Api, Ty, TypeDef};

/// What proposers look at.
pub struct Proposer<'a> {
    /// Every source's docs at once (`Apis::docs`): what an entry quotes as documented.
    pub documented: &'a Api,
    pub ledger: &'a Ledger,
    pub obs: &'a Observations,
}

/// Entries for what `obs` shows and the ledger does not explain. Observations were made against the
/// corrected APIs, so what they flag is what no version's correction explains yet. Known ids come back
/// only as revisions (a changed change); sorted by id.
pub fn propose(documented: &Api, ledger: &Ledger, obs: &Observations) -> Vec<Entry> {
    let p = Proposer {
        documented,
        ledger,
        obs,
    };
    let mut out = Vec::new();
    for ((ty, field), rec) in &obs.fields {
        out.extend(kinds::propose_for_field(&p, ty, field, rec));
    }
    out.extend(kinds::propose_rest(&p));
    out.retain(|e| {
        (ledger.entries.iter())
            .find(|(_, k)| k.id == e.id)
            .is_none_or(|(_, k)| k.change != e.change)
    });
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Points every `$ref` to a renamed type at its new name.
fn rename_refs(v: &mut Value, renamed: &BTreeMap<String, String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(name)) = map.get_mut("$ref") {
                if let Some(new) = renamed.get(name.as_str()) {
                    *name = new.clone();
                }
            }
            map.values_mut().for_each(|x| rename_refs(x, renamed));
        }
        Value::Array(items) => items.iter_mut().for_each(|x| rename_refs(x, renamed)),
        _ => {}
    }
}

impl Proposer<'_> {
    /// An entry for what was seen where `seen` says: its versions make since / until, its first
    /// fixtures the evidence, and `why` gets who sends it ("Flink 1.19.3 to 2.3.0 servers").
    pub fn proposal(
        &self,
        id: String,
        endpoints: Vec<String>,
        (documented, observed): (Value, Value),
        seen: &BTreeSet<Seen>,
        why: impl FnOnce(&str) -> String,
        change: Change,
    ) -> Entry {
        let all = &self.ledger.versions;
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

    /// The endpoints objects of `ty` were seen under.
    pub fn endpoints(&self, ty: &str) -> Vec<String> {
        (self.obs.endpoints_of.get(ty)).map_or_else(Vec::new, |s| s.iter().cloned().collect())
    }

    /// What the docs say of a field, as an entry quotes it.
    pub fn doc_field(&self, ty: &str, field: &str) -> Value {
        let Some(TypeDef::Struct(s)) = self.documented.types.get(ty) else {
            return json!("not documented");
        };
        (s.fields.iter().find(|f| f.name == field))
            .map(|f| crate::openapi::ty_schema_value(&f.ty))
            .unwrap_or(json!("not documented"))
    }

    /// A schema for a field's values (`<Type><Field>` names the records in them; a map or list the
    /// field is declared as stays one, its values or items inferred), and entries adding the types it
    /// names that nothing defines yet.
    pub fn schema_of(
        &self,
        ty: &str,
        field: &str,
        rec: &FieldObs,
        seen: &BTreeSet<Seen>,
    ) -> (Value, Vec<Entry>) {
        let name = format!("{ty}{}", heck::AsUpperCamelCase(field));
        let samples = rec.values();
        let mut types = Vec::new();
        let schema = match &rec.declared {
            Some(Ty::Map(values)) if values.contains_any() => {
                let values: Vec<Value> = (samples.iter().filter_map(Value::as_object))
                    .flat_map(|m| m.values().cloned())
                    .collect();
                let value = infer_named(&format!("{name}Value"), &values, &mut types);
                json!({"type": "object", "additionalProperties": value})
            }
            Some(Ty::Array(items)) if items.contains_any() => {
                let items: Vec<Value> = (samples.iter().filter_map(Value::as_array))
                    .flatten()
                    .cloned()
                    .collect();
                let item = infer_named(&format!("{name}Item"), &items, &mut types);
                json!({"type": "array", "items": item})
            }
            _ => infer_named(&name, &samples, &mut types),
        };
        let (schema, types) = self.reuse(schema, types);
        let added = (types.into_iter())
            .filter(|(name, _)| !self.defines(name))
            .map(|(name, schema)| {
                self.proposal(
                    format!("{name}:type"),
                    self.endpoints(ty),
                    (json!("not documented"), schema.clone()),
                    seen,
                    |who| format!("The structure {who} send in `{field}` of {ty}; the docs leave it open."),
                    Change::AddType(AddType { name, schema }),
                )
            })
            .collect();
        (schema, added)
    }

    /// Inferred types that have an existing type's fields (the docs' or the ledger's, all of its
    /// fields present, the most specific one) are that type: their uses refer to it instead.
    pub(super) fn reuse(
        &self,
        schema: Value,
        types: Vec<(String, Value)>,
    ) -> (Value, Vec<(String, Value)>) {
        let keys = |schema: &Value| -> BTreeSet<String> {
            (schema.get("properties").and_then(Value::as_object))
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default()
        };
        let existing: Vec<(&str, BTreeSet<String>)> = (self.documented.types.iter())
            .filter_map(|(name, def)| match def {
                TypeDef::Struct(s) if !s.fields.is_empty() => Some((
                    name.as_str(),
                    s.fields.iter().map(|f| f.name.clone()).collect(),
                )),
                _ => None,
            })
            .chain(
                self.ledger
                    .entries
                    .iter()
                    .filter_map(|(_, e)| match &e.change {
                        Change::AddType(t) => Some((t.name.as_str(), keys(&t.schema))),
                        _ => None,
                    }),
            )
            .collect();
        let mut renamed: BTreeMap<String, String> = BTreeMap::new();
        for (name, schema) in &types {
            let mine = keys(schema);
            let same = (existing.iter())
                .filter(|(_, fields)| mine.len() >= 2 && mine.is_subset(fields))
                .min_by_key(|(_, fields)| fields.len());
            if let Some((other, _)) = same {
                renamed.insert(name.clone(), other.to_string());
            }
        }
        let rename = |mut v: Value| {
            rename_refs(&mut v, &renamed);
            v
        };
        let schema = rename(schema);
        let mut kept: Vec<(String, Value)> = (types.into_iter())
            .filter(|(name, _)| !renamed.contains_key(name))
            .map(|(name, schema)| (name, rename(schema)))
            .collect();
        // Only what the schema still reaches (a reused type brings its own field types).
        let mut reached = Vec::new();
        crate::docs::each_ref(&schema, &mut |name| reached.push(name.to_string()));
        let mut i = 0;
        while let Some(name) = reached.get(i).cloned() {
            if let Some((_, s)) = kept.iter().find(|(n, _)| *n == name) {
                crate::docs::each_ref(s, &mut |n| reached.push(n.to_string()));
            }
            i += 1;
        }
        kept.retain(|(name, _)| reached.contains(name));
        (schema, kept)
    }

    /// Whether the docs or a ledger entry define the type already.
    pub fn defines(&self, name: &str) -> bool {
        self.documented.types.contains_key(name)
            || (self.ledger.entries.iter())
                .any(|(_, e)| matches!(&e.change, Change::AddType(t) if t.name == name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::evidence::FieldObs;
    use crate::ledger::tests::api;
    use crate::model::{Field, StructDef};

    fn seen(version: &str) -> Seen {
        Seen {
            version: version.into(),
            fixture: "001-GET-x.json".into(),
        }
    }

    /// A struct `Holder` whose field `plan` the docs leave `any`, and a documented `Plan`.
    fn documented() -> Api {
        let mut docs = api("1.20-documented", &["GET /x"]);
        let structure = |name: &str, fields: &[(&str, Ty)]| {
            TypeDef::Struct(StructDef {
                name: name.into(),
                urn: format!("urn:{name}"),
                one_of: Vec::new(),
                fields: (fields.iter())
                    .map(|(f, ty)| Field::new(f, ty.clone(), None))
                    .collect(),
            })
        };
        let plan = [
            ("jid", Ty::String),
            ("name", Ty::String),
            ("nodes", Ty::Any),
        ];
        docs.types.insert("Plan".into(), structure("Plan", &plan));
        docs.types
            .insert("Holder".into(), structure("Holder", &[("plan", Ty::Any)]));
        docs
    }

    fn propose_for(samples: Vec<Value>) -> Vec<Entry> {
        let mut obs = Observations::default();
        let rec = FieldObs {
            present: [seen("1.20.3")].into(),
            samples: samples.into_iter().map(|v| (seen("1.20.3"), v)).collect(),
            declared: Some(Ty::Any),
            ..FieldObs::default()
        };
        obs.fields.insert(("Holder".into(), "plan".into()), rec);
        let ledger = Ledger {
            versions: vec!["1.20.3".into()],
            ..Ledger::default()
        };
        propose(&documented(), &ledger, &obs)
    }

    #[test]
    fn a_structure_with_a_documented_types_fields_is_that_type() {
        let out = propose_for(vec![json!({"jid": "j", "name": "n", "nodes": []})]);
        let ids: Vec<&str> = out.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["Holder.plan:type"], "no new type: {out:#?}");
        let Change::FieldType(t) = &out[0].change else {
            panic!("{:?}", out[0].change)
        };
        assert_eq!(t.schema, json!({"$ref": "Plan"}));
    }

    #[test]
    fn a_new_structure_is_proposed_as_named_types() {
        let out = propose_for(vec![json!({"mode": "x", "limits": {"max": 2, "min": 1}})]);
        let ids: Vec<&str> = out.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "Holder.plan:type",
                "HolderPlan:type",
                "HolderPlanLimits:type"
            ]
        );
        assert!(
            out[1].why.contains("Flink 1.20.3 servers"),
            "{}",
            out[1].why
        );
    }
}
