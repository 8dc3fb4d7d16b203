//! `add-type`: a type the docs do not define (bodies they leave blank, causes they leave `any`).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Fitted, Support};
use crate::ledger::evidence::Seen;
use crate::ledger::{ty_of, Fit};
use crate::model::{Api, Field, StructDef, TypeDef};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddType {
    pub name: String,
    pub schema: Value,
}

impl AddType {
    /// An empty struct of the name, so that schemas applied before its own entry may refer to it.
    pub(crate) fn declare(&self, api: &mut Api) {
        let name = &self.name;
        api.types.entry(name.clone()).or_insert_with(|| {
            TypeDef::Struct(StructDef {
                name: name.clone(),
                urn: format!("ledger:{name}"),
                one_of: Vec::new(),
                fields: vec![],
            })
        });
    }

    pub(super) fn apply(&self, api: &mut Api, docs: &Api) -> Fitted {
        if docs.types.contains_key(&self.name) {
            return Ok(Fit::Redundant(format!("the docs define {}", self.name)));
        }
        let def = self.struct_def(api)?;
        api.types.insert(self.name.clone(), TypeDef::Struct(def));
        Ok(Fit::Applied)
    }

    fn struct_def(&self, api: &Api) -> Result<StructDef, String> {
        let name = &self.name;
        let props = (self.schema.get("properties").and_then(Value::as_object))
            .ok_or_else(|| format!("type {name} needs \"properties\""))?;
        let mut fields = Vec::new();
        for (wire, prop) in props {
            let ty = ty_of(prop, api).map_err(|m| format!("{name}.{wire}: {m}"))?;
            let doc = (prop.get("description").and_then(Value::as_str)).map(str::to_string);
            fields.push(Field::new(wire, ty, doc));
        }
        Ok(StructDef {
            name: name.clone(),
            urn: format!("ledger:{name}"),
            one_of: Vec::new(),
            fields,
        })
    }

    /// Borne out where an object of the type was seen.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        s.obs
            .types
            .get(&self.name)
            .map_or_else(BTreeSet::new, |seen| s.pick(seen))
    }
}
