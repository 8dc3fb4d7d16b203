//! `one-of`: a struct is exactly one of these field sets at a time (Flink checks it when it builds
//! one: an operation's result is its payload or its failure). Variants are tried in order, so one
//! whose fields another's include comes first.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{moot, struct_mut, Fitted, Support};
use crate::ledger::evidence::Seen;
use crate::ledger::Fit;
use crate::model::{Api, Variant};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OneOf {
    pub r#type: String,
    pub variants: Vec<Variant>,
}

impl OneOf {
    pub(super) fn apply(&self, api: &mut Api) -> Fitted {
        let (ty, variants) = (&self.r#type, &self.variants);
        let Some(def) = struct_mut(api, ty)? else {
            return moot(format_args!("type {ty}"));
        };
        if variants.len() < 2 {
            return Err(format!("{ty}: a one-of needs two variants or more"));
        }
        let names: BTreeSet<&str> = variants.iter().map(|v| v.name.as_str()).collect();
        if names.len() < variants.len() || names.iter().any(|n| !n.starts_with(char::is_uppercase))
        {
            return Err(format!(
                "{ty}: a one-of's variants need distinct UpperCamelCase names"
            ));
        }
        for v in variants {
            let unknown = (v.fields.iter()).find(|f| !def.fields.iter().any(|d| d.name == **f));
            if let Some(f) = unknown {
                return Err(format!("{ty} has no field {f} (variant {})", v.name));
            }
        }
        def.one_of = variants.to_vec();
        Ok(Fit::Applied)
    }

    /// Borne out where values of the type carried a variant's fields.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        (self.variants.iter())
            .flat_map(|v| &v.fields)
            .filter_map(|f| s.field(&self.r#type, f))
            .flat_map(|r| s.pick(&r.present))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::tests::api;
    use crate::model::{Field, Ty, TypeDef};

    fn one_of(ty: &str, variants: &[Variant]) -> OneOf {
        OneOf {
            r#type: ty.into(),
            variants: variants.to_vec(),
        }
    }

    #[test]
    fn a_one_of_names_existing_fields_under_distinct_names() {
        let variant = |name: &str, fields: &[&str]| crate::model::Variant {
            name: name.into(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
        };
        let mut docs = api("1.20-documented", &[]);
        if let Some(TypeDef::Struct(t)) = docs.types.get_mut("T") {
            t.fields.push(Field::new("b", Ty::String, None));
        }
        let ok = [variant("Done", &["a"]), variant("Failed", &["b"])];
        assert_eq!(one_of("T", &ok).apply(&mut docs), Ok(Fit::Applied));
        let Some(TypeDef::Struct(t)) = docs.types.get("T") else {
            panic!("T is a struct")
        };
        assert_eq!(t.one_of, ok);
        for (bad, why) in [
            (
                vec![variant("Done", &["a"]), variant("Done", &["b"])],
                "distinct",
            ),
            (
                vec![variant("Done", &["a"]), variant("Failed", &["c"])],
                "no field c",
            ),
            (vec![variant("Done", &["a"])], "two variants"),
        ] {
            let err = one_of("T", &bad).apply(&mut docs).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
        assert!(matches!(
            one_of("U", &ok).apply(&mut docs),
            Ok(Fit::Moot(_))
        ));
    }
}
