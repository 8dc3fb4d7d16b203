//! Every name the generator makes, in one place: identifiers from any text, type, field, variant,
//! method, operation, query-type and pair names. Each rule is one function here, and the table test
//! below holds them.

use heck::{ToLowerCamelCase, ToSnakeCase, ToUpperCamelCase};

/// The client method of an endpoint the names file does not name: the verb and the path's segments,
/// `GET /jobs/:jobid/vertices` -> `get_jobs_jobid_vertices`.
pub fn method_name(method: &str, path: &str) -> String {
    let mut parts = vec![method.to_lowercase()];
    parts.extend(
        (path.split('/').filter(|s| !s.is_empty()))
            .map(|s| s.trim_start_matches(':').to_snake_case()),
    );
    parts.join("_")
}

/// The OpenAPI `operationId` of a method: `get_job` -> `getJob`.
pub fn operation_id(method: &str) -> String {
    method.to_lower_camel_case()
}

/// The types an operation owns (its request, answer, query) are named after it: `get_job` ->
/// `GetJob`.
pub fn owner_name(method: &str) -> String {
    method.to_upper_camel_case()
}

/// An operation's query parameters' struct: `get_job_metrics` -> `GetJobMetricsQuery`.
pub fn query_type(method: &str) -> String {
    format!("{}Query", owner_name(method))
}

/// An operation's pair in the `Pair` vocabulary: `get_job` -> `GetJob`.
pub fn pair_variant(method: &str) -> String {
    rust_type_name(&owner_name(method))
}

/// An enum the docs give inline, named after where it is: the owner and the field (`JobDetails`,
/// `state` -> `JobDetailsState`).
pub fn inline_enum(owner: &str, field: &str) -> String {
    rust_type_name(&format!("{owner}{}", field.to_upper_camel_case()))
}

/// An HTTP method as `flink_rest::Method` names it: `GET` -> `Get`.
pub fn http_method(method: &str) -> String {
    method.to_upper_camel_case()
}

/// An enum a query parameter takes: the operation and the parameter (`get_job_metrics`, `agg` ->
/// `GetJobMetricsAgg`).
pub fn parameter_enum(method: &str, parameter: &str) -> String {
    format!("{}{}", owner_name(method), parameter.to_upper_camel_case())
}

/// A Java class path segment as part of a type name: `JobDetailsInfo` stays, `vertex` -> `Vertex`.
pub fn class_segment(segment: &str) -> String {
    match segment.starts_with(char::is_uppercase) {
        true => segment.to_string(),
        false => segment.to_upper_camel_case(),
    }
}

/// A path parameter's name in Rust: `:jobid` -> `jobid`, `subtaskindex` stays.
pub fn path_parameter(segment: &str) -> String {
    segment.trim_start_matches(':').to_snake_case()
}

