//! The pipeline on the real page: counts, names, snapshots, determinism.

use std::collections::BTreeSet;
use std::path::Path;

use flink_rest_codegen::model::{self, Names, ParamTy, Request, Ty};
use flink_rest_codegen::{docs, outputs, Inputs, SOURCE};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn inputs() -> Inputs {
    Inputs::read(root()).unwrap()
}

fn api() -> model::Api {
    let inputs = inputs();
    let documented = docs::import(SOURCE, &inputs.sources[0].text).unwrap();
    model::build(&documented, &Names::parse(&inputs.names).unwrap()).unwrap()
}

#[test]
fn all_fifty_endpoints_are_imported_once() {
    let inputs = inputs();
    let documented = docs::import(SOURCE, &inputs.sources[0].text).unwrap();
    assert_eq!(documented.endpoints.len(), 50);
    let keys: BTreeSet<String> = documented.endpoints.iter().map(|e| e.key()).collect();
    assert_eq!(keys.len(), 50, "an endpoint/verb pair appears twice");
    let verbs_on_page = inputs.sources[0]
        .text
        .lines()
        .filter(|l| l.starts_with("Verb:"))
        .count();
    assert_eq!(verbs_on_page, 50);
}

#[test]
fn every_urn_id_on_the_page_is_a_named_schema() {
    let inputs = inputs();
    let documented = docs::import(SOURCE, &inputs.sources[0].text).unwrap();
    let on_page: BTreeSet<&str> = inputs.sources[0]
        .text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("\"id\" : \""))
        .map(|l| l.trim_end_matches(['"', ',']))
        .collect();
    let named: BTreeSet<&str> = documented.types.values().map(|t| t.id.as_str()).collect();
    assert_eq!(on_page.len(), 71, "distinct urn ids on the page");
    assert_eq!(on_page, named);
    // AsynchronousOperationResult<V> is written under one id for two different V.
    assert_eq!(documented.types.len(), 72);
    assert!(documented
        .types
        .contains_key("AsynchronousOperationResultOfSavepointInfo"));
    assert!(documented
        .types
        .contains_key("AsynchronousOperationResultOfAsynchronousOperationInfo"));
}

