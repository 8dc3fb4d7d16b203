//! Names no Flink page has but a page could: the generator makes a valid, buildable identifier of
//! each (or reports it), and never panics.

use flink_rest_codegen::{docs, model, rust};

const PAGE: &str = r#"Intro text
/things/:thingid
Verb: GET
Response code: 200 OK
Returns a thing.
Path parameters
thingid
- 32-character hexadecimal string value that identifies a thing.
Query parameters
²
(optional): String value.
Request
Response
{
"type" : "object",
"id" : "urn:jsonschema:x:Vec",
"properties" : {
"²" : { "type" : "string" },
"e" : { "type" : "string", "enum" : [ "a-b", "a_b", "²", "", "Unknown", "1st" ] },
"n" : { "type" : "object", "id" : "urn:jsonschema:x:1bc", "properties" : { "x" : { "type" : "string" } } },
"m" : { "type" : "object", "id" : "urn:jsonschema:x:", "properties" : { "y" : { "type" : "string" } } },
"o" : { "type" : "object", "id" : "urn:jsonschema:x:Option", "properties" : { "z" : { "type" : "string" } } },
"self" : { "type" : "string" },
"v" : { "type" : "array", "items" : { "$ref" : "urn:jsonschema:x:Vec" } }
}
}
"#;

fn generated() -> (String, String) {
    let doc = docs::import("hostile.txt", PAGE).unwrap_or_else(|p| panic!("{p}"));
    let names =
        model::Names::parse(r#"{"operations": {}, "enums": {}, "ids": {"thingid": "ThingId"}}"#)
            .unwrap();
    let api = model::build(&doc, &names).unwrap_or_else(|p| panic!("{p}"));
    let types = rust::format(rust::types(&api)).unwrap();
    let client = rust::format(rust::client(&api)).unwrap();
    (types, client)
}

#[test]
fn every_identifier_is_valid_rust_whatever_the_input() {
    let (types, client) = generated();
    // `format` parses what it prints: both are valid Rust.
    assert!(types.contains("pub enum "), "{types}");
    assert!(client.contains("pub async fn "), "{client}");
}

#[test]
fn names_that_would_not_build_are_made_distinct() {
    let (types, _) = generated();
    // Enum values that case to one variant get distinct variants.
    let enum_body = &types[types.find("pub enum ").unwrap()..];
    let enum_body = &enum_body[..enum_body.find('}').unwrap()];
    let variants: Vec<&str> = (enum_body.lines())
        .map(str::trim)
        .filter(|l| !l.starts_with("///") && l.ends_with(','))
        .collect();
    let unique: std::collections::BTreeSet<&&str> = variants.iter().collect();
    assert_eq!(unique.len(), variants.len(), "{variants:?}");
    // A type never takes a name the generated code means as the standard one.
    for std_name in ["Vec", "Option"] {
        assert!(
            !types.contains(&format!("pub struct {std_name} ")),
            "{types}"
        );
    }
}
