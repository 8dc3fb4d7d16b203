//! Lifting Jackson's `urn:jsonschema:…` id'd objects out into named schemas, across every source.
//!
//! Jackson writes a class out in full where it first visits it and as `{"$ref": "<id>"}` elsewhere in the
//! same schema document; since about 2020 it prints properties alphabetically, so a `$ref` may come
//! before the definition it names, and a class can refer to itself (flame graph nodes). A generic class
//! (`AsynchronousOperationResult<V>`) is written under one id for every `V`.
//!
//! So lifting is two steps. [`Lifter::document`] lifts one schema document: every id'd object becomes an
//! *occurrence* and is replaced by a placeholder `$ref`; a `$ref` points at an occurrence of its id in
//! the same document (the nearest one before it, else the first after it), or, where the document has
//! none, at the id's only definition in the source. [`Lifter::finish`] groups occurrences into
//! *variants* (distinct definitions of one id in one source) and names them once for all sources:
//!
//! - a type's identity is its class path, the id without its package (`CheckpointStatistics:Counts`), so
//!   a class that moves package (`StatsSummaryDto` in 2.1, 2.2 and 2.3) keeps its name;
//! - the name is the class's own name, prefixed by its enclosing classes while two class paths of any
//!   source would share it (`JobVertexTaskManagersInfoTaskManagersInfo`);
//! - a class with several variants in some source is generic: each variant is `<Name>Of<what it refers
//!   to that not every variant does>` (`AsynchronousOperationResultOfSavepointInfo`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use heck::ToUpperCamelCase;
use serde_json::{Map, Value};

use super::{Input, NamedSchema, RawSchema};
use crate::diag::{Location, Problems};
use crate::jsonpos::escape_token;

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

/// Placeholder prefixes of lifted `$ref`s until [`Names::rename`] puts names in.
const OCC: &str = "#occ:";
const CROSS: &str = "#cross:";

/// One id'd object as written in one schema document.
struct Occurrence {
    source: usize,
    urn: String,
    line: usize,
    /// Lifted: nested id'd objects and `$ref`s are placeholders.
    schema: Value,
}

/// A `$ref` to an id its own document does not define: resolved against the whole source.
struct Cross {
    source: usize,
    urn: String,
    at: Location,
    /// `request` or `response`.
    kind: String,
}

