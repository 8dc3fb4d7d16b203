//! `nullable`: a documented field may be `null`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{field_mut, missing, Fitted, Support};
use crate::ledger::evidence::{FieldObs, Seen};
use crate::ledger::propose::Proposer;
use crate::ledger::{Entry, Fit};
use crate::model::Api;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Nullable {
    pub r#type: String,
    pub field: String,
}

impl Nullable {
    pub(super) fn apply(&self, api: &mut Api) -> Fitted {
        let Some(f) = field_mut(api, &self.r#type, &self.field)? else {
            return missing(api, &self.r#type, &self.field);
        };
        f.nullable = true;
        Ok(Fit::Applied)
    }

    /// Borne out where the field was sent as null.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        (s.field(&self.r#type, &self.field)).map_or_else(BTreeSet::new, |r| s.pick(&r.null))
    }

    pub(super) fn propose(p: &Proposer, ty: &str, field: &str, rec: &FieldObs) -> Option<Entry> {
        (!rec.null.is_empty()).then(|| {
            p.proposal(
                format!("{ty}.{field}:nullable"),
                p.endpoints(ty),
                (p.doc_field(ty, field), json!("null")),
                &rec.null,
                |who| {
                    format!("{who} send `{field}` of {ty} as null; the docs do not say it may be.")
                },
                super::Change::Nullable(Nullable {
                    r#type: ty.to_string(),
                    field: field.to_string(),
                }),
            )
        })
    }
}
