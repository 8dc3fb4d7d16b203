//! Lifting Jackson's `urn:jsonschema:…` id'd objects out into named schemas, across every source.
//!
//! Jackson writes a class out in full where it first visits it and as `{"$ref": "<id>"}` elsewhere in the
//! same schema document; since about 2020 it prints properties alphabetically, so a `$ref` may come
//! before the definition it names, and a class can refer to itself (flame graph nodes). A generic class
//! (`AsynchronousOperationResult<V>`) is written under one id for every `V`.
//!
//! So lifting is two steps. [`Lifter::document`] lifts one schema document of one source (each source
//! has its own lifter, so sources lift in parallel): every id'd object becomes an *occurrence* and is
//! replaced by a placeholder `$ref`; a `$ref` points at an occurrence of its id in the same document (the
//! nearest one before it, else the first after it), or, where the document has none, at the id's only
//! definition in the source. [`finish`] groups occurrences into *variants* (distinct definitions of one
//! id in one source) and names them once for all sources:
//!
//! - a type's identity is its class path, the id without its package (`CheckpointStatistics:Counts`), so
//!   a class that moves package (`StatsSummaryDto` in 2.1, 2.2 and 2.3) keeps its name;
//! - the name is the class's own name, prefixed by its enclosing classes while two class paths of any
//!   source would share it (`JobVertexTaskManagersInfoTaskManagersInfo`);
//! - a class with several variants in some source is generic: each variant is `<Name>Of<what it refers
//!   to that not every variant does>` (`AsynchronousOperationResultOfSavepointInfo`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::{Input, NamedSchema, RawSchema};
use crate::diag::{Location, Problems};
use crate::jsonpos::{escape_token, push_token};

const KEYWORDS: [&str; 10] = [
    "type",
    "id",
    "properties",
    "items",
    "additionalProperties",
    "enum",
    "$ref",
    "required",
    "description",
    "format",
];
const TYPES: [&str; 8] = [
    "object", "array", "string", "integer", "number", "boolean", "any", "null",
];

/// Placeholder prefixes of lifted `$ref`s until [`Named::rename`] puts names in; the number is an index
/// into the source's own occurrences or crosses.
const OCC: &str = "#occ:";
const CROSS: &str = "#cross:";

/// One id'd object as written in one schema document.
struct Occurrence {
    urn: String,
    line: usize,
    /// Lifted: nested id'd objects and `$ref`s are placeholders.
    schema: Value,
}

/// A `$ref` to an id its own document does not define: resolved against the whole source.
struct Cross {
    urn: String,
    at: Location,
    /// `request` or `response`.
    kind: String,
}

/// The lifted schemas of one source.
pub(crate) struct Lifter {
    source: usize,
    occurrences: Vec<Occurrence>,
    crosses: Vec<Cross>,
}

/// Where one schema document is, and which occurrence each of its id'd objects is.
struct Doc<'a> {
    file: &'a str,
    endpoint: &'a str,
    kind: &'a str,
    /// 1-based line of the document's opening brace, and each pointer's offset from it.
    start: usize,
    lines: &'a crate::jsonpos::PointerLines,
    /// Urn -> (position, occurrence) of each object that defines it.
    defined: HashMap<String, Vec<(usize, usize)>>,
}

impl Doc<'_> {
    fn loc(&self, pointer: &str) -> Location {
        let line = self
            .lines
            .get(pointer)
            .map_or(self.start, |l| self.start + l);
        Location::at(self.file, line)
            .endpoint(self.endpoint)
            .pointer(pointer)
    }

    fn problem(&self, problems: &mut Problems, pointer: &str, message: String) {
        problems.push(
            self.loc(pointer),
            format!("{} schema: {message}", self.kind),
        );
    }
}

impl Lifter {
    /// The lifter of the `source`th source.
    pub(crate) fn new(source: usize) -> Lifter {
        Lifter {
            source,
            occurrences: Vec::new(),
            crosses: Vec::new(),
        }
    }