#[derive(Default)]
pub(crate) struct Lifter {
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
    source: usize,
    /// Pointer of every object -> its position in document order.
    order: HashMap<String, usize>,
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
    /// Checks one schema document and returns it with every id'd object lifted out.
    pub(crate) fn document(
        &mut self,
        source: usize,
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
            source,
            order: HashMap::new(),
            defined: HashMap::new(),
        };
        self.scan(&mut doc, &raw.value, String::new());
        self.lift(&doc, raw.value, "", problems)
    }

    /// Numbers every object in document order and allocates an occurrence for each id'd one.
    fn scan(&mut self, doc: &mut Doc<'_>, value: &Value, pointer: String) {
        let Value::Object(map) = value else { return };
        let position = doc.order.len();
        doc.order.insert(pointer.clone(), position);
        if let Some(Value::String(urn)) = map.get("id") {
            let line = doc.loc(&pointer).line;
            doc.defined
                .entry(urn.clone())
                .or_default()
                .push((position, self.occurrences.len()));
            self.occurrences.push(Occurrence {
                source: doc.source,
                urn: urn.clone(),
                line,
                schema: Value::Null,
            });
        }
        if let Some(Value::Object(props)) = map.get("properties") {
            for (name, prop) in props {
                self.scan(
                    doc,
                    prop,
                    format!("{pointer}/properties/{}", escape_token(name)),
                );
            }
        }
        for child in ["items", "additionalProperties"] {
            if let Some(sub) = map.get(child) {
                self.scan(doc, sub, format!("{pointer}/{child}"));
            }
        }
    }

    fn lift(
        &mut self,
        doc: &Doc<'_>,
        schema: Value,
        pointer: &str,
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
        check(doc, &map, pointer, problems);
        if let Some(Value::String(target)) = map.get("$ref") {
            let placeholder = self.reference(doc, target, pointer);
            return with_site_required(placeholder, map.remove("required"));
        }
        if let Some(properties) = map.get_mut("properties") {
            match properties {
                Value::Object(props) => {
                    for (name, prop) in props.iter_mut() {
                        let p = format!("{pointer}/properties/{}", escape_token(name));
                        *prop = self.lift(doc, prop.take(), &p, problems);
                    }
                }
                _ => doc.problem(
                    problems,
                    &format!("{pointer}/properties"),
                    "`properties` must be an object".into(),
                ),
            }
        }
        for child in ["items", "additionalProperties"] {
            if let Some(sub) = map.get_mut(child) {
                if !sub.is_boolean() {
                    let p = format!("{pointer}/{child}");
                    *sub = self.lift(doc, sub.take(), &p, problems);
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
        let position = doc.order[pointer];
        let occurrence = doc.defined[&urn]
            .iter()
            .find(|(p, _)| *p == position)
            .map(|(_, o)| *o)
            .expect("scanned");
        self.occurrences[occurrence].schema = Value::Object(map);
        with_site_required(format!("{OCC}{occurrence}"), site_required)
    }

    /// The placeholder of a `$ref` at `pointer`.
    fn reference(&mut self, doc: &Doc<'_>, urn: &str, pointer: &str) -> String {
        let Some(defs) = doc.defined.get(urn) else {
            self.crosses.push(Cross {
                source: doc.source,
                urn: urn.to_string(),
                at: doc.loc(&format!("{pointer}/$ref")),
                kind: doc.kind.to_string(),
            });
            return format!("{CROSS}{}", self.crosses.len() - 1);
        };
        let here = doc.order[pointer];
        let before = defs.iter().rfind(|(p, _)| *p < here);
        let (_, occurrence) = before.unwrap_or(&defs[0]);
        format!("{OCC}{occurrence}")
    }

    /// Groups occurrences into variants and names them; every `$ref` that resolves to nothing is reported.
    pub(crate) fn finish(self, inputs: &[Input<'_>], problems: &mut Problems) -> Names {
        let urn_of_cross: Vec<&str> = self.crosses.iter().map(|c| c.urn.as_str()).collect();
        // (source, urn) -> distinct canonical schemas; occurrence -> its variant's index.
        let mut variants: BTreeMap<(usize, &str), Vec<Value>> = BTreeMap::new();
        let mut variant_of = Vec::with_capacity(self.occurrences.len());
        for occ in &self.occurrences {
            let canonical = canonical(&occ.schema, &self.occurrences, &urn_of_cross);
            let list = variants.entry((occ.source, occ.urn.as_str())).or_default();
            let index = match list.iter().position(|v| *v == canonical) {
                Some(i) => i,
                None => {
                    list.push(canonical);
                    list.len() - 1
                }
            };
            variant_of.push(index);
        }
        let cross_target: Vec<Option<usize>> = self
            .crosses
            .iter()
            .map(|c| match variants.get(&(c.source, c.urn.as_str())).map(Vec::len) {
                Some(1) => Some(0),
                Some(n) => {
                    problems.push(
                        c.at.clone(),
                        format!(
                            "{} schema: `$ref` to {:?}, which its document does not define and {} defines {n} ways",
                            c.kind, c.urn, inputs[c.source].file
                        ),
                    );
                    None
                }
                None => {
                    problems.push(
                        c.at.clone(),
                        format!(
                            "{} schema: `$ref` to {:?}, which no schema of {} defines",
                            c.kind, c.urn, inputs[c.source].file
                        ),
                    );
                    None
                }
            })
            .collect();
        let names = name_variants(&variants, inputs, problems);
        Names {
            occurrences: self.occurrences,
            crosses: self.crosses,
            variant_of,
            cross_target,
            names,
        }
    }
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

/// A lifted schema with its placeholders replaced by the urns they point at: equal for two occurrences
/// that define the same variant.
fn canonical(schema: &Value, occurrences: &[Occurrence], crosses: &[&str]) -> Value {
    let mut out = schema.clone();
    visit_refs(&mut out, &mut |r| {
        if let Some(n) = r.strip_prefix(OCC).and_then(|n| n.parse::<usize>().ok()) {
            *r = occurrences[n].urn.clone();
        } else if let Some(n) = r.strip_prefix(CROSS).and_then(|n| n.parse::<usize>().ok()) {
            *r = crosses[n].to_string();
        }
    });
    out
}

/// Every `$ref` target in a schema, read-only.
fn each_ref(schema: &Value, f: &mut impl FnMut(&str)) {
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
            .map(|s| match s.starts_with(char::is_uppercase) {
                true => s.to_string(),
                false => s.to_upper_camel_case(),
            })
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

/// (source, urn, variant) -> name.
type VariantNames = HashMap<(usize, String, usize), String>;

fn name_variants(
    variants: &BTreeMap<(usize, &str), Vec<Value>>,
    inputs: &[Input<'_>],
    problems: &mut Problems,
) -> VariantNames {
    let paths: BTreeSet<Vec<&str>> = variants.keys().map(|(_, urn)| class_path(urn)).collect();
    let base = base_names(&paths);
    // One class path, two urns in one source: two classes the names cannot tell apart.
    let mut urn_of: HashMap<(usize, Vec<&str>), &str> = HashMap::new();
    for (source, urn) in variants.keys() {
        if let Some(other) = urn_of.insert((*source, class_path(urn)), urn) {
            problems.push(
                Location::file(inputs[*source].file),
                format!("{other} and {urn} are different classes with the same name"),
            );
        }
    }
    let signature = |schema: &Value| -> BTreeSet<String> {
        let mut refs = BTreeSet::new();
        each_ref(schema, &mut |r| {
            refs.insert(base[&class_path(r)].clone());
        });
        refs
    };
    // Generic classes: several variants in some source. What every variant of one refers to is common.
    let generic: BTreeSet<Vec<&str>> = variants
        .iter()
        .filter(|(_, list)| list.len() > 1)
        .map(|((_, urn), _)| class_path(urn))
        .collect();
    let mut common: HashMap<Vec<&str>, BTreeSet<String>> = HashMap::new();
    for ((_, urn), list) in variants {
        let path = class_path(urn);
        if !generic.contains(&path) {
            continue;
        }
        for schema in list {
            let sig = signature(schema);
            common
                .entry(path.clone())
                .and_modify(|c| c.retain(|r| sig.contains(r)))
                .or_insert(sig);
        }
    }
    let mut names = VariantNames::new();
    for ((source, urn), list) in variants {
        let path = class_path(urn);
        let base = &base[&path];
        let mut taken: HashMap<String, usize> = HashMap::new();
        for (i, schema) in list.iter().enumerate() {
            let name = match common.get(&path) {
                None => base.clone(),
                Some(common) => {
                    let own: Vec<String> = signature(schema).difference(common).cloned().collect();
                    match own.is_empty() {
                        true => format!("{base}{}", i + 1),
                        false => format!("{base}Of{}", own.join("And")),
                    }
                }
            };
            if let Some(other) = taken.insert(name.clone(), i) {
                problems.push(
                    Location::file(inputs[*source].file),
                    format!(
                        "definitions {} and {} of {urn} both get the name {name}",
                        other + 1,
                        i + 1
                    ),
                );
            }
            names.insert((*source, urn.to_string(), i), name);
        }
    }
    names
}

/// The names of every lifted schema, and how to put them into `$ref`s.
pub(crate) struct Names {
    occurrences: Vec<Occurrence>,
    crosses: Vec<Cross>,
    variant_of: Vec<usize>,
    cross_target: Vec<Option<usize>>,
    names: VariantNames,
}

impl Names {
    fn of_placeholder(&self, placeholder: &str) -> Option<&String> {
        if let Some(n) = placeholder
            .strip_prefix(OCC)
            .and_then(|n| n.parse::<usize>().ok())
        {
            let occ = &self.occurrences[n];
            return self
                .names
                .get(&(occ.source, occ.urn.clone(), self.variant_of[n]));
        }
        let n = placeholder.strip_prefix(CROSS)?.parse::<usize>().ok()?;
        let cross = &self.crosses[n];
        let variant = self.cross_target[n]?;
        self.names.get(&(cross.source, cross.urn.clone(), variant))
    }

    /// Puts names into the placeholders of a lifted schema.
    pub(crate) fn rename(&self, schema: &mut Value) {
        visit_refs(schema, &mut |r| {
            if let Some(name) = self.of_placeholder(r) {
                *r = name.clone();
            }
        });
    }

    /// The named schemas of one source.
    pub(crate) fn types(&self, source: usize) -> BTreeMap<String, NamedSchema> {
        let mut out: BTreeMap<String, NamedSchema> = BTreeMap::new();
        for (n, occ) in self.occurrences.iter().enumerate() {
            if occ.source != source {
                continue;
            }
            let Some(name) = self.of_placeholder(&format!("{OCC}{n}")) else {
                continue;
            };
            match out.get_mut(name) {
                Some(def) => def.lines.push(occ.line),
                None => {
                    let mut schema = occ.schema.clone();
                    self.rename(&mut schema);
                    out.insert(
                        name.clone(),
                        NamedSchema {
                            name: name.clone(),
                            id: occ.urn.clone(),
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
