//! The IR: plain data that both emitters (OpenAPI, Rust) read, built from each source's docs.
//!
//! Every decision an emitter should not make on its own is here as data: names, which parameter is which
//! id, whether a field is required or nullable and in which Flink versions it exists.

use std::collections::{BTreeMap, HashMap};

use crate::naming::{self, rust_field_name, rust_type_name};
use serde::Deserialize;
use serde_json::Value;

use crate::diag::{Location, Problems};
use crate::docs::{self, Documented, ParamType};
use crate::jsonpos;

pub const NAMES_FILE: &str = "schemas/names.json";

#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// Which document the API comes from, e.g. `documented` (the page as written).
    pub variant: String,
    pub source: String,
    pub operations: Vec<Operation>,
    /// Structs and enums, by name.
    pub types: BTreeMap<String, TypeDef>,
    /// Named string types of path and query parameters, by name.
    pub ids: BTreeMap<String, IdDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `GET /jobs/:jobid`.
    pub key: String,
    pub method: String,
    /// As the page writes it: `/jobs/:jobid`.
    pub path: String,
    /// snake_case method name.
    pub name: String,
    /// camelCase OpenAPI operationId.
    pub operation_id: String,
    pub description: String,
    pub status: u16,
    pub status_text: String,
    pub path_params: Vec<Param>,
    pub query_params: Vec<Param>,
    pub request: Option<Request>,
    /// `None`: the page documents no body.
    pub response: Option<Ty>,
    /// Other statuses servers answer with (from the ledger), besides Flink's error body for 4xx/5xx.
    pub answers: Vec<Answer>,
    /// The first and last minor whose docs list it, where that is not the oldest / newest one.
    pub since: Option<String>,
    pub until: Option<String>,
    /// Why it is here though the docs do not list it (a ledger entry: servers still serve it).
    pub undocumented: Option<String>,
    /// The first and last version whose server serves it (in the crate's union: whose corrected API
    /// has it), where that is not the oldest / newest version.
    pub served_since: Option<String>,
    pub served_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    /// `None`: Flink's error body.
    pub body: Option<Ty>,
    pub why: String,
}

/// The end of a minor's documented API's variant: `1.20-documented`.
const DOCUMENTED: &str = "-documented";

impl Api {
    /// The minor whose docs this API is, as written (`1.20` for `1.20-documented`); else the variant.
    pub fn minor(&self) -> &str {
        self.variant
            .strip_suffix(DOCUMENTED)
            .unwrap_or(&self.variant)
    }
}

impl Operation {
    /// OpenAPI form of the path: `/jobs/{jobid}`.
    pub fn openapi_path(&self) -> String {
        naming::openapi_path(&self.path)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// On the wire.
    pub name: String,
    /// As a Rust identifier.
    pub rust_name: String,
    pub description: String,
    pub required: bool,
    pub deprecated: bool,
    pub ty: ParamTy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamTy {
    String,
    Boolean,
    PositiveInteger,
    Long,
    Integer,
    /// `key:value`.
    KeyValue,
    /// A named id type (see [`Api::ids`]).
    Id(String),
    /// A named enum (see [`Api::types`]).
    Enum(String),
    /// Comma-separated.
    List(Box<ParamTy>),
    /// `5-9` or `5`.
    IntegerRange,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Json(Ty),
    /// `multipart/form-data` with one file part.
    MultipartFile {
        part: String,
        content_type: String,
    },
    /// `multipart/form-data` with the JSON body in part `json_part` and any number of file parts.
    MultipartWithJson {
        json_part: String,
        body: Ty,
    },
}

/// A type use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// Draft-3 `"type": "any"`: anything at all.
    Any,
    String,
    /// `None`: the docs do not say how wide (the 1.10 page; a field Flink's OpenAPI rendering lacks).
    Integer(Option<Width>),
    Number,
    /// A Java double as Jackson writes it: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
    Double,
    Boolean,
    Named(String),
    Array(Box<Ty>),
    /// An object with `additionalProperties` only.
    Map(Box<Ty>),
    /// Such an object whose keys are the values of an enum (from the ledger: Jackson leaves key types
    /// out of its schemas).
    KeyedMap {
        key: String,
        value: Box<Ty>,
    },
}

/// Each variant of a one-of struct is a component of the specs (`SavepointInfoCompleted`): a problem
/// where that name is another type's (rename the type in `schemas/names.json`, or the variant in its
/// `one-of` entry).
pub fn check_variant_names(api: &Api) -> Result<(), Problems> {
    let mut problems = Problems::default();
    for def in api.types.values() {
        let TypeDef::Struct(s) = def else { continue };
        for v in &s.one_of {
            let name = naming::variant_schema(&s.name, &v.name);
            if api.types.contains_key(&name) || api.ids.contains_key(&name) {
                problems.push(
                    Location::file(crate::ledger::DIR),
                    format!(
                        "variant {} of {} is a schema named {name}, which is also a type",
                        v.name, s.name
                    ),
                );
            }
        }
    }
    problems.into_result(())
}

/// How wide an integer is: a Java `int` or `long`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Width {
    Int32,
    Int64,
}

