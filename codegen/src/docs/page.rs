//! The text of the 1.10 "Monitoring REST API" page -> [`RawEndpoint`]s. Each endpoint is a block:
//!
//! ```text
//! /jobs/:jobid/rescaling          path template, as written
//! Verb: PATCH
//! Response code: 200 OK
//! Triggers the rescaling ...     description, one or more lines
//! Path parameters                 optional: `name` / `- description` pairs
//! Query parameters                optional: `name` / `(optional|mandatory): description` pairs
//! Request                         then an optional JSON schema
//! Response                        then an optional JSON schema
//! ```

use super::{check_endpoint, json_schema, params, status, RawEndpoint, RawSchema};
use crate::diag::{Location, Problems};

fn is_endpoint_start(lines: &[&str], i: usize) -> bool {
    lines[i].starts_with('/')
        && lines
            .get(i + 1)
            .is_some_and(|next| next.starts_with("Verb:"))
}

/// Every endpoint block of the page.
pub(super) fn endpoints(file: &str, text: &str, problems: &mut Problems) -> Vec<RawEndpoint> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| is_endpoint_start(&lines, i))
        .collect();
    if starts.is_empty() {
        problems.push(
            Location::file(file),
            "no endpoint found: expected a path line followed by `Verb: …`",
        );
    }
    let mut out = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(lines.len());
        if let Some(block) = parse_block(file, &lines, start, end, problems) {
            out.push(block);
        }
    }
    out
}

/// Parses lines `start..end` (0-based) as one endpoint.
fn parse_block(
    file: &str,
    lines: &[&str],
    start: usize,
    end: usize,
    problems: &mut Problems,
) -> Option<RawEndpoint> {
    let at = |i: usize| Location::at(file, i + 1);
    let path = lines[start].to_string();
    let method = lines[start + 1]["Verb:".len()..].trim().to_string();
    let key = format!("{method} {path}");
    let mut i = start + 2;
    let (status, status_text) = match lines.get(i).and_then(|l| l.strip_prefix("Response code:")) {
        Some(rest) => {
            i += 1;
            status(rest, at(i - 1).endpoint(&key), problems)
        }
        None => {
            problems.push(at(i).endpoint(&key), "expected `Response code: …`");
            (0, String::new())
        }
    };
    let is_heading = |l: &str| matches!(l, "Path parameters" | "Query parameters" | "Request");
    let mut description = Vec::new();
    while i < end && !is_heading(lines[i]) {
        description.push(lines[i]);
        i += 1;
    }
    let description = description.join(" ");

    let mut path_params = Vec::new();
    let mut query_params = Vec::new();
    if lines.get(i) == Some(&"Path parameters") {
        i += 1;
        while i + 1 < end && !is_heading(lines[i]) {
            let name = lines[i];
            match lines[i + 1].strip_prefix("- ") {
                Some(text) => path_params.push(params::param(
                    name,
                    true,
                    text,
                    at(i + 1).endpoint(&key),
                    problems,
                )),
                None => problems.push(
                    at(i + 1).endpoint(&key),
                    format!("path parameter {name:?}: expected `- description`"),
                ),
            }
            i += 2;
        }
    }
    if lines.get(i) == Some(&"Query parameters") {
        i += 1;
        while i + 1 < end && !is_heading(lines[i]) {
            let name = lines[i];
            let next = lines[i + 1];
            let parsed = next
                .strip_prefix("(optional):")
                .map(|t| (false, t))
                .or_else(|| next.strip_prefix("(mandatory):").map(|t| (true, t)));
            match parsed {
                Some((required, text)) => query_params.push(params::param(
                    name,
                    required,
                    text.trim(),
                    at(i + 1).endpoint(&key),
                    problems,
                )),
                None => problems.push(
                    at(i + 1).endpoint(&key),
                    format!(
                        "query parameter {name:?}: expected `(optional): …` or `(mandatory): …`"
                    ),
                ),
            }
            i += 2;
        }
    }
    let mut request = None;
    let mut response = None;
    for (heading, slot) in [("Request", &mut request), ("Response", &mut response)] {
        if lines.get(i) != Some(&heading) || i >= end {
            problems.push(at(i).endpoint(&key), format!("expected `{heading}`"));
            return None;
        }
        i += 1;
        if i < end && lines[i].starts_with('{') {
            let (schema, next) = json_block(file, lines, i, end, &key, problems);
            *slot = schema;
            i = next;
        }
    }
    if i < end {
        problems.push(
            at(i).endpoint(&key),
            format!("unexpected text after the response: {:?}", lines[i]),
        );
    }
    let endpoint = RawEndpoint {
        path,
        method,
        status,
        status_text,
        description,
        line: start + 1,
        path_params,
        query_params,
        request,
        response,
    };
    check_endpoint(file, &endpoint, start + 2, problems);
    Some(endpoint)
}

/// Reads the JSON value starting on line `start`; returns it and the line after it.
fn json_block(
    file: &str,
    lines: &[&str],
    start: usize,
    end: usize,
    key: &str,
    problems: &mut Problems,
) -> (Option<RawSchema>, usize) {
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    let mut stop = end;
    'lines: for (i, line) in lines.iter().enumerate().take(end).skip(start) {
        for c in line.chars() {
            match (in_string, escaped, c) {
                (true, true, _) => escaped = false,
                (true, false, '\\') => escaped = true,
                (true, false, '"') => in_string = false,
                (false, _, '"') => in_string = true,
                (false, _, '{' | '[') => depth += 1,
                (false, _, '}' | ']') => depth -= 1,
                _ => {}
            }
        }
        if depth <= 0 {
            stop = i + 1;
            break 'lines;
        }
    }
    let text = lines[start..stop].join("\n");
    (json_schema(file, &text, start + 1, key, problems), stop)
}
