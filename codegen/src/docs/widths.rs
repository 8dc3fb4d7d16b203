//! Integer widths from Flink's own OpenAPI rendering of a minor's docs (`rest_v1_dispatcher.yml`).
//!
//! Jackson's draft-3 schemas in the html say `"type": "integer"` for a Java `int` and a `long` alike;
//! the yml, rendered from the same classes, says `format: int32` or `int64`. Each integer of the
//! imported schemas takes its `format` from the yml: found by walking the yml and the imported schema
//! side by side from each endpoint's bodies (generic and nested classes have other names there), then
//! by the type's name or its Jackson id's last part. An integer found as `int32` in one place and
//! `int64` in another is `int64`; one the yml does not know keeps no format (the ledger gives it one).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Endpoint, NamedSchema, ParamType};
use crate::diag::{Location, Problems};
use crate::jsonpos::escape_token;
use crate::model::Width;
use crate::naming;

/// Each integer of `types` the yml (`text`, read from `file`) knows gets its `format`.
pub(super) fn annotate(
    file: &str,
    text: &str,
    endpoints: &[Endpoint],
    types: &mut BTreeMap<String, NamedSchema>,
    problems: &mut Problems,
) {
    let yml: Value = match serde_yaml_ng::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let line = e.location().map_or(0, |l| l.line());
            problems.push(Location::at(file, line), format!("not OpenAPI YAML: {e}"));
            return;
        }
    };
    let empty = Map::new();
    let components = yml
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut walk = Walk {
        components,
        types,
        found: BTreeMap::new(),
        seen: Vec::new(),
    };
    for e in endpoints {
        let Some(op) = yml
            .get("paths")
            .and_then(|p| p.get(naming::openapi_path(&e.path)))
            .and_then(|p| p.get(e.method.to_lowercase()))
        else {
            continue;
        };
        check_params(file, e, op, problems);
        let answer = op
            .get("responses")
            .and_then(Value::as_object)
            .and_then(|r| r.values().next());
        let bodies = [(&e.request, op.get("requestBody")), (&e.response, answer)];
        for (body, theirs) in bodies {
            let ours = body.as_ref().and_then(|b| b.schema.as_ref());
            let theirs = theirs
                .and_then(|t| t.get("content"))
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|c| c.get("schema"));
            if let (Some(ours), Some(theirs)) = (ours, theirs) {
                walk.schema(ours, theirs, None, String::new());
            }
        }
    }
    // Types no body reaches in step (subtypes, generic parameters): by name.
    let names: Vec<(String, String)> = walk
        .types
        .values()
        .map(|t| {
            (
                t.name.clone(),
                t.id.rsplit(':').next().unwrap_or("").to_string(),
            )
        })
        .collect();
    for (name, tail) in names {
        let theirs = [&name, &tail].into_iter().find_map(|n| components.get(n));
        if let (Some(theirs), Some(ours)) = (theirs, walk.types.get(&name)) {
            let ours = ours.schema.clone();
            walk.schema(&ours, theirs, Some(&name), String::new());
        }
    }
    let found = walk.found;
    for ((name, pointer), width) in found {
        if let Some(node) = types
            .get_mut(&name)
            .and_then(|t| t.schema.pointer_mut(&pointer))
            .and_then(Value::as_object_mut)
        {
            node.insert("format".into(), width.format().into());
        }
    }
}

