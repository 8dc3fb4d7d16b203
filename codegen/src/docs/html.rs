//! The html table of a minor's docs (`rest_v1_dispatcher.html`) -> [`RawEndpoint`]s.
//!
//! One `<table>` per endpoint, one `<td>` per part, in this order (the surrounding markup changed between
//! releases, the cells did not):
//!
//! ```text
//! <h5><strong>/jobs/:jobid</strong></h5>                       path template
//! Verb: <code>GET</code> | Response code: <code>200 OK</code>
//! Returns details of a job.                                   description
//! Path parameters / <ul><li><code>jobid</code> - …</li></ul>   optional
//! Query parameters / <ul><li><code>mode</code> (optional): …</li></ul>
//! … Request … <pre><code>{ JSON schema }</code></pre>          `{}`: none
//! … Response … <pre><code>{ JSON schema }</code></pre>
//! ```

use super::{check_endpoint, json_schema, params, status, RawEndpoint};
use crate::diag::{Location, Problems};

/// Every endpoint table of the file.
pub(super) fn endpoints(file: &str, text: &str, problems: &mut Problems) -> Vec<RawEndpoint> {
    let lines = LineIndex::new(text);
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(start) = text[rest..].find("<table").map(|i| rest + i) {
        let end = text[start..]
            .find("</table>")
            .map_or(text.len(), |i| start + i);
        let cells = cells(text, start, end);
        if let Some(endpoint) = table(file, &lines, &cells, lines.line(start), problems) {
            out.push(endpoint);
        }
        rest = end;
    }
    if out.is_empty() {
        problems.push(
            Location::file(file),
            "no endpoint found: expected `<table>`s with a path, `Verb:` and `Response code:`",
        );
    }
    out
}

/// A `<td>`'s inner html and the byte offset where it starts.
struct Cell<'a> {
    at: usize,
    html: &'a str,
}

fn cells(text: &str, start: usize, end: usize) -> Vec<Cell<'_>> {
    let mut out = Vec::new();
    let mut pos = start;
    while let Some(open) = text[pos..end].find("<td").map(|i| pos + i) {
        let Some(inner) = text[open..end].find('>').map(|i| open + i + 1) else {
            break;
        };
        let close = text[inner..end].find("</td>").map_or(end, |i| inner + i);
        out.push(Cell {
            at: inner,
            html: &text[inner..close],
        });
        pos = close;
    }
    out
}

/// What a cell is.
enum Part<'a> {
    Path(String),
    Verb(String),
    Status(String),
    Heading(&'a str),
    Schema(&'a str, usize, &'a str),
    List,
    Text(String),
}

fn part<'a>(cell: &Cell<'a>) -> Part<'a> {
    let html = cell.html;
    // Schema cells are the large ones and start with their `<pre>`: looked for first, so the other
    // checks scan only small cells.
    if let Some(code_at) = html
        .find("<pre>")
        .and_then(|p| html[p..].find("<code>").map(|c| p + c))
    {
        let label = if html[..code_at].contains("Request") {
            "Request"
        } else {
            "Response"
        };
        let json_at = code_at + "<code>".len();
        let json_end = html[json_at..]
            .find("</code>")
            .map_or(html.len(), |i| json_at + i);
        let json = &html[json_at..json_end];
        let lead = json.len() - json.trim_start().len();
        return Part::Schema(label, cell.at + json_at + lead, json.trim());
    }
    if let Some(path) = between(html, "<strong>", "</strong>") {
        return Part::Path(unescape(path).trim().to_string());
    }
    let code = || {
        between(html, "<code>", "</code>")
            .unwrap_or("")
            .trim()
            .to_string()
    };
    if html.contains("Verb:") {
        return Part::Verb(code());
    }
    if html.contains("Response code:") {
        return Part::Status(code());
    }
    if html.contains("<li>") {
        return Part::List;
    }
    let text = strip_tags(html);
    match text.as_str() {
        "Path parameters" => Part::Heading("Path parameters"),
        "Query parameters" => Part::Heading("Query parameters"),
        _ => Part::Text(text),
    }
}

