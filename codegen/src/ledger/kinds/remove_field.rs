//! `remove-field`: a documented field these versions do not send.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{moot, struct_mut, Fitted, Support};
use crate::ledger::evidence::{versions_of, FieldObs, Seen};
use crate::ledger::propose::Proposer;
use crate::ledger::{Entry, Fit};
use crate::model::Api;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveField {
    pub r#type: String,
    pub field: String,
}

impl RemoveField {
    pub(super) fn apply(&self, api: &mut Api) -> Fitted {
        let (ty, field) = (&self.r#type, &self.field);
        let Some(def) = struct_mut(api, ty)? else {
            return moot(format_args!("type {ty}"));
        };
        let before = def.fields.len();
        def.fields.retain(|f| &f.name != field);
        Ok(if def.fields.len() == before {
            Fit::Redundant(format!("the docs do not list {ty}.{field}"))
        } else {
            Fit::Applied
        })
    }

    /// The corrected API of those versions lacks the field: borne out where objects of the type were
    /// seen in them without it.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        let sent: BTreeSet<String> = (s.field(&self.r#type, &self.field))
            .map(|r| versions_of(&r.present.union(&r.null).cloned().collect()))
            .unwrap_or_default();
        let objects = s.obs.types.get(&self.r#type).into_iter().flatten();
        s.pick(objects.filter(|seen| !sent.contains(&seen.version)))
    }

    /// A field of the version's API that some version never sends (though others do).
    pub(super) fn propose(p: &Proposer, ty: &str, field: &str, rec: &FieldObs) -> Option<Entry> {
        let sent = versions_of(&rec.present.union(&rec.null).cloned().collect());
        let missing: BTreeSet<Seen> = (rec.absent.iter())
            .filter(|s| !sent.contains(&s.version))
            .cloned()
            .collect();
        (!sent.is_empty() && !missing.is_empty()).then(|| {
            p.proposal(
                format!("{ty}.{field}:removed"),
                p.endpoints(ty),
                (p.doc_field(ty, field), json!("absent")),
                &missing,
                |who| format!("{who} do not send `{field}` in {ty}; other versions do."),
                super::Change::RemoveField(RemoveField {
                    r#type: ty.to_string(),
                    field: field.to_string(),
                }),
            )
        })
    }
}
