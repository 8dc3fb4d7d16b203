//! The crate's API: the union of every version's corrected API, one set of types that decodes them all.
//!
//! A pair, type, field or enum value any version has is in it. A field is required only where every
//! version that has its type sends it; one that only some versions send says since / until which.
//! Where versions type a field differently, the union takes the type that admits both (a number over an
//! integer, a structure over "any"); two structures that differ are a problem to settle in the ledger.

use std::collections::BTreeMap;

use crate::diag::{Location, Problems};
use crate::ledger::Corrected;
use crate::model::{Api, EnumDef, Field, Listed, Operation, StructDef, Ty, TypeDef};

/// `versions`: every version's corrected API, oldest first. `minors`: every minor's documented API,
/// oldest first (which docs list a pair).
pub fn union(versions: &[Corrected], minors: &[Api]) -> Result<Api, Problems> {
    let versions: Vec<(&str, &Api)> = versions
        .iter()
        .map(|c| (c.version.as_str(), &c.api))
        .collect();
    union_of(&versions, minors, Conflicts::Fail)
}

/// What to do where two versions give one field different structures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflicts {
    /// A problem: the ledger must settle it (the corrected APIs, which must decode every version).
    Fail,
    /// The newest version's structure (the docs as written, which simply changed).
    NewestWins,
}

/// [`union`] of any APIs, each named by its version (or docs id), oldest first.
pub fn union_of(
    versions: &[(&str, &Api)],
    minors: &[Api],
    conflicts: Conflicts,
) -> Result<Api, Problems> {
    let mut problems = Problems::default();
    let types = merge_types(versions, minors, conflicts, &mut problems);
    let api = Api {
        variant: "corrected".into(),
        source: versions
            .last()
            .map(|(_, api)| api.source.clone())
            .unwrap_or_default(),
        operations: merge_operations(versions, minors),
        types,
        ids: versions.iter().rev().flat_map(|(_, api)| &api.ids).fold(
            BTreeMap::new(),
            |mut ids, (name, id)| {
                ids.entry(name.clone()).or_insert_with(|| id.clone());
                ids
            },
        ),
    };
    problems.into_result(api)
}

/// Every pair of any version, as the newest defines it, with the query parameters and answers of all.
fn merge_operations(versions: &[(&str, &Api)], minors: &[Api]) -> Vec<Operation> {
    let mut operations: Vec<Operation> = Vec::new();
    for (_, api) in versions.iter().rev() {
        for op in &api.operations {
            match operations.iter_mut().find(|o| o.key == op.key) {
                Some(have) => merge_operation(have, op),
                None => operations.push(op.clone()),
            }
        }
    }
    let listed = documented_range(minors);
    for op in &mut operations {
        (op.since, op.until) = listed.get(op.key.as_str()).cloned().unwrap_or_default();
        (op.served_since, op.served_until) = served_range(&op.key, versions);
        note_param_versions(op, versions);
    }
    operations
}

/// The first and last of `versions` that have the pair, where not the oldest / newest one.
fn served_range(key: &str, versions: &[(&str, &Api)]) -> (Option<String>, Option<String>) {
    let has = |(_, api): &&(&str, &Api)| api.operations.iter().any(|o| o.key == key);
    let first = versions.iter().position(|v| has(&v));
    let last = versions.iter().rposition(|v| has(&v));
    let edge =
        |i: Option<usize>, end: usize| i.filter(|i| *i != end).map(|i| versions[i].0.to_string());
    (edge(first, 0), edge(last, versions.len().saturating_sub(1)))
}