impl Width {
    /// The OpenAPI `format`.
    pub fn format(self) -> &'static str {
        match self {
            Width::Int32 => "int32",
            Width::Int64 => "int64",
        }
    }

    /// The width a schema's `format` names: `Ok(None)` where it names none.
    pub fn of(schema: &Value) -> Result<Option<Width>, String> {
        match schema.get("format") {
            None => Ok(None),
            Some(f) if f == "int32" => Ok(Some(Width::Int32)),
            Some(f) if f == "int64" => Ok(Some(Width::Int64)),
            Some(other) => Err(format!(
                "an integer's format is int32 or int64, not {other}"
            )),
        }
    }

    /// Whether a Java integer of this width holds `v`.
    pub fn holds(self, v: &Value) -> bool {
        match self {
            Width::Int32 => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
            Width::Int64 => v.is_i64(),
        }
    }
}

impl Ty {
    /// The type with every integer's width left unsaid.
    pub fn widthless(&self) -> Ty {
        match self {
            Ty::Integer(_) => Ty::Integer(None),
            Ty::Array(items) => Ty::Array(Box::new(items.widthless())),
            Ty::Map(values) => Ty::Map(Box::new(values.widthless())),
            Ty::KeyedMap { key, value } => Ty::KeyedMap {
                key: key.clone(),
                value: Box::new(value.widthless()),
            },
            other => other.clone(),
        }
    }

    /// Whether it is, or holds, an integer whose width nothing says.
    pub fn width_unsaid(&self) -> bool {
        match self {
            Ty::Integer(width) => width.is_none(),
            Ty::Array(items) => items.width_unsaid(),
            Ty::Map(values) | Ty::KeyedMap { value: values, .. } => values.width_unsaid(),
            _ => false,
        }
    }

