//! The evidence ledger: every way live servers differ from their docs, as reviewable data.
//!
//! Each file in `schemas/ledger/` (but `versions.json` and `required.json`) is a JSON array of
//! [`Entry`]s: what changes, for which Flink versions, why, and which fixtures prove it. `versions.json`
//! lists the versions the ledger covers (one corrected spec each); `required.json` names, per type, the
//! fields every recorded answer of every version carries non-null (proposed from fixtures, like the rest).
//!
//! [`apply`] turns one version's documented [`Api`] (its minor's docs) into what its server sends (its
//! corrected spec), and says of each entry whether it corrected those docs, was already in them
//! ([`Fit::Redundant`]: the newer docs caught up), or had nothing there to correct ([`Fit::Moot`]).
//! [`crate::union`] merges the corrected APIs into the one set of types that decodes every version.
//!
//! Each kind of change lives in one module of `kinds/`: its entry's shape, how it applies, which
//! observations bear it out, how fixtures propose it. [`evidence`] holds what recordings show
//! ([`evidence::Observations`]) and [`propose`] drives the proposers.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diag::{Location, Problems};
use crate::model::{Api, Request, Ty, TypeDef};

pub mod evidence;
mod kinds;
pub mod propose;

pub use kinds::{
    support, supported, AddField, AddType, Change, EnumValues, FieldType, FreeForm, MapKeys,
    Nullable, OneOf, QueryParam, RemoveField, Response, ServedEndpoint,
};
pub use propose::propose;

use kinds::Fitted;

pub const DIR: &str = "schemas/ledger";
pub const VERSIONS_FILE: &str = "schemas/ledger/versions.json";
pub const REQUIRED_FILE: &str = "schemas/ledger/required.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Unique, stable: `JobDetailsInfo.plan:type`.
    pub id: String,
    /// The documented pairs where it shows.
    pub endpoints: Vec<String>,
    pub change: Change,
    /// What the docs say (those of the versions it holds for).
    pub documented: Value,
    /// What servers send.
    pub observed: Value,
    /// First and last version it holds for; `None`: open (the oldest / the newest recorded).
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
    pub why: String,
    /// Fixtures that prove it, relative to `contract-tests/fixtures/`.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    pub versions: Vec<String>,
    /// Entries with the file they are in.
    pub entries: Vec<(String, Entry)>,
    /// Type -> fields every recorded answer carries non-null.
    pub required: BTreeMap<String, Vec<String>>,
}

/// Version order: numerically, part by part (`1.9` < `1.10`).
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parts = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    parts(a).cmp(&parts(b))
}

/// `1.20.3` -> `1.20`.
pub fn minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

impl Entry {
    /// Whether it holds for `version`.
    pub fn holds_for(&self, version: &str) -> bool {
        self.since
            .as_deref()
            .is_none_or(|s| compare_versions(s, version) != Ordering::Greater)
            && self
                .until
                .as_deref()
                .is_none_or(|u| compare_versions(version, u) != Ordering::Greater)
    }
}

