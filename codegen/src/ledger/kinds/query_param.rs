//! `query-param`: a query parameter servers take that the docs do not list. `type`: `string`,
//! `boolean`, `integer` (positive), `long`, or `list` (comma-separated strings).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{moot, Change, Fitted, Support};
use crate::ledger::evidence::Seen;
use crate::ledger::propose::Proposer;
use crate::ledger::{Entry, Fit};
use crate::model::{Api, Param, ParamTy};
use crate::naming::rust_field_name;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryParam {
    pub endpoint: String,
    pub name: String,
    pub r#type: String,
    pub description: String,
}

impl QueryParam {
    pub(super) fn apply(&self, api: &mut Api, why: &str) -> Fitted {
        let (endpoint, name) = (&self.endpoint, &self.name);
        let ty = match self.r#type.as_str() {
            "string" => ParamTy::String,
            "boolean" => ParamTy::Boolean,
            "integer" => ParamTy::PositiveInteger,
            "long" => ParamTy::Long,
            "list" => ParamTy::List(Box::new(ParamTy::String)),
            other => return Err(format!("unknown parameter type {other:?}")),
        };
        let Some(op) = api.operations.iter_mut().find(|o| &o.key == endpoint) else {
            return moot(format_args!("endpoint {endpoint}"));
        };
        if op.query_params.iter().any(|p| &p.name == name) {
            return Ok(Fit::Redundant(format!("the docs list {endpoint} ?{name}")));
        }
        op.query_params.push(Param {
            name: name.clone(),
            rust_name: rust_field_name(name),
            description: format!("{} Not documented: {why}", self.description)
                .trim()
                .to_string(),
            required: false,
            deprecated: false,
            ty,
        });
        Ok(Fit::Applied)
    }

    /// Borne out where a request sent it.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        let key = (self.endpoint.clone(), self.name.clone());
        s.obs
            .query_params
            .get(&key)
            .map_or_else(BTreeSet::new, |seen| s.pick(seen))
    }

    /// Parameters requests sent that neither the docs nor the ledger list.
    pub(super) fn propose(p: &Proposer) -> Vec<Entry> {
        let mut out = Vec::new();
        for ((endpoint, name), seen) in &p.obs.query_params {
            let Some(op) = p.documented.operations.iter().find(|o| &o.key == endpoint) else {
                continue;
            };
            let known = op.query_params.iter().any(|q| &q.name == name)
                || p.ledger.entries.iter().any(|(_, e)| {
                    matches!(&e.change, Change::QueryParam(c) if &c.endpoint == endpoint && &c.name == name)
                });
            if known {
                continue;
            }
            out.push(p.proposal(
                format!("{endpoint}?{name}"),
                vec![endpoint.clone()],
                (json!("not documented"), json!(name)),
                seen,
                |who| format!("{who} take the query parameter `{name}`; the docs do not list it."),
                Change::QueryParam(QueryParam {
                    endpoint: endpoint.clone(),
                    name: name.clone(),
                    r#type: "string".into(),
                    description: String::new(),
                }),
            ));
        }
        out
    }
}