    /// Whether it is, or holds, `any` (data kept as JSON).
    pub fn contains_any(&self) -> bool {
        match self {
            Ty::Any => true,
            Ty::Array(items) => items.contains_any(),
            Ty::Map(values) | Ty::KeyedMap { value: values, .. } => values.contains_any(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    Struct(StructDef),
    Enum(EnumDef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    pub name: String,
    /// The Jackson id it comes from.
    pub urn: String,
    pub fields: Vec<Field>,
    /// The ways it can be, exactly one at a time (a ledger `one-of`: an operation's result is its
    /// payload or its failure); empty: every field on its own.
    pub one_of: Vec<Variant>,
}

/// One way a struct can be: its name and the wire names of the fields set in it.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Variant {
    pub name: String,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// On the wire.
    pub name: String,
    pub rust_name: String,
    pub ty: Ty,
    /// Present in every response.
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
    /// First and last Flink version that send it, where that is known.
    pub since: Option<String>,
    pub until: Option<String>,
    /// Which minors' docs list it (known in the crate's union API only).
    pub listed: Option<Listed>,
    pub doc: Option<String>,
    /// Why it stays free-form data (`serde_json::Value`): the `free-form` ledger entry's why.
    pub free_form: Option<String>,
    /// The named type a string field decodes as in the crate, from the names file's `fields`.
    pub string_type: Option<StringType>,
    /// In the crate's union API: the Rust name of the field this one is another spelling of (Flink
    /// sends both, `start-time` and `start_time`, with one value; same type, same presence).
    pub spelling_of: Option<String>,
}

/// A named type of the crate a string on the wire decodes as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StringType {
    /// An id type (`JobId` …): one call's answer feeds the next.
    Id(String),
    /// An open enum of the values a Java enum has (`ApplicationState` …).
    Enum(String),
}

/// Which minors' docs list a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listed {
    /// No version's docs: only the ledger knows it.
    Nowhere,
    /// The first and last minor whose docs list it, where that is not the first / last minor whose docs
    /// list its type.
    Range {
        since: Option<String>,
        until: Option<String>,
    },
}

impl Field {
    /// A field as the page (or a ledger schema) defines it: no evidence about it yet.
    pub fn new(wire: &str, ty: Ty, doc: Option<String>) -> Field {
        Field {
            name: wire.to_string(),
            rust_name: rust_field_name(wire),
            ty,
            required: false,
            nullable: false,
            since: None,
            until: None,
            listed: None,
            doc,
            free_form: None,
            string_type: None,
            spelling_of: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub values: Vec<String>,
    /// Where it appears, for its doc comment.
    pub used_by: Vec<String>,
    /// Value -> the first and last minor whose docs list it, where that is not the first / last minor
    /// whose docs have the enum (known in union APIs only; `skew` of `agg` since 1.20).
    pub listed: BTreeMap<String, (Option<String>, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IdDef {
    pub name: String,
    pub description: String,
    /// The format the page documents.
    pub pattern: Option<String>,
}

/// `schemas/names.json`: the names the docs do not give.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Names {
    pub operations: BTreeMap<String, String>,
    pub enums: BTreeMap<String, Vec<String>>,
    pub ids: BTreeMap<String, String>,
    /// `Type.wire-name` -> the id type a string field holds.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// The name a type derives from its Java class (`JobDetailsInfoJobVertexDetailsInfo`) -> the name it
    /// has in the specs and the crate (`JobVertexDetails`).
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    /// `Type.wire-name` -> what the field holds, for the crate's field docs and the specs'
    /// descriptions (Flink's own description, where its docs give one, follows); `*.wire-name`: every
    /// field of that name no `Type.wire-name` entry describes.
    #[serde(default)]
    pub docs: BTreeMap<String, String>,
}

impl Names {
    /// The name of a type whose derived name is `derived`.
    pub fn type_name<'a>(&'a self, derived: &'a str) -> &'a str {
        self.types.get(derived).map_or(derived, String::as_str)
    }

    pub fn parse(text: &str) -> Result<Names, Problems> {
        serde_json::from_str(text).map_err(|e| {
            let mut p = Problems::default();
            p.push(Location::at(NAMES_FILE, e.line()), e.to_string());
            p
        })
    }
}

const HEX32: &str = "^[0-9a-fA-F]{32}$";

/// The source id of the 1.10 page, the documented baseline.
pub const BASELINE: &str = "1.10";

/// Gives the string fields the names file lists (`fields`) their named type: an id type of its `ids`
/// or an enum of its `enums` (added to `api` with every value the names file lists); a map field listed
/// with an enum gets keys of that enum. Every entry must name a string or map field of `api`. (An API with no types at all, the crate's union where the ledger names
/// no version, has nothing to mark.)
pub fn name_string_fields(api: &mut Api, names: &Names) -> Result<(), Problems> {
    let mut problems = Problems::default();
    if api.types.is_empty() {
        return Ok(());
    }
    let ids: std::collections::BTreeSet<&String> = names.ids.values().collect();
    for (at, name) in &names.fields {
        let loc = Location::file(NAMES_FILE).pointer(format!("/fields/{at}"));
        let string_type = match (ids.contains(name), names.enums.get(name)) {
            (true, _) => StringType::Id(name.clone()),
            (false, Some(values)) => {
                add_enum(api, name, values, at);
                StringType::Enum(name.clone())
            }
            (false, None) => {
                let message = format!("{name} is neither an id type (`ids`) nor an enum (`enums`)");
                problems.push(loc, message);
                continue;
            }
        };
        match (field_at(api, at), string_type) {
            (Some(f), string_type) if f.ty == Ty::String => f.string_type = Some(string_type),
            // A map whose keys are the enum's values (Jackson writes no key type): typed keys, and
            // reading a known key costs no allocation.
            (Some(f), StringType::Enum(key)) if matches!(f.ty, Ty::Map(_)) => {
                if let Ty::Map(value) = &f.ty {
                    f.ty = Ty::KeyedMap {
                        key,
                        value: value.clone(),
                    };
                }
            }
            (Some(f), _) => problems.push(
                loc,
                format!(
                    "{at} is {:?}, not a string (or a map, for an enum of its keys)",
                    f.ty
                ),
            ),
            (None, _) => problems.push(loc, format!("the crate has no field {at}")),
        }
    }
    problems.into_result(())
}

/// Gives the fields the names file's `docs` describe that text, ahead of Flink's own description: a
/// `Type.wire-name` entry to that field, a `*.wire-name` entry to every field of that name in any type
/// that no `Type.wire-name` entry describes. Every entry must describe a field of `api` (the crate's
/// union).
pub fn document_fields(api: &mut Api, names: &Names) -> Result<(), Problems> {
    let mut problems = Problems::default();
    if api.types.is_empty() {
        return Ok(());
    }
    for at in give_field_docs(api, names) {
        let said = match at.strip_prefix("*.") {
            Some(wire) => format!(
                "describes no field: the crate has no field named {wire}, or each has a `Type.{wire}` entry"
            ),
            None => format!("the crate has no field {at}"),
        };
        problems.push(
            Location::file(NAMES_FILE).pointer(format!("/docs/{}", jsonpos::escape_token(at))),
            said,
        );
    }
    problems.into_result(())
}

/// [`document_fields`] for one version's API, which need not have every field: the entries that
/// described no field of `api`.
pub fn give_field_docs<'n>(api: &mut Api, names: &'n Names) -> Vec<&'n str> {
    let mut described_none = Vec::new();
    for (at, text) in &names.docs {
        let described = match at.strip_prefix("*.") {
            Some(wire) => {
                let mut any = false;
                for (name, def) in &mut api.types {
                    let TypeDef::Struct(s) = def else { continue };
                    let Some(field) = s.fields.iter_mut().find(|f| f.name == wire) else {
                        continue;
                    };
                    // A `Type.wire-name` entry says it for this type.
                    if !names.docs.contains_key(&format!("{name}.{wire}")) {
                        describe(field, text);
                        any = true;
                    }
                }
                any
            }
            None => field_at(api, at)
                .map(|field| describe(field, text))
                .is_some(),
        };
        if !described {
            described_none.push(at.as_str());
        }
    }
    described_none
}

/// `text` as a field's doc, ahead of Flink's own description where its docs give one.
fn describe(field: &mut Field, text: &str) {
    field.doc = Some(match field.doc.take() {
        Some(flink) if !flink.is_empty() => format!("{text}\n\nFlink's docs: {flink}"),
        _ => text.to_string(),
    });
}

/// The field a names-file key `Type.wire-name` names.
fn field_at<'a>(api: &'a mut Api, at: &str) -> Option<&'a mut Field> {
    let (ty, wire) = at.split_once('.')?;
    match api.types.get_mut(ty) {
        Some(TypeDef::Struct(s)) => s.fields.iter_mut().find(|f| f.name == wire),
        _ => None,
    }
}

