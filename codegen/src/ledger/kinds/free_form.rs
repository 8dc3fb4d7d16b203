//! `free-form`: a field whose data has no fixed shape (a job's own configuration, user accumulator
//! values, an internal graph), so it stays JSON (`serde_json::Value` in Rust) on purpose. Every field
//! that is `any` in the union of all versions needs either this or a `field-type` entry: `gen` reports
//! those that have neither ([`crate::ledger::untyped`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{field_mut, missing, Fitted, Support};
use crate::ledger::evidence::Seen;
use crate::ledger::Fit;
use crate::model::Api;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FreeForm {
    pub r#type: String,
    pub field: String,
}

impl FreeForm {
    pub(super) fn apply(&self, api: &mut Api, why: &str) -> Fitted {
        let (ty, field) = (&self.r#type, &self.field);
        let Some(f) = field_mut(api, ty, field)? else {
            return missing(api, ty, field);
        };
        if !f.ty.contains_any() {
            return Ok(Fit::Redundant(format!(
                "{ty}.{field} has a type: {:?}",
                f.ty
            )));
        }
        f.free_form = Some(why.to_string());
        Ok(Fit::Applied)
    }

    /// Borne out wherever objects of the type were seen: a field kept free is a judgement on what
    /// its values are (or that none ever came), so every object with or without one is evidence.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        let rec = s.field(&self.r#type, &self.field);
        rec.map_or_else(BTreeSet::new, |r| {
            s.pick(r.present.iter().chain(&r.null).chain(&r.absent))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::check_typed;
    use crate::ledger::tests::api;
    use crate::model::{Ty, TypeDef};

    #[test]
    fn an_any_field_needs_a_type_or_a_reason_to_stay_free() {
        let mut docs = api("1.20-documented", &[]);
        if let Some(TypeDef::Struct(t)) = docs.types.get_mut("T") {
            t.fields[0].ty = Ty::Map(Box::new(Ty::Any));
        }
        let problems = check_typed(&docs).unwrap_err().to_string();
        assert!(problems.contains("T.a is `any`"), "{problems}");
        let free = FreeForm {
            r#type: "T".into(),
            field: "a".into(),
        };
        assert_eq!(free.apply(&mut docs, "user data"), Ok(Fit::Applied));
        assert!(check_typed(&docs).is_ok());
        let mut typed = api("1.20-documented", &[]);
        assert!(matches!(free.apply(&mut typed, "x"), Ok(Fit::Redundant(_))));
        let gone = FreeForm {
            r#type: "T".into(),
            field: "b".into(),
        };
        assert!(matches!(gone.apply(&mut typed, "x"), Ok(Fit::Moot(_))));
    }
}