/// Integers one source's yml does not know take the width other sources give the same field of the
/// same type (one name is one Java class in every source): 1.15's yml, say, holds one of two classes
/// named `JobVertexDetailsInfo`, later minors' both; the 1.10 page has no yml at all. Sources that
/// disagree (a field Java widened) give `int64`.
pub(super) fn share(sources: &mut [super::Documented]) {
    let mut known = Widths::new();
    for source in sources.iter() {
        for t in source.types.values() {
            each_integer(&t.schema, String::new(), &mut |pointer, node| {
                widen(&mut known, (t.name.clone(), pointer), node);
            });
        }
    }
    for source in sources.iter_mut() {
        for t in source.types.values_mut() {
            let mut unsaid = Vec::new();
            each_integer(&t.schema, String::new(), &mut |pointer, node| {
                if node.get("format").is_none() {
                    unsaid.push(pointer);
                }
            });
            for pointer in unsaid {
                let Some(width) = known.get(&(t.name.clone(), pointer.clone())) else {
                    continue;
                };
                if let Some(node) = t
                    .schema
                    .pointer_mut(&pointer)
                    .and_then(Value::as_object_mut)
                {
                    node.insert("format".into(), width.format().into());
                }
            }
        }
    }
}

/// Each integer of a schema (inside one named type: `$ref`s are not followed), with its pointer.
fn each_integer(schema: &Value, pointer: String, f: &mut impl FnMut(String, &Value)) {
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => f(pointer, schema),
        Some("array") => {
            if let Some(items) = schema.get("items") {
                each_integer(items, pointer + "/items", f);
            }
        }
        Some("object") => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for (name, p) in properties.into_iter().flatten() {
                each_integer(p, format!("{pointer}/properties/{}", escape_token(name)), f);
            }
            if let Some(v) = values(schema) {
                each_integer(v, pointer + "/additionalProperties", f);
            }
        }
        _ => {}
    }
}

/// The width the docs' description of each integer parameter implies is the yml's.
fn check_params(file: &str, e: &Endpoint, op: &Value, problems: &mut Problems) {
    let theirs = op.get("parameters").and_then(Value::as_array);
    for p in e.path_params.iter().chain(&e.query_params) {
        let mut ty = &p.ty;
        if let ParamType::List { items } = ty {
            ty = items;
        }
        let ours = match ty {
            ParamType::Long => Width::Int64,
            ParamType::PositiveInteger | ParamType::Integer => Width::Int32,
            _ => continue,
        };
        let Some(schema) = (theirs.into_iter().flatten())
            .find(|t| t.get("name").and_then(Value::as_str) == Some(p.name.as_str()))
            .and_then(|t| t.get("schema"))
        else {
            continue;
        };
        let differs = match Width::of(schema) {
            Ok(Some(yml)) if yml != ours => format!("is {} here", yml.format()),
            Err(e) => format!("here: {e}"),
            Ok(_) => continue,
        };
        problems.push(
            Location::file(file),
            format!(
                "{}: parameter {} {differs}, {} in the docs' reading of its description",
                e.key(),
                p.name,
                ours.format()
            ),
        );
    }
}

/// The width found for each integer: (type, JSON pointer into its schema) -> width.
type Widths = BTreeMap<(String, String), Width>;

/// Records the width `schema` says (if any) for `at`: the wider where two places say different ones.
fn widen(found: &mut Widths, at: (String, String), schema: &Value) {
    if let Some(width) = Width::of(schema).ok().flatten() {
        let slot = found.entry(at).or_insert(width);
        *slot = (*slot).max(width);
    }
}

struct Walk<'a> {
    components: &'a Map<String, Value>,
    types: &'a BTreeMap<String, NamedSchema>,
    found: Widths,
    /// (our type, their component) pairs walked already: recursive types end.
    seen: Vec<(String, String)>,
}

