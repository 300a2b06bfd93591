//! One line per finding: `path:line:col: CODE [severity] message`.

use std::fmt::Write as _;

use super::Report;

pub(super) fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for diagnostic in report.diagnostics {
        let start = diagnostic.start();
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            diagnostic.path().display(),
            start.line,
            start.column,
            diagnostic.code(),
            diagnostic.severity().as_str(),
            diagnostic.message
        );
    }
    out.push_str(&report.summary_lines());
    out
}
