//! `field-type`: a documented field has another type.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{doc_ty, field_mut, missing, Fitted, Support};
use crate::ledger::evidence::{admits, short, FieldObs, Seen};
use crate::ledger::propose::Proposer;
use crate::ledger::{ty_of, Entry, Fit};
use crate::model::{Api, Ty, Width};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// (`any`, or a list or map of it), by every value sent.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        let (ty, field) = (&self.r#type, &self.field);
        s.samples_where(ty, field, |seen, v| {
            let docs = s.apis.docs_of(&seen.version);
            match doc_ty(docs, ty, field) {
                Some(open) if open.contains_any() => true,
                // The docs leave an integer's width open: values past 32 bits bear out a `long`.
                Some(documented) if documented.width_unsaid() => needs_64_bits(v),
                Some(documented) => !admits(docs, &documented, v),
                // A type only the ledger defines: its fields are what servers send.
                None => !docs.types.contains_key(ty),
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
            let (schema, types) = p.schema_of(ty, field, rec, &seen);
            let sample = short(&rec.misfits[0].1);
            out.extend(types);
            out.push(p.proposal(
                id.clone(),
                p.endpoints(ty),
                (p.doc_field(ty, field), schema.clone()),
                &seen,
                |who| format!("{who} send `{field}` of {ty} as {sample}, not as the docs type it."),
                change(schema),
            ));
        }
        let settled = (p.ledger.entries.iter()).any(|(_, e)| {
            e.change.field() == Some((ty, field))
                && matches!(
                    e.change,
                    super::Change::FieldType(_) | super::Change::FreeForm(_)
                )
        });
        // An integer of no known width that servers send past 32 bits: a `long`.
        let declared = rec.declared.as_ref();
        let wide: BTreeSet<Seen> = (rec.all_values())
            .filter(|(_, v)| needs_64_bits(v))
            .map(|(s, _)| s.clone())
            .collect();
        if let Some(unsaid) = declared.filter(|d| d.width_unsaid() && !settled && !wide.is_empty())
        {
            let schema = width_schema(unsaid, Width::Int64);
            out.push(p.proposal(
                id.clone(),
                p.endpoints(ty),
                (p.doc_field(ty, field), schema.clone()),
                &wide,
                |who| {
                    format!(
                        "Flink's OpenAPI rendering of the docs does not say how wide `{field}` of {ty} \
                         is; {who} send it past 32 bits: a Java long."
                    )
                },
                change(schema),
            ));
        }
        // A field left open (`any`, or a map or list of it) by the docs or by the ledger's own type.
        let open = declared.is_some_and(Ty::contains_any);
        if !open || settled || rec.all_values().next().is_none() {
            return out;
        }
        let seen: BTreeSet<Seen> = rec.all_values().map(|(s, _)| s.clone()).collect();
        if rec.declared == Some(Ty::Any) && rec.all_values().all(|(_, v)| v.is_string()) {
            let sent = match rec.samples.is_empty() {
                true => "take it as a string in requests",
                false => "always send a string",
            };
            out.push(p.proposal(
                id,
                p.endpoints(ty),
                (json!({}), json!({"type": "string"})),
                &seen,
                |who| format!("The docs type `{field}` of {ty} as `any`; {who} {sent}."),
                change(json!({"type": "string"})),
            ));
        } else if rec
            .samples
            .iter()
            .all(|(_, v)| v.is_object() || v.is_array())
        {
            // A structure left open: typed as what servers send, its records named; unless nothing in
            // it has a type yet (empty lists and maps only).
            let (schema, types) = p.schema_of(ty, field, rec, &seen);
            if crate::ledger::ty_of(&schema, p.documented).is_ok_and(|t| t.contains_any()) {
                return out;
            }
            out.extend(types);
            out.push(p.proposal(
                id,
                p.endpoints(ty),
                (json!({}), schema.clone()),
                &seen,
                |who| {
                    format!("The docs type `{field}` of {ty} as `any`; {who} send this structure.")
                },
                change(schema),
            ));
        }
        out
    }
}

/// Whether a value is, or holds, an integer a Java `int` cannot hold.
fn needs_64_bits(v: &Value) -> bool {
    match v {
        Value::Number(n) => (n.is_i64() || n.is_u64()) && !Width::Int32.holds(v),
        Value::Array(items) => items.iter().any(needs_64_bits),
        Value::Object(map) => map.values().any(needs_64_bits),
        _ => false,
    }
}

/// The ledger schema of an integer (or a list or map of them) of no known width, as `width`.
fn width_schema(ty: &Ty, width: Width) -> Value {
    match ty {
        Ty::Array(items) => json!({"type": "array", "items": width_schema(items, width)}),
        Ty::Map(values) => {
            json!({"type": "object", "additionalProperties": width_schema(values, width)})
        }
        _ => json!({"type": "integer", "format": width.format()}),
    }
}