/// Adds the names file's enum `name` to `api`, or its values and `used_by` to the one there.
fn add_enum(api: &mut Api, name: &str, values: &[String], used_by: &str) {
    let def = api.types.entry(name.to_string()).or_insert_with(|| {
        TypeDef::Enum(EnumDef {
            name: name.to_string(),
            values: Vec::new(),
            used_by: Vec::new(),
            listed: BTreeMap::new(),
        })
    });
    if let TypeDef::Enum(e) = def {
        for v in values {
            if !e.values.contains(v) {
                e.values.push(v.clone());
            }
        }
        e.used_by.push(used_by.to_string());
    }
}

/// Every name of the names file must name something some source documents, and a type's new name
/// must not be one another type of a source has.
pub fn check_names(names: &Names, docs: &[Documented]) -> Result<(), Problems> {
    let mut problems = Problems::default();
    for (derived, name) in &names.types {
        let at = Location::file(NAMES_FILE).pointer(format!("/types/{derived}"));
        if !docs.iter().any(|d| d.types.contains_key(derived)) {
            problems.push(at.clone(), "renamed, but no source documents such a type");
        }
        if let Some(d) = docs.iter().find(|d| d.types.contains_key(name)) {
            problems.push(at, format!("{name} is a type of source {} already", d.id));
        }
    }
    for key in names.operations.keys() {
        if !docs
            .iter()
            .flat_map(|d| &d.endpoints)
            .any(|e| &e.key() == key)
        {
            problems.push(
                Location::file(NAMES_FILE).endpoint(key),
                "named, but no source documents such an endpoint",
            );
        }
    }
    problems.into_result(())
}

/// Copies the types (and ids) an operation of `source` uses that `api` lacks, transitively.
pub(crate) fn add_types_of(api: &mut Api, source: &Api, op: &Operation) {
    let mut todo: Vec<String> = Vec::new();
    types_of(op, &mut todo);
    copy_types(api, source, todo);
}