    /// Checks one schema document and returns it with every id'd object lifted out.
    pub(crate) fn document(
        &mut self,
        file: &str,
        endpoint: &str,
        raw: RawSchema,
        kind: &str,
        problems: &mut Problems,
    ) -> Value {
        let mut doc = Doc {
            file,
            endpoint,
            kind,
            start: raw.start,
            lines: &raw.lines,
            defined: HashMap::new(),
        };
        self.scan(&mut doc, &raw.value, &mut String::new(), &mut 0);
        self.lift(&doc, raw.value, &mut String::new(), &mut 0, problems)
    }

    /// Numbers every object in document order (the order [`Lifter::lift`] visits them in: a `$ref`'s
    /// object has no children) and allocates an occurrence for each id'd one.
    fn scan(&mut self, doc: &mut Doc<'_>, value: &Value, pointer: &mut String, next: &mut usize) {
        let Value::Object(map) = value else { return };
        let position = *next;
        *next += 1;
        if let Some(Value::String(urn)) = map.get("id") {
            let line = doc.loc(pointer).line;
            doc.defined
                .entry(urn.clone())
                .or_default()
                .push((position, self.occurrences.len()));
            self.occurrences.push(Occurrence {
                urn: urn.clone(),
                line,
                schema: Value::Null,
            });
        }
        if let Some(Value::String(_)) = map.get("$ref") {
            return;
        }
        if let Some(Value::Object(props)) = map.get("properties") {
            for (name, prop) in props {
                let len = pointer.len();
                pointer.push_str("/properties/");
                push_token(pointer, name);
                self.scan(doc, prop, pointer, next);
                pointer.truncate(len);
            }
        }
        for child in ["items", "additionalProperties"] {
            if let Some(sub) = map.get(child) {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(child);
                self.scan(doc, sub, pointer, next);
                pointer.truncate(len);
            }
        }
    }

    /// `schema` lifted: checked, its id'd objects moved into their occurrences, `$ref`s placeholders.
    /// `pointer` is where it is; `next` its position in the order [`Lifter::scan`] numbered.
    fn lift(
        &mut self,
        doc: &Doc<'_>,
        schema: Value,
        pointer: &mut String,
        next: &mut usize,
        problems: &mut Problems,
    ) -> Value {
        let Value::Object(mut map) = schema else {
            doc.problem(
                problems,
                pointer,
                format!("expected an object, found {schema}"),
            );
            return Value::Object(Map::new());
        };
        let position = *next;
        *next += 1;
        check(doc, &map, pointer, problems);
        if let Some(Value::String(target)) = map.get("$ref") {
            let placeholder = self.reference(doc, target, pointer, position);
            return with_site_required(placeholder, map.remove("required"));
        }
        if let Some(properties) = map.get_mut("properties") {
            let len = pointer.len();
            match properties {
                Value::Object(props) => {
                    for (name, prop) in props.iter_mut() {
                        pointer.push_str("/properties/");
                        push_token(pointer, name);
                        *prop = self.lift(doc, prop.take(), pointer, next, problems);
                        pointer.truncate(len);
                    }
                }
                _ => {
                    pointer.push_str("/properties");
                    doc.problem(problems, pointer, "`properties` must be an object".into());
                    pointer.truncate(len);
                }
            }
        }
        for child in ["items", "additionalProperties"] {
            if let Some(sub) = map.get_mut(child) {
                if !sub.is_boolean() {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(child);
                    *sub = self.lift(doc, sub.take(), pointer, next, problems);
                    pointer.truncate(len);
                }
            }
        }
        let Some(id) = map.remove("id") else {
            return Value::Object(map);
        };
        let Value::String(urn) = id else {
            doc.problem(
                problems,
                &format!("{pointer}/id"),
                "`id` must be a string".into(),
            );
            return Value::Object(map);
        };
        // `required` belongs to the property that holds this object, not to the type.
        let site_required = map.remove("required");
        let occurrence = doc.defined[&urn]
            .iter()
            .find(|(p, _)| *p == position)
            .map(|(_, o)| *o)
            .expect("scanned");
        self.occurrences[occurrence].schema = Value::Object(map);
        with_site_required(format!("{OCC}{occurrence}"), site_required)
    }

