//! IR -> OpenAPI 3.1 document (JSON Schema 2020-12 dialect).
//!
//! A document is a tree of [`J`]s borrowing the IR's strings, serialized straight to JSON or YAML: 22
//! documents of up to 400 KB each are built on every `gen`, so nothing is copied into a
//! `serde_json::Value` first. Key order is the IR's order, so the output is stable.

use std::borrow::Cow;

use serde::ser::{SerializeMap, SerializeSeq};

use crate::model::{Api, Field, Listed, Operation, ParamTy, Request, StructDef, Ty, TypeDef};
use crate::naming;

const ERROR: &str = "ErrorResponse";

/// A JSON value whose strings are borrowed where they can be.
#[derive(Debug, Clone)]
pub enum J<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Str(Cow<'a, str>),
    /// `#/components/schemas/<name>`, written without allocating it.
    SchemaRef(&'a str),
    Array(Vec<J<'a>>),
    Object(Obj<'a>),
}

/// A JSON object: entries in insertion order.
#[derive(Debug, Clone, Default)]
pub struct Obj<'a>(Vec<(Cow<'a, str>, J<'a>)>);

impl<'a> Obj<'a> {
    fn of<const N: usize>(entries: [(&'a str, J<'a>); N]) -> Obj<'a> {
        Obj::from_entries(entries)
    }

    pub(crate) fn from_entries<const N: usize>(entries: [(&'a str, J<'a>); N]) -> Obj<'a> {
        Obj(entries
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect())
    }

    pub(crate) fn into_entries(self) -> Vec<(Cow<'a, str>, J<'a>)> {
        self.0
    }

    /// Sets `key`: in its place if it is there, else last.
    pub fn insert(&mut self, key: impl Into<Cow<'a, str>>, value: J<'a>) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key, value)),
        }
    }

    /// Adds `key` last; for keys known to be new (a map's own keys, one loop over distinct names).
    fn push(&mut self, key: impl Into<Cow<'a, str>>, value: J<'a>) {
        self.0.push((key.into(), value));
    }

    pub(crate) fn get(&self, key: &str) -> Option<&J<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut J<'a>> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn remove(&mut self, key: &str) -> Option<J<'a>> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(at).1)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = (&str, &J<'a>)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    pub(crate) fn entries_mut(&mut self) -> impl Iterator<Item = (&str, &mut J<'a>)> {
        self.0.iter_mut().map(|(k, v)| (&**k, v))
    }
}

impl<'a> From<Obj<'a>> for J<'a> {
    fn from(obj: Obj<'a>) -> J<'a> {
        J::Object(obj)
    }
}

fn s(text: &str) -> J<'_> {
    J::Str(Cow::Borrowed(text))
}

fn owned<'a>(text: String) -> J<'a> {
    J::Str(Cow::Owned(text))
}

fn object<'a, const N: usize>(entries: [(&'a str, J<'a>); N]) -> J<'a> {
    J::Object(Obj::of(entries))
}

fn type_is(name: &str) -> J<'_> {
    object([("type", s(name))])
}

fn schema_ref(name: &str) -> J<'_> {
    object([("$ref", J::SchemaRef(name))])
}

fn json_content(schema: J<'_>) -> J<'_> {
    object([("application/json", object([("schema", schema)]))])
}

impl serde::Serialize for J<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            J::Null => serializer.serialize_unit(),
            J::Bool(b) => serializer.serialize_bool(*b),
            J::Int(n) => serializer.serialize_i64(*n),
            J::Str(text) => serializer.serialize_str(text),
            J::SchemaRef(name) => {
                serializer.collect_str(&format_args!("#/components/schemas/{name}"))
            }
            J::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                items
                    .iter()
                    .try_for_each(|item| seq.serialize_element(item))?;
                seq.end()
            }
            J::Object(obj) => obj.serialize(serializer),
        }
    }
}