/// Parses the ledger's files (name -> text); every problem is reported, with file, line and pointer.
pub fn parse(files: &BTreeMap<String, String>) -> Result<Ledger, Problems> {
    let mut problems = Problems::default();
    let mut ledger = Ledger::default();
    for (file, text) in files {
        let at = |e: &serde_json::Error| Location::at(file.clone(), e.line());
        if file == VERSIONS_FILE {
            match serde_json::from_str::<Vec<String>>(text) {
                Ok(v) => ledger.versions = v,
                Err(e) => problems.push(at(&e), e.to_string()),
            }
        } else if file == REQUIRED_FILE {
            match serde_json::from_str::<BTreeMap<String, Value>>(text) {
                Ok(map) => {
                    for (ty, fields) in map {
                        if ty.starts_with('$') {
                            continue;
                        }
                        match serde_json::from_value::<Vec<String>>(fields) {
                            Ok(f) => {
                                ledger.required.insert(ty, f);
                            }
                            Err(e) => problems.push(
                                Location::file(file.clone()).pointer(format!("/{ty}")),
                                e.to_string(),
                            ),
                        }
                    }
                }
                Err(e) => problems.push(at(&e), e.to_string()),
            }
        } else {
            // Line numbers only for the message of an entry that does not parse.
            let lines = std::cell::OnceCell::new();
            let items: Vec<Value> = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(at(&e), e.to_string());
                    continue;
                }
            };
            for (i, item) in items.into_iter().enumerate() {
                match serde_json::from_value::<Entry>(item) {
                    Ok(entry) => ledger.entries.push((file.clone(), entry)),
                    Err(e) => {
                        let lines = lines.get_or_init(|| crate::jsonpos::pointer_lines(text));
                        let line = lines.get(&format!("/{i}")).unwrap_or(0);
                        problems.push(
                            Location::at(file.clone(), line).pointer(format!("/{i}")),
                            e.to_string(),
                        )
                    }
                }
            }
        }
    }
    ledger.versions.sort_by(|a, b| compare_versions(a, b));
    let mut seen = BTreeMap::new();
    for (file, e) in &ledger.entries {
        if let Some(first) = seen.insert(e.id.clone(), file.clone()) {
            problems.push(
                Location::file(file.clone()),
                format!("entry {:?} is also in {first}", e.id),
            );
        }
        if e.why.trim().is_empty() {
            problems.push(
                Location::file(file.clone()),
                format!("entry {:?} says no why", e.id),
            );
        }
        for v in [&e.since, &e.until].into_iter().flatten() {
            if !ledger.versions.contains(v) {
                problems.push(
                    Location::file(file.clone()),
                    format!("entry {:?}: {v} is not in {VERSIONS_FILE}", e.id),
                );
            }
        }
    }
    problems.into_result(ledger)
}

/// How one entry fits one version's docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// It corrects the docs.
    Applied,
    /// The docs already say it: the entry adds nothing for this version.
    Redundant(String),
    /// The docs have nothing it could correct (its type or endpoint is not in them).
    Moot(String),
}

/// One version's API: its own docs corrected by the ledger entries that hold for it.
#[derive(Debug, Clone)]
pub struct Corrected {
    /// `1.20.3`.
    pub version: String,
    pub api: Api,
    /// How each entry that holds for the version fit its docs, in ledger order.
    pub fits: Vec<(String, Fit)>,
}

/// `docs` (the documented API of `version`'s minor) corrected by the entries that hold for `version`.
/// `minors`: every minor's documented API, where a `served-endpoint` entry finds its definition.
/// Problems name the entry's file and id.
pub fn apply(
    docs: &Api,
    minors: &[Api],
    ledger: &Ledger,
    version: &str,
) -> Result<Corrected, Problems> {
    let mut api = docs.clone();
    api.variant = minor(version);
    let mut problems = Problems::default();
    let mut fits = Vec::new();
    let holding = || ledger.entries.iter().filter(|(_, e)| e.holds_for(version));
    // Types first: fields may refer to them, and they to each other. A schema may also name a type only
    // other versions' docs define (the structure they document, which this version sends too).
    let mut borrowed = Vec::new();
    for (_, e) in holding() {
        e.change.refs(&mut borrowed);
    }
    for name in borrowed {
        if api.types.contains_key(&name) {
            continue;
        }
        if let Some(source) = minors.iter().rev().find(|m| m.types.contains_key(&name)) {
            crate::model::copy_types(&mut api, source, vec![name]);
        }
    }
    for (_, e) in holding() {
        if let Change::AddType(t) = &e.change {
            t.declare(&mut api);
        }
    }
    // Then the types themselves, so that changes to their fields find them whatever file they are in.
    let types_first = holding().filter(|(_, e)| matches!(e.change, Change::AddType(_)));
    let others = holding().filter(|(_, e)| !matches!(e.change, Change::AddType(_)));
    for (file, e) in types_first.chain(others) {
        // Redundant where another entry already made the change: an overlap to settle, not a fit.
        let fit = match change(&mut api, docs, minors, e) {
            Ok(Fit::Redundant(why))
                if change(&mut docs.clone(), docs, minors, e) == Ok(Fit::Applied) =>
            {
                Err(format!(
                    "another entry already makes this change ({why}): keep one"
                ))
            }
            fit => fit,
        };
        match fit {
            Ok(fit) => fits.push((e.id.clone(), fit)),
            Err(m) => problems.push(
                Location::file(file.clone()).pointer(format!("id:{}", e.id)),
                format!("{version}: {m}"),
            ),
        }
    }
    java_doubles(&mut api);
    for (ty, fields) in &ledger.required {
        for field in fields {
            // A version's API may lack the type or the field (added later, or gone): nothing to require.
            let _ = with_field(&mut api, ty, field, |f| f.required = !f.nullable);
        }
    }
    problems.into_result(Corrected {
        version: version.to_string(),
        api,
        fits,
    })
}

