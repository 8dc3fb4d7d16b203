//! An OpenAPI 3.1 document of [`crate::openapi`] rendered as OpenAPI 3.0.3, for the tools that read
//! only 3.0 (many code generators and diff tools). Same operations and schemas; what 3.0's schema
//! dialect cannot say is said its way:
//!
//! - `"type": ["string", "null"]` and `anyOf: [X, {"type": "null"}]` -> `X` with `nullable: true`
//!   (a nullable reference: `allOf: [X]` with the referred schema's `type`, which 3.0 wants beside
//!   `nullable`);
//! - a `$ref` with siblings (a field's description) -> `allOf: [{"$ref"}]` beside them;
//! - `false` or `{"type": "null"}` (a one-of variant's "not this field") -> `{"not": {}}`; an empty `required` left out;
//! - `propertyNames` (a map keyed by an enum) -> `x-property-names`;
//! - `contentMediaType` (a file part) -> `format: binary`;
//! - `info.summary` and `license.identifier` (3.1 only) -> the description and the license URL.
//!
//! It works on the document's own tree (no `serde_json::Value` in between: that copy cost more than
//! the rest of the rendering).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::openapi::{Obj, J};

/// A named schema's `type` (`object` for a one-of of objects), by its name.
type Types<'a> = HashMap<String, J<'a>>;

/// The 3.0.3 rendering of a 3.1 document.
pub fn render<'a>(mut doc: Obj<'a>) -> Obj<'a> {
    doc.insert("openapi", J::Str("3.0.3".into()));
    if let Some(J::Object(info)) = doc.get_mut("info") {
        if let Some(J::Str(summary)) = info.remove("summary") {
            let description = match info.get("description") {
                Some(J::Str(d)) => format!("{summary} {d}"),
                _ => summary.into_owned(),
            };
            info.insert("description", J::Str(description.into()));
        }
        if let Some(J::Object(license)) = info.get_mut("license") {
            license.remove("identifier");
            let url = "https://www.apache.org/licenses/LICENSE-2.0";
            license.insert("url", J::Str(url.into()));
        }
    }
    let types = types(&doc);
    if let Some(paths) = doc.get_mut("paths") {
        schemas_in(paths, &types);
    }
    if let Some(J::Object(components)) = doc.get_mut("components") {
        if let Some(J::Object(schemas)) = components.get_mut("schemas") {
            schemas.entries_mut().for_each(|(_, s)| schema(s, &types));
        }
        if let Some(responses) = components.get_mut("responses") {
            schemas_in(responses, &types);
        }
    }
    doc
}

fn types<'a>(doc: &Obj<'a>) -> Types<'a> {
    let schemas = match doc.get("components") {
        Some(J::Object(c)) => c.get("schemas"),
        _ => None,
    };
    let mut out = Types::new();
    if let Some(J::Object(schemas)) = schemas {
        for (name, s) in schemas.entries() {
            let ty = match s {
                J::Object(o) => o.get("type").cloned(),
                _ => None,
            };
            out.insert(name.to_string(), ty.unwrap_or(J::Str("object".into())));
        }
    }
    out
}

/// Every `schema` under a path item, an operation, a response or a parameter.
fn schemas_in<'a>(value: &mut J<'a>, types: &Types<'a>) {
    match value {
        J::Object(map) => {
            for (key, v) in map.entries_mut() {
                match key {
                    "schema" => schema(v, types),
                    _ => schemas_in(v, types),
                }
            }
        }
        J::Array(items) => items.iter_mut().for_each(|v| schemas_in(v, types)),
        _ => {}
    }
}

fn is_str(value: Option<&J<'_>>, text: &str) -> bool {
    matches!(value, Some(J::Str(s)) if s == text)
}