impl serde::Serialize for Obj<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The whole document.
pub fn document(api: &Api) -> Obj<'_> {
    // Path -> its operations by method, paths in order of first appearance.
    let mut by_path: Vec<(String, Obj<'_>)> = Vec::new();
    for op in &api.operations {
        let path = op.openapi_path();
        let at = match by_path.iter().position(|(p, _)| *p == path) {
            Some(at) => at,
            None => {
                by_path.push((path, Obj::default()));
                by_path.len() - 1
            }
        };
        by_path[at]
            .1
            .insert(op.method.to_lowercase(), operation(op));
    }
    let paths = Obj(by_path
        .into_iter()
        .map(|(path, methods)| (Cow::Owned(path), J::Object(methods)))
        .collect());
    let mut schemas = Obj::default();
    let used = referenced(api);
    for (name, def) in api
        .types
        .iter()
        .filter(|(name, _)| used.contains(name.as_str()))
    {
        for (name, schema) in type_defs(name, def) {
            schemas.push(name, schema);
        }
    }
    for (name, id) in api
        .ids
        .iter()
        .filter(|(name, _)| used.contains(name.as_str()))
    {
        let mut schema = Obj::of([("type", s("string")), ("description", s(&id.description))]);
        if let Some(pattern) = &id.pattern {
            schema.insert("pattern", s(pattern));
        }
        schemas.push(name.as_str(), schema.into());
    }
    let tags: Vec<J<'_>> = tags_of(api)
        .into_iter()
        .map(|(name, description)| object([("name", s(name)), ("description", owned(description))]))
        .collect();
    schemas.insert(
        ERROR,
        object([
            ("type", s("object")),
            (
                "description",
                s("The body Flink sends with every 4xx and 5xx answer."),
            ),
            ("required", J::Array(vec![s("errors")])),
            (
                "properties",
                object([(
                    "errors",
                    object([
                        ("type", s("array")),
                        ("items", type_is("string")),
                        (
                            "description",
                            s("What went wrong: a message; for a server error, the stack trace too."),
                        ),
                    ]),
                )]),
            ),
        ]),
    );
    // A variable per part a deployment changes, so the one server entry fits any cluster.
    let variable = |default, description, values: &[&'static str]| {
        let mut v = Obj::of([("default", s(default)), ("description", s(description))]);
        if !values.is_empty() {
            v.insert("enum", J::Array(values.iter().map(|x| s(x)).collect()));
        }
        J::Object(v)
    };
    let variables = object([
        (
            "scheme",
            variable(
                "http",
                "`https` where `security.ssl.rest.enabled`",
                &["http", "https"],
            ),
        ),
        (
            "host",
            variable("localhost", "The JobManager's REST address", &[]),
        ),
        ("port", variable("8081", "`rest.port`", &[])),
        (
            "prefix",
            variable("", "Flink answers every path under `/v1` too", &["", "/v1"]),
        ),
    ]);
    let server = object([
        ("url", s("{scheme}://{host}:{port}{prefix}")),
        ("description", s("A Flink cluster's REST endpoint")),
        ("variables", variables),
    ]);
    Obj::of([
        ("openapi", s("3.1.0")),
        (
            "info",
            object([
                ("title", s("Apache Flink monitoring REST API")),
                ("version", s(&api.variant)),
                ("summary", owned(summary(&api.variant))),
                (
                    "description",
                    owned(format!(
                        "Generated by `cargo xtask gen` from {}; do not edit. The API can also be reached under the `/v1` prefix.",
                        api.source
                    )),
                ),
                (
                    "license",
                    object([("name", s("Apache-2.0")), ("identifier", s("Apache-2.0"))]),
                ),
                (
                    "contact",
                    object([("name", s("flink-rest")), ("url", s(REPOSITORY))]),
                ),
            ]),
        ),
        ("servers", J::Array(vec![server])),
        // Flink's REST API has no authentication of its own (TLS and proxies are the deployment's).
        ("security", J::Array(Vec::new())),
        ("tags", J::Array(tags)),
        ("paths", paths.into()),
        (
            "components",
            object([
                ("schemas", schemas.into()),
                (
                    "responses",
                    object([
                        (
                            "Error",
                            object([
                                ("description", s("Flink's error body.")),
                                ("content", json_content(schema_ref(ERROR))),
                            ]),
                        ),
                        ("TooLarge", object([("description", s(TOO_LARGE))])),
                    ]),
                ),
            ]),
        ),
    ])
}

/// A request over the REST server's `rest.server.max-content-length` (100 MiB unless configured):
/// refused before any handler sees it, with no body (recorded: a 101 MiB plan request, every version).
const TOO_LARGE: &str = "The request is larger than the server takes \
    (`rest.server.max-content-length`, 100 MiB unless configured): refused before any handler, \
    with no body.";

/// Where the project lives, for `info.contact`.
const REPOSITORY: &str = "https://github.com/flink-rest/flink-rest";

/// An operation's tag: the resource its path starts with (`jobs`, `jars`, `taskmanagers` …).
fn tag_of(op: &Operation) -> &str {
    let first = op.path.trim_start_matches('/').split('/').next();
    first.filter(|s| !s.is_empty()).unwrap_or("cluster")
}