/// Every type of any version: structs merged field by field, enums value by value.
fn merge_types(
    versions: &[(&str, &Api)],
    minors: &[Api],
    conflicts: Conflicts,
    problems: &mut Problems,
) -> BTreeMap<String, TypeDef> {
    let names: Vec<&str> = versions.iter().map(|(v, _)| *v).collect();
    // Every definition of each type, newest first, with the index of its version.
    let mut defs: BTreeMap<&str, Vec<(usize, &TypeDef)>> = BTreeMap::new();
    for (i, (_, api)) in versions.iter().enumerate().rev() {
        for (name, def) in &api.types {
            defs.entry(name).or_default().push((i, def));
        }
    }
    let mut types = BTreeMap::new();
    for (name, defs) in defs {
        let def = match defs[0].1 {
            TypeDef::Enum(_) => {
                let mut e = merge_enum(&defs);
                list_values(&mut e, minors);
                TypeDef::Enum(e)
            }
            TypeDef::Struct(_) => match merge_struct(name, &defs, &names, conflicts) {
                Ok(mut s) => {
                    list_fields(&mut s, minors);
                    TypeDef::Struct(s)
                }
                Err(m) => {
                    problems.push(Location::file(crate::ledger::DIR), m);
                    continue;
                }
            },
        };
        types.insert(name.to_string(), def);
    }
    types
}

/// Sets which minors' docs list each field of `s`.
fn list_fields(s: &mut StructDef, minors: &[Api]) {
    let defs: Vec<(&str, &StructDef)> = minors
        .iter()
        .filter_map(|m| match m.types.get(&s.name) {
            Some(TypeDef::Struct(d)) => Some((m.minor(), d)),
            _ => None,
        })
        .collect();
    let all: Vec<&str> = defs.iter().map(|(minor, _)| *minor).collect();
    for f in &mut s.fields {
        let listing: Vec<&str> = defs
            .iter()
            .filter(|(_, d)| d.fields.iter().any(|g| g.name == f.name))
            .map(|(minor, _)| *minor)
            .collect();
        f.listed = Some(match listing.is_empty() {
            true => Listed::Nowhere,
            false => {
                let (since, until) = span(&listing, &all);
                Listed::Range { since, until }
            }
        });
    }
}

/// Where something that only some of `all` have (`has`, both oldest first) starts and ends, each where
/// that is not where `all` does.
fn span(has: &[&str], all: &[&str]) -> (Option<String>, Option<String>) {
    let since = has.first().filter(|v| all.first() != Some(*v));
    let until = has.last().filter(|v| all.last() != Some(*v));
    (since.map(|v| v.to_string()), until.map(|v| v.to_string()))
}

/// An older version's definition of a pair the union has: its query parameters and answers join.
fn merge_operation(have: &mut Operation, older: &Operation) {
    for p in &older.query_params {
        if !have.query_params.iter().any(|q| q.name == p.name) {
            have.query_params.push(p.clone());
        }
    }
    for a in &older.answers {
        if !have.answers.iter().any(|b| b.status == a.status) {
            have.answers.push(a.clone());
        }
    }
    have.answers.sort_by_key(|a| a.status);
    if have.undocumented.is_none() {
        have.undocumented.clone_from(&older.undocumented);
    }
}

/// A query parameter only some versions that serve the pair accept says which (in its description).
fn note_param_versions(op: &mut Operation, versions: &[(&str, &Api)]) {
    let serving: Vec<(&str, &Operation)> = versions
        .iter()
        .filter_map(|(v, api)| {
            let o = api.operations.iter().find(|o| o.key == op.key)?;
            Some((*v, o))
        })
        .collect();
    for p in &mut op.query_params {
        let taking: Vec<&str> = serving
            .iter()
            .filter(|(_, o)| o.query_params.iter().any(|q| q.name == p.name))
            .map(|(v, _)| *v)
            .collect();
        if taking.len() == serving.len() {
            continue;
        }
        let all: Vec<&str> = serving.iter().map(|(v, _)| *v).collect();
        let range = match span(&taking, &all) {
            (Some(since), Some(until)) => format!("by Flink {since} to {until}"),
            (Some(since), None) => format!("since Flink {since}"),
            (None, Some(until)) => format!("until Flink {until}"),
            // Taken by the first and the last, not by some between: nothing short to say.
            (None, None) => continue,
        };
        let text = p.description.trim_end();
        let stop = match text.is_empty() || text.ends_with(['.', '!', '?']) {
            true => "",
            false => ".",
        };
        p.description = format!("{text}{stop} Accepted {range}.").trim().to_string();
    }
}

