//! The JSON report and JSON lines. The schema is documented in `docs/json-output.md`; `version`
//! changes when a field is removed or changes meaning (adding fields does not).

use serde::Serialize;

use super::FixNote;
use super::{Located, Report, Skipped, Summary};

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError>,
    skipped: &'a [Skipped],
    summary: &'a Summary,
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
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: &'static str,
}

#[derive(Serialize)]
struct JsonError {
    path: Option<String>,
    message: String,
}

fn finding<'a>(located: Located<'a>, fix: Option<&'a FixNote>) -> JsonFinding<'a> {
    let diagnostic = located.diagnostic;
    JsonFinding {
        code: diagnostic.code(),
        name: diagnostic.rule.name,
        severity: diagnostic.severity().as_str(),
        message: &diagnostic.message,
        help: diagnostic.help.as_deref(),
        path: located.path,
        revision: diagnostic.revision.as_deref(),
        line: located.start.line,
        column: located.start.column,
        end_line: located.end.line,
        end_column: located.end.column,
        offset: diagnostic.range.start().to_u32(),
        end_offset: diagnostic.range.end().to_u32(),
        fix: fix.map(|fix| JsonFix {
            title: &fix.title,
            applicability: fix.applicability.as_str(),
        }),
    }
}

pub(super) fn render(report: &Report<'_>) -> String {
    let json = JsonReport {
        version: 1,
        findings: report
            .diagnostics
            .iter()
            .enumerate()
            .map(|(index, d)| finding(Located::of(d), report.fix(index)))
            .collect(),
        errors: report
            .errors
            .iter()
            .map(|error| JsonError {
                path: error.path().map(|path| path.display().to_string()),
                message: error.to_string(),
            })
            .collect(),
        skipped: report.skipped,
        summary: report.summary,
    };
    super::to_json(&json, true)
}

/// One finding per line, with the fields of the JSON report's findings.
pub(super) fn render_lines(report: &Report<'_>) -> String {
    report
        .diagnostics
        .iter()
        .enumerate()
        .map(|(index, diagnostic)| {
            super::to_json(&finding(Located::of(diagnostic), report.fix(index)), false)
        })
        .collect()
}