/// The document's tags in order of first use, each saying which paths it groups.
fn tags_of(api: &Api) -> Vec<(&str, String)> {
    let mut tags: Vec<(&str, String)> = Vec::new();
    for op in &api.operations {
        let tag = tag_of(op);
        if !tags.iter().any(|(t, _)| *t == tag) {
            tags.push((tag, format!("Operations on `/{tag}` and below.")));
        }
    }
    tags
}

/// The names of the schemas the operations use, with the ones those use, transitively: a type or id
/// nothing refers to is left out of the document.
fn referenced(api: &Api) -> std::collections::BTreeSet<&str> {
    let mut todo: Vec<String> = Vec::new();
    for op in &api.operations {
        crate::model::types_of(op, &mut todo);
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        let Some((name, def)) = (api.types.get_key_value(&name))
            .map(|(n, d)| (n.as_str(), Some(d)))
            .or_else(|| {
                api.ids
                    .get_key_value(&name)
                    .map(|(n, _)| (n.as_str(), None))
            })
        else {
            continue;
        };
        if seen.insert(name) {
            if let Some(TypeDef::Struct(s)) = def {
                s.fields
                    .iter()
                    .for_each(|f| crate::model::named_in(&f.ty, &mut todo));
            }
        }
    }
    seen
}

/// What a document is, by its variant: `documented` (the 1.10 page), `1.20-documented`, `1.20`.
fn summary(variant: &str) -> String {
    match variant.strip_suffix("-documented") {
        _ if variant == "documented" => {
            "Flink's REST API exactly as the 1.10 documentation page describes it.".into()
        }
        Some(minor) => format!("Flink's REST API exactly as the Flink {minor} docs describe it."),
        None => format!(
            "Flink's REST API as Flink {variant} servers answer: its docs corrected by the evidence ledger."
        ),
    }
}

fn operation(op: &Operation) -> J<'_> {
    let mut out = Obj::of([
        ("tags", J::Array(vec![s(tag_of(op))])),
        ("operationId", s(&op.operation_id)),
        ("summary", s(first_sentence(&op.description))),
        ("description", s(&op.description)),
    ]);
    let notes = [
        ("x-documented-since", &op.since),
        ("x-documented-until", &op.until),
        ("x-undocumented", &op.undocumented),
    ];
    for (key, note) in notes {
        if let Some(note) = note {
            out.insert(key, s(note));
        }
    }
    let lists = [("path", &op.path_params), ("query", &op.query_params)];
    let params: Vec<J<'_>> = (lists.into_iter())
        .flat_map(|(location, list)| list.iter().map(move |p| (location, p)))
        .map(|(location, p)| {
            let mut param = Obj::of([
                ("name", s(&p.name)),
                ("in", s(location)),
                ("required", J::Bool(p.required)),
                ("description", s(&p.description)),
                ("schema", param_schema(&p.ty)),
            ]);
            if p.deprecated {
                param.insert("deprecated", J::Bool(true));
            }
            if matches!(p.ty, ParamTy::List(_)) {
                param.insert("style", s("form"));
                param.insert("explode", J::Bool(false));
            }
            param.into()
        })
        .collect();
    if !params.is_empty() {
        out.insert("parameters", J::Array(params));
    }
    if let Some(request) = &op.request {
        out.insert("requestBody", request_body(request));
    }
    let success = match &op.response {
        Some(ty) => object([
            ("description", s(&op.status_text)),
            ("content", json_content(ty_schema(ty))),
        ]),
        None => object([(
            "description",
            owned(format!("{} (the page documents no body)", op.status_text)),
        )]),
    };
    let mut responses = Obj::default();
    responses.insert(op.status.to_string(), success);
    for a in &op.answers {
        let body = a.body.as_ref().map_or_else(|| schema_ref(ERROR), ty_schema);
        let answer = object([("description", s(&a.why)), ("content", json_content(body))]);
        responses.insert(a.status.to_string(), answer);
    }
    if matches!(op.method.as_str(), "POST" | "PUT" | "PATCH") {
        responses.insert(
            "413",
            object([("$ref", s("#/components/responses/TooLarge"))]),
        );
    }
    let error = || object([("$ref", s("#/components/responses/Error"))]);
    responses.insert("4XX", error());
    responses.insert("5XX", error());
    out.insert("responses", responses.into());
    out.into()
}

