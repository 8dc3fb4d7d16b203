//! `map-keys`: the keys of a documented map field are the values of an enum.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{field_mut, missing, Fitted, Support};
use crate::ledger::evidence::Seen;
use crate::ledger::Fit;
use crate::model::{Api, Ty, TypeDef};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MapKeys {
    pub r#type: String,
    pub field: String,
    pub r#enum: String,
}

impl MapKeys {
    pub(super) fn apply(&self, api: &mut Api) -> Fitted {
        let (ty, field, key) = (&self.r#type, &self.field, &self.r#enum);
        if !matches!(api.types.get(key), Some(TypeDef::Enum(_))) {
            return Err(format!("no enum {key}"));
        }
        let Some(f) = field_mut(api, ty, field)? else {
            return missing(api, ty, field);
        };
        match &f.ty {
            Ty::Map(value) => {
                f.ty = Ty::KeyedMap {
                    key: key.to_string(),
                    value: value.clone(),
                };
                Ok(Fit::Applied)
            }
            Ty::KeyedMap { key: k, .. } if k == key => Ok(Fit::Redundant(format!(
                "the docs key {ty}.{field} by {key}"
            ))),
            other => Err(format!("{ty}.{field} is {other:?}, not a map")),
        }
    }

    /// Borne out where the map was seen with keys.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        s.samples_where(&self.r#type, &self.field, |_, v| {
            v.as_object().is_some_and(|m| !m.is_empty())
        })
    }
}