/// One entry's change made to `api`, and how it fit.
fn change(api: &mut Api, docs: &Api, minors: &[Api], e: &Entry) -> Fitted {
    let cx = kinds::Applying {
        docs,
        minors,
        why: &e.why,
    };
    e.change.apply(api, &cx)
}

/// Every field of `api` (the crate's union of all versions) that holds `any` with no `free-form` entry
/// saying why, and every operation whose answer is `any`: a problem each. No `serde_json::Value` is left
/// in the crate that the ledger does not explain (or type, with a `field-type` or `response` entry).
pub fn check_typed(api: &Api) -> Result<(), Problems> {
    let mut problems = Problems::default();
    let at = || Location::file(DIR);
    for def in api.types.values() {
        let crate::model::TypeDef::Struct(s) = def else {
            continue;
        };
        for f in s
            .fields
            .iter()
            .filter(|f| f.ty.contains_any() && f.free_form.is_none())
        {
            problems.push(
                at(),
                format!(
                    "{}.{} is `any` in the crate: type it (`field-type`) or say why it is \
                     free-form (`free-form`)",
                    s.name, f.name
                ),
            );
        }
    }
    for op in &api.operations {
        let bodies = op
            .response
            .iter()
            .chain(op.answers.iter().filter_map(|a| a.body.as_ref()));
        if bodies.into_iter().any(Ty::contains_any) {
            problems.push(
                at(),
                format!("{} answers `any`: give it a body (`response`)", op.key),
            );
        }
    }
    problems.into_result(())
}

/// Every integer field of each corrected version whose width neither Flink's OpenAPI rendering of its
/// docs nor a ledger entry says: a problem each (generators type an integer without a `format` as a
/// 32-bit one, and millisecond timestamps overflow it).
pub fn check_widths(corrected: &[Corrected]) -> Result<(), Problems> {
    let mut unsaid: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for c in corrected {
        for def in c.api.types.values() {
            let TypeDef::Struct(s) = def else { continue };
            for f in s.fields.iter().filter(|f| f.ty.width_unsaid()) {
                let key = (s.name.clone(), f.name.clone());
                unsaid.entry(key).or_default().push(&c.version);
            }
        }
    }
    let mut problems = Problems::default();
    for ((ty, field), versions) in unsaid {
        problems.push(
            Location::file(DIR),
            format!(
                "{ty}.{field} is an integer of no known width in {}: give it a `field-type` entry \
                 with \"format\": \"int64\" or \"int32\" (`ledger propose` does where a recorded value \
                 needs 64 bits)",
                versions.join(", ")
            ),
        );
    }
    problems.into_result(())
}

/// Entries that fit no version they hold for: they name a type or endpoint no such version's docs have
/// (a typo, or a class Flink renamed).
pub fn check_fits(ledger: &Ledger, corrected: &[Corrected]) -> Result<(), Problems> {
    let mut problems = Problems::default();
    for (file, e) in &ledger.entries {
        let fits: Vec<&Fit> = fits_of(corrected, &e.id).map(|(_, f)| f).collect();
        let corrects = fits.iter().any(|f| matches!(f, Fit::Applied));
        // Nothing to correct anywhere (a typo, a renamed class), or the docs say it everywhere already.
        let problem = match fits.first() {
            Some(Fit::Moot(why)) if !corrects && fits.iter().all(|f| matches!(f, Fit::Moot(_))) => {
                format!("corrects no version it holds for: {why}")
            }
            Some(_) if !corrects => format!(
                "the docs of every version it holds for already say it ({}): drop it",
                fits.iter()
                    .find_map(|f| match f {
                        Fit::Redundant(why) => Some(why.as_str()),
                        _ => None,
                    })
                    .unwrap_or("redundant")
            ),
            _ => continue,
        };
        problems.push(
            Location::file(file.clone()).pointer(format!("id:{}", e.id)),
            problem,
        );
    }
    problems.into_result(())
}