/// The named types (and ids) an operation uses directly: its bodies' and its parameters'.
pub(crate) fn types_of(op: &Operation, out: &mut Vec<String>) {
    let mut uses = |ty: &Ty| named_in(ty, out);
    op.response.iter().for_each(&mut uses);
    op.answers
        .iter()
        .filter_map(|a| a.body.as_ref())
        .for_each(&mut uses);
    if let Some(Request::Json(ty) | Request::MultipartWithJson { body: ty, .. }) = &op.request {
        uses(ty);
    }
    for p in op.path_params.iter().chain(&op.query_params) {
        param_names(&p.ty, out);
    }
}

/// Copies the named types (and ids) of `source` that `api` lacks, with the types they use, transitively.
pub(crate) fn copy_types(api: &mut Api, source: &Api, mut todo: Vec<String>) {
    while let Some(name) = todo.pop() {
        if let Some(id) = source.ids.get(&name) {
            api.ids.entry(name).or_insert_with(|| id.clone());
            continue;
        }
        if api.types.contains_key(&name) {
            continue;
        }
        let Some(def) = source.types.get(&name) else {
            continue;
        };
        if let TypeDef::Struct(s) = def {
            s.fields.iter().for_each(|f| named_in(&f.ty, &mut todo));
        }
        api.types.insert(name, def.clone());
    }
}

pub(crate) fn named_in(ty: &Ty, out: &mut Vec<String>) {
    match ty {
        Ty::Named(name) => out.push(name.clone()),
        Ty::Array(items) | Ty::Map(items) => named_in(items, out),
        Ty::KeyedMap { key, value } => {
            out.push(key.clone());
            named_in(value, out);
        }
        _ => {}
    }
}

fn param_names(ty: &ParamTy, out: &mut Vec<String>) {
    match ty {
        ParamTy::Id(name) | ParamTy::Enum(name) => out.push(name.clone()),
        ParamTy::List(items) => param_names(items, out),
        _ => {}
    }
}

/// Builds the IR of the API as one source's docs document it.
pub fn build(doc: &Documented, names: &Names) -> Result<Api, Problems> {
    let mut b = Builder {
        doc,
        names,
        problems: Problems::default(),
        types: BTreeMap::new(),
        ids: BTreeMap::new(),
        enum_names: names
            .enums
            .iter()
            .map(|(name, values)| (values.clone(), name.clone()))
            .collect(),
    };
    for schema in doc.types.values().filter(|s| !is_open(&s.schema)) {
        b.struct_def(schema);
    }
    let operations = doc.endpoints.iter().map(|e| b.operation(e)).collect();
    let Builder {
        problems,
        types,
        ids,
        ..
    } = b;
    problems.into_result(Api {
        variant: match doc.id.as_str() {
            "documented" | BASELINE => "documented".into(),
            minor => format!("{minor}{DOCUMENTED}"),
        },
        source: doc.source.clone(),
        operations,
        types,
        ids,
    })
}

/// A named schema that says no more than "an object" or "a map of …" (Jackson's view of a `JsonNode` or
/// a map): not a struct, but the type its schema is, wherever it is used. Flink's schema generator also
/// lists the `@JsonAnyGetter` map that holds such a body's entries as a property of the same map type
/// (2.3's `JobResourceRequirementsBody.jobVertexResourceRequirements`); the body is still the map, flat.
fn is_open(schema: &Value) -> bool {
    if schema.get("enum").is_some() {
        return false;
    }
    match (
        schema.get("properties").and_then(Value::as_object),
        schema.get("additionalProperties"),
    ) {
        (None, _) => true,
        (Some(props), Some(entries @ Value::Object(_))) => props
            .values()
            .all(|p| p.get("additionalProperties") == Some(entries)),
        (Some(_), _) => false,
    }
}

struct Builder<'a> {
    doc: &'a Documented,
    names: &'a Names,
    problems: Problems,
    types: BTreeMap<String, TypeDef>,
    ids: BTreeMap<String, IdDef>,
    enum_names: HashMap<Vec<String>, String>,
}

