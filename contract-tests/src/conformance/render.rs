//! The gate's reports, rendered from a [`Report`]: `report.json` for tools, `report.md` and a
//! self-contained `report.html` (the endpoint × version matrix) for people, `junit.xml` for CI.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{Class, Finding, Report};

/// Writes `report.json`, `report.md`, `junit.xml` and `report.html` for the reports into `dir`.
pub fn write_reports(dir: &Path, reports: &[Report]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let files = [
        ("report.json", flink_rest_codegen::pretty(reports)),
        ("report.md", markdown(reports)),
        ("junit.xml", junit(reports)),
        ("report.html", html(reports)),
    ];
    let mut out = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        out.push(path);
    }
    Ok(out)
}

pub fn markdown(reports: &[Report]) -> String {
    let mut s = String::from("# Flink REST conformance\n\n");
    s.push_str("| version | conform to its docs | conform with the ledger | new drift | server errors | resolved entries | ledger entries | wall time |\n");
    s.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in reports {
        let pairs = r.endpoints.len();
        let _ = writeln!(
            s,
            "| {} | {} / {pairs} | {} / {pairs} | {} | {} | {} | {} | {:.0} s |",
            r.flink_version,
            r.raw_conforming(),
            r.count(Class::Conforms) + r.count(Class::Explained),
            r.count(Class::NewDrift),
            r.count(Class::ServerError),
            r.resolved.len(),
            r.ledger_entries,
            r.seconds
        );
    }
    for r in reports {
        let _ = writeln!(s, "\n## Flink {}\n", r.flink_version);
        let _ = writeln!(
            s,
            "{} — {} of {} pairs answer as its docs document them; {} more as the ledger explains.\n",
            if r.failed() { "**FAILED**" } else { "passed" },
            r.raw_conforming(),
            r.endpoints.len(),
            r.count(Class::Explained)
        );
        if !r.timings.is_empty() {
            let steps: Vec<String> = (r.timings.iter())
                .map(|(step, seconds)| format!("{step} {seconds:.1}"))
                .collect();
            let _ = writeln!(s, "Time (s): {}.\n", steps.join(", "));
        }
        for e in r.endpoints.iter().filter(|e| e.class != Class::Conforms) {
            let _ = write!(s, "- `{}`: {}", e.endpoint, e.class.name());
            match e.details.is_empty() {
                true => s.push('\n'),
                false => _ = writeln!(s, " — {}", e.details.join("; ")),
            }
        }
        for id in &r.resolved {
            let _ = writeln!(
                s,
                "- resolved ledger entry `{id}`: no exchange bears it out (update the ledger)"
            );
        }
        if !r.not_seen.is_empty() {
            let _ = writeln!(
                s,
                "- not seen this run (timing-dependent or not reached): {}",
                r.not_seen.join(", ")
            );
        }
        let bad: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| f.class == Class::BadInput)
            .collect();
        if !bad.is_empty() {
            let _ = writeln!(s, "\nBad input ({}):\n", bad.len());
            for f in bad {
                let _ = writeln!(s, "- `{}` {}", f.request, f.details.join("; "));
            }
        }
    }
    s
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn junit(reports: &[Report]) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"flink-rest conformance\">\n");
    for r in reports {
        let failures = r.endpoints.iter().filter(|e| e.class.fails()).count() + r.resolved.len();
        let skipped = r.count(Class::NotExercised);
        let _ = writeln!(
            s,
            "  <testsuite name=\"flink-{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.1}\">",
            xml(&r.flink_version),
            r.endpoints.len() + r.resolved.len(),
            r.seconds
        );
        for e in &r.endpoints {
            let _ = write!(
                s,
                "    <testcase classname=\"flink-{}\" name=\"{}\">",
                xml(&r.flink_version),
                xml(&e.endpoint)
            );
            if e.class.fails() {
                let _ = write!(
                    s,
                    "<failure type=\"{}\" message=\"{}\">{}</failure>",
                    e.class.name(),
                    xml(&e.details.first().cloned().unwrap_or_default()),
                    xml(&e.details.join("\n"))
                );
            } else if e.class == Class::NotExercised {
                s.push_str("<skipped message=\"not exercised\"/>");
            } else {
                let _ = write!(
                    s,
                    "<system-out>{}{}</system-out>",
                    e.class.name(),
                    if e.raw_conforms {
                        ""
                    } else {
                        " (differs from its docs)"
                    }
                );
            }
            s.push_str("</testcase>\n");
        }
        for id in &r.resolved {
            let _ = writeln!(
                s,
                "    <testcase classname=\"flink-{}.ledger\" name=\"{}\"><failure type=\"resolved ledger entry\" message=\"no exchange bears it out; update the ledger\"/></testcase>",
                xml(&r.flink_version),
                xml(id)
            );
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}

/// One self-contained page: the endpoint × version matrix coloured by class, details on hover.
pub fn html(reports: &[Report]) -> String {
    let color = |c: Class| match c {
        Class::Conforms => "#2e7d32",
        Class::Explained => "#9ccc65",
        Class::BadInput => "#90a4ae",
        Class::NotExercised => "#cfd8dc",
        Class::Resolved => "#ffb300",
        Class::NewDrift => "#e53935",
        Class::ServerError => "#6a1b9a",
    };
    let mut s = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Flink REST conformance</title>\n<style>\n\
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}\n\
table{border-collapse:collapse}\n\
th,td{border:1px solid #fff;padding:3px 8px;white-space:nowrap}\n\
th{background:#eceff1;font-weight:600}\n\
td.ep{font-family:ui-monospace,monospace;background:#fafafa}\n\
td.c{color:#fff;text-align:center;font-size:12px}\n\
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;color:#fff;border-radius:3px}\n\
</style></head><body>\n<h1>Flink monitoring REST API: conformance</h1>\n",
    );
    s.push_str("<p class=\"legend\">");
    for c in [
        Class::Conforms,
        Class::Explained,
        Class::NotExercised,
        Class::Resolved,
        Class::NewDrift,
        Class::ServerError,
    ] {
        let _ = write!(
            s,
            "<span style=\"background:{}\">{}</span>",
            color(c),
            c.name()
        );
    }
    s.push_str("</p>\n<table>\n<tr><th>endpoint</th>");
    for r in reports {
        let _ = write!(s, "<th>{}</th>", xml(&r.flink_version));
    }
    s.push_str("</tr>\n<tr><th>conform to its docs</th>");
    for r in reports {
        let _ = write!(s, "<th>{} / {}</th>", r.raw_conforming(), r.endpoints.len());
    }
    s.push_str("</tr>\n<tr><th>conform with the ledger</th>");
    for r in reports {
        let _ = write!(
            s,
            "<th>{} / {}</th>",
            r.count(Class::Conforms) + r.count(Class::Explained),
            r.endpoints.len()
        );
    }
    s.push_str("</tr>\n");
    // Every pair of any version, in order of first appearance; blank where a version does not have it.
    let mut endpoints: Vec<&str> = Vec::new();
    for e in reports.iter().flat_map(|r| &r.endpoints) {
        if !endpoints.contains(&e.endpoint.as_str()) {
            endpoints.push(&e.endpoint);
        }
    }
    for ep in endpoints {
        let _ = write!(s, "<tr><td class=\"ep\">{}</td>", xml(ep));
        for r in reports {
            match r.endpoints.iter().find(|e| e.endpoint == ep) {
                Some(e) => {
                    let label = match e.class {
                        Class::Conforms => "✓",
                        Class::Explained => "ledger",
                        Class::NotExercised => "–",
                        Class::NewDrift => "drift",
                        Class::ServerError => "5xx",
                        Class::Resolved => "resolved",
                        Class::BadInput => "bad",
                    };
                    let _ = write!(
                        s,
                        "<td class=\"c\" style=\"background:{}\" title=\"{}\">{label}</td>",
                        color(e.class),
                        xml(&format!("{}: {}", e.class.name(), e.details.join("; ")))
                    );
                }
                None => s.push_str("<td></td>"),
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    for r in reports.iter().filter(|r| !r.resolved.is_empty()) {
        let _ = writeln!(
            s,
            "<p><b>Flink {}</b>: resolved ledger entries: {}</p>",
            xml(&r.flink_version),
            xml(&r.resolved.join(", "))
        );
    }
    s.push_str("<p>Generated by <code>cargo xtask conformance</code>. Green: as the version's own docs document it; light green: as the evidence ledger explains for that version.</p>\n</body></html>\n");
    s
}
