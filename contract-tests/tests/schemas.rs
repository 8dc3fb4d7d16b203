//! The schemas the crate's types derive (its `schemars` feature) agree with their components in every
//! corrected spec: the generator's two outputs, Rust and OpenAPI, say the same of each type.
//!
//! Agree: the type has every property of the component, each admitting what the component's does (the
//! crate is the union of all versions: an `int32` of one version may be an `int64` in the crate, never
//! the reverse); it requires no property the component does not; a one-of has as many variants, each
//! requiring what one of the component's does; an enum has every value. A string the crate reads as an
//! enum (`schemas/names.json` names its values; the specs keep the docs' plain string) agrees: the
//! crate's enums are open, a value they do not know is kept as sent. So does a type where a version's
//! spec leaves the field `any` (none of its recordings shows a value): the crate's union takes the type
//! the other versions' evidence gives it (`codegen::union::wider`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// A property's type, as either dialect writes it.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Any,
    Ref(String),
    /// A JSON type and its format.
    Scalar(String, Option<String>),
    /// A Java double: a number or one of three strings.
    Double,
    Array(Box<Shape>),
    Map(Box<Shape>),
}

/// Reads a schema of either dialect; `ids`: the id types, strings on the wire.
fn shape(schema: &Value, ids: &BTreeSet<String>) -> Shape {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r).to_string();
        return match name.as_str() {
            "Double" => Shape::Double,
            id if ids.contains(id) => Shape::Scalar("string".into(), None),
            _ => Shape::Ref(name),
        };
    }
    let null = |v: &Value| v.get("type") == Some(&Value::from("null"));
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(options)) = schema.get(key) {
            let non_null: Vec<&Value> = options.iter().filter(|o| !null(o)).collect();
            if let [one] = non_null.as_slice() {
                return shape(one, ids);
            }
            let numeric = |o: &&Value| o.get("type") == Some(&Value::from("number"));
            if key == "oneOf" && non_null.iter().any(numeric) {
                return Shape::Double;
            }
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => (types.iter())
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_string(),
        _ => return Shape::Any,
    };
    match ty.as_str() {
        "array" => Shape::Array(Box::new(
            schema.get("items").map_or(Shape::Any, |i| shape(i, ids)),
        )),
        "object" => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => Shape::Map(Box::new(shape(values, ids))),
            _ => Shape::Any,
        },
        _ => {
            let format = schema
                .get("format")
                .and_then(Value::as_str)
                .map(String::from);
            Shape::Scalar(ty, format)
        }
    }
}

/// Whether the crate's `ours` takes every value of the spec's `theirs`.
fn admits(ours: &Shape, theirs: &Shape) -> bool {
    use Shape::*;
    let int = |f: &Option<String>| {
        f.as_deref()
            .map_or(64, |f| if f == "int32" { 32 } else { 64 })
    };
    match (ours, theirs) {
        (Any, _) | (_, Any) => true,
        (Scalar(a, f), Scalar(b, g)) if a == "integer" && b == "integer" => int(f) >= int(g),
        (Scalar(a, _), Scalar(b, _)) if a == "number" && b == "integer" => true,
        (Double, Scalar(b, _)) => b == "number" || b == "integer",
        (Array(a), Array(b)) | (Map(a), Map(b)) => admits(a, b),
        _ => ours == theirs,
    }
}

fn strings(v: Option<&Value>) -> BTreeSet<String> {
    (v.and_then(Value::as_array).into_iter().flatten())
        .filter_map(Value::as_str)
        .map(String::from)
        .collect()
}

/// Where `ours` (the derived schema) does not agree with `theirs` (the component); the names of the
/// spec's own variant components resolve through `components`.
fn disagreements(
    ours: &Value,
    theirs: &Value,
    components: &serde_json::Map<String, Value>,
    ids: &BTreeSet<String>,
    enums: &BTreeSet<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(values) = theirs.get("enum") {
        let missing: Vec<String> = (strings(Some(values)).difference(&strings(ours.get("enum"))))
            .cloned()
            .collect();
        if !missing.is_empty() {
            out.push(format!("values missing: {missing:?}"));
        }
        return out;
    }
    if let Some(Value::Array(variants)) = theirs.get("oneOf") {
        let derived: Vec<BTreeSet<String>> = (ours.get("anyOf").and_then(Value::as_array))
            .into_iter()
            .flatten()
            .map(|m| strings(m.get("required")))
            .collect();
        if derived.len() != variants.len() {
            out.push(format!(
                "{} variants, the spec {}",
                derived.len(),
                variants.len()
            ));
        }
        for v in variants {
            let v = match shape(v, ids) {
                Shape::Ref(name) => components.get(&name).unwrap_or(v),
                _ => v,
            };
            let required = strings(v.get("required"));
            if !derived.contains(&required) {
                out.push(format!("no variant requires exactly {required:?}"));
            }
        }
        return out;
    }
    let Some(Value::Object(props)) = theirs.get("properties") else {
        return out;
    };
    let empty = serde_json::Map::new();
    let ours_props = ours
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (name, schema) in props {
        match ours_props.get(name) {
            None => out.push(format!("no property `{name}`")),
            Some(mine) => {
                let (a, b) = (shape(mine, ids), shape(schema, ids));
                let open = matches!((&a, &b), (Shape::Ref(e), Shape::Scalar(t, None))
                    if t == "string" && enums.contains(e.as_str()));
                if !admits(&a, &b) && !open {
                    out.push(format!("`{name}` is {a:?}, the spec's {b:?}"));
                }
            }
        }
    }
    let extra: Vec<String> = (strings(ours.get("required"))
        .difference(&strings(theirs.get("required"))))
    .cloned()
    .collect();
    if !extra.is_empty() {
        out.push(format!("requires {extra:?}, which the spec does not"));
    }
    out
}

