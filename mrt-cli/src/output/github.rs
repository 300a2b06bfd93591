//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

use std::fmt::Write as _;

use mrt_core::Severity;

use super::{Located, Report};

pub(super) fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for diagnostic in report.diagnostics {
        let located = Located::of(diagnostic);
        // A warning that fails the check (--strict) is an error to the workflow.
        let level = if diagnostic.severity() == Severity::Error || report.strict {
            "error"
        } else {
            "warning"
        };
        let _ = writeln!(
            out,
            "::{level} title={},file={},line={},col={},endLine={},endColumn={}::{}",
            property(&format!(
                "mrt ({}: {})",
                diagnostic.code(),
                diagnostic.rule.name
            )),
            property(&located.path),
            located.start.line,
            located.start.column,
            located.end.line,
            located.end.column,
            data(&format!("{}: {}", diagnostic.code(), diagnostic.message)),
        );
    }
    out
}

/// Escapes a message for a workflow command.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
