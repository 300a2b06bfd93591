//! One line per finding: `path:line:col: CODE [severity] message`, with `[*]` after the code
//! when `mrt fix` fixes it.

use std::fmt::Write as _;

use super::Report;

pub(super) fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for (index, diagnostic) in report.diagnostics.iter().enumerate() {
        let start = diagnostic.start();
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {}[{}] {}",
            report.paint.path(&diagnostic.path().display().to_string()),
            start.line,
            start.column,
            report
                .paint
                .severity(diagnostic.severity(), diagnostic.code()),
            report.marker(index),
            diagnostic.severity().as_str(),
            diagnostic.message
        );
    }
    out.push_str(&report.summary_lines());
    out
}