fn request_body(request: &Request) -> J<'_> {
    let multipart = |schema, part, content_type| {
        let encoding = object([(part, object([("contentType", s(content_type))]))]);
        object([(
            "multipart/form-data",
            object([("schema", schema), ("encoding", encoding)]),
        )])
    };
    let content = match request {
        Request::Json(ty) => json_content(ty_schema(ty)),
        Request::MultipartFile { part, content_type } => {
            let file = object([("type", s("string")), ("contentMediaType", s(content_type))]);
            let schema = object([
                ("type", s("object")),
                ("required", J::Array(vec![s(part)])),
                ("properties", object([(part.as_str(), file)])),
            ]);
            multipart(schema, part.as_str(), content_type.as_str())
        }
        Request::MultipartWithJson { json_part, body } => {
            let files = object([
                ("type", s("string")),
                ("contentMediaType", s("application/octet-stream")),
                (
                    "description",
                    s("The files the JSON part names: the serialized job graph, jars, artifacts."),
                ),
            ]);
            let schema = object([
                ("type", s("object")),
                ("required", J::Array(vec![s(json_part)])),
                (
                    "properties",
                    object([(json_part.as_str(), ty_schema(body))]),
                ),
                ("additionalProperties", files),
            ]);
            multipart(schema, json_part.as_str(), "application/json")
        }
    };
    object([("required", J::Bool(true)), ("content", content)])
}

fn param_schema(ty: &ParamTy) -> J<'_> {
    let pattern = |pattern| object([("type", s("string")), ("pattern", s(pattern))]);
    match ty {
        ParamTy::String => type_is("string"),
        ParamTy::Boolean => type_is("boolean"),
        // Flink reads these as a Java `int`; a subtask index or attempt of 0 is answered.
        ParamTy::PositiveInteger => object([
            ("type", s("integer")),
            ("format", s("int32")),
            ("minimum", J::Int(0)),
        ]),
        ParamTy::Long => object([("type", s("integer")), ("format", s("int64"))]),
        ParamTy::Integer => object([("type", s("integer")), ("format", s("int32"))]),
        ParamTy::KeyValue => pattern("^[^:]+:.*$"),
        ParamTy::Id(name) | ParamTy::Enum(name) => schema_ref(name),
        ParamTy::List(items) => object([("type", s("array")), ("items", param_schema(items))]),
        ParamTy::IntegerRange => pattern("^[0-9]+(-[0-9]+)?$"),
    }
}

/// The schema of a type, as a `serde_json::Value`.
pub fn ty_schema_value(ty: &Ty) -> serde_json::Value {
    serde_json::to_value(ty_schema(ty)).expect("plain data serialises")
}

/// The schema of a type.
fn ty_schema(ty: &Ty) -> J<'_> {
    J::Object(ty_object(ty))
}

fn ty_object(ty: &Ty) -> Obj<'_> {
    match ty {
        Ty::Any => Obj::default(),
        Ty::String => Obj::of([("type", s("string"))]),
        Ty::Integer(None) => Obj::of([("type", s("integer"))]),
        Ty::Integer(Some(width)) => {
            Obj::of([("type", s("integer")), ("format", s(width.format()))])
        }
        Ty::Number => Obj::of([("type", s("number"))]),
        Ty::Double => {
            let special = ["NaN", "Infinity", "-Infinity"].map(s).to_vec();
            let text = object([("type", s("string")), ("enum", J::Array(special))]);
            Obj::of([("oneOf", J::Array(vec![type_is("number"), text]))])
        }
        Ty::Boolean => Obj::of([("type", s("boolean"))]),
        Ty::Named(name) => Obj::of([("$ref", J::SchemaRef(name))]),
        Ty::Array(items) => Obj::of([("type", s("array")), ("items", ty_schema(items))]),
        Ty::Map(values) => Obj::of([
            ("type", s("object")),
            ("additionalProperties", ty_schema(values)),
        ]),
        Ty::KeyedMap { key, value } => Obj::of([
            ("type", s("object")),
            ("propertyNames", schema_ref(key)),
            ("additionalProperties", ty_schema(value)),
        ]),
    }
}

/// A field of `def` as a property. A second spelling of another field (Flink sends both with one value)
/// is `deprecated` and names the first (`x-same-as`): generators that map both spellings to one
/// identifier can leave it out (the 3.0 rendering does), and nothing is lost.
fn property<'a>(def: &'a StructDef, field: &'a Field) -> J<'a> {
    let first = (field.spelling_of.as_ref())
        .and_then(|p| (def.fields.iter()).find(|g| &g.rust_name == p && g.spelling_of.is_none()));
    let mut schema = field_schema(field);
    if let (Some(first), J::Object(map)) = (first, &mut schema) {
        let said = format!(
            "The value of `{}`, which Flink sends under this name too.",
            first.name
        );
        map.insert("description", owned(said));
        map.insert("deprecated", J::Bool(true));
        map.insert("x-same-as", s(&first.name));
    }
    schema
}

