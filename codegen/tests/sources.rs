//! Every source's docs, imported: the pairs each minor documents are exactly the operations of Flink's own
//! OpenAPI rendering of the same classes (independent evidence that no pair was missed or invented), and
//! the shapes the newer docs bring (forward and self references, generic classes, moved classes) import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use flink_rest_codegen::docs::{self, Documented, ParamType};
use flink_rest_codegen::{import, Inputs};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn imported() -> (Inputs, Vec<Documented>) {
    let inputs = Inputs::read(root()).unwrap();
    let documented = import(&inputs).unwrap_or_else(|p| panic!("{p}"));
    (inputs, documented)
}

/// `GET /jobs/:jobid` for every operation of an OpenAPI document.
fn yml_pairs(text: &str) -> BTreeSet<String> {
    let doc: Value = serde_yaml_ng::from_str(text).unwrap();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let path: Vec<String> = path
            .split('/')
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => format!(":{name}"),
                    None => s.to_string(),
                },
            )
            .collect();
        for method in item.as_object().unwrap().keys() {
            out.insert(format!("{} {}", method.to_uppercase(), path.join("/")));
        }
    }
    out
}

#[test]
fn every_minor_documents_exactly_the_operations_of_its_yml() {
    let (inputs, documented) = imported();
    let mut counts = BTreeMap::new();
    for (source, doc) in inputs.sources.iter().zip(&documented) {
        let Some(yml) = &source.openapi else { continue };
        let text = std::fs::read_to_string(root().join("schemas/source").join(yml)).unwrap();
        let from_yml = yml_pairs(&text);
        let from_html: BTreeSet<String> = doc.endpoints.iter().map(|e| e.key()).collect();
        assert_eq!(
            from_html.len(),
            doc.endpoints.len(),
            "{}: a pair twice",
            doc.id
        );
        assert_eq!(
            from_html,
            from_yml,
            "{}: html and yml disagree: only in html {:?}, only in yml {:?}",
            doc.id,
            from_html.difference(&from_yml).collect::<Vec<_>>(),
            from_yml.difference(&from_html).collect::<Vec<_>>()
        );
        counts.insert(doc.id.clone(), from_html.len());
    }
    let expected = [
        ("1.15", 59),
        ("1.16", 64),
        ("1.17", 67),
        ("1.18", 69),
        ("1.19", 69),
        ("1.20", 70),
        ("2.0", 69),
        ("2.1", 69),
        ("2.2", 69),
        ("2.3", 80),
    ];
    let expected: BTreeMap<String, usize> =
        expected.iter().map(|(v, n)| (v.to_string(), *n)).collect();
    assert_eq!(counts, expected);
    let distinct: BTreeSet<String> = documented
        .iter()
        .flat_map(|d| d.endpoints.iter().map(|e| e.key()))
        .collect();
    assert_eq!(
        distinct.len(),
        82,
        "distinct pairs over the page and every minor"
    );
}

#[test]
fn a_type_keeps_its_name_when_flink_moves_its_class() {
    let (_, documented) = imported();
    let urns: BTreeSet<&str> = documented
        .iter()
        .filter_map(|d| d.types.get("StatsSummaryDto"))
        .map(|t| t.id.as_str())
        .collect();
    // checkpoints:StatsSummaryDto, then util.stats (2.1) and util:stats (2.2, 2.3): one name.
    assert_eq!(urns.len(), 3, "{urns:?}");
    for doc in &documented[1..] {
        assert!(doc.types.contains_key("StatsSummaryDto"), "{}", doc.id);
    }
}

#[test]
fn self_references_and_generic_classes_get_one_name_each() {
    let (_, documented) = imported();
    let v23 = documented.iter().find(|d| d.id == "2.3").unwrap();
    let node = &v23.types["VertexFlameGraphNode"].schema;
    assert_eq!(
        node["properties"]["children"]["items"]["$ref"], "VertexFlameGraphNode",
        "a flame graph node's children are nodes"
    );
    for name in [
        "AsynchronousOperationResultOfSavepointInfo",
        "AsynchronousOperationResultOfCheckpointInfo",
        "AsynchronousOperationResultOfAsynchronousOperationInfo",
    ] {
        assert!(v23.types.contains_key(name), "{name}");
    }
    let attempts = &v23.types["SubtaskExecutionAttemptDetailsInfo"].schema;
    assert_eq!(
        attempts["properties"]["other-concurrent-attempts"]["items"]["$ref"],
        "SubtaskExecutionAttemptDetailsInfo"
    );
}

#[test]
fn parameters_typed_only_in_their_description() {
    let (_, documented) = imported();
    let v23 = documented.iter().find(|d| d.id == "2.3").unwrap();
    let exceptions = v23
        .endpoints
        .iter()
        .find(|e| e.key() == "GET /jobs/:jobid/exceptions")
        .unwrap();
    let ty = |name: &str| {
        exceptions
            .query_params
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.ty.clone())
            .unwrap()
    };
    let list = |items| ParamType::List {
        items: Box::new(items),
    };
    assert_eq!(ty("maxExceptions"), list(ParamType::Integer));
    assert_eq!(ty("failureLabelFilter"), list(ParamType::KeyValue));
}