    /// The placeholder of a `$ref` at `pointer`.
    fn reference(&mut self, doc: &Doc<'_>, urn: &str, pointer: &str, here: usize) -> String {
        let Some(defs) = doc.defined.get(urn) else {
            self.crosses.push(Cross {
                urn: urn.to_string(),
                at: doc.loc(&format!("{pointer}/$ref")),
                kind: doc.kind.to_string(),
            });
            return format!("{CROSS}{}", self.crosses.len() - 1);
        };
        let before = defs.iter().rfind(|(p, _)| *p < here);
        let (_, occurrence) = before.unwrap_or(&defs[0]);
        format!("{OCC}{occurrence}")
    }

    /// The urn a placeholder stands for.
    fn urn_of<'a>(&'a self, placeholder: &'a str) -> &'a str {
        let index = |prefix| placeholder.strip_prefix(prefix)?.parse::<usize>().ok();
        if let Some(n) = index(OCC) {
            return &self.occurrences[n].urn;
        }
        match index(CROSS) {
            Some(n) => &self.crosses[n].urn,
            None => placeholder,
        }
    }

    /// Whether two lifted schemas of this source define the same variant: equal, with placeholders
    /// compared by the urns they stand for.
    fn same(&self, a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(key, x)| match (key.as_str(), x, b.get(key)) {
                            ("$ref", Value::String(x), Some(Value::String(y))) => {
                                self.urn_of(x) == self.urn_of(y)
                            }
                            (_, x, Some(y)) => self.same(x, y),
                            (_, _, None) => false,
                        })
            }
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| self.same(x, y))
            }
            (a, b) => a == b,
        }
    }

    /// This source's occurrences grouped into variants.
    fn variants(&self) -> Grouped<'_> {
        let mut variants: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let variant_of = (self.occurrences.iter().enumerate())
            .map(|(n, occ)| {
                let list = variants.entry(occ.urn.as_str()).or_default();
                let schema = &occ.schema;
                match (list.iter()).position(|&m| self.same(&self.occurrences[m].schema, schema)) {
                    Some(i) => i,
                    None => {
                        list.push(n);
                        list.len() - 1
                    }
                }
            })
            .collect();
        Grouped {
            variant_of,
            variants,
        }
    }
}

/// One source's occurrences grouped into variants.
struct Grouped<'a> {
    /// Occurrence -> its variant's index among the distinct definitions of its urn.
    variant_of: Vec<usize>,
    /// Urn -> the first occurrence of each of its variants.
    variants: BTreeMap<&'a str, Vec<usize>>,
}

/// A source's lifted schemas with the names of their variants: what [`Named::rename`] and
/// [`Named::types`] put in.
pub(crate) struct Named {
    lifter: Lifter,
    /// Occurrence -> the index of its variant's name in `names`.
    variant_of: Vec<usize>,
    /// Cross -> the index of its target's name, if it resolves.
    cross_target: Vec<Option<usize>>,
}