/// How entry `id` fit each version it holds for.
fn fits_of<'a>(
    corrected: &'a [Corrected],
    id: &'a str,
) -> impl Iterator<Item = (&'a str, &'a Fit)> + 'a {
    corrected.iter().flat_map(move |c| {
        c.fits
            .iter()
            .filter(move |(entry, _)| entry == id)
            .map(move |(_, fit)| (c.version.as_str(), fit))
    })
}

/// How every entry fits each version's docs, as Markdown (`generated/reports/ledger-fit.md`): the
/// versions whose docs it corrects, those whose docs already say it, those with nothing to correct.
pub fn fit_report(ledger: &Ledger, corrected: &[Corrected]) -> String {
    let mut rows = Vec::new();
    let (mut correcting, mut redundant) = (0, 0);
    for (_, e) in &ledger.entries {
        let mut by_fit: [Vec<&str>; 3] = Default::default();
        for (version, fit) in fits_of(corrected, &e.id) {
            let slot = match fit {
                Fit::Applied => 0,
                Fit::Redundant(_) => 1,
                Fit::Moot(_) => 2,
            };
            by_fit[slot].push(version);
        }
        if by_fit[0].is_empty() {
            redundant += 1;
        } else {
            correcting += 1;
        }
        let cells: Vec<String> = by_fit.iter().map(|v| ranges(&ledger.versions, v)).collect();
        rows.push(format!(
            "| `{}` | {} | {} | {} |",
            e.id.replace('|', "\\|"),
            cells[0],
            cells[1],
            cells[2]
        ));
    }
    rows.sort();
    format!(
        "<!-- {generated} -->\n# The ledger against each version's own docs\n\n\
         Each entry applied to the docs of every version it holds for: the versions whose docs it \
         corrects, those whose docs already say it (there it is redundant), and those whose docs have \
         nothing it could correct.\n\n\
         {total} entries: {correcting} correct some version's docs, {redundant} are already in the docs \
         of every version they hold for.\n\n\
         | entry | corrects | already in the docs | nothing to correct |\n|---|---|---|---|\n{rows}\n",
        generated = crate::GENERATED_BY,
        total = ledger.entries.len(),
        rows = rows.join("\n"),
    )
}