impl Builder<'_> {
    fn struct_def(&mut self, schema: &docs::NamedSchema) {
        let name = rust_type_name(self.names.type_name(&schema.name));
        let line = schema.lines.first().copied().unwrap_or(0);
        let loc = Location::at(&self.doc.source, line);
        let mut fields = Vec::new();
        if let Some(props) = schema.schema.get("properties").and_then(Value::as_object) {
            for (wire, prop) in props {
                let ty = self.ty(prop, &name, wire, &loc);
                let required = prop.get("required").and_then(Value::as_bool) == Some(true);
                let doc = prop
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                fields.push(Field {
                    required,
                    ..Field::new(wire, ty, doc)
                });
            }
        }
        // Two wire names can make one Rust name (`start-time` and `start_time`, both sent by Flink):
        // the first in page order keeps it, later ones get `_2`, `_3`, … and, where they are alike
        // (type short of its width, which the ledger may give later; presence), are marked as its second
        // spelling (the crate merges them where the corrected versions agree).
        let mut taken = std::collections::HashSet::new();
        for i in 0..fields.len() {
            let base = fields[i].rust_name.clone();
            let mut n = 1;
            while !taken.insert(fields[i].rust_name.clone()) {
                n += 1;
                fields[i].rust_name = format!("{base}_{n}");
            }
            let first = fields[..i].iter().find(|f| f.rust_name == base);
            let alike = |f: &Field| {
                (f.ty.widthless(), f.required) == (fields[i].ty.widthless(), fields[i].required)
            };
            if n > 1 && first.is_some_and(alike) {
                fields[i].spelling_of = Some(base);
            }
        }
        self.types.insert(
            name.clone(),
            TypeDef::Struct(StructDef {
                name,
                urn: schema.id.clone(),
                one_of: Vec::new(),
                fields,
            }),
        );
    }

    /// The type of a (lifted) draft-3 schema; `owner`/`field` name an enum the names file does not.
    fn ty(&mut self, schema: &Value, owner: &str, field: &str, loc: &Location) -> Ty {
        if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
            let Some(named) = self.doc.types.get(name) else {
                self.problems
                    .push(loc.clone(), format!("{owner}.{field}: unknown type {name}"));
                return Ty::Named(name.to_string());
            };
            if is_open(&named.schema) {
                return self.ty(&named.schema, owner, field, loc);
            }
            return Ty::Named(rust_type_name(self.names.type_name(name)));
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let values: Vec<String> = values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let used_by = format!("{owner}.{field}");
            return Ty::Named(self.enum_def(values, used_by, || naming::inline_enum(owner, field)));
        }
        match schema.get("type").and_then(Value::as_str).unwrap_or("any") {
            "string" => Ty::String,
            "integer" => match Width::of(schema) {
                Ok(width) => Ty::Integer(width),
                Err(e) => {
                    self.problems
                        .push(loc.clone(), format!("{owner}.{field}: {e}"));
                    Ty::Integer(None)
                }
            },
            "number" => Ty::Number,
            "boolean" => Ty::Boolean,
            "array" => match schema.get("items") {
                Some(items) => Ty::Array(Box::new(self.ty(items, owner, field, loc))),
                None => Ty::Array(Box::new(Ty::Any)),
            },
            "object" => match schema.get("additionalProperties") {
                Some(Value::Object(_)) => {
                    let values = &schema["additionalProperties"];
                    Ty::Map(Box::new(self.ty(values, owner, field, loc)))
                }
                // An object the page says nothing more about: anything.
                _ => Ty::Any,
            },
            _ => Ty::Any,
        }
    }

    /// The name of an enum: from the names file (the exact list, else the shortest list holding every
    /// value: a version documents fewer), else `fallback`.
    fn enum_name(&self, values: &[String], fallback: impl FnOnce() -> String) -> String {
        if let Some(name) = self.enum_names.get(values) {
            return name.clone();
        }
        self.names
            .enums
            .iter()
            .filter(|(_, known)| values.iter().all(|v| known.contains(v)))
            .min_by_key(|(_, known)| known.len())
            .map(|(name, _)| name.clone())
            .unwrap_or_else(fallback)
    }

    fn enum_def(
        &mut self,
        values: Vec<String>,
        used_by: String,
        fallback: impl FnOnce() -> String,
    ) -> String {
        let name = self.enum_name(&values, fallback);
        let named = self.names.enums.contains_key(&name);
        match self.types.get_mut(&name) {
            // One Java enum documented with fewer values in one place than another: all of them.
            Some(TypeDef::Enum(e)) if e.values == values || named => {
                for v in values {
                    if !e.values.contains(&v) {
                        e.values.push(v);
                    }
                }
                if !e.used_by.contains(&used_by) {
                    e.used_by.push(used_by);
                }
            }
            Some(_) => self.problems.push(
                Location::file(NAMES_FILE),
                format!("the enum name {name} is taken by another type"),
            ),
            None => {
                self.enum_names.insert(values.clone(), name.clone());
                self.types.insert(
                    name.clone(),
                    TypeDef::Enum(EnumDef {
                        name: name.clone(),
                        values,
                        used_by: vec![used_by],
                        listed: BTreeMap::new(),
                    }),
                );
            }
        }
        name
    }

    fn operation(&mut self, e: &docs::Endpoint) -> Operation {
        let key = e.key();
        let name = (self.names.operations.get(&key).cloned())
            .unwrap_or_else(|| naming::method_name(&e.method, &e.path));
        let loc = Location::at(&self.doc.source, e.line).endpoint(&key);
        let path_params = e
            .path_params
            .iter()
            .map(|p| self.param(p, &name, &loc))
            .collect();
        let query_params = e
            .query_params
            .iter()
            .map(|p| self.param(p, &name, &loc))
            .collect();
        let owner = naming::owner_name(&name);
        let request = e.request.as_ref().map(|body| {
            let ty = body
                .schema
                .as_ref()
                .map(|s| self.ty(s, &owner, "request", &loc));
            let json_part = body.parts.iter().find(|p| p.json);
            let file_part = body.parts.iter().find(|p| !p.json);
            match (body.content_type.as_str(), json_part, file_part, ty) {
                ("application/json", _, _, Some(ty)) => Request::Json(ty),
                ("multipart/form-data", Some(part), _, Some(ty)) => Request::MultipartWithJson {
                    json_part: part.name.clone(),
                    body: ty,
                },
                ("multipart/form-data", None, Some(part), _) => Request::MultipartFile {
                    part: part.name.clone(),
                    content_type: part.content_type.clone(),
                },
                _ => {
                    self.problems.push(
                        loc.clone(),
                        format!(
                            "cannot tell how to send the {} request body",
                            body.content_type
                        ),
                    );
                    Request::Json(Ty::Any)
                }
            }
        });
        let response = e
            .response
            .as_ref()
            .and_then(|b| b.schema.as_ref())
            .map(|s| self.ty(s, &owner, "response", &loc));
        Operation {
            key,
            method: e.method.clone(),
            path: e.path.clone(),
            operation_id: naming::operation_id(&name),
            name,
            description: e.description.clone(),
            status: e.status,
            status_text: e.status_text.clone(),
            path_params,
            query_params,
            request,
            response,
            answers: Vec::new(),
            since: None,
            until: None,
            undocumented: None,
            served_since: None,
            served_until: None,
        }
    }

    fn param(&mut self, p: &docs::Param, op: &str, loc: &Location) -> Param {
        let ty = self.param_ty(&p.ty, &p.name, p, op, loc);
        Param {
            name: p.name.clone(),
            rust_name: rust_field_name(&p.name),
            description: p.description.clone(),
            required: p.required,
            deprecated: p.deprecated,
            ty,
        }
    }

    fn param_ty(
        &mut self,
        ty: &ParamType,
        name: &str,
        p: &docs::Param,
        op: &str,
        loc: &Location,
    ) -> ParamTy {
        match ty {
            ParamType::String => match self.names.ids.get(name) {
                Some(id) => self.id(id, p, None),
                None => ParamTy::String,
            },
            ParamType::Boolean => ParamTy::Boolean,
            ParamType::PositiveInteger => ParamTy::PositiveInteger,
            ParamType::Long => ParamTy::Long,
            ParamType::Integer => ParamTy::Integer,
            ParamType::KeyValue => ParamTy::KeyValue,
            ParamType::IntegerRange => ParamTy::IntegerRange,
            ParamType::Hex32 => match self.names.ids.get(name) {
                Some(id) => self.id(id, p, Some(HEX32)),
                None => {
                    self.problems.push(
                        loc.clone(),
                        format!(
                            "parameter {name:?} is a 32-hex id, but {NAMES_FILE} names no id type for it"
                        ),
                    );
                    ParamTy::String
                }
            },
            ParamType::Enum { values } => {
                ParamTy::Enum(self.enum_def(values.clone(), format!("{op}({name})"), || {
                    naming::parameter_enum(op, name)
                }))
            }
            ParamType::List { items } => {
                ParamTy::List(Box::new(self.param_ty(items, name, p, op, loc)))
            }
        }
    }

    fn id(&mut self, id: &str, p: &docs::Param, pattern: Option<&str>) -> ParamTy {
        // Path parameters describe the id itself; prefer their wording to a list's.
        let description = p.description.trim_start_matches("- ").to_string();
        let entry = self.ids.entry(id.to_string()).or_insert_with(|| IdDef {
            name: id.to_string(),
            description: description.clone(),
            pattern: pattern.map(str::to_string),
        });
        if !p.description.starts_with("Comma-separated") && entry.description.starts_with("Comma") {
            entry.description = description;
        }
        ParamTy::Id(id.to_string())
    }
}

