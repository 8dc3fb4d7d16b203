//! `field-type`: a documented field has another type.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{doc_ty, field_mut, missing, Fitted, Support};
use crate::ledger::evidence::{admits, infer, short, FieldObs, Seen};
use crate::ledger::propose::Proposer;
use crate::ledger::{ty_of, Entry, Fit};
use crate::model::{Api, Ty};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldType {
    pub r#type: String,
    pub field: String,
    pub schema: Value,
}

impl FieldType {
    pub(super) fn apply(&self, api: &mut Api) -> Fitted {
        let (ty, field) = (&self.r#type, &self.field);
        let new = ty_of(&self.schema, api)?;
        let Some(f) = field_mut(api, ty, field)? else {
            return missing(api, ty, field);
        };
        if f.ty == new {
            return Ok(Fit::Redundant(format!("the docs type {ty}.{field} so")));
        }
        f.ty = new;
        Ok(Fit::Applied)
    }

    /// Borne out by each value its version's docs do not admit; where they leave the type open
    /// (`any`), by every value sent.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        let (ty, field) = (&self.r#type, &self.field);
        s.samples_where(ty, field, |seen, v| {
            let docs = s.apis.docs_of(&seen.version);
            match doc_ty(docs, ty, field) {
                Some(Ty::Any) => true,
                Some(documented) => !admits(docs, &documented, v),
                None => false,
            }
        })
    }

    /// Values the field's type does not admit: the type they have (unless an `add-field` entry of
    /// the field was revised instead). And a field the docs leave as `any` that every server sends as a
    /// string (ids, mostly): a string.
    pub(super) fn propose(
        p: &Proposer,
        ty: &str,
        field: &str,
        rec: &FieldObs,
        revised: bool,
    ) -> Vec<Entry> {
        let change = |schema: Value| {
            super::Change::FieldType(FieldType {
                r#type: ty.to_string(),
                field: field.to_string(),
                schema,
            })
        };
        let id = format!("{ty}.{field}:type");
        let mut out = Vec::new();
        if !rec.misfits.is_empty() && !revised {
            let seen: BTreeSet<Seen> = rec.misfits.iter().map(|(s, _)| s.clone()).collect();
            let schema = infer(&rec.values());
            let sample = short(&rec.misfits[0].1);
            out.push(p.proposal(
                id.clone(),
                p.endpoints(ty),
                (p.doc_field(ty, field), schema.clone()),
                &seen,
                |who| format!("{who} send `{field}` of {ty} as {sample}, not as the docs type it."),
                change(schema),
            ));
        }
        let doc_any = matches!(doc_ty(p.documented, ty, field), Some(Ty::Any));
        let typed = (p.ledger.entries.iter())
            .any(|(_, e)| matches!(&e.change, super::Change::FieldType(c) if c.r#type == ty && c.field == field));
        let strings = !rec.samples.is_empty() && rec.samples.iter().all(|(_, v)| v.is_string());
        if doc_any && !typed && strings {
            let seen: BTreeSet<Seen> = rec.samples.iter().map(|(s, _)| s.clone()).collect();
            out.push(p.proposal(
                id,
                p.endpoints(ty),
                (json!({}), json!({"type": "string"})),
                &seen,
                |who| {
                    format!("The docs type `{field}` of {ty} as `any`; {who} always send a string.")
                },
                change(json!({"type": "string"})),
            ));
        }
        out
    }
}
