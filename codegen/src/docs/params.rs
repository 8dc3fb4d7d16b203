//! What a parameter takes, read from the words its description starts with (Jackson writes no types
//! for parameters; Flink's descriptions follow a few fixed phrasings).

use super::{Param, ParamType};
use crate::diag::{Location, Problems};

/// Reads what a parameter takes from the words its description starts with.
pub(super) fn param(
    name: &str,
    required: bool,
    text: &str,
    location: Location,
    problems: &mut Problems,
) -> Param {
    let deprecated = text.starts_with("Deprecated");
    // "Deprecated, please use 'programArg' instead. String value that …": the type follows.
    let typed = if deprecated {
        text.split_once(". ").map_or(text, |(_, rest)| rest)
    } else {
        text
    };
    let ty = param_type(typed).unwrap_or_else(|| {
        problems.push(
            location,
            format!("parameter {name:?}: cannot tell its type from {text:?}"),
        );
        ParamType::String
    });
    Param {
        name: name.to_string(),
        required,
        description: text.to_string(),
        deprecated,
        ty,
    }
}

fn param_type(text: &str) -> Option<ParamType> {
    if let Some(rest) = text.strip_prefix("Comma-separated list of ") {
        let items = if rest.starts_with("string values") || rest.starts_with("program arguments") {
            ParamType::String
        } else if rest.starts_with("32-character hexadecimal") {
            ParamType::Hex32
        } else if rest.starts_with("integer ranges") {
            ParamType::IntegerRange
        } else if rest.starts_with("integer values") {
            ParamType::Integer
        } else if rest.contains("Available aggregations are:") {
            ParamType::Enum {
                values: quoted_values(rest)?,
            }
        } else {
            return None;
        };
        return Some(ParamType::List {
            items: Box::new(items),
        });
    }
    // `failureLabelFilter`: "Collection of string values working as a filter in the form of `key:value`
    // pairs …"; Flink reads collections as comma-separated lists too.
    if let Some(rest) = text.strip_prefix("Collection of string values") {
        let items = match rest.contains("`key:value` pairs") {
            true => ParamType::KeyValue,
            false => ParamType::String,
        };
        return Some(ParamType::List {
            items: Box::new(items),
        });
    }
    if text.starts_with("32-character hexadecimal") {
        Some(ParamType::Hex32)
    } else if text.starts_with("Boolean value") {
        Some(ParamType::Boolean)
    } else if text.starts_with("Positive integer value") {
        Some(ParamType::PositiveInteger)
    } else if text.starts_with("Long value") {
        Some(ParamType::Long)
    } else if text.starts_with("String value") {
        // "Supported values are: "cancel, stop"", "The only supported value is: "cancel"",
        // "Supported options are: "[FULL, ON_CPU, OFF_CPU]"".
        let enumerated = [
            "Supported values are:",
            "supported value is:",
            "Supported options are:",
        ];
        Some(match enumerated.iter().any(|m| text.contains(m)) {
            true => ParamType::Enum {
                values: quoted_values(text)?,
            },
            false => ParamType::String,
        })
    } else {
        None
    }
}

/// `… are: "min, max, sum, avg".` -> `["min", "max", "sum", "avg"]`; `"[FULL, ON_CPU]"` -> `["FULL", "ON_CPU"]`.
fn quoted_values(text: &str) -> Option<Vec<String>> {
    let rest = &text[text.find('"')? + 1..];
    let list = &rest[..rest.find('"')?];
    let list = list.trim_start_matches('[').trim_end_matches(']');
    Some(list.split(',').map(|v| v.trim().to_string()).collect())
}