/// Pair -> the first and last minor whose docs list it, where that is not the oldest / newest minor.
fn documented_range(minors: &[Api]) -> BTreeMap<&str, (Option<String>, Option<String>)> {
    let all: Vec<&str> = minors.iter().map(Api::minor).collect();
    let mut listed: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for api in minors {
        for op in &api.operations {
            listed.entry(&op.key).or_default().push(api.minor());
        }
    }
    listed
        .into_iter()
        .map(|(key, has)| (key, span(&has, &all)))
        .collect()
}

/// Sets which minors' docs list each value of `e`, where not every minor that has the enum does.
fn list_values(e: &mut EnumDef, minors: &[Api]) {
    let values_in = |m: &Api| match m.types.get(&e.name) {
        Some(TypeDef::Enum(d)) => Some(d.values.clone()),
        _ => None,
    };
    let having: Vec<(&str, Vec<String>)> = (minors.iter())
        .filter_map(|m| Some((m.minor(), values_in(m)?)))
        .collect();
    let all: Vec<&str> = having.iter().map(|(minor, _)| *minor).collect();
    for value in &e.values {
        let has: Vec<&str> = (having.iter())
            .filter(|(_, values)| values.contains(value))
            .map(|(minor, _)| *minor)
            .collect();
        if has.is_empty() {
            continue;
        }
        let range = span(&has, &all);
        if range != (None, None) {
            e.listed.insert(value.clone(), range);
        }
    }
}

fn merge_enum(defs: &[(usize, &TypeDef)]) -> EnumDef {
    let mut out: Option<EnumDef> = None;
    for (_, def) in defs {
        let TypeDef::Enum(e) = def else { continue };
        let Some(have) = &mut out else {
            out = Some(e.clone());
            continue;
        };
        for v in &e.values {
            if !have.values.contains(v) {
                have.values.push(v.clone());
            }
        }
        for u in &e.used_by {
            if !have.used_by.contains(u) {
                have.used_by.push(u.clone());
            }
        }
    }
    out.expect("a type has at least one definition")
}

/// A field of the union and the versions (indices) that have it.
struct Merged {
    field: Field,
    present: Vec<usize>,
}

fn merge_struct(
    name: &str,
    defs: &[(usize, &TypeDef)],
    versions: &[&str],
    conflicts: Conflicts,
) -> Result<StructDef, String> {
    let mut out: Option<StructDef> = None;
    let mut fields: Vec<Merged> = Vec::new();
    let mut present = Vec::new();
    for (i, def) in defs {
        let TypeDef::Struct(s) = def else {
            return Err(format!(
                "{name} is a struct in some versions, an enum in others"
            ));
        };
        present.push(*i);
        out.get_or_insert_with(|| StructDef {
            fields: Vec::new(),
            ..s.clone()
        });
        for f in &s.fields {
            match fields.iter_mut().find(|m| m.field.name == f.name) {
                Some(m) => {
                    m.field.ty = match (wider(&m.field.ty, &f.ty), conflicts) {
                        (Some(ty), _) => ty,
                        (None, Conflicts::NewestWins) => m.field.ty.clone(),
                        (None, Conflicts::Fail) => {
                            return Err(format!(
                                "{name}.{}: Flink {} sends {:?}, Flink {} {:?}; \
                                 a ledger field-type entry must settle it",
                                f.name, versions[m.present[0]], m.field.ty, versions[*i], f.ty
                            ))
                        }
                    };
                    m.field.required &= f.required;
                    m.field.nullable |= f.nullable;
                    if m.field.doc.is_none() {
                        m.field.doc.clone_from(&f.doc);
                    }
                    if m.field.free_form.is_none() {
                        m.field.free_form.clone_from(&f.free_form);
                    }
                    m.present.push(*i);
                }
                None => fields.push(Merged {
                    field: f.clone(),
                    present: vec![*i],
                }),
            }
        }
    }
    let mut out = out.expect("a type has at least one definition");
    // Version names of a set of indices, oldest first.
    let named = |indices: &[usize]| -> Vec<&str> {
        let mut sorted = indices.to_vec();
        sorted.sort_unstable();
        sorted.into_iter().map(|i| versions[i]).collect()
    };
    let all = named(&present);
    let mut taken = std::collections::HashSet::new();
    for Merged {
        mut field,
        present: has,
    } in fields
    {
        let everywhere = has.len() == present.len();
        field.required &= everywhere;
        (field.since, field.until) = span(&named(&has), &all);
        let base = field.rust_name.clone();
        let mut n = 1;
        while !taken.insert(field.rust_name.clone()) {
            n += 1;
            field.rust_name = format!("{base}_{n}");
        }
        out.fields.push(field);
    }
    // A second spelling stays one only where, over all versions, it is alike its first.
    let firsts = out.fields.clone();
    for f in &mut out.fields {
        let first =
            (f.spelling_of.as_ref()).and_then(|p| firsts.iter().find(|g| &g.rust_name == p));
        if !first.is_some_and(|first| same_value(first, f)) {
            f.spelling_of = None;
        }
    }
    Ok(out)
}

