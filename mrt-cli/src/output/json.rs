//! The JSON report. Its schema is documented in `docs/json-output.md`; `version` changes when a
//! field is removed or changes meaning (adding fields does not).

use serde::Serialize;

use super::Report;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    path: String,
    revision: Option<&'a str>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    offset: u32,
    end_offset: u32,
}

#[derive(Serialize)]
struct JsonError {
    path: Option<String>,
    message: String,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    migrations: usize,
    revisions: usize,
    parent_links: usize,
    unknown_parents: usize,
    errors: usize,
    warnings: usize,
}

pub(super) fn render(report: &Report<'_>) -> String {
    let graph = &report.project.graph;
    let json = JsonReport {
        version: 1,
        findings: report
            .diagnostics
            .iter()
            .map(|diagnostic| {
                let start = diagnostic.start();
                let end = diagnostic.end();
                JsonFinding {
                    code: diagnostic.code(),
                    name: diagnostic.rule.name,
                    severity: diagnostic.severity().as_str(),
                    message: &diagnostic.message,
                    help: diagnostic.help.as_deref(),
                    path: diagnostic.path().display().to_string(),
                    revision: diagnostic.revision.as_deref(),
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    offset: diagnostic.range.start().to_u32(),
                    end_offset: diagnostic.range.end().to_u32(),
                }
            })
            .collect(),
        errors: report
            .errors
            .iter()
            .map(|error| JsonError {
                path: error.path().map(|path| path.display().to_string()),
                message: error.to_string(),
            })
            .collect(),
        summary: Summary {
            files: report.project.files_read,
            migrations: report.project.checked_migrations(),
            revisions: graph.len(),
            parent_links: graph.parent_edge_count(),
            unknown_parents: graph
                .missing_references()
                .iter()
                .filter(|missing| missing.kind == mrt_core::graph::EdgeKind::Parent)
                .count(),
            errors: report.count(mrt_core::Severity::Error),
            warnings: report.count(mrt_core::Severity::Warning),
        },
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_else(|error| {
        format!("{{\"version\": 1, \"error\": \"cannot serialise the report: {error}\"}}")
    });
    text.push('\n');
    text
}
