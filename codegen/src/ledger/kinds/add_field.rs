//! `add-field`: a field the docs do not list.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{moot, struct_mut, Change, Fitted, Support};
use crate::ledger::evidence::{cite, FieldObs, Seen};
use crate::ledger::propose::Proposer;
use crate::ledger::{ty_of, Entry, Fit};
use crate::model::{Api, Field};
use crate::naming::rust_field_name;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddField {
    pub r#type: String,
    pub field: String,
    pub schema: Value,
}

impl AddField {
    pub(super) fn apply(&self, api: &mut Api, why: &str) -> Fitted {
        let (ty, field) = (&self.r#type, &self.field);
        let new = ty_of(&self.schema, api)?;
        let Some(def) = struct_mut(api, ty)? else {
            return moot(format_args!("type {ty}"));
        };
        if let Some(f) = def.fields.iter_mut().find(|f| &f.name == field) {
            // The docs list it; the ledger's type wins where it admits more (a double where the docs
            // say number, anything where they say "any"): that is what servers send.
            if f.ty != new && crate::union::wider(&f.ty, &new).as_ref() == Some(&new) {
                f.ty = new;
                return Ok(Fit::Applied);
            }
            return Ok(Fit::Redundant(format!("the docs list {ty}.{field}")));
        }
        let mut rust_name = rust_field_name(field);
        while def.fields.iter().any(|f| f.rust_name == rust_name) {
            rust_name.push_str("_2");
        }
        def.fields.push(Field {
            rust_name,
            ..Field::new(field, new, Some(why.to_string()))
        });
        Ok(Fit::Applied)
    }

    /// Borne out wherever the field was sent, null or not.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        (s.field(&self.r#type, &self.field))
            .map_or_else(BTreeSet::new, |r| s.pick(r.present.union(&r.null)))
    }

    /// A field the API does not have: added with the schema its values show (and the types that
    /// names).
    pub(super) fn propose(p: &Proposer, ty: &str, field: &str, rec: &FieldObs) -> Vec<Entry> {
        let everywhere: BTreeSet<Seen> = rec.present.union(&rec.null).cloned().collect();
        let (schema, mut out) = p.schema_of(ty, field, rec, &everywhere);
        out.push(p.proposal(
            format!("{ty}.{field}:add"),
            p.endpoints(ty),
            (json!("not documented"), schema.clone()),
            &everywhere,
            |who| format!("{who} send `{field}` in {ty}; the docs do not list it."),
            Change::AddField(AddField {
                r#type: ty.to_string(),
                field: field.to_string(),
                schema,
            }),
        ));
        out
    }

    /// A field the ledger added with a schema its values outgrew: the same entry, revised.
    pub(super) fn revise(p: &Proposer, ty: &str, field: &str, rec: &FieldObs) -> Vec<Entry> {
        if rec.misfits.is_empty() {
            return Vec::new();
        }
        let added = (p.ledger.entries.iter()).find(
            |(_, e)| matches!(&e.change, Change::AddField(c) if c.r#type == ty && c.field == field),
        );
        let Some((_, entry)) = added else {
            return Vec::new();
        };
        let seen = rec.misfits.iter().map(|(s, _)| s.clone()).collect();
        let (schema, mut out) = p.schema_of(ty, field, rec, &seen);
        let mut revised = entry.clone();
        revised.observed = schema.clone();
        revised.change = Change::AddField(AddField {
            r#type: ty.to_string(),
            field: field.to_string(),
            schema,
        });
        revised.evidence = cite(&seen);
        out.push(revised);
        out
    }
}
