//! `enum-values`: values an enum does not document.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{moot, Fitted, Support};
use crate::ledger::evidence::Seen;
use crate::ledger::propose::Proposer;
use crate::ledger::{Entry, Fit};
use crate::model::{Api, EnumDef, TypeDef};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValues {
    pub r#enum: String,
    pub add: Vec<String>,
}

impl EnumValues {
    pub(super) fn apply(&self, api: &mut Api) -> Fitted {
        let name = &self.r#enum;
        let Some(TypeDef::Enum(EnumDef { values, .. })) = api.types.get_mut(name) else {
            return moot(format_args!("enum {name}"));
        };
        let missing: Vec<&String> = self.add.iter().filter(|v| !values.contains(v)).collect();
        if missing.is_empty() {
            return Ok(Fit::Redundant(format!(
                "the docs list these values of {name}"
            )));
        }
        values.extend(missing.into_iter().cloned());
        Ok(Fit::Applied)
    }

    /// Borne out where one of its values was sent.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        (self.add.iter())
            .filter_map(|v| s.obs.enum_all.get(&(self.r#enum.clone(), v.clone())))
            .flat_map(|seen| s.pick(seen))
            .collect()
    }

    /// One entry per enum, with every value seen that it does not have.
    pub(super) fn propose(p: &Proposer) -> Vec<Entry> {
        let mut by_enum: BTreeMap<&str, (Vec<String>, BTreeSet<Seen>)> = BTreeMap::new();
        for ((en, value), seen) in &p.obs.enum_values {
            let slot = by_enum.entry(en).or_default();
            slot.0.push(value.clone());
            slot.1.extend(seen.iter().cloned());
        }
        let mut out = Vec::new();
        for (en, (values, seen)) in by_enum {
            let documented = match p.documented.types.get(en) {
                Some(TypeDef::Enum(e)) => json!(e.values),
                _ => json!([]),
            };
            let listed = values.join(", ");
            let them = if values.len() == 1 { "it" } else { "them" };
            out.push(p.proposal(
                format!("{en}:values"),
                Vec::new(),
                (documented, json!(values)),
                &seen,
                |who| format!("{who} send {listed} as {en}; the docs do not list {them}."),
                super::Change::EnumValues(EnumValues {
                    r#enum: en.to_string(),
                    add: values,
                }),
            ));
        }
        out
    }
}