#[cfg(test)]
mod id_field_tests {
    use super::*;

    #[test]
    fn named_string_fields_get_their_id_or_enum_type_and_a_wrong_entry_is_reported() {
        let mut api = crate::ledger::tests::api("1.20-documented", &[]);
        if let Some(TypeDef::Struct(t)) = api.types.get_mut("T") {
            t.fields.push(Field::new("jid", Ty::String, None));
            t.fields.push(Field::new("mode", Ty::String, None));
        }
        let names = |fields: &[(&str, &str)]| Names {
            operations: BTreeMap::new(),
            enums: [("Mode".to_string(), vec!["A".to_string(), "B".to_string()])].into(),
            ids: [("jobid".to_string(), "JobId".to_string())].into(),
            fields: (fields.iter())
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            types: BTreeMap::new(),
            docs: BTreeMap::new(),
        };
        let right = names(&[("T.jid", "JobId"), ("T.mode", "Mode")]);
        name_string_fields(&mut api, &right).unwrap();
        let Some(TypeDef::Struct(t)) = api.types.get("T") else {
            panic!("T is a struct")
        };
        assert_eq!(
            t.fields[1].string_type,
            Some(StringType::Id("JobId".into()))
        );
        assert_eq!(
            t.fields[2].string_type,
            Some(StringType::Enum("Mode".into()))
        );
        let Some(TypeDef::Enum(mode)) = api.types.get("Mode") else {
            panic!("the enum is added")
        };
        assert_eq!(
            (mode.values.len(), &mode.used_by[..]),
            (2, &["T.mode".to_string()][..])
        );
        let wrong = names(&[("T.a", "JobId"), ("T.nope", "JobId"), ("T.jid", "PodId")]);
        let problems = name_string_fields(&mut api, &wrong)
            .unwrap_err()
            .to_string();
        for expected in [
            "T.a is Number, not a string",
            "no field T.nope",
            "PodId is neither an id type",
        ] {
            assert!(problems.contains(expected), "{problems}");
        }
    }
}