/// Whether two fields could carry one value under two spellings: same type, presence and versions.
fn same_value(a: &Field, b: &Field) -> bool {
    (
        &a.ty,
        a.required,
        a.nullable,
        &a.string_type,
        &a.since,
        &a.until,
    ) == (
        &b.ty,
        b.required,
        b.nullable,
        &b.string_type,
        &b.since,
        &b.until,
    )
}

/// The type that admits what both `a` and `b` admit, where there is one short of "any".
pub(crate) fn wider(a: &Ty, b: &Ty) -> Option<Ty> {
    use Ty::*;
    Some(match (a, b) {
        _ if a == b => a.clone(),
        (Any, other) | (other, Any) => other.clone(),
        // A field Java widened from `int` to `long` (or one version's docs do not say): the wider.
        (Integer(x), Integer(y)) => Integer(*x.max(y)),
        (Integer(_), Number) | (Number, Integer(_)) => Number,
        (Integer(_) | Number, Double) | (Double, Integer(_) | Number) => Double,
        (Array(x), Array(y)) => Array(Box::new(wider(x, y)?)),
        (Map(x), Map(y)) => Map(Box::new(wider(x, y)?)),
        (
            KeyedMap { key, value },
            KeyedMap {
                key: other,
                value: v,
            },
        ) if key == other => KeyedMap {
            key: key.clone(),
            value: Box::new(wider(value, v)?),
        },
        (KeyedMap { key, value }, Map(v)) | (Map(v), KeyedMap { key, value }) => KeyedMap {
            key: key.clone(),
            value: Box::new(wider(value, v)?),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(fields: &[(&str, Ty, bool)]) -> TypeDef {
        TypeDef::Struct(StructDef {
            name: "T".into(),
            urn: "urn:T".into(),
            one_of: Vec::new(),
            fields: fields
                .iter()
                .map(|(name, ty, required)| Field {
                    required: *required,
                    ..Field::new(name, ty.clone(), None)
                })
                .collect(),
        })
    }

    #[test]
    fn wider_takes_the_type_that_admits_both() {
        assert_eq!(wider(&Ty::Any, &Ty::String), Some(Ty::String));
        assert_eq!(wider(&Ty::Integer(None), &Ty::Double), Some(Ty::Double));
        assert_eq!(
            wider(
                &Ty::Map(Box::new(Ty::Integer(None))),
                &Ty::Map(Box::new(Ty::Number))
            ),
            Some(Ty::Map(Box::new(Ty::Number)))
        );
        assert_eq!(wider(&Ty::Named("A".into()), &Ty::String), None);
    }

    #[test]
    fn a_field_is_required_only_where_every_version_sends_it_and_says_since_until() {
        let versions = ["1.15.4", "1.20.3", "2.3.0"];
        // Newest first, as `union` passes them.
        let new = def(&[("a", Ty::Integer(None), true), ("c", Ty::String, true)]);
        let mid = def(&[
            ("a", Ty::Number, true),
            ("b", Ty::String, true),
            ("c", Ty::String, true),
        ]);
        let old = def(&[("a", Ty::Integer(None), true), ("b", Ty::String, true)]);
        let merged = merge_struct(
            "T",
            &[(2, &new), (1, &mid), (0, &old)],
            &versions,
            Conflicts::Fail,
        )
        .unwrap();
        let field = |n: &str| merged.fields.iter().find(|f| f.name == n).unwrap();
        assert_eq!(field("a").ty, Ty::Number);
        assert!(field("a").required);
        assert_eq!(
            (field("a").since.clone(), field("a").until.clone()),
            (None, None)
        );
        assert!(!field("b").required);
        assert_eq!(field("b").until.as_deref(), Some("1.20.3"));
        assert!(!field("c").required);
        assert_eq!(field("c").since.as_deref(), Some("1.20.3"));
    }

    #[test]
    fn each_field_says_which_docs_list_it() {
        let minor = |variant: &str, fields: &[&str]| Api {
            variant: format!("{variant}-documented"),
            source: String::new(),
            operations: vec![],
            types: [(
                "T".to_string(),
                def(&fields
                    .iter()
                    .map(|f| (*f, Ty::String, false))
                    .collect::<Vec<_>>()),
            )]
            .into(),
            ids: BTreeMap::new(),
        };
        let minors = [minor("1.15", &["a", "gone"]), minor("2.3", &["a", "b"])];
        let TypeDef::Struct(mut t) = def(&[
            ("a", Ty::String, true),
            ("b", Ty::String, false),
            ("gone", Ty::String, false),
            ("ledger", Ty::String, false),
        ]) else {
            unreachable!()
        };
        list_fields(&mut t, &minors);
        let listed: Vec<_> = t.fields.iter().map(|f| f.listed.clone().unwrap()).collect();
        let range = |since: Option<&str>, until: Option<&str>| Listed::Range {
            since: since.map(str::to_string),
            until: until.map(str::to_string),
        };
        assert_eq!(
            listed,
            [
                range(None, None),
                range(Some("2.3"), None),
                range(None, Some("1.15")),
                Listed::Nowhere
            ]
        );
    }

    #[test]
    fn a_query_parameter_only_some_versions_take_says_which() {
        let op = |params: &[&str]| Operation {
            key: "GET /x".into(),
            method: "GET".into(),
            path: "/x".into(),
            name: "x".into(),
            operation_id: "x".into(),
            description: String::new(),
            status: 200,
            status_text: "OK".into(),
            path_params: vec![],
            query_params: params
                .iter()
                .map(|p| crate::model::Param {
                    name: p.to_string(),
                    rust_name: p.to_string(),
                    description: "What it does".into(),
                    required: false,
                    deprecated: false,
                    ty: crate::model::ParamTy::String,
                })
                .collect(),
            request: None,
            response: None,
            answers: vec![],
            since: None,
            until: None,
            undocumented: None,
            served_since: None,
            served_until: None,
        };
        let version = |v: &str, params: &[&str]| Corrected {
            version: v.into(),
            api: Api {
                variant: v.into(),
                source: String::new(),
                operations: vec![op(params)],
                types: BTreeMap::new(),
                ids: BTreeMap::new(),
            },
            fits: vec![],
        };
        let versions = [
            version("1.15.4", &["all", "old"]),
            version("1.20.3", &["all", "old", "new"]),
            version("2.3.0", &["all", "new"]),
        ];
        let api = union(&versions, &[]).unwrap();
        let described: Vec<(&str, &str)> = api.operations[0]
            .query_params
            .iter()
            .map(|p| (p.name.as_str(), p.description.as_str()))
            .collect();
        assert_eq!(
            described,
            [
                ("all", "What it does"),
                ("new", "What it does. Accepted since Flink 1.20.3."),
                ("old", "What it does. Accepted until Flink 1.20.3."),
            ]
        );
    }

    #[test]
    fn two_structures_for_one_field_are_a_problem_that_names_both_versions() {
        let versions = ["1.15.4", "2.3.0"];
        let new = def(&[("a", Ty::Named("A".into()), true)]);
        let old = def(&[("a", Ty::String, true)]);
        let err =
            merge_struct("T", &[(1, &new), (0, &old)], &versions, Conflicts::Fail).unwrap_err();
        assert!(
            err.contains("T.a") && err.contains("2.3.0") && err.contains("1.15.4"),
            "{err}"
        );
    }
}
