//! The ledger's change kinds, one module each: the shape an entry of that kind has in
//! `schemas/ledger/*.json` (its struct, parsed by serde), how it changes a version's API (`apply`),
//! which recorded answers bear it out (`support`), and, where fixtures can show it, how it is proposed
//! from them (`propose`). [`Change`] only dispatches.

mod add_field;
mod add_type;
mod enum_values;
mod field_type;
mod free_form;
mod map_keys;
mod nullable;
mod one_of;
mod query_param;
mod remove_field;
mod response;
mod served_endpoint;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use add_field::AddField;
pub use add_type::AddType;
pub use enum_values::EnumValues;
pub use field_type::FieldType;
pub use free_form::FreeForm;
pub use map_keys::MapKeys;
pub use nullable::Nullable;
pub use one_of::OneOf;
pub use query_param::QueryParam;
pub use remove_field::RemoveField;
pub use response::Response;
pub use served_endpoint::ServedEndpoint;

use super::evidence::{FieldObs, Observations, Seen};
use super::propose::Proposer;
use super::{Entry, Fit};
use crate::model::{Api, Field, StructDef, Ty, TypeDef};
use crate::Apis;

/// What an entry changes. Schemas are in the docs' own (draft-3, Jackson) dialect, plus
/// `"type": "double"`: a Java double as Jackson writes it (a number, or `"NaN"`, `"Infinity"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    FieldType(FieldType),
    MapKeys(MapKeys),
    Nullable(Nullable),
    AddField(AddField),
    RemoveField(RemoveField),
    EnumValues(EnumValues),
    AddType(AddType),
    QueryParam(QueryParam),
    ServedEndpoint(ServedEndpoint),
    OneOf(OneOf),
    Response(Response),
    FreeForm(FreeForm),
}

/// How an entry fit one version's API, or why it cannot apply at all.
pub(super) type Fitted = Result<Fit, String>;

/// What an entry's change needs besides the API it changes.
pub(super) struct Applying<'a> {
    /// The version's docs as written (what "redundant" is measured against).
    pub docs: &'a Api,
    /// Every minor's documented API (where a served endpoint finds its definition).
    pub minors: &'a [Api],
    pub why: &'a str,
}

impl Change {
    /// Makes the change to `api`; how it fit.
    pub(super) fn apply(&self, api: &mut Api, cx: &Applying) -> Fitted {
        match self {
            Change::FieldType(c) => c.apply(api),
            Change::MapKeys(c) => c.apply(api),
            Change::Nullable(c) => c.apply(api),
            Change::AddField(c) => c.apply(api, cx.why),
            Change::RemoveField(c) => c.apply(api),
            Change::EnumValues(c) => c.apply(api),
            Change::AddType(c) => c.apply(api, cx.docs),
            Change::QueryParam(c) => c.apply(api, cx.why),
            Change::ServedEndpoint(c) => c.apply(api, cx.minors, cx.why),
            Change::OneOf(c) => c.apply(api),
            Change::Response(c) => c.apply(api, cx.why),
            Change::FreeForm(c) => c.apply(api, cx.why),
        }
    }

    /// The observations that bear the change out, in the versions `s` keeps.
    fn support(&self, s: &Support) -> BTreeSet<Seen> {
        match self {
            Change::FieldType(c) => c.support(s),
            Change::MapKeys(c) => c.support(s),
            Change::Nullable(c) => c.support(s),
            Change::AddField(c) => c.support(s),
            Change::RemoveField(c) => c.support(s),
            Change::EnumValues(c) => c.support(s),
            Change::AddType(c) => c.support(s),
            Change::QueryParam(c) => c.support(s),
            Change::ServedEndpoint(c) => c.support(s),
            Change::OneOf(c) => c.support(s),
            Change::Response(c) => c.support(s),
            Change::FreeForm(c) => c.support(s),
        }
    }

    /// The schema it carries, if any.
    fn schema(&self) -> Option<&Value> {
        match self {
            Change::FieldType(c) => Some(&c.schema),
            Change::AddField(c) => Some(&c.schema),
            Change::AddType(c) => Some(&c.schema),
            Change::Response(c) => c.schema.as_ref(),
            _ => None,
        }
    }

    /// The type names its schemas refer to (`$ref`).
    pub(super) fn refs(&self, out: &mut Vec<String>) {
        if let Some(schema) = self.schema() {
            crate::docs::each_ref(schema, &mut |name| out.push(name.to_string()));
        }
    }

    /// Whether a run may see what it describes or not, by timing alone: a field null only while an
    /// operation is in progress (a poll may land after it), an answer a server gives only for a while
    /// (a `transient` response). A run that misses it neither resolves the entry nor makes the pairs
    /// it names conform to their docs.
    pub fn timing_dependent(&self) -> bool {
        match self {
            Change::Nullable(_) => true,
            Change::Response(r) => r.transient,
            _ => false,
        }
    }

