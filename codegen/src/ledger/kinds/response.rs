//! `response`: a status the server answers with, and its body (`None`: Flink's error body); or, at
//! the documented status, a body the docs leave blank.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{moot, AddType, Change, Fitted, Support};
use crate::ledger::evidence::{first_line, infer, infer_body, Seen};
use crate::ledger::propose::Proposer;
use crate::ledger::{ty_of, Entry, Fit};
use crate::model::{Answer, Api};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub endpoint: String,
    pub status: u16,
    #[serde(default)]
    pub schema: Option<Value>,
    /// The server answers so only for a while (right after a job starts, before the JobManager has
    /// fetched its tasks' metrics), so a run may not see it: one that does not neither resolves the
    /// entry nor makes the pair conform to its docs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transient: bool,
}

impl Response {
    pub(super) fn apply(&self, api: &mut Api, why: &str) -> Fitted {
        let (endpoint, status) = (&self.endpoint, self.status);
        let body = self.schema.as_ref().map(|s| ty_of(s, api)).transpose()?;
        let Some(op) = api.operations.iter_mut().find(|o| &o.key == endpoint) else {
            return moot(format_args!("endpoint {endpoint}"));
        };
        if status == op.status {
            if op.response == body {
                return Ok(Fit::Redundant(format!(
                    "the docs give {endpoint} {status} this body"
                )));
            }
            op.response = body;
        } else {
            op.answers.retain(|a| a.status != status);
            op.answers.push(Answer {
                status,
                body,
                why: why.to_string(),
            });
            op.answers.sort_by_key(|a| a.status);
        }
        Ok(Fit::Applied)
    }

    /// Borne out where the pair answered with the status.
    pub(super) fn support(&self, s: &Support) -> BTreeSet<Seen> {
        let key = (self.endpoint.clone(), self.status);
        let list = s.obs.statuses.get(&key).into_iter().flatten();
        s.pick(list.map(|(seen, _)| seen))
    }

    /// Statuses the docs and the ledger do not name (with the body inferred, or Flink's error body),
    /// and bodies the docs leave blank (with the types they hold).
    pub(super) fn propose(p: &Proposer) -> Vec<Entry> {
        let mut out = Vec::new();
        for ((endpoint, status), seen) in &p.obs.statuses {
            out.extend(Self::propose_status(p, endpoint, *status, seen));
        }
        for (endpoint, seen) in &p.obs.blank_bodies {
            out.extend(Self::propose_body(p, endpoint, seen));
        }
        out
    }

    fn propose_status(
        p: &Proposer,
        endpoint: &str,
        status: u16,
        seen: &[(Seen, Option<Value>)],
    ) -> Option<Entry> {
        let op = p.documented.operations.iter().find(|o| o.key == endpoint)?;
        let named = status == op.status
            || p.ledger.entries.iter().any(|(_, e)| {
                matches!(&e.change, Change::Response(c) if c.endpoint == endpoint && c.status == status)
            });
        if named {
            return None;
        }
        let set: BTreeSet<Seen> = seen.iter().map(|(s, _)| s.clone()).collect();
        let bodies = || seen.iter().filter_map(|(_, b)| b.as_ref());
        let is_error =
            bodies().count() == seen.len() && bodies().all(|b| b.get("errors").is_some());
        let first_error = (bodies())
            .find_map(|b| b.get("errors")?.get(0)?.as_str().map(first_line))
            .unwrap_or_default();
        let documented = op.status;
        let schema = (!is_error).then(|| infer(&bodies().cloned().collect::<Vec<_>>()));
        Some(p.proposal(
            format!("{endpoint}:{status}"),
            vec![endpoint.to_string()],
            (json!(documented), json!(status)),
            &set,
            |who| match is_error {
                true => format!("{who} answer {status}: {first_error}"),
                false => format!("{who} answer {status}, not {documented}."),
            },
            Change::Response(Response {
                endpoint: endpoint.to_string(),
                status,
                schema,
                transient: false,
            }),
        ))
    }

    fn propose_body(p: &Proposer, endpoint: &str, seen: &[(Seen, Value)]) -> Vec<Entry> {
        let Some(op) = p.documented.operations.iter().find(|o| o.key == endpoint) else {
            return Vec::new();
        };
        let set: BTreeSet<Seen> = seen.iter().map(|(s, _)| s.clone()).collect();
        let bodies: Vec<Value> = seen.iter().map(|(_, b)| b.clone()).collect();
        let documented = (op.response.as_ref())
            .map_or(json!("no body documented"), crate::openapi::ty_schema_value);
        let (types, schema) = infer_body(&op.name, &bodies);
        let (schema, types) = p.reuse(schema, types);
        let mut out: Vec<Entry> = (types.into_iter())
            .filter(|(name, _)| !p.defines(name))
            .map(|(name, schema)| Entry {
                id: format!("{name}:type"),
                endpoints: vec![endpoint.to_string()],
                documented: documented.clone(),
                observed: schema.clone(),
                why: format!("The body {endpoint} sends; the docs give none."),
                since: None,
                until: None,
                evidence: crate::ledger::evidence::cite(&set),
                change: Change::AddType(AddType { name, schema }),
            })
            .collect();
        out.push(p.proposal(
            format!("{endpoint}:body"),
            vec![endpoint.to_string()],
            (documented, schema.clone()),
            &set,
            |who| format!("{who} answer {endpoint} with a JSON body; the docs give none."),
            Change::Response(Response {
                endpoint: endpoint.to_string(),
                status: op.status,
                schema: Some(schema),
                transient: false,
            }),
        ));
        out
    }
}