/// One schema and the schemas in it, 3.1 -> 3.0.
fn schema<'a>(value: &mut J<'a>, types: &Types<'a>) {
    if matches!(value, J::Bool(false)) {
        *value = not_anything();
        return;
    }
    let J::Object(map) = value else {
        return;
    };
    drop_second_spellings(map);
    for (key, v) in map.entries_mut() {
        match key {
            "items" | "additionalProperties" | "not" => schema(v, types),
            "properties" => {
                if let J::Object(props) = v {
                    for (_, p) in props.entries_mut() {
                        // 3.0 has no null type: a one-of variant's "not this field" is "nothing".
                        let null_only = matches!(p, J::Object(o) if o.len() == 1 && is_str(o.get("type"), "null"));
                        match null_only {
                            true => *p = not_anything(),
                            false => schema(p, types),
                        }
                    }
                }
            }
            "oneOf" | "anyOf" | "allOf" => {
                if let J::Array(items) = v {
                    items.iter_mut().for_each(|i| schema(i, types));
                }
            }
            _ => {}
        }
    }
    // 3.0 wants at least one name in `required`.
    if matches!(map.get("required"), Some(J::Array(r)) if r.is_empty()) {
        map.remove("required");
    }
    if let Some(names) = map.remove("propertyNames") {
        map.insert("x-property-names", names);
    }
    if map.remove("contentMediaType").is_some() {
        map.insert("format", J::Str("binary".into()));
    }
    nullable(map, types);
    if map.get("$ref").is_some() && map.len() > 1 {
        let reference = map.remove("$ref").expect("checked");
        let inner = Obj::from_entries([("$ref", reference)]);
        map.insert("allOf", J::Array(vec![J::Object(inner)]));
    }
}

/// A property that is another's second spelling (`x-same-as`) is left out, and the first says so: the
/// 3.0 tools (progenitor, openapi-generator) make one identifier of both spellings and fail on it.
fn drop_second_spellings(map: &mut Obj<'_>) {
    let Some(J::Object(props)) = map.get_mut("properties") else {
        return;
    };
    let mut dropped = Vec::new();
    for (name, p) in props.entries_mut() {
        if let J::Object(o) = p {
            if let Some(J::Str(first)) = o.get("x-same-as") {
                dropped.push((name.to_string(), first.to_string()));
            }
        }
    }
    for (second, first) in &dropped {
        props.remove(second);
        if let Some(J::Object(o)) = props.get_mut(first) {
            let said = format!(
                "Flink sends it also as `{second}`, with the same value (left out here: generators \
                 of OpenAPI 3.0 make one name of both)."
            );
            let doc = match o.get("description") {
                Some(J::Str(d)) => format!("{d} {said}"),
                _ => said,
            };
            o.insert("description", J::Str(Cow::Owned(doc)));
        }
    }
    if let Some(J::Array(required)) = map.get_mut("required") {
        required.retain(|r| !matches!(r, J::Str(n) if dropped.iter().any(|(s, _)| s == n)));
    }
}

/// `{"not": {}}`: no value at all.
fn not_anything<'a>() -> J<'a> {
    J::Object(Obj::from_entries([("not", J::Object(Obj::default()))]))
}