#[test]
fn refs_resolve_across_endpoints_and_names_collide_deterministically() {
    let documented = docs::import(SOURCE, &inputs().sources[0].text).unwrap();
    let mut refs = BTreeSet::new();
    fn collect(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.insert(r.clone());
                }
                m.values().for_each(|v| collect(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    for t in documented.types.values() {
        collect(&t.schema, &mut refs);
    }
    for e in &documented.endpoints {
        for b in e.request.iter().chain(&e.response) {
            if let Some(s) = &b.schema {
                collect(s, &mut refs);
            }
        }
    }
    for r in &refs {
        assert!(documented.types.contains_key(r), "dangling $ref {r}");
    }
    // Nested ids that share a last segment take their parent's name; top-level ones keep theirs.
    assert!(documented.types.contains_key("TaskManagersInfo"));
    assert!(documented
        .types
        .contains_key("JobVertexTaskManagersInfoTaskManagersInfo"));
    assert!(documented
        .types
        .contains_key("JobDetailsInfoJobVertexDetailsInfo"));
    assert!(documented.types.contains_key("JobVertexDetailsInfo"));
    // `"required": true` on a nested object is the holder's, so QueueStatus is one type.
    assert_eq!(documented.types["QueueStatus"].lines.len(), 4);
}

#[test]
fn endpoints_without_a_body_schema_are_recorded_as_such() {
    let api = api();
    let without: Vec<&str> = api
        .operations
        .iter()
        .filter(|o| o.response.is_none())
        .map(|o| o.key.as_str())
        .collect();
    assert_eq!(
        without,
        [
            "DELETE /cluster",
            "DELETE /jars/:jarid",
            "GET /jobmanager/metrics",
            "GET /jobs/metrics",
            "PATCH /jobs/:jobid",
            "GET /jobs/:jobid/config",
            "GET /jobs/:jobid/metrics",
            "GET /jobs/:jobid/vertices/:vertexid/metrics",
            "GET /jobs/:jobid/vertices/:vertexid/subtasks/metrics",
            "GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics",
            "GET /taskmanagers/metrics",
            "GET /taskmanagers/:taskmanagerid/metrics",
        ]
    );
}

#[test]
fn parameters_say_what_they_really_take() {
    let api = api();
    let op = |key: &str| api.operations.iter().find(|o| o.key == key).unwrap();
    let query = |key: &str, name: &str| {
        op(key)
            .query_params
            .iter()
            .find(|p| p.name == name)
            .unwrap()
            .clone()
    };
    let subtasks = query(
        "GET /jobs/:jobid/vertices/:vertexid/subtasks/metrics",
        "subtasks",
    );
    assert_eq!(subtasks.ty, ParamTy::List(Box::new(ParamTy::IntegerRange)));
    let agg = query("GET /taskmanagers/metrics", "agg");
    assert_eq!(
        agg.ty,
        ParamTy::List(Box::new(ParamTy::Enum("MetricsAggregation".into())))
    );
    let tms = query("GET /taskmanagers/metrics", "taskmanagers");
    assert_eq!(
        tms.ty,
        ParamTy::List(Box::new(ParamTy::Id("TaskManagerId".into())))
    );
    let mode = query("PATCH /jobs/:jobid", "mode");
    assert_eq!(mode.ty, ParamTy::Enum("TerminationMode".into()));
    let parallelism = query("PATCH /jobs/:jobid/rescaling", "parallelism");
    assert!(parallelism.required);
    assert_eq!(parallelism.ty, ParamTy::PositiveInteger);
    let program_args = query("POST /jars/:jarid/run", "program-args");
    assert!(program_args.deprecated);
    let checkpoint = &op("GET /jobs/:jobid/checkpoints/details/:checkpointid").path_params[1];
    assert_eq!(checkpoint.ty, ParamTy::Long);
    assert_eq!(
        op("POST /jars/upload").request,
        Some(Request::MultipartFile {
            part: "jarfile".into(),
            content_type: "application/x-java-archive".into()
        })
    );
    assert_eq!(
        op("POST /jobs").request,
        Some(Request::MultipartWithJson {
            json_part: "request".into(),
            body: Ty::Named("JobSubmitRequestBody".into())
        })
    );
}

/// One line per endpoint: what a reviewer needs to see that the table is right.
#[test]
fn endpoint_table_snapshot() {
    let api = api();
    let mut out = String::new();
    for op in &api.operations {
        let params = |list: &[model::Param]| {
            list.iter()
                .map(|p| {
                    format!(
                        "{}{}: {:?}",
                        p.name,
                        if p.required { "" } else { "?" },
                        p.ty
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "{} {} -> {} {}\n  op: {}\n",
            op.method,
            op.path,
            op.status,
            op.response
                .as_ref()
                .map_or("(no body)".into(), |t| format!("{t:?}")),
            op.name
        ));
        if !op.path_params.is_empty() {
            out.push_str(&format!("  path: {}\n", params(&op.path_params)));
        }
        if !op.query_params.is_empty() {
            out.push_str(&format!("  query: {}\n", params(&op.query_params)));
        }
        if let Some(r) = &op.request {
            out.push_str(&format!("  request: {r:?}\n"));
        }
    }
    insta::assert_snapshot!(out);
}

fn item<'a>(code: &'a str, start: &str) -> &'a str {
    let at = code
        .find(start)
        .unwrap_or_else(|| panic!("{start} not generated"));
    let rest = &code[at..];
    // Items end at the first line that closes at column 0.
    let end = rest.find("\n}\n").map_or(rest.len(), |e| e + 3);
    &rest[..end]
}

#[test]
fn representative_generated_types_snapshot() {
    let files = outputs(inputs()).unwrap();
    let types = &files["flink-rest/src/generated/types.rs"];
    let client = &files["flink-rest/src/generated/client.rs"];
    let picked = [
        item(
            types,
            "/// `org.apache.flink.runtime.rest.messages.job.JobDetailsInfo`\n",
        ),
        item(types, "/// Used by JobDetails.state, JobDetailsInfo.state"),
        item(
            types,
            "/// `org.apache.flink.runtime.rest.messages.job.JobExecutionResultResponseBody`",
        ),
        item(
            types,
            "/// `org.apache.flink.runtime.rest.messages.job.SubtaskExecutionAttemptDetailsInfo`",
        ),
        item(
            client,
            "/// Query parameters of `GET /jobs/:jobid/vertices/:vertexid/subtasks/metrics`.",
        ),
    ];
    insta::assert_snapshot!(picked.join("\n"));
    let methods = client.matches("pub async fn ").count();
    assert_eq!(methods, 82, "one method per documented pair of any source");
}

#[test]
fn openapi_document_has_every_operation() {
    let files = outputs(inputs()).unwrap();
    let spec: Value =
        serde_json::from_str(&files["generated/openapi/flink-rest-documented.json"]).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let mut ids = BTreeSet::new();
    let mut count = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            count += 1;
            let id = op["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_string()), "duplicate operationId {id}");
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    assert!(path.contains(&format!("{{{}}}", p["name"].as_str().unwrap())));
                }
            }
            assert_eq!(
                op["responses"]["4XX"]["$ref"], "#/components/responses/Error",
                "{method} {path}"
            );
        }
    }
    assert_eq!(count, 50);
    let schemas = &spec["components"]["schemas"];
    assert_eq!(schemas["JobId"]["pattern"], "^[0-9a-fA-F]{32}$");
    assert_eq!(
        schemas["JobPlanInfo"]["properties"]["plan"],
        serde_json::json!({})
    );
    let upload =
        &spec["paths"]["/jars/upload"]["post"]["requestBody"]["content"]["multipart/form-data"];
    assert_eq!(upload["schema"]["required"], serde_json::json!(["jarfile"]));
    let yaml = &files["generated/openapi/flink-rest-documented.yaml"];
    assert!(yaml.starts_with("# Generated by `cargo xtask gen`, do not edit."));
}