    /// Whether it is about a field of a struct: (type, field).
    pub fn field(&self) -> Option<(&str, &str)> {
        match self {
            Change::FieldType(FieldType { r#type, field, .. })
            | Change::MapKeys(MapKeys { r#type, field, .. })
            | Change::Nullable(Nullable { r#type, field })
            | Change::AddField(AddField { r#type, field, .. })
            | Change::RemoveField(RemoveField { r#type, field })
            | Change::FreeForm(FreeForm { r#type, field }) => Some((r#type, field)),
            _ => None,
        }
    }
}

/// The observations (of `versions` where the entry holds) that bear an entry out; none: it is
/// resolved. Each observation's version's own docs tell a type change from a value the docs admit.
pub fn support(
    entry: &Entry,
    apis: &Apis,
    obs: &Observations,
    versions: &BTreeSet<String>,
) -> BTreeSet<Seen> {
    entry.change.support(&Support {
        entry,
        apis,
        obs,
        versions,
    })
}

/// Whether anything still bears the entry out (see [`support`]).
pub fn supported(
    entry: &Entry,
    apis: &Apis,
    obs: &Observations,
    versions: &BTreeSet<String>,
) -> bool {
    !support(entry, apis, obs, versions).is_empty()
}

/// What a kind's `support` looks at.
pub(super) struct Support<'a> {
    entry: &'a Entry,
    apis: &'a Apis,
    obs: &'a Observations,
    versions: &'a BTreeSet<String>,
}

impl Support<'_> {
    /// Whether an observation counts: a version asked about, where the entry holds.
    fn keeps(&self, s: &Seen) -> bool {
        self.versions.contains(&s.version) && self.entry.holds_for(&s.version)
    }

    fn pick<'s>(&self, seen: impl IntoIterator<Item = &'s Seen>) -> BTreeSet<Seen> {
        seen.into_iter()
            .filter(|s| self.keeps(s))
            .cloned()
            .collect()
    }

    fn field(&self, ty: &str, field: &str) -> Option<&FieldObs> {
        self.obs.fields.get(&(ty.to_string(), field.to_string()))
    }

    /// Where the field was sent (in an answer, or in a request a server accepted) with a value `test`
    /// accepts.
    fn samples_where(
        &self,
        ty: &str,
        field: &str,
        test: impl Fn(&Seen, &Value) -> bool,
    ) -> BTreeSet<Seen> {
        let values = self
            .field(ty, field)
            .into_iter()
            .flat_map(|r| r.all_values());
        values
            .filter(|(s, v)| self.keeps(s) && test(s, v))
            .map(|(s, _)| s.clone())
            .collect()
    }
}

/// Entries for what one field's record shows and the ledger does not explain, each kind's proposal in
/// turn.
pub(super) fn propose_for_field(p: &Proposer, ty: &str, field: &str, rec: &FieldObs) -> Vec<Entry> {
    if p.obs.extra.contains(&(ty.to_string(), field.to_string())) {
        return AddField::propose(p, ty, field, rec);
    }
    let mut out = AddField::revise(p, ty, field, rec);
    out.extend(FieldType::propose(p, ty, field, rec, !out.is_empty()));
    out.extend(Nullable::propose(p, ty, field, rec));
    out.extend(RemoveField::propose(p, ty, field, rec));
    out
}

/// Proposals for the other things observations hold: enum values, query parameters, statuses, bodies.
pub(super) fn propose_rest(p: &Proposer) -> Vec<Entry> {
    let mut out = EnumValues::propose(p);
    out.extend(QueryParam::propose(p));
    out.extend(Response::propose(p));
    out
}

// Shared by the kinds that change a struct or its fields.

fn moot(what: impl std::fmt::Display) -> Fitted {
    Ok(Fit::Moot(format!("the docs have no {what}")))
}

/// Moot: the docs lack the type, or the field of it.
fn missing(api: &Api, ty: &str, field: &str) -> Fitted {
    if api.types.contains_key(ty) {
        moot(format_args!("field {ty}.{field}"))
    } else {
        moot(format_args!("type {ty}"))
    }
}

fn struct_mut<'a>(api: &'a mut Api, name: &str) -> Result<Option<&'a mut StructDef>, String> {
    match api.types.get_mut(name) {
        Some(TypeDef::Struct(s)) => Ok(Some(s)),
        Some(TypeDef::Enum(_)) => Err(format!("{name} is an enum, not a struct")),
        None => Ok(None),
    }
}

/// The field, `None` where the docs have no such type or field.
pub(super) fn field_mut<'a>(
    api: &'a mut Api,
    ty: &str,
    field: &str,
) -> Result<Option<&'a mut Field>, String> {
    Ok(struct_mut(api, ty)?.and_then(|def| def.fields.iter_mut().find(|f| f.name == field)))
}

/// The type the docs give a struct field.
fn doc_ty(documented: &Api, ty: &str, field: &str) -> Option<Ty> {
    match documented.types.get(ty) {
        Some(TypeDef::Struct(s)) => {
            (s.fields.iter().find(|f| f.name == field)).map(|f| f.ty.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_its_kind_and_nothing_else() {
        let parse = |v: Value| serde_json::from_value::<Change>(v).map_err(|e| e.to_string());
        let nullable = serde_json::json!({"kind": "nullable", "type": "T", "field": "f"});
        assert_eq!(
            parse(nullable.clone()),
            Ok(Change::Nullable(Nullable {
                r#type: "T".into(),
                field: "f".into()
            }))
        );
        let mut extra = nullable;
        extra["schema"] = serde_json::json!({"type": "string"});
        assert!(parse(extra).unwrap_err().contains("schema"));
        let unknown = serde_json::json!({"kind": "rename-field", "type": "T"});
        assert!(parse(unknown).unwrap_err().contains("rename-field"));
        let change = Change::OneOf(OneOf {
            r#type: "T".into(),
            variants: Vec::new(),
        });
        let text = serde_json::to_value(&change).unwrap();
        assert_eq!(text["kind"], "one-of");
        assert_eq!(parse(text), Ok(change));
    }
}