const HTML: &str = r#"<table class="rest-api table table-bordered">
  <tbody>
    <tr>
      <td class="text-left" colspan="2"><h5><strong>/nodes/:nodeid</strong></h5></td>
    </tr>
    <tr>
      <td class="text-left" style="width: 20%">Verb: <code>GET</code></td>
      <td class="text-left">Response code: <code>200 OK</code></td>
    </tr>
    <tr>
      <td colspan="2">Returns a node &amp; its children.</td>
    </tr>
    <tr>
      <td colspan="2">Path parameters</td>
    </tr>
    <tr>
      <td colspan="2">
        <ul>
<li><code>nodeid</code> - 32-character hexadecimal string value that identifies a node.</li>
        </ul>
      </td>
    </tr>
    <tr>
      <td colspan="2">
          <summary>Request</summary>
          <pre><code>{}</code></pre>
      </td>
    </tr>
    <tr>
      <td colspan="2">
          <summary>Response</summary>
          <pre><code>{
  "type" : "object",
  "id" : "urn:jsonschema:x:Tree",
  "properties" : {
    "a-leaf" : {
      "$ref" : "urn:jsonschema:x:Tree:Node"
    },
    "root" : {
      "type" : "object",
      "id" : "urn:jsonschema:x:Tree:Node",
      "properties" : {
        "children" : {
          "type" : "array",
          "items" : {
            "$ref" : "urn:jsonschema:x:Tree:Node"
          }
        }
      }
    }
  }
}</code></pre>
      </td>
    </tr>
  </tbody>
</table>
<table class="rest-api table table-bordered">
  <tbody>
    <tr>
      <td class="text-left" colspan="2"><h5><strong>/nodes/:other</strong></h5></td>
    </tr>
    <tr>
      <td class="text-left" style="width: 20%">Verb: <code>FETCH</code></td>
      <td class="text-left">Response code: <code>2xx</code></td>
    </tr>
    <tr>
      <td colspan="2">
          <summary>Response</summary>
          <pre><code>{
  "type" : "object",
  "properties" : {
    "x" : { "$ref" : "urn:jsonschema:x:Nowhere" },
    "y" : { "type" : "strin" }
  }
}</code></pre>
      </td>
    </tr>
  </tbody>
</table>
"#;

#[test]
fn html_refs_may_come_before_their_definition_and_refer_to_themselves() {
    let good = &HTML[..HTML.find("</table>").unwrap() + "</table>".len()];
    let doc = docs::import("docs.html", good).unwrap_or_else(|p| panic!("{p}"));
    let e = &doc.endpoints[0];
    assert_eq!(e.key(), "GET /nodes/:nodeid");
    assert_eq!(e.line, 4);
    assert_eq!(e.description, "Returns a node & its children.");
    assert!(e.request.is_none(), "`{{}}` is no body");
    let tree = &doc.types["Tree"].schema;
    assert_eq!(tree["properties"]["a-leaf"]["$ref"], "Node");
    let node = &doc.types["Node"].schema;
    assert_eq!(node["properties"]["children"]["items"]["$ref"], "Node");
    assert_eq!(doc.types["Node"].lines, vec![39]);
}

#[test]
fn html_problems_are_reported_together_with_their_lines() {
    let problems = docs::import("docs.html", HTML).unwrap_err();
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let expected = [
        "docs.html:60 [FETCH /nodes/:other]: path parameter \"other\" is in the path but not documented",
        "docs.html:63 [FETCH /nodes/:other]: unknown verb \"FETCH\"",
        "docs.html:64 [FETCH /nodes/:other]: response code \"2xx\" is not an HTTP status",
        "docs.html:72 [FETCH /nodes/:other] at /properties/x/$ref: response schema: `$ref` to \"urn:jsonschema:x:Nowhere\", which no schema of docs.html defines",
        "docs.html:73 [FETCH /nodes/:other] at /properties/y/type: response schema: `type` must be one of",
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

/// Cut real docs html anywhere: the importer answers, with problems or without, and never panics.
#[test]
fn truncated_html_never_panics() {
    let html = std::fs::read_to_string(
        root().join("schemas/source/flink-docs/2.3/rest_v1_dispatcher.html"),
    )
    .unwrap();
    let mut failures = 0;
    for end in (0..html.len()).step_by(1009) {
        if !html.is_char_boundary(end) {
            continue;
        }
        if docs::import("cut.html", &html[..end]).is_err() {
            failures += 1;
        }
    }
    assert!(failures > 100, "only {failures} cuts were reported as bad");
}

#[test]
fn a_body_of_any_getter_entries_is_the_map_itself() {
    use flink_rest_codegen::model::{Request, Ty};
    let inputs = Inputs::read(root()).unwrap();
    let apis = flink_rest_codegen::apis(&inputs).unwrap_or_else(|p| panic!("{p}"));
    // 1.18 to 2.2 document only the map; 2.3 also lists the map's field as a property. Flink writes the
    // entries flat (vertex id -> requirements) in every version.
    let entries = Ty::Map(Box::new(Ty::Named("JobVertexResourceRequirements".into())));
    for api in apis.minors.iter().chain([&apis.merged]) {
        let Some(op) = api
            .operations
            .iter()
            .find(|o| o.key == "PUT /jobs/:jobid/resource-requirements")
        else {
            continue;
        };
        assert_eq!(
            op.request,
            Some(Request::Json(entries.clone())),
            "{}",
            api.variant
        );
        assert!(
            !api.types.contains_key("JobResourceRequirementsBody"),
            "{}",
            api.variant
        );
    }
}
