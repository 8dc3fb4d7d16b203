//! Bad input: every problem reported together, each with where it is; never a panic.

use flink_rest_codegen::docs;

const PAGE: &str = r#"Intro text
/jobs/:jobid
Verb: FETCH
Response code: 200 OK
Returns a job.
Path parameters
jobid
- 32-character hexadecimal string value that identifies a job.
Query parameters
mode
(sometimes): String value.
Request
Response
{
"type" : "object",
"id" : "urn:jsonschema:x:A",
"properties" : {
"a" : { "type" : "strin" },
"b" : { "$ref" : "urn:jsonschema:x:Missing" },
"c" : { "type" : "string", "enum" : [ 1, 2 ] },
"d" : { "type" : "array" },
"e" : { "type" : "string", "pattern" : "x" }
}
}
/jobs/:jobid/x/:other
Verb: GET
Response code: 20x OK
A second endpoint.
Path parameters
jobid
- Frobnicated value that identifies a job.
Request
Response
{
"type" : "object",
"properties" : { "a" : { "type" : "string" }, }
}
"#;

#[test]
fn every_problem_is_reported_with_file_line_endpoint_and_pointer() {
    let problems = docs::import("page.txt", PAGE).unwrap_err();
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let expected = [
        "page.txt:3 [FETCH /jobs/:jobid]: unknown verb \"FETCH\"",
        "page.txt:11 [FETCH /jobs/:jobid]: query parameter \"mode\": expected `(optional): …` or `(mandatory): …`",
        "page.txt:18 [FETCH /jobs/:jobid] at /properties/a/type: response schema: `type` must be one of",
        "page.txt:19 [FETCH /jobs/:jobid] at /properties/b/$ref: response schema: `$ref` to \"urn:jsonschema:x:Missing\", which no schema of page.txt defines",
        "page.txt:20 [FETCH /jobs/:jobid] at /properties/c/enum: response schema: `enum` must be a non-empty list of strings",
        "page.txt:21 [FETCH /jobs/:jobid] at /properties/d: response schema: array without `items`",
        "page.txt:22 [FETCH /jobs/:jobid] at /properties/e/pattern: response schema: unknown keyword \"pattern\"",
        "page.txt:25 [GET /jobs/:jobid/x/:other]: path parameter \"other\" is in the path but not documented",
        "page.txt:27 [GET /jobs/:jobid/x/:other]: response code \"20x\" is not an HTTP status",
        "page.txt:31 [GET /jobs/:jobid/x/:other]: parameter \"jobid\": cannot tell its type from \"Frobnicated value that identifies a job.\"",
        "page.txt:36 [GET /jobs/:jobid/x/:other]: invalid JSON: trailing comma",
    ];
    for want in expected {
        assert!(
            lines.iter().any(|l| l.starts_with(want)),
            "missing {want:?} in\n{}",
            lines.join("\n")
        );
    }
    assert_eq!(lines.len(), expected.len(), "{}", lines.join("\n"));
}

#[test]
fn a_page_without_endpoints_says_so() {
    let problems = docs::import("empty.txt", "nothing here\n").unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(problems.to_string().contains("no endpoint found"));
}

/// Cut the real page anywhere: the importer answers, with problems or without, and never panics.
#[test]
fn truncated_pages_never_panic() {
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/source/flink-1.10-monitoring-rest-api.txt"
    ))
    .unwrap();
    let mut failures = 0;
    for end in (0..page.len()).step_by(211) {
        if !page.is_char_boundary(end) {
            continue;
        }
        if docs::import("cut.txt", &page[..end]).is_err() {
            failures += 1;
        }
    }
    // Most cuts land inside a schema or an endpoint block and must be reported.
    assert!(failures > 100, "only {failures} cuts were reported as bad");
}

#[test]
fn classes_whose_names_collide_are_reported_at_their_lines() {
    // Two packages, one class name: the names cannot tell them apart.
    let page = r#"Intro text
/a
Verb: GET
Response code: 200 OK
Returns a.
Request
Response
{
"type" : "object",
"id" : "urn:jsonschema:org:one:Thing",
"properties" : { "x" : { "type" : "string" } }
}
/b
Verb: GET
Response code: 200 OK
Returns b.
Request
Response
{
"type" : "object",
"id" : "urn:jsonschema:org:two:Thing",
"properties" : { "y" : { "type" : "integer" } }
}
"#;
    let problems = docs::import("page.txt", page).unwrap_err();
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        lines,
        ["page.txt:19: urn:jsonschema:org:one:Thing (line 8) and urn:jsonschema:org:two:Thing are different classes with the same name"]
    );
}