/// A field or parameter: `start-time` -> `start_time`, `isStoppable` -> `is_stoppable`, `type` -> `type_`.
/// A path as the docs write it, as OpenAPI does: `/jobs/:jobid` -> `/jobs/{jobid}`.
pub fn openapi_path(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg.strip_prefix(':') {
            Some(name) => format!("{{{name}}}"),
            None => seg.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The component schema of one variant of a one-of type: `SavepointInfoCompleted`.
pub fn variant_schema(owner: &str, variant: &str) -> String {
    format!("{owner}{variant}")
}

pub fn rust_field_name(wire: &str) -> String {
    let snake = wire.to_snake_case();
    // The common case, without a pass over its characters: an ASCII name that starts with a letter.
    let plain = snake.starts_with(|c: char| c.is_ascii_lowercase())
        && (snake.bytes()).all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let snake = match plain {
        true => snake,
        false => identifier(&snake, "field"),
    };
    match KEYWORDS.contains(&snake.as_str()) {
        true => format!("{snake}_"),
        false => snake,
    }
}

/// Any text as an identifier: each character no identifier holds becomes `_`, and one that cannot
/// start an identifier gets `_` before it; text with nothing usable is `fallback`. Keywords are the
/// caller's business.
pub fn identifier(text: &str, fallback: &str) -> String {
    let mut id: String = (text.chars())
        .map(|c| match unicode_ident::is_xid_continue(c) {
            true => c,
            false => '_',
        })
        .collect();
    if !id.starts_with(|c: char| unicode_ident::is_xid_start(c) || c == '_') {
        id.insert(0, '_');
    }
    match id.trim_matches('_').is_empty() {
        true => fallback.to_string(),
        false => id,
    }
}

/// A type's name as the specs and the crate use it: a valid identifier (`1bc` -> `_1bc`, nothing ->
/// `Unnamed`) that is none of the names the generated code means as Rust's or the crate's own
/// (`Vec` -> `VecType`).
pub fn rust_type_name(name: &str) -> String {
    let id = identifier(name, "Unnamed");
    match TAKEN_TYPE_NAMES.contains(&id.as_str()) || KEYWORDS.contains(&id.as_str()) {
        true => format!("{id}Type"),
        false => id,
    }
}

/// Names the generated code uses unqualified: the prelude's, serde's, and the crate's own.
const TAKEN_TYPE_NAMES: [&str; 32] = [
    "Vec",
    "Option",
    "Some",
    "None",
    "String",
    "Box",
    "Result",
    "Ok",
    "Err",
    "Default",
    "From",
    "Into",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
    "Send",
    "Sync",
    "Sized",
    "Iterator",
    "ToString",
    "AsRef",
    "Serialize",
    "Deserialize",
    "Client",
    "Error",
    "Query",
    "UploadFile",
];

/// Words that cannot be a field's name: Rust's keywords, reserved ones included (as `syn` rejects them).
const KEYWORDS: [&str; 52] = [
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// `IN_PROGRESS` -> `InProgress`, `ok` -> `Ok`.
/// `IN_PROGRESS`, `in_progress` -> `InProgress`; `WaitingForResources` stays (a Java class name).
pub fn variant_name(value: &str) -> String {
    let mixed = value.contains(char::is_uppercase) && value.contains(char::is_lowercase);
    let name = match mixed && !value.contains(['_', '-', ' ']) {
        true => value.to_upper_camel_case(),
        false => value.to_lowercase().to_upper_camel_case(),
    };
    let name = match name.starts_with(|c: char| c.is_ascii_digit()) {
        true => format!("V{name}"),
        false => name,
    };
    let name = identifier(&name, "Empty");
    match name.as_str() {
        "Unknown" | "Self" => format!("{name}Value"),
        _ => name,
    }
}

/// One variant per value, distinct even where two values case alike (`a-b` and `a_b`: `AB`, `AB2`),
/// and none of them the catch-all `Unknown`.
pub fn variant_names(values: &[String]) -> Vec<String> {
    let mut taken: std::collections::HashSet<String> = ["Unknown".to_string()].into();
    (values.iter())
        .map(|v| {
            let base = variant_name(v);
            let mut name = base.clone();
            let mut n = 1;
            while !taken.insert(name.clone()) {
                n += 1;
                name = format!("{base}{n}");
            }
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule's name, the rule, and what it makes of each given name.
    type Rule = (
        &'static str,
        fn(&str) -> String,
        &'static [(&'static str, &'static str)],
    );

    /// Every rule, on the names the docs give and on hostile ones.
    #[test]
    fn every_naming_rule_in_one_table() {
        let rules: &[Rule] = &[
            (
                "field",
                rust_field_name,
                &[
                    ("start-time", "start_time"),
                    ("maxParallelism", "max_parallelism"),
                    ("type", "type_"),
                    ("self", "self_"),
                    ("Self", "self_"),
                    ("async", "async_"),
                    ("1st", "_1st"),
                    ("", "field"),
                    ("naïve", "naïve"),
                ],
            ),
            (
                "type",
                rust_type_name,
                &[
                    ("JobDetailsInfo", "JobDetailsInfo"),
                    ("Vec", "VecType"),
                    ("Client", "ClientType"),
                    ("1bc", "_1bc"),
                    ("", "Unnamed"),
                    ("Self", "SelfType"),
                ],
            ),
            (
                "variant",
                variant_name,
                &[
                    ("IN_PROGRESS", "InProgress"),
                    ("exactly_once", "ExactlyOnce"),
                    ("ok", "Ok"),
                    ("AdaptiveBatch", "AdaptiveBatch"),
                    ("WaitingForResources", "WaitingForResources"),
                    ("Mixed_Case", "MixedCase"),
                    ("", "Empty"),
                    ("²", "Empty"),
                    ("Unknown", "UnknownValue"),
                    ("1st", "V1st"),
                ],
            ),
            (
                "operation id",
                operation_id,
                &[("get_job", "getJob"), ("list_jars", "listJars")],
            ),
            ("owner", owner_name, &[("get_job", "GetJob")]),
            (
                "HTTP method",
                http_method,
                &[("GET", "Get"), ("DELETE", "Delete")],
            ),
            (
                "query type",
                query_type,
                &[("get_job_metrics", "GetJobMetricsQuery")],
            ),
            (
                "pair",
                pair_variant,
                &[("get_job", "GetJob"), ("self", "SelfType"), ("_1x", "_1x")],
            ),
            (
                "class segment",
                class_segment,
                &[("JobDetailsInfo", "JobDetailsInfo"), ("vertex", "Vertex")],
            ),
            (
                "path parameter",
                path_parameter,
                &[(":jobid", "jobid"), (":subtaskindex", "subtaskindex")],
            ),
        ];
        for (rule, name, table) in rules {
            for (given, expected) in *table {
                assert_eq!(name(given), *expected, "{rule}: {given:?}");
            }
        }
        assert_eq!(
            method_name("GET", "/jobs/:jobid/vertices"),
            "get_jobs_jobid_vertices"
        );
        assert_eq!(inline_enum("JobDetails", "state"), "JobDetailsState");
        assert_eq!(parameter_enum("get_job_metrics", "agg"), "GetJobMetricsAgg");
        assert_eq!(identifier("a-b", "x"), "a_b");
        let values = ["a-b", "a_b", "A B", ""].map(String::from);
        assert_eq!(variant_names(&values), ["AB", "AB2", "AB3", "Empty"]);
    }
}
