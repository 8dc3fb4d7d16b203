//! The generator end to end on a page of one endpoint whose request and answer are the input (a JSON
//! schema, where the docs' dialect and every name come from): import, build, the OpenAPI 3.1 document
//! and its 3.0 rendering, and the crate's Rust (types, client, the replay dispatch), which must parse.
//!
//! The fast path: pretty-printing is left out (prettyplease prints the tree syn has parsed, so a valid
//! tree is all it needs), and the ledger, which is the project's own reviewed data, is not applied.
#![no_main]

use flink_rest_codegen::{docs, model, openapi, openapi30, rust};
use libfuzzer_sys::fuzz_target;

const NAMES: &str = r#"{"operations": {}, "enums": {}, "ids": {"thingid": "ThingId"}}"#;

fn page(schema: &str) -> String {
    format!(
        "API\n/things/:thingid\nVerb: POST\nResponse code: 200 OK\nDoes a thing.\n\
         Path parameters\nthingid\n- String value that identifies a thing.\n\
         Query parameters\nq\n(optional): String value.\n\
         Request\n{schema}\nResponse\n{schema}\n"
    )
}

fuzz_target!(|data: &[u8]| {
    let Ok(schema) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = docs::import("fuzz.txt", &page(schema)) else {
        return;
    };
    let names = model::Names::parse(NAMES).expect("the names parse");
    let Ok(api) = model::build(&doc, &names) else {
        return;
    };
    serde_json::to_string(&openapi::document(&api)).expect("the 3.1 document serialises");
    serde_json::to_string(&openapi30::render(openapi::document(&api)))
        .expect("the 3.0 document serialises");
    for (file, emit) in [
        ("types", rust::types as fn(&model::Api) -> _),
        ("client", rust::client),
        ("dispatch", rust::dispatch),
        ("pairs", rust::pairs),
    ] {
        if let Err(e) = syn::parse2::<syn::File>(emit(&api)) {
            panic!("the generated {file} does not parse: {e}");
        }
    }
});