/// `type: [X, "null"]` and `anyOf: [X, {type: null}]` -> `X`, `nullable: true`.
fn nullable<'a>(map: &mut Obj<'a>, types: &Types<'a>) {
    if let Some(J::Array(list)) = map.get("type") {
        let named: Vec<J<'a>> = (list.iter())
            .filter(|t| !matches!(t, J::Str(s) if s == "null"))
            .cloned()
            .collect();
        if named.len() < list.len() {
            map.insert("nullable", J::Bool(true));
        }
        if let [one] = named.as_slice() {
            map.insert("type", one.clone());
        }
    }
    let is_null = |v: &J<'_>| matches!(v, J::Object(o) if is_str(o.get("type"), "null"));
    let other = match map.get("anyOf") {
        Some(J::Array(any)) if any.len() == 2 && any.iter().any(is_null) => {
            any.iter().find(|v| !is_null(v)).cloned()
        }
        _ => return,
    };
    map.remove("anyOf");
    match other {
        Some(J::Object(inner)) if inner.get("$ref").is_none() => {
            for (key, v) in inner.into_entries() {
                map.insert(key, v);
            }
        }
        Some(other) => {
            let target = match &other {
                J::Object(o) => match o.get("$ref") {
                    Some(J::SchemaRef(name)) => types.get(*name).cloned(),
                    _ => None,
                },
                _ => None,
            };
            map.insert("type", target.unwrap_or(J::Str(Cow::Borrowed("object"))));
            map.insert("allOf", J::Array(vec![other]));
        }
        None => {}
    }
    map.insert("nullable", J::Bool(true));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A 3.1 document as the tree `render` takes (every string owned).
    fn tree(value: &serde_json::Value) -> J<'static> {
        match value {
            serde_json::Value::Null => J::Null,
            serde_json::Value::Bool(b) => J::Bool(*b),
            serde_json::Value::Number(n) => J::Int(n.as_i64().unwrap_or_default()),
            serde_json::Value::String(s) => J::Str(s.clone().into()),
            serde_json::Value::Array(items) => J::Array(items.iter().map(tree).collect()),
            serde_json::Value::Object(map) => {
                let mut obj = Obj::default();
                for (k, v) in map {
                    obj.insert(k.clone(), tree(v));
                }
                J::Object(obj)
            }
        }
    }

    #[test]
    fn a_second_spelling_is_left_out_and_the_first_says_so() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {"A": {
                "type": "object",
                "required": ["start-time", "start_time", "x"],
                "properties": {
                    "start-time": {"type": "integer", "format": "int64", "description": "When."},
                    "start_time": {"type": "integer", "format": "int64", "deprecated": true,
                                   "x-same-as": "start-time"},
                    "x": {"type": "string"}
                }
            }}}
        });
        let J::Object(doc) = tree(&doc) else {
            panic!("an object")
        };
        let out = serde_json::to_value(render(doc)).unwrap();
        let a = &out["components"]["schemas"]["A"];
        assert_eq!(a["required"], json!(["start-time", "x"]));
        assert!(a["properties"].get("start_time").is_none());
        let said = a["properties"]["start-time"]["description"]
            .as_str()
            .unwrap();
        assert!(
            said.starts_with("When. Flink sends it also as `start_time`"),
            "{said}"
        );
    }

    #[test]
    fn what_3_0_cannot_say_is_said_its_way() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "summary": "S.", "description": "D.", "version": "1",
                     "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
            "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"type": ["string", "null"]}}}}}}}},
            "components": {"schemas": {"A": {"type": "object", "properties": {
                "n": {"type": ["string", "null"], "description": "n"},
                "r": {"$ref": "#/components/schemas/B", "description": "r"},
                "p": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
                "k": {"type": "object", "propertyNames": {"type": "string"}},
                "f": false,
                "g": {"type": "null"},
                "e": {"type": "object", "required": []},
                "file": {"type": "string", "contentMediaType": "application/java-archive"}
            }}, "B": {"type": "string", "enum": ["x"]}}}
        });
        let J::Object(doc) = tree(&doc) else {
            panic!("an object")
        };
        let out = serde_json::to_value(render(doc)).unwrap();
        let props = &out["components"]["schemas"]["A"]["properties"];
        assert_eq!(out["openapi"], "3.0.3");
        assert_eq!(out["info"]["description"], "S. D.");
        assert!(out["info"].get("summary").is_none());
        assert!(out["info"]["license"].get("identifier").is_none());
        assert_eq!(
            props["n"],
            json!({"type": "string", "description": "n", "nullable": true})
        );
        assert_eq!(
            props["r"],
            json!({"description": "r", "allOf": [{"$ref": "#/components/schemas/B"}]})
        );
        assert_eq!(
            props["p"],
            json!({"type": "array", "items": {"type": "string"}, "nullable": true})
        );
        assert!(props["k"].get("propertyNames").is_none());
        assert_eq!(props["f"], json!({"not": {}}));
        assert_eq!(props["g"], json!({"not": {}}));
        assert_eq!(props["e"], json!({"type": "object"}));
        assert_eq!(props["file"], json!({"type": "string", "format": "binary"}));
        let success = &out["paths"]["/x"]["get"]["responses"]["200"]["content"];
        assert_eq!(
            success["application/json"]["schema"],
            json!({"type": "string", "nullable": true})
        );
    }

    #[test]
    fn a_nullable_reference_gets_the_type_of_what_it_refers_to() {
        let mut schemas = Obj::default();
        schemas.insert("B", tree(&json!({"type": "string", "enum": ["x"]})));
        schemas.insert("C", tree(&json!({"oneOf": [{"type": "object"}]})));
        let field = |name: &'static str| {
            let reference = Obj::from_entries([("$ref", J::SchemaRef(name))]);
            let null = Obj::from_entries([("type", J::Str("null".into()))]);
            J::Object(Obj::from_entries([(
                "anyOf",
                J::Array(vec![J::Object(reference), J::Object(null)]),
            )]))
        };
        let a = Obj::from_entries([(
            "properties",
            J::Object(Obj::from_entries([("b", field("B")), ("c", field("C"))])),
        )]);
        schemas.insert("A", J::Object(a));
        let components = Obj::from_entries([("schemas", J::Object(schemas))]);
        let doc = Obj::from_entries([("components", J::Object(components))]);
        let out = serde_json::to_value(render(doc)).unwrap();
        let props = &out["components"]["schemas"]["A"]["properties"];
        let expect = |ty: &str, name: &str| json!({"type": ty, "allOf": [{"$ref": format!("#/components/schemas/{name}")}], "nullable": true});
        assert_eq!(props["b"], expect("string", "B"));
        assert_eq!(props["c"], expect("object", "C"));
    }
}