#[test]
fn every_type_derives_the_schema_of_its_component_in_every_corrected_spec() {
    let mut generator = schemars::SchemaGenerator::default();
    let derived: BTreeMap<&str, Value> = contract_tests::dispatch::json_schemas(&mut generator)
        .into_iter()
        .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let versions: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(root.join("schemas/ledger/versions.json")).unwrap(),
    )
    .unwrap();
    let enums: BTreeSet<&str> = (derived.iter())
        .filter(|(_, schema)| schema.get("enum").is_some())
        .map(|(name, _)| *name)
        .collect();
    let mut problems = Vec::new();
    for version in &versions {
        let minor = flink_rest_codegen::ledger::minor(version);
        let path = root.join(format!("generated/openapi/flink-rest-{minor}.json"));
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let components = spec["components"]["schemas"].as_object().unwrap();
        let ids: BTreeSet<String> = (components.iter())
            .filter(|(_, c)| c.get("pattern").is_some() || c.get("x-jackson-id").is_none())
            .filter(|(_, c)| {
                c.get("type") == Some(&Value::from("string")) && c.get("enum").is_none()
            })
            .map(|(n, _)| n.clone())
            .collect();
        let mut checked = 0;
        for (name, component) in components {
            let Some(ours) = derived.get(name.as_str()) else {
                continue; // a one-of's variant, or an id
            };
            checked += 1;
            for d in disagreements(ours, component, components, &ids, &enums) {
                problems.push(format!("{minor}: {name}: {d}"));
            }
        }
        // Every type the spec names is a type of the crate (what is left: ids and variants).
        assert!(
            checked > 60,
            "{minor}: only {checked} components are types of the crate"
        );
    }
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn a_narrower_type_than_the_spec_is_a_disagreement() {
    let ids = BTreeSet::new();
    let components = serde_json::Map::new();
    let spec = serde_json::json!({"type": "object", "required": ["a"], "properties": {
        "a": {"type": "integer", "format": "int64"}, "b": {"type": "string"}}});
    let ours = serde_json::json!({"type": "object", "required": ["a", "c"], "properties": {
        "a": {"type": "integer", "format": "int32"}, "c": {"type": "string"}}});
    let found = disagreements(&ours, &spec, &components, &ids, &BTreeSet::new()).join("\n");
    assert!(
        found.contains("`a` is Scalar(\"integer\", Some(\"int32\"))"),
        "{found}"
    );
    assert!(found.contains("no property `b`"), "{found}");
    assert!(found.contains("requires [\"c\"]"), "{found}");
}

/// The JSON Schemas `gen` writes for the data files (the hand-edited ledger and names file, the recorded
/// fixtures) take those files (and so do editors).
#[test]
fn the_data_files_validate_against_their_generated_schemas() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |rel: &str| -> Value {
        let path = root.join(rel);
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let mut files: Vec<(String, &str)> = vec![("schemas/names.json".into(), "names")];
    for entry in std::fs::read_dir(root.join("schemas/ledger")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        // The versions and the required fields are not lists of entries.
        if name.ends_with(".json") && !["versions.json", "required.json"].contains(&name.as_str()) {
            files.push((format!("schemas/ledger/{name}"), "ledger-entries"));
        }
    }
    assert!(files.len() > 5, "{files:?}");
    let mut problems = Vec::new();
    for (file, schema) in &files {
        let schema = read(&format!("generated/json-schema/{schema}.json"));
        let validator = jsonschema::validator_for(&schema).unwrap();
        for error in validator.iter_errors(&read(file)) {
            problems.push(format!("{file} at {}: {error}", error.instance_path()));
        }
    }
    // Every recorded exchange of every version, against the fixture schema.
    let schema = read("contract-tests/schemas/fixture.json");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut fixtures = 0;
    for version in std::fs::read_dir(root.join("contract-tests/fixtures")).unwrap() {
        let dir = version.unwrap().path();
        for (name, path) in flink_rest_emulator::layout::exchange_files(&dir).unwrap() {
            fixtures += 1;
            let fixture: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for error in validator.iter_errors(&fixture) {
                problems.push(format!("{name} at {}: {error}", error.instance_path()));
            }
        }
    }
    assert!(fixtures > 1000, "{fixtures} fixtures");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // And a schema that can fail: an entry without its why.
    let schema = read("generated/json-schema/ledger-entries.json");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut entries = read("schemas/ledger/fields.json");
    entries[0].as_object_mut().unwrap().remove("why");
    assert!(!validator.is_valid(&entries));
}