impl Walk<'_> {
    /// `ours` (inside type `owner` at `pointer`; `None`: a body outside any type) beside `theirs`.
    fn schema(&mut self, ours: &Value, theirs: &Value, owner: Option<&str>, pointer: String) {
        let (component, theirs) = self.resolve(theirs);
        if let Some(name) = ours.get("$ref").and_then(Value::as_str) {
            let key = (name.to_string(), component);
            if self.seen.contains(&key) {
                return;
            }
            self.seen.push(key);
            if let Some(named) = self.types.get(name) {
                let schema = named.schema.clone();
                self.schema(&schema, &theirs, Some(name), String::new());
            }
            return;
        }
        match ours.get("type").and_then(Value::as_str) {
            Some("integer") => {
                if let Some(owner) = owner {
                    widen(&mut self.found, (owner.to_string(), pointer), &theirs);
                }
            }
            Some("array") => {
                if let (Some(o), Some(t)) = (ours.get("items"), theirs.get("items")) {
                    self.schema(o, t, owner, pointer + "/items");
                }
            }
            Some("object") => {
                let properties = ours.get("properties").and_then(Value::as_object);
                for (name, o) in properties.into_iter().flatten() {
                    if let Some(t) = theirs.get("properties").and_then(|p| p.get(name)) {
                        let at = format!("{pointer}/properties/{}", escape_token(name));
                        self.schema(o, t, owner, at);
                    }
                }
                if let (Some(o), Some(t)) = (values(ours), values(&theirs)) {
                    self.schema(o, t, owner, pointer + "/additionalProperties");
                }
            }
            _ => {}
        }
    }

    /// Their schema with `$ref`s followed and `allOf` parts' properties merged into one; with the name
    /// of the component it is (empty: inline).
    fn resolve(&self, theirs: &Value) -> (String, Value) {
        let mut theirs = theirs;
        let mut component = String::new();
        // A chain of references ends (a component is never its own reference).
        for _ in 0..8 {
            let Some((name, target)) = theirs
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .and_then(|name| Some((name, self.components.get(name)?)))
            else {
                break;
            };
            (component, theirs) = (name.to_string(), target);
        }
        let Some(parts) = theirs.get("allOf").and_then(Value::as_array) else {
            return (component, theirs.clone());
        };
        let mut merged = theirs.clone();
        let mut properties = Map::new();
        let parts = parts.iter().map(|part| self.resolve(part).1);
        for part in parts.chain([theirs.clone()]) {
            if let Some(p) = part.get("properties").and_then(Value::as_object) {
                properties.extend(p.clone());
            }
        }
        merged["properties"] = Value::Object(properties);
        (component, merged)
    }
}