/// Groups every source's occurrences into variants and names them once for all sources; every `$ref` that
/// resolves to nothing is reported. The names, and each source's lifter with its variants.
pub(crate) fn finish(
    lifters: Vec<Lifter>,
    inputs: &[Input<'_>],
    problems: &mut Problems,
) -> (Vec<String>, Vec<Named>) {
    let grouped: Vec<Grouped<'_>> = lifters.iter().map(Lifter::variants).collect();
    let mut first = Variants::new();
    for (lifter, group) in lifters.iter().zip(&grouped) {
        for (urn, list) in &group.variants {
            first.insert((lifter.source, *urn), (lifter, list.as_slice()));
        }
    }
    let names = name_variants(&first, inputs, problems);
    // Every variant of every source has one index into `names`: its urn's first, plus its own index.
    let index: BTreeMap<(usize, &str), usize> = (first.iter())
        .scan(0, |next, (key, (_, list))| {
            let at = *next;
            *next += list.len();
            Some((*key, at))
        })
        .collect();
    let tables: Vec<(Vec<usize>, Vec<Option<usize>>)> = (lifters.iter().zip(&grouped))
        .map(|(lifter, group)| {
            let at = |urn: &str| index.get(&(lifter.source, urn)).copied();
            let variant_of = (lifter.occurrences.iter().zip(&group.variant_of))
                .map(|(occ, v)| at(&occ.urn).expect("every urn is grouped") + v)
                .collect();
            let cross_target = (lifter.crosses.iter())
                .map(|c| {
                    let variants = first.get(&(lifter.source, c.urn.as_str()));
                    let ways = variants.map(|(_, list)| list.len());
                    resolves(lifter, c, ways, inputs, problems).then(|| at(&c.urn))?
                })
                .collect();
            (variant_of, cross_target)
        })
        .collect();
    let named = (lifters.into_iter().zip(tables))
        .map(|(lifter, (variant_of, cross_target))| Named {
            lifter,
            variant_of,
            cross_target,
        })
        .collect();
    (names, named)
}

/// Whether a cross-document `$ref` resolves: its source defines its urn exactly one way. Reported if not.
fn resolves(
    lifter: &Lifter,
    cross: &Cross,
    variants: Option<usize>,
    inputs: &[Input<'_>],
    problems: &mut Problems,
) -> bool {
    let file = inputs[lifter.source].file;
    let (kind, urn) = (&cross.kind, &cross.urn);
    let problem = match variants {
        Some(1) => return true,
        Some(n) => format!("its document does not define and {file} defines {n} ways"),
        None => format!("no schema of {file} defines"),
    };
    problems.push(
        cross.at.clone(),
        format!("{kind} schema: `$ref` to {urn:?}, which {problem}"),
    );
    false
}

/// Checks one schema object's keywords.
fn check(doc: &Doc<'_>, map: &Map<String, Value>, pointer: &str, problems: &mut Problems) {
    for key in map.keys() {
        if !KEYWORDS.contains(&key.as_str()) {
            let p = format!("{pointer}/{}", escape_token(key));
            doc.problem(problems, &p, format!("unknown keyword {key:?}"));
        }
    }
    match map.get("type") {
        Some(Value::String(t)) if TYPES.contains(&t.as_str()) => {}
        None if map.contains_key("$ref") => {}
        other => doc.problem(
            problems,
            &format!("{pointer}/type"),
            format!(
                "`type` must be one of {}, found {}",
                TYPES.join(", "),
                other.map_or("nothing".to_string(), Value::to_string)
            ),
        ),
    }
    if let Some(values) = map.get("enum") {
        let strings = values
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string));
        if !strings {
            doc.problem(
                problems,
                &format!("{pointer}/enum"),
                "`enum` must be a non-empty list of strings".into(),
            );
        }
    }
    if let Some(required) = map.get("required") {
        if !required.is_boolean() {
            doc.problem(
                problems,
                &format!("{pointer}/required"),
                "draft-3 `required` must be true or false".into(),
            );
        }
    }
    if map.get("type").and_then(Value::as_str) == Some("array") && !map.contains_key("items") {
        doc.problem(problems, pointer, "array without `items`".into());
    }
}

fn with_site_required(placeholder: String, required: Option<Value>) -> Value {
    let mut out = Map::new();
    out.insert("$ref".into(), Value::String(placeholder));
    if let Some(required) = required {
        out.insert("required".into(), required);
    }
    Value::Object(out)
}