fn field_schema(field: &Field) -> J<'_> {
    let mut schema = ty_object(&field.ty);
    if field.nullable {
        match schema.get_mut("type") {
            Some(ty @ J::Str(_)) => *ty = J::Array(vec![ty.clone(), s("null")]),
            // `{}` already allows null.
            _ if field.ty == Ty::Any => {}
            _ => schema = Obj::of([("anyOf", J::Array(vec![schema.into(), type_is("null")]))]),
        }
    }
    if let Some(doc) = &field.doc {
        schema.insert("description", s(doc));
    }
    let versions = [("x-since", &field.since), ("x-until", &field.until)];
    for (key, version) in versions {
        if let Some(version) = version {
            schema.insert(key, s(version));
        }
    }
    match &field.listed {
        Some(Listed::Nowhere) => schema.insert("x-undocumented", J::Bool(true)),
        Some(Listed::Range { since, until }) => {
            let listed = [("x-documented-since", since), ("x-documented-until", until)];
            for (key, version) in listed {
                if let Some(version) = version {
                    schema.insert(key, s(version));
                }
            }
        }
        None => {}
    }
    schema.into()
}

/// A type's component schemas: its own, and for a one-of struct one per variant besides (generators
/// name a named variant after it and take it as a union member; an inline one few of them take).
fn type_defs<'a>(name: &'a str, def: &'a TypeDef) -> Vec<(Cow<'a, str>, J<'a>)> {
    let def = match def {
        TypeDef::Enum(e) => {
            let values = J::Array(e.values.iter().map(|v| s(v)).collect());
            let schema = object([("type", s("string")), ("enum", values)]);
            return vec![(Cow::Borrowed(name), schema)];
        }
        TypeDef::Struct(def) if def.one_of.is_empty() => {
            return vec![(Cow::Borrowed(name), struct_def(def))];
        }
        TypeDef::Struct(def) => def,
    };
    let variants: Vec<String> = (def.one_of.iter())
        .map(|v| naming::variant_schema(name, &v.name))
        .collect();
    let refs = (variants.iter())
        .map(|v| {
            object([(
                "$ref",
                J::Str(Cow::Owned(format!("#/components/schemas/{v}"))),
            )])
        })
        .collect();
    let parent = object([("x-jackson-id", s(&def.urn)), ("oneOf", J::Array(refs))]);
    let each = def.one_of.iter().zip(variants).map(|(v, title)| {
        // A variant has its own fields, and the others' only as null (absent, mostly), so exactly
        // one matches even where one variant has no field of its own.
        let others = (def.one_of.iter())
            .flat_map(|o| &o.fields)
            .filter(|f| !v.fields.contains(f));
        let properties = (def.fields.iter())
            .filter(|f| v.fields.contains(&f.name))
            .map(|f| (Cow::Borrowed(f.name.as_str()), property(def, f)))
            .chain(others.map(|f| (Cow::Borrowed(f.as_str()), type_is("null"))))
            .collect();
        let required = v.fields.iter().map(|f| s(f)).collect();
        let schema = object([
            ("title", J::Str(Cow::Owned(title.clone()))),
            ("type", s("object")),
            ("properties", J::Object(Obj(properties))),
            ("required", J::Array(required)),
        ]);
        (Cow::Owned(title), schema)
    });
    std::iter::once((Cow::Borrowed(name), parent))
        .chain(each)
        .collect()
}

/// A struct of fields each on its own.
fn struct_def(def: &StructDef) -> J<'_> {
    let properties = (def.fields.iter())
        .map(|f| (Cow::Borrowed(f.name.as_str()), property(def, f)))
        .collect();
    let required: Vec<J<'_>> = (def.fields.iter())
        .filter(|f| f.required)
        .map(|f| s(&f.name))
        .collect();
    let mut schema = Obj::of([
        ("type", s("object")),
        ("x-jackson-id", s(&def.urn)),
        ("properties", J::Object(Obj(properties))),
    ]);
    if !required.is_empty() {
        schema.insert("required", J::Array(required));
    }
    schema.into()
}

/// Up to and including the first `. `, for an operation's summary.
fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}