/// The schema of an object's values, where it says one.
fn values(schema: &Value) -> Option<&Value> {
    schema.get("additionalProperties").filter(|v| v.is_object())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::docs::{Body, Documented, Param};

    fn named(name: &str, id: &str, schema: Value) -> (String, NamedSchema) {
        let schema = NamedSchema {
            name: name.into(),
            id: id.into(),
            lines: vec![],
            schema,
        };
        (name.to_string(), schema)
    }

    fn endpoint(path: &str, response: Value, query_params: Vec<Param>) -> Endpoint {
        Endpoint {
            path: path.into(),
            method: "GET".into(),
            status: 200,
            status_text: "OK".into(),
            description: String::new(),
            line: 1,
            path_params: vec![],
            query_params,
            request: None,
            response: Some(Body {
                content_type: "application/json".into(),
                parts: vec![],
                schema: Some(response),
            }),
        }
    }

    const YML: &str = r##"
paths:
  /jobs/{jobid}:
    get:
      parameters:
        - name: n
          schema: {type: integer, format: int64}
      responses:
        "200":
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Job"}
components:
  schemas:
    Job:
      type: object
      properties:
        vertices: {type: array, items: {$ref: "#/components/schemas/Vertex"}}
        stats: {$ref: "#/components/schemas/Completed"}
    Vertex:
      type: object
      properties:
        parallelism: {type: integer, format: int32}
        start-time: {type: integer, format: int64}
        counts: {type: object, additionalProperties: {type: integer, format: int32}}
    Stats:
      type: object
      properties:
        id: {type: integer, format: int64}
    Completed:
      allOf:
        - {$ref: "#/components/schemas/Stats"}
        - {type: object, properties: {size: {type: integer, format: int64}}}
"##;

    fn types() -> BTreeMap<String, NamedSchema> {
        let int = || json!({"type": "integer"});
        BTreeMap::from([
            named(
                "Job",
                "urn:jsonschema:a:Job",
                json!({"type": "object", "properties": {
                    "vertices": {"type": "array", "items": {"$ref": "JobVertexInfo"}},
                    "stats": {"$ref": "CompletedStats"},
                    "self": {"$ref": "Job"},
                }}),
            ),
            // A nested class: another name here than in the yml.
            named(
                "JobVertexInfo",
                "urn:jsonschema:a:Job:Vertex",
                json!({"type": "object", "properties": {
                    "parallelism": int(),
                    "start-time": int(),
                    "start_time": int(),
                    "counts": {"type": "object", "additionalProperties": int()},
                }}),
            ),
            named(
                "CompletedStats",
                "urn:jsonschema:a:Completed",
                json!({"type": "object", "properties": {"id": int(), "size": int()}}),
            ),
        ])
    }

    fn format(types: &BTreeMap<String, NamedSchema>, name: &str, pointer: &str) -> Value {
        types[name].schema.pointer(pointer).unwrap()["format"].clone()
    }

    #[test]
    fn integers_take_the_width_of_the_yml_field_they_sit_beside() {
        let mut types = types();
        let mut problems = Problems::default();
        let e = endpoint("/jobs/:jobid", json!({"$ref": "Job"}), vec![]);
        annotate("x.yml", YML, &[e], &mut types, &mut problems);
        assert!(problems.is_empty(), "{problems}");
        let v = "JobVertexInfo";
        assert_eq!(format(&types, v, "/properties/parallelism"), "int32");
        assert_eq!(format(&types, v, "/properties/start-time"), "int64");
        assert_eq!(
            format(&types, v, "/properties/counts/additionalProperties"),
            "int32"
        );
        // What the yml does not have keeps no width.
        assert_eq!(format(&types, v, "/properties/start_time"), Value::Null);
        // Through `allOf`: the parts' properties and the part's own.
        assert_eq!(format(&types, "CompletedStats", "/properties/id"), "int64");
        assert_eq!(
            format(&types, "CompletedStats", "/properties/size"),
            "int64"
        );
    }

    #[test]
    fn a_parameter_the_yml_reads_wider_than_the_docs_is_a_problem() {
        let mut types = types();
        let mut problems = Problems::default();
        let n = Param {
            name: "n".into(),
            required: false,
            description: String::new(),
            deprecated: false,
            ty: ParamType::Integer,
        };
        let e = endpoint("/jobs/:jobid", json!({"$ref": "Job"}), vec![n]);
        annotate("x.yml", YML, &[e], &mut types, &mut problems);
        let text = problems.to_string();
        assert!(text.contains("x.yml"), "{text}");
        assert!(text.contains("parameter n is int64 here, int32"), "{text}");
    }

    #[test]
    fn a_yml_that_does_not_parse_says_where() {
        let mut problems = Problems::default();
        annotate("x.yml", "paths: [\n  : :", &[], &mut types(), &mut problems);
        assert!(problems.to_string().contains("x.yml:"), "{problems}");
    }

    #[test]
    fn sources_without_a_width_take_another_sources() {
        let documented = |types: BTreeMap<String, NamedSchema>| Documented {
            id: "x".into(),
            source: "x".into(),
            endpoints: vec![],
            types,
        };
        let mut with = types();
        let mut problems = Problems::default();
        let e = endpoint("/jobs/:jobid", json!({"$ref": "Job"}), vec![]);
        annotate("x.yml", YML, &[e], &mut with, &mut problems);
        let mut sources = [documented(types()), documented(with)];
        share(&mut sources);
        let first = &sources[0].types;
        assert_eq!(
            format(first, "JobVertexInfo", "/properties/start-time"),
            "int64"
        );
        assert_eq!(
            format(first, "JobVertexInfo", "/properties/start_time"),
            Value::Null
        );
    }
}