/// Every `$ref` target in a schema, read-only.
pub(crate) fn each_ref<'v>(schema: &'v Value, f: &mut impl FnMut(&'v str)) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                f(r);
            }
            map.values().for_each(|v| each_ref(v, f));
        }
        Value::Array(items) => items.iter().for_each(|v| each_ref(v, f)),
        _ => {}
    }
}

fn visit_refs(schema: &mut Value, f: &mut impl FnMut(&mut String)) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                f(r);
            }
            map.values_mut().for_each(|v| visit_refs(v, f));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| visit_refs(v, f)),
        _ => {}
    }
}

/// `urn:jsonschema:org:apache:flink:runtime:rest:messages:checkpoints:CheckpointStatistics:Counts` ->
/// `["CheckpointStatistics", "Counts"]`: the segments after the package (the last lower-case one).
fn class_path(urn: &str) -> Vec<&str> {
    let segments: Vec<&str> = urn
        .trim_start_matches("urn:jsonschema:")
        .split(':')
        .collect();
    let first_class = segments
        .iter()
        .rposition(|s| !s.starts_with(char::is_uppercase))
        .map_or(0, |i| i + 1);
    match first_class < segments.len() {
        true => segments[first_class..].to_vec(),
        false => segments[segments.len() - 1..].to_vec(),
    }
}

/// Class path -> name: the last segment, prefixed by enclosing classes while names collide.
fn base_names<'a>(paths: &BTreeSet<Vec<&'a str>>) -> HashMap<Vec<&'a str>, String> {
    let name = |path: &[&str], depth: usize| -> String {
        path[path.len() - depth..]
            .iter()
            .map(|s| crate::naming::class_segment(s))
            .collect()
    };
    let mut depth: HashMap<&Vec<&str>, usize> = paths.iter().map(|p| (p, 1)).collect();
    loop {
        let mut by_name: HashMap<String, Vec<&Vec<&str>>> = HashMap::new();
        for path in paths {
            by_name
                .entry(name(path, depth[path]))
                .or_default()
                .push(path);
        }
        let mut changed = false;
        for group in by_name.values().filter(|g| g.len() > 1) {
            for path in group {
                if path.len() > depth[*path] {
                    *depth.get_mut(*path).expect("every path has a depth") += 1;
                    changed = true;
                }
            }
        }
        if !changed {
            return paths
                .iter()
                .map(|p| (p.clone(), name(p, depth[p])))
                .collect();
        }
    }
}

/// (source, urn) -> the source's lifter and the first occurrence of each variant of the urn there.
type Variants<'a> = BTreeMap<(usize, &'a str), (&'a Lifter, &'a [usize])>;

