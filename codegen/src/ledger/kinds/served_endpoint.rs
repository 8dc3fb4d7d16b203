//! `served-endpoint`: a pair the version's docs do not list that its server serves, as the docs of
//! Flink `defined_in` (a minor, e.g. `1.15`) define it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Fitted, Support};
use crate::ledger::evidence::Seen;
use crate::ledger::Fit;
use crate::model::Api;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServedEndpoint {
    pub endpoint: String,
    pub defined_in: String,
}

impl ServedEndpoint {
    pub(super) fn apply(&self, api: &mut Api, minors: &[Api], why: &str) -> Fitted {
        let (endpoint, docs) = (&self.endpoint, &self.defined_in);
        if api.operations.iter().any(|o| &o.key == endpoint) {
            return Ok(Fit::Redundant(format!("the docs list {endpoint}")));
        }
        let source = (minors.iter().find(|m| m.minor() == *docs))
            .ok_or_else(|| format!("no docs of Flink {docs}"))?;
        let op = (source.operations.iter().find(|o| &o.key == endpoint))
            .ok_or_else(|| format!("the docs of Flink {docs} do not list {endpoint}"))?;
        let mut op = op.clone();
        op.undocumented = Some(why.to_string());
        crate::model::add_types_of(api, source, &op);
        api.operations.push(op);
        Ok(Fit::Applied)
    }

    /// Borne out where the pair answered with success.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        (s.obs.statuses.iter())
            .filter(|((e, status), _)| e == &self.endpoint && (200..300).contains(status))
            .flat_map(|(_, list)| s.pick(list.iter().map(|(seen, _)| seen)))
            .collect()
    }
}