fn table(
    file: &str,
    lines: &LineIndex,
    cells: &[Cell<'_>],
    line: usize,
    problems: &mut Problems,
) -> Option<RawEndpoint> {
    let mut e = RawEndpoint {
        path: String::new(),
        method: String::new(),
        status: 0,
        status_text: String::new(),
        description: String::new(),
        line,
        path_params: Vec::new(),
        query_params: Vec::new(),
        request: None,
        response: None,
    };
    let mut verb_line = line;
    let mut heading = None;
    let mut description = Vec::new();
    for cell in cells {
        let at = Location::at(file, lines.line(cell.at));
        match part(cell) {
            Part::Path(path) => {
                e.path = path;
                e.line = lines.line(cell.at);
            }
            Part::Verb(verb) => {
                e.method = verb;
                verb_line = lines.line(cell.at);
            }
            Part::Status(code) => {
                (e.status, e.status_text) = status(&code, at.endpoint(e.key()), problems);
            }
            Part::Heading(h) => heading = Some(h),
            Part::List => {
                for (li_at, li) in items(cell) {
                    let at = Location::at(file, lines.line(li_at)).endpoint(e.key());
                    param_item(&mut e, heading, li, at, problems);
                }
            }
            Part::Schema(label, json_at, json) => {
                let key = e.key();
                let schema =
                    json_schema(file, &unescape(json), lines.line(json_at), &key, problems);
                match label {
                    "Request" => e.request = schema,
                    _ => e.response = schema,
                }
            }
            Part::Text(text) if !text.is_empty() => description.push(text),
            Part::Text(_) => {}
        }
    }
    e.description = description.join(" ");
    if e.path.is_empty() || e.method.is_empty() {
        problems.push(
            Location::at(file, line),
            "an endpoint table needs a path (`<strong>`) and a verb (`Verb: <code>…</code>`)",
        );
        return None;
    }
    check_endpoint(file, &e, verb_line, problems);
    Some(e)
}

/// `<li><code>jobid</code> - …</li>` (path) or `<li><code>mode</code> (optional): …</li>` (query).
fn param_item(
    e: &mut RawEndpoint,
    heading: Option<&str>,
    li: &str,
    at: Location,
    problems: &mut Problems,
) {
    let name = between(li, "<code>", "</code>")
        .unwrap_or("")
        .trim()
        .to_string();
    let after = li
        .find("</code>")
        .map_or(li, |i| &li[i + "</code>".len()..]);
    let text = strip_tags(after);
    match heading {
        Some("Path parameters") => match text.strip_prefix("- ") {
            Some(d) => e
                .path_params
                .push(params::param(&name, true, d, at, problems)),
            None => problems.push(
                at,
                format!("path parameter {name:?}: expected `- description`"),
            ),
        },
        Some("Query parameters") => {
            let parsed = text
                .strip_prefix("(optional):")
                .map(|t| (false, t))
                .or_else(|| text.strip_prefix("(mandatory):").map(|t| (true, t)));
            match parsed {
                Some((required, d)) => {
                    let p = params::param(&name, required, d.trim(), at, problems);
                    e.query_params.push(p);
                }
                None => problems.push(
                    at,
                    format!(
                        "query parameter {name:?}: expected `(optional): …` or `(mandatory): …`"
                    ),
                ),
            }
        }
        _ => problems.push(
            at,
            "a parameter list without `Path parameters` or `Query parameters` before it",
        ),
    }
}

/// The `<li>`s of a cell, with their offsets.
fn items<'a>(cell: &Cell<'a>) -> Vec<(usize, &'a str)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(open) = cell.html[pos..]
        .find("<li>")
        .map(|i| pos + i + "<li>".len())
    {
        let close = cell.html[open..]
            .find("</li>")
            .map_or(cell.html.len(), |i| open + i);
        out.push((cell.at + open, &cell.html[open..close]));
        pos = close;
    }
    out
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(&text[start..end])
}

/// The text of some html: tags dropped, entities decoded, whitespace runs (line breaks too) one space.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (true, '>') => in_tag = false,
            (false, c) => text.push(c),
            (true, _) => {}
        }
    }
    let mut out = String::with_capacity(text.len());
    for word in unescape(&text).split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The entities Flink's docs generator writes, decoded in one pass (`&amp;lt;` is `&lt;`).
fn unescape(text: &str) -> String {
    const ENTITIES: [(&str, char); 6] = [
        ("&nbsp;", ' '),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&amp;", '&'),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match ENTITIES.iter().find(|(entity, _)| rest.starts_with(entity)) {
            Some((entity, c)) => {
                out.push(*c);
                rest = &rest[entity.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Byte offset -> 1-based line.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex(starts)
    }

    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}