/// The name of every variant, in the order of `variants` and of each urn's variants.
fn name_variants(
    variants: &Variants<'_>,
    inputs: &[Input<'_>],
    problems: &mut Problems,
) -> Vec<String> {
    let paths: BTreeSet<Vec<&str>> = variants.keys().map(|(_, urn)| class_path(urn)).collect();
    let base = base_names(&paths);
    // One class path, two urns in one source: two classes the names cannot tell apart.
    let mut urn_of: HashMap<(usize, Vec<&str>), &str> = HashMap::new();
    // The line of a variant's first definition.
    let line_of = |lifter: &Lifter, list: &[usize], i: usize| {
        list.get(i).map_or(0, |&o| lifter.occurrences[o].line)
    };
    for ((source, urn), (lifter, list)) in variants {
        if let Some(other) = urn_of.insert((*source, class_path(urn)), urn) {
            let first = variants
                .get(&(*source, other))
                .map_or(0, |(l, list)| line_of(l, list, 0));
            problems.push(
                Location::at(inputs[*source].file, line_of(lifter, list, 0)),
                format!(
                    "{other} (line {first}) and {urn} are different classes with the same name"
                ),
            );
        }
    }
    // Generic classes: several variants in some source. What every variant of one refers to is common.
    let mut common: HashMap<Vec<&str>, BTreeSet<&str>> = HashMap::new();
    let generic = variants.iter().filter(|(_, (_, list))| list.len() > 1);
    for ((_, urn), (lifter, list)) in generic {
        for &occurrence in list.iter() {
            let sig = signature(&base, lifter, occurrence);
            common
                .entry(class_path(urn))
                .and_modify(|c| c.retain(|r| sig.contains(r)))
                .or_insert(sig);
        }
    }
    let mut names = Vec::new();
    for ((source, urn), (lifter, list)) in variants {
        let path = class_path(urn);
        let class = &base[&path];
        let mut taken: HashMap<String, usize> = HashMap::new();
        for (i, &occurrence) in list.iter().enumerate() {
            let name = match common.get(&path) {
                None => class.clone(),
                Some(common) => {
                    let sig = signature(&base, lifter, occurrence);
                    let own: Vec<&str> = sig.difference(common).copied().collect();
                    match own.is_empty() {
                        true => format!("{class}{}", i + 1),
                        false => format!("{class}Of{}", own.join("And")),
                    }
                }
            };
            if let Some(other) = taken.insert(name.clone(), i) {
                problems.push(
                    Location::at(inputs[*source].file, line_of(lifter, list, i)),
                    format!(
                        "definitions {} (line {}) and {} of {urn} both get the name {name}",
                        other + 1,
                        line_of(lifter, list, other),
                        i + 1
                    ),
                );
            }
            names.push(name);
        }
    }
    names
}

/// The base names of the classes the variant whose first occurrence is `occurrence` refers to.
fn signature<'a>(
    base: &'a HashMap<Vec<&'a str>, String>,
    lifter: &'a Lifter,
    occurrence: usize,
) -> BTreeSet<&'a str> {
    let mut refs = BTreeSet::new();
    each_ref(&lifter.occurrences[occurrence].schema, &mut |r| {
        if let Some(name) = base.get(&class_path(lifter.urn_of(r))) {
            refs.insert(name.as_str());
        }
    });
    refs
}

impl Named {
    /// The name a placeholder of this source stands for.
    fn name<'a>(&self, names: &'a [String], placeholder: &str) -> Option<&'a String> {
        let index = |prefix| placeholder.strip_prefix(prefix)?.parse::<usize>().ok();
        let variant = match index(OCC) {
            Some(n) => self.variant_of[n],
            None => self.cross_target[index(CROSS)?]?,
        };
        names.get(variant)
    }

    /// Puts names into the placeholders of a lifted schema of this source.
    pub(crate) fn rename(&self, names: &[String], schema: &mut Value) {
        visit_refs(schema, &mut |r| {
            if let Some(name) = self.name(names, r) {
                *r = name.clone();
            }
        });
    }

    /// The source's named schemas: the first occurrence of each name, renamed.
    pub(crate) fn types(mut self, names: &[String]) -> BTreeMap<String, NamedSchema> {
        let mut out: BTreeMap<String, NamedSchema> = BTreeMap::new();
        // Renaming reads only the variant tables, so the schemas can move out.
        let occurrences = std::mem::take(&mut self.lifter.occurrences);
        for (n, occ) in occurrences.into_iter().enumerate() {
            let Some(name) = names.get(self.variant_of[n]) else {
                continue;
            };
            match out.get_mut(name) {
                Some(def) => def.lines.push(occ.line),
                None => {
                    let mut schema = occ.schema;
                    self.rename(names, &mut schema);
                    out.insert(
                        name.clone(),
                        NamedSchema {
                            name: name.clone(),
                            id: occ.urn,
                            lines: vec![occ.line],
                            schema,
                        },
                    );
                }
            }
        }
        out
    }
}