#[test]
fn output_is_byte_for_byte_deterministic() {
    let a = outputs(inputs()).unwrap();
    let b = outputs(inputs()).unwrap();
    assert_eq!(a, b);
    for (path, text) in &a {
        assert!(text.contains("Generated by `cargo xtask gen`"), "{path}");
    }
    // Generated files live only under folders named `generated` (or the documented schemas, which
    // `import` writes as reviewable data); hand-written code is never among them.
    for path in a.keys() {
        assert!(
            path.split('/').any(|c| c == "generated") || path.starts_with("schemas/documented/"),
            "{path} is generated outside a `generated` folder"
        );
    }
}

/// Every field of every version's corrected spec says what it holds (units, `-1` and `null` cases),
/// for every generator that writes descriptions into its code; the names file's `docs` are the
/// home of those texts.
#[test]
fn every_field_of_every_corrected_spec_says_what_it_holds() {
    let files = outputs(inputs()).unwrap();
    let mut undescribed = Vec::new();
    let mut specs = 0;
    for (path, text) in &files {
        let corrected = path.starts_with("generated/openapi/flink-rest-")
            && path.ends_with(".json")
            && !path.contains("documented");
        if !corrected {
            continue;
        }
        specs += 1;
        let spec: Value = serde_json::from_str(text).unwrap();
        for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                // Another variant's field in a one-of variant: it must be absent.
                let placeholder = property == &serde_json::json!({"type": "null"});
                if !placeholder && property["description"].as_str().is_none_or(str::is_empty) {
                    undescribed.push(format!("{path}: {name}.{field}"));
                }
            }
        }
    }
    assert_eq!(specs, 10);
    assert!(undescribed.is_empty(), "{}", undescribed.join("\n"));
}