#[cfg(test)]
mod field_doc_tests {
    use super::*;

    fn doc_of<'a>(api: &'a Api, ty: &str, field: &str) -> Option<&'a str> {
        let Some(TypeDef::Struct(t)) = api.types.get(ty) else {
            panic!("{ty} is a struct")
        };
        let f = t.fields.iter().find(|f| f.name == field);
        f.and_then(|f| f.doc.as_deref())
    }

    #[test]
    fn a_type_entry_wins_over_a_wildcard_and_an_entry_that_describes_nothing_is_reported() {
        let mut api = crate::ledger::tests::api("1.20-documented", &[]);
        let mut other = match api.types.get("T") {
            Some(TypeDef::Struct(t)) => t.clone(),
            _ => panic!("T is a struct"),
        };
        other.name = "U".into();
        api.types.insert("U".into(), TypeDef::Struct(other));
        let entries = |docs: &[(&str, &str)]| Names {
            operations: BTreeMap::new(),
            enums: BTreeMap::new(),
            ids: BTreeMap::new(),
            fields: BTreeMap::new(),
            types: BTreeMap::new(),
            docs: (docs.iter())
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        };
        let names = entries(&[("*.a", "Any a."), ("U.a", "U's own a.")]);
        document_fields(&mut api, &names).unwrap();
        assert_eq!(doc_of(&api, "T", "a"), Some("Any a."));
        assert_eq!(doc_of(&api, "U", "a"), Some("U's own a."));

        // Described nowhere: a wildcard every type entry shadows, a missing field, no type at all.
        let names = entries(&[
            ("*.a", "."),
            ("T.a", "."),
            ("U.a", "."),
            ("T.b", "."),
            ("x", "."),
        ]);
        let problems = document_fields(&mut api, &names).unwrap_err().to_string();
        for expected in [
            "/docs/*.a: describes no field: the crate has no field named a, or each has a `Type.a` entry",
            "/docs/T.b: the crate has no field T.b",
            "/docs/x: the crate has no field x",
        ] {
            assert!(problems.contains(expected), "{problems}");
        }
        // A version's API need not have every field: those are only left out.
        assert_eq!(give_field_docs(&mut api, &names), ["*.a", "T.b", "x"]);
    }
}
