//! An OpenAPI 3.1 document of [`crate::openapi`] rendered as OpenAPI 3.0.3, for the tools that read
//! only 3.0 (many code generators and diff tools). Same operations and schemas; what 3.0's schema
//! dialect cannot say is said its way:
//!
//! - `"type": ["string", "null"]` and `anyOf: [X, {"type": "null"}]` -> `X` with `nullable: true`
//!   (a nullable reference: `allOf: [X]` with the referred schema's `type`, which 3.0 wants beside
//!   `nullable`);
//! - a `$ref` with siblings (a field's description) -> `allOf: [{"$ref"}]` beside them;
//! - `false` (a one-of variant's "not this field") -> `{"not": {}}`; an empty `required` left out;
//! - `propertyNames` (a map keyed by an enum) -> `x-property-names`;
//! - `contentMediaType` (a file part) -> `format: binary`;
//! - `info.summary` and `license.identifier` (3.1 only) -> the description and the license URL.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

/// A named schema's `type` (`object` for a one-of of objects), by its `$ref`.
type Types = HashMap<String, Value>;

/// The 3.0.3 rendering of a 3.1 document.
pub fn render(mut doc: Value) -> Value {
    doc["openapi"] = json!("3.0.3");
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        if let Some(Value::String(summary)) = info.remove("summary") {
            let description = info
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            info.insert(
                "description".into(),
                json!(format!("{summary} {description}")),
            );
        }
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
            license.insert(
                "url".into(),
                json!("https://www.apache.org/licenses/LICENSE-2.0"),
            );
        }
    }
    let types: Types = (doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten())
    .map(|(name, s)| {
        let ty = s.get("type").cloned().unwrap_or_else(|| json!("object"));
        (format!("#/components/schemas/{name}"), ty)
    })
    .collect();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        paths.values_mut().for_each(|p| schemas_in(p, &types));
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        if let Some(Value::Object(schemas)) = components.get_mut("schemas") {
            schemas.values_mut().for_each(|s| schema(s, &types));
        }
        if let Some(responses) = components.get_mut("responses") {
            schemas_in(responses, &types);
        }
    }
    doc
}

/// Every `schema` under a path item, an operation, a response or a parameter.
fn schemas_in(value: &mut Value, types: &Types) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match key.as_str() {
                    "schema" => schema(v, types),
                    _ => schemas_in(v, types),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| schemas_in(v, types)),
        _ => {}
    }
}

/// One schema and the schemas in it, 3.1 -> 3.0.
fn schema(value: &mut Value, types: &Types) {
    if value == &Value::Bool(false) {
        *value = json!({ "not": {} });
        return;
    }
    let Value::Object(map) = value else {
        return;
    };
    for key in ["items", "additionalProperties", "not"] {
        if let Some(v) = map.get_mut(key) {
            schema(v, types);
        }
    }
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        props.values_mut().for_each(|p| schema(p, types));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(Value::Array(items)) = map.get_mut(key) {
            items.iter_mut().for_each(|i| schema(i, types));
        }
    }
    // 3.0 wants at least one name in `required`.
    if map
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        map.remove("required");
    }
    if let Some(names) = map.remove("propertyNames") {
        map.insert("x-property-names".into(), names);
    }
    if map.remove("contentMediaType").is_some() {
        map.insert("format".into(), json!("binary"));
    }
    nullable(map, types);
    if map.contains_key("$ref") && map.len() > 1 {
        let reference = map.remove("$ref").expect("checked");
        map.insert("allOf".into(), json!([{ "$ref": reference }]));
    }
}

/// `type: [X, "null"]` and `anyOf: [X, {type: null}]` -> `X`, `nullable: true`.
fn nullable(map: &mut Map<String, Value>, types: &Types) {
    if let Some(Value::Array(types)) = map.get("type") {
        let named: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if named.len() < types.len() {
            map.insert("nullable".into(), json!(true));
        }
        if let [one] = named.as_slice() {
            map.insert("type".into(), one.clone());
        }
    }
    let Some(Value::Array(any)) = map.get("anyOf") else {
        return;
    };
    let is_null = |v: &Value| v.get("type") == Some(&json!("null"));
    if any.len() == 2 && any.iter().any(is_null) {
        let other = any
            .iter()
            .find(|v| !is_null(v))
            .cloned()
            .unwrap_or_default();
        map.remove("anyOf");
        match other {
            Value::Object(inner) if !inner.contains_key("$ref") => map.extend(inner),
            other => {
                let target = other
                    .get("$ref")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let ty = types
                    .get(target)
                    .cloned()
                    .unwrap_or_else(|| json!("object"));
                map.insert("type".into(), ty);
                map.insert("allOf".into(), json!([other]));
            }
        }
        map.insert("nullable".into(), json!(true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_3_0_cannot_say_is_said_its_way() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "summary": "S.", "description": "D.", "version": "1",
                     "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
            "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}}},
            "components": {"schemas": {"A": {"type": "object", "properties": {
                "n": {"type": ["string", "null"], "description": "n"},
                "r": {"$ref": "#/components/schemas/B", "description": "r"},
                "o": {"anyOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}]},
                "p": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
                "k": {"type": "object", "propertyNames": {"$ref": "#/components/schemas/B"}},
                "f": false,
                "e": {"type": "object", "required": []},
                "file": {"type": "string", "contentMediaType": "application/java-archive"}
            }}, "B": {"type": "string", "enum": ["x"]}}}
        });
        let out = render(doc);
        let props = &out["components"]["schemas"]["A"]["properties"];
        assert_eq!(out["openapi"], "3.0.3");
        assert_eq!(out["info"]["description"], "S. D.");
        assert!(out["info"].get("summary").is_none());
        assert!(out["info"]["license"].get("identifier").is_none());
        assert_eq!(
            props["n"],
            json!({"type": "string", "nullable": true, "description": "n"})
        );
        assert_eq!(
            props["r"],
            json!({"description": "r", "allOf": [{"$ref": "#/components/schemas/B"}]})
        );
        assert_eq!(
            props["o"],
            json!({"type": "string", "allOf": [{"$ref": "#/components/schemas/B"}], "nullable": true})
        );
        assert_eq!(
            props["p"],
            json!({"type": "array", "items": {"type": "string"}, "nullable": true})
        );
        assert!(props["k"].get("propertyNames").is_none());
        assert_eq!(props["f"], json!({"not": {}}));
        assert_eq!(props["e"], json!({"type": "object"}));
        assert_eq!(props["file"], json!({"type": "string", "format": "binary"}));
        let success = &out["paths"]["/x"]["get"]["responses"]["200"]["content"];
        assert_eq!(
            success["application/json"]["schema"]["$ref"],
            "#/components/schemas/A"
        );
    }
}