/// `versions` (a subset of `all`, in its order) as runs: `1.15.4 – 1.18.1, 2.0.2`.
fn ranges(all: &[String], versions: &[&str]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for v in versions {
        let Some(i) = all.iter().position(|a| a == v) else {
            continue;
        };
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == i => *end = i,
            _ => runs.push((i, i)),
        }
    }
    runs.iter()
        .map(|&(a, b)| match a == b {
            true => all[a].clone(),
            false => format!("{} – {}", all[a], all[b]),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn with_field(
    api: &mut Api,
    ty: &str,
    field: &str,
    change: impl FnOnce(&mut crate::model::Field),
) -> Result<(), String> {
    let f =
        kinds::field_mut(api, ty, field)?.ok_or_else(|| format!("{ty} has no field {field}"))?;
    change(f);
    Ok(())
}

/// What servers send for a Java `double`, which the docs' schemas call `number`: Flink's Jackson writes
/// one that is not finite as the string `"NaN"`, `"Infinity"` or `"-Infinity"` (recorded: checkpoint
/// percentiles before any checkpoint; seen live: a vertex's busy time while its tasks initialize). So
/// every `number` of a version's API is a [`Ty::Double`], which admits both; the docs' own specs stay
/// as written.
fn java_doubles(api: &mut Api) {
    fn double(ty: &mut Ty) {
        match ty {
            Ty::Number => *ty = Ty::Double,
            Ty::Array(items) | Ty::Map(items) => double(items),
            Ty::KeyedMap { value, .. } => double(value),
            _ => {}
        }
    }
    for def in api.types.values_mut() {
        if let TypeDef::Struct(s) = def {
            s.fields.iter_mut().for_each(|f| double(&mut f.ty));
        }
    }
    for op in &mut api.operations {
        op.response.iter_mut().for_each(double);
        op.answers
            .iter_mut()
            .filter_map(|a| a.body.as_mut())
            .for_each(double);
        if let Some(Request::Json(ty) | Request::MultipartWithJson { body: ty, .. }) =
            &mut op.request
        {
            double(ty);
        }
    }
}

/// A ledger schema as a type use.
pub fn ty_of(schema: &Value, api: &Api) -> Result<Ty, String> {
    if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
        return if api.types.contains_key(name) {
            Ok(Ty::Named(name.to_string()))
        } else {
            Err(format!("unknown type {name}"))
        };
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => Ok(Ty::String),
        Some("integer") => Ok(Ty::Integer(crate::model::Width::of(schema)?)),
        Some("number") => Ok(Ty::Number),
        Some("double") => Ok(Ty::Double),
        Some("boolean") => Ok(Ty::Boolean),
        Some("any") => Ok(Ty::Any),
        Some("array") => match schema.get("items") {
            Some(items) => Ok(Ty::Array(Box::new(ty_of(items, api)?))),
            None => Ok(Ty::Array(Box::new(Ty::Any))),
        },
        Some("object") => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => Ok(Ty::Map(Box::new(ty_of(values, api)?))),
            _ => Ok(Ty::Any),
        },
        Some(other) => Err(format!("unknown type {other:?}")),
        None => Err(format!("a schema needs \"type\" or \"$ref\": {schema}")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{EnumDef, Field, StructDef, TypeDef};

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("1.9.0", "1.10.0"), Ordering::Less);
        assert_eq!(compare_versions("2.0.2", "1.20.3"), Ordering::Greater);
        assert_eq!(minor("1.20.3"), "1.20");
    }

    fn entry(id: &str, change: Change) -> (String, Entry) {
        let entry = Entry {
            id: id.into(),
            endpoints: vec![],
            change,
            documented: Value::Null,
            observed: Value::Null,
            since: None,
            until: None,
            why: "seen".into(),
            evidence: vec![],
        };
        ("schemas/ledger/t.json".into(), entry)
    }

    pub(crate) fn api(variant: &str, ops: &[&str]) -> Api {
        let op = |key: &str| {
            let (method, path) = key.split_once(' ').unwrap();
            crate::model::Operation {
                key: key.into(),
                method: method.into(),
                path: path.into(),
                name: "op".into(),
                operation_id: "op".into(),
                description: String::new(),
                status: 200,
                status_text: "OK".into(),
                path_params: vec![],
                query_params: vec![],
                request: None,
                response: Some(Ty::Named("T".into())),
                answers: vec![],
                since: None,
                until: None,
                undocumented: None,
                served_since: None,
                served_until: None,
            }
        };
        let t = StructDef {
            name: "T".into(),
            urn: "urn:T".into(),
            one_of: Vec::new(),
            fields: vec![Field::new("a", Ty::Number, None)],
        };
        let e = EnumDef {
            name: "E".into(),
            values: vec!["A".into()],
            used_by: vec![],
            listed: BTreeMap::new(),
        };
        Api {
            variant: variant.into(),
            source: "docs".into(),
            operations: ops.iter().map(|k| op(k)).collect(),
            types: [
                ("T".into(), TypeDef::Struct(t)),
                ("E".into(), TypeDef::Enum(e)),
            ]
            .into(),
            ids: BTreeMap::new(),
        }
    }

    #[test]
    fn a_variant_schema_named_like_a_type_is_a_problem() {
        let mut api = api("1.20.3", &["GET /x"]);
        if let Some(TypeDef::Struct(t)) = api.types.get_mut("T") {
            t.one_of = vec![crate::model::Variant {
                name: "E".into(),
                fields: vec!["a".into()],
            }];
        }
        assert!(crate::model::check_variant_names(&api).is_ok());
        let taken = api.types["E"].clone();
        api.types.insert("TE".into(), taken);
        let problems = crate::model::check_variant_names(&api)
            .unwrap_err()
            .to_string();
        assert!(
            problems.contains("variant E of T is a schema named TE"),
            "{problems}"
        );
    }

    #[test]
    fn an_integer_of_no_known_width_fails_until_an_entry_gives_it_one() {
        let mut docs = api("1.20-documented", &["GET /x"]);
        if let Some(TypeDef::Struct(t)) = docs.types.get_mut("T") {
            t.fields[0].ty = Ty::Map(Box::new(Ty::Integer(None)));
        }
        let ledger = |entries| Ledger {
            versions: vec!["1.20.3".into(), "2.0.2".into()],
            entries,
            required: BTreeMap::new(),
        };
        let corrected = |ledger: &Ledger| -> Vec<Corrected> {
            let at = |v| apply(&docs, std::slice::from_ref(&docs), ledger, v).unwrap();
            vec![at("1.20.3"), at("2.0.2")]
        };
        let problems = check_widths(&corrected(&ledger(vec![])))
            .unwrap_err()
            .to_string();
        assert!(problems.contains("T.a is an integer of no known width in 1.20.3, 2.0.2"));
        let long = entry(
            "T.a:type",
            Change::FieldType(FieldType {
                r#type: "T".into(),
                field: "a".into(),
                schema: serde_json::json!({
                    "type": "object",
                    "additionalProperties": {"type": "integer", "format": "int64"}
                }),
            }),
        );
        assert!(check_widths(&corrected(&ledger(vec![long]))).is_ok());
        let odd = serde_json::json!({"type": "integer", "format": "int8"});
        assert!(ty_of(&odd, &docs).unwrap_err().contains("int32 or int64"));
    }

    #[test]
    fn two_entries_making_one_change_are_an_overlap_not_a_redundancy() {
        let wider = |id: &str| {
            entry(
                id,
                Change::FieldType(FieldType {
                    r#type: "T".into(),
                    field: "a".into(),
                    schema: serde_json::json!({ "type": "double" }),
                }),
            )
        };
        let ledger = Ledger {
            versions: vec!["1.20.3".into()],
            entries: vec![wider("first"), wider("second")],
            required: BTreeMap::new(),
        };
        let docs = api("1.20-documented", &["GET /x"]);
        let problems = apply(&docs, std::slice::from_ref(&docs), &ledger, "1.20.3")
            .unwrap_err()
            .to_string();
        assert!(problems.contains("id:second"), "{problems}");
        assert!(
            problems.contains("another entry already makes this change"),
            "{problems}"
        );
        assert!(!problems.contains("id:first"), "{problems}");
    }

    #[test]
    fn each_entry_says_how_it_fits_the_version_docs() {
        let field = |field: &str, ty: &str| {
            Change::AddField(AddField {
                r#type: "T".into(),
                field: field.into(),
                schema: serde_json::json!({ "type": ty }),
            })
        };
        let ledger = Ledger {
            versions: vec!["1.20.3".into()],
            entries: vec![
                entry("listed", field("a", "number")),
                entry("wider", field("a", "double")),
                entry("new", field("b", "string")),
                entry(
                    "gone",
                    Change::RemoveField(RemoveField {
                        r#type: "T".into(),
                        field: "z".into(),
                    }),
                ),
                entry(
                    "values",
                    Change::EnumValues(EnumValues {
                        r#enum: "E".into(),
                        add: vec!["A".into()],
                    }),
                ),
                entry(
                    "elsewhere",
                    Change::Nullable(Nullable {
                        r#type: "U".into(),
                        field: "x".into(),
                    }),
                ),
                entry(
                    "served",
                    Change::ServedEndpoint(ServedEndpoint {
                        endpoint: "GET /old".into(),
                        defined_in: "1.15".into(),
                    }),
                ),
            ],
            required: BTreeMap::new(),
        };
        let docs = api("1.20-documented", &["GET /x"]);
        let minors = [
            api("1.15-documented", &["GET /x", "GET /old"]),
            docs.clone(),
        ];
        let c = apply(&docs, &minors, &ledger, "1.20.3").unwrap();
        let fit = |id: &str| &c.fits.iter().find(|(i, _)| i == id).unwrap().1;
        assert!(matches!(fit("listed"), Fit::Redundant(_)));
        assert_eq!(fit("wider"), &Fit::Applied);
        assert_eq!(fit("new"), &Fit::Applied);
        assert!(matches!(fit("gone"), Fit::Redundant(_)));
        assert!(matches!(fit("values"), Fit::Redundant(_)));
        assert!(matches!(fit("elsewhere"), Fit::Moot(_)));
        assert_eq!(fit("served"), &Fit::Applied);
        let old = c
            .api
            .operations
            .iter()
            .find(|o| o.key == "GET /old")
            .unwrap();
        assert_eq!(old.undocumented.as_deref(), Some("seen"));
        let TypeDef::Struct(t) = &c.api.types["T"] else {
            panic!()
        };
        assert_eq!(t.fields[0].ty, Ty::Double);
        // An entry that corrects nothing in any version it holds for is a problem, with its id: moot
        // (a typo, a renamed class) or redundant (the docs say it already: drop it).
        let problems = check_fits(&ledger, &[c]).unwrap_err().to_string();
        assert!(
            problems.contains("id:elsewhere") && problems.contains("no type U"),
            "{problems}"
        );
        assert!(
            problems.contains("id:listed") && problems.contains("drop it"),
            "{problems}"
        );
        assert!(
            !problems.contains("id:new") && !problems.contains("id:wider"),
            "{problems}"
        );
    }

    #[test]
    fn a_schema_may_name_a_type_only_other_versions_docs_define() {
        let ledger = Ledger {
            versions: vec!["1.15.4".into()],
            entries: vec![entry(
                "plan",
                Change::FieldType(FieldType {
                    r#type: "T".into(),
                    field: "a".into(),
                    schema: serde_json::json!({ "$ref": "Plan" }),
                }),
            )],
            required: BTreeMap::new(),
        };
        let docs = api("1.15-documented", &["GET /x"]);
        let mut newer = api("2.3-documented", &["GET /x"]);
        newer.types.insert(
            "Plan".into(),
            TypeDef::Struct(StructDef {
                name: "Plan".into(),
                urn: "urn:Plan".into(),
                one_of: Vec::new(),
                fields: vec![Field::new(
                    "nodes",
                    Ty::Array(Box::new(Ty::Named("E".into()))),
                    None,
                )],
            }),
        );
        let c = apply(&docs, &[docs.clone(), newer], &ledger, "1.15.4").unwrap();
        assert_eq!(c.fits, [("plan".to_string(), Fit::Applied)]);
        assert!(c.api.types.contains_key("Plan"));
        let TypeDef::Struct(t) = &c.api.types["T"] else {
            panic!()
        };
        assert_eq!(t.fields[0].ty, Ty::Named("Plan".into()));
    }

    #[test]
    fn entries_hold_for_their_range() {
        let e = |since: Option<&str>, until: Option<&str>| Entry {
            id: "x".into(),
            endpoints: vec![],
            change: Change::Nullable(Nullable {
                r#type: "T".into(),
                field: "f".into(),
            }),
            documented: Value::Null,
            observed: Value::Null,
            since: since.map(str::to_string),
            until: until.map(str::to_string),
            why: "w".into(),
            evidence: vec![],
        };
        assert!(e(None, None).holds_for("1.15.4"));
        assert!(e(Some("1.19.3"), None).holds_for("2.3.0"));
        assert!(!e(Some("1.19.3"), None).holds_for("1.18.1"));
        assert!(e(None, Some("1.20.3")).holds_for("1.20.3"));
        assert!(!e(None, Some("1.20.3")).holds_for("2.0.2"));
    }
}
