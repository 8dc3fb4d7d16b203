//! Proposing entries from observations: the driver, and what every kind's proposer shares. What each
//! kind proposes is in its own module ([`super::kinds`]).

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::evidence::{cite, range, range_text, versions_of, Observations, Seen};
use super::kinds::{self, Change};
use super::{Entry, Ledger};
use crate::model::{Api, TypeDef};

/// What proposers look at.
pub struct Proposer<'a> {
    /// Every source's docs at once (`Apis::docs`): what an entry quotes as documented.
    pub documented: &'a Api,
    pub ledger: &'a Ledger,
    pub obs: &'a Observations,
}

/// Entries for what `obs` shows and the ledger does not explain. Observations were made against the
/// corrected APIs, so what they flag is what no version's correction explains yet. Known ids come back
/// only as revisions (a changed change); sorted by id.
pub fn propose(documented: &Api, ledger: &Ledger, obs: &Observations) -> Vec<Entry> {
    let p = Proposer {
        documented,
        ledger,
        obs,
    };
    let mut out = Vec::new();
    for ((ty, field), rec) in &obs.fields {
        out.extend(kinds::propose_for_field(&p, ty, field, rec));
    }
    out.extend(kinds::propose_rest(&p));
    out.retain(|e| {
        (ledger.entries.iter())
            .find(|(_, k)| k.id == e.id)
            .is_none_or(|(_, k)| k.change != e.change)
    });
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

impl Proposer<'_> {
    /// An entry for what was seen where `seen` says: its versions make since / until, its first
    /// fixtures the evidence, and `why` gets who sends it ("Flink 1.19.3 to 2.3.0 servers").
    pub fn proposal(
        &self,
        id: String,
        endpoints: Vec<String>,
        (documented, observed): (Value, Value),
        seen: &BTreeSet<Seen>,
        why: impl FnOnce(&str) -> String,
        change: Change,
    ) -> Entry {
        let all = &self.ledger.versions;
        let (since, until) = range(all, &versions_of(seen));
        Entry {
            id,
            endpoints,
            documented,
            observed,
            why: why(&range_text(&since, &until, all)),
            since,
            until,
            evidence: cite(seen),
            change,
        }
    }

    /// The endpoints objects of `ty` were seen under.
    pub fn endpoints(&self, ty: &str) -> Vec<String> {
        (self.obs.endpoints_of.get(ty)).map_or_else(Vec::new, |s| s.iter().cloned().collect())
    }

    /// What the docs say of a field, as an entry quotes it.
    pub fn doc_field(&self, ty: &str, field: &str) -> Value {
        let Some(TypeDef::Struct(s)) = self.documented.types.get(ty) else {
            return json!("not documented");
        };
        (s.fields.iter().find(|f| f.name == field))
            .map(|f| crate::openapi::ty_schema_value(&f.ty))
            .unwrap_or(json!("not documented"))
    }

    /// Whether the docs or a ledger entry define the type already.
    pub fn defines(&self, name: &str) -> bool {
        self.documented.types.contains_key(name)
            || (self.ledger.entries.iter())
                .any(|(_, e)| matches!(&e.change, Change::AddType(t) if t.name == name))
    }
}
