//! A JUnit XML report: one test case per finding, failing; a passing case when there is none.

use std::fmt::Write as _;

use super::{Located, Report};

pub(super) fn render(report: &Report<'_>) -> String {
    let count = report.diagnostics.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"mrt\" tests=\"{tests}\" failures=\"{count}\" errors=\"{errors}\">",
        tests = count.max(1),
        errors = report.errors.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"mrt check\" tests=\"{}\" failures=\"{count}\" errors=\"{}\">",
        count.max(1),
        report.errors.len()
    );
    if count == 0 {
        out.push_str("    <testcase name=\"mrt check\" classname=\"mrt\"/>\n");
    }
    for diagnostic in report.diagnostics {
        let located = Located::of(diagnostic);
        let _ = writeln!(
            out,
            "    <testcase name=\"{}:{}:{} {}\" classname=\"{}\" file=\"{}\" line=\"{}\">",
            xml(&located.path),
            located.start.line,
            located.start.column,
            diagnostic.code(),
            xml(&located.path),
            xml(&located.path),
            located.start.line
        );
        let _ = writeln!(
            out,
            "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: [{}] {}{}</failure>",
            diagnostic.code(),
            xml(&diagnostic.message),
            xml(&located.path),
            located.start.line,
            located.start.column,
            diagnostic.severity().as_str(),
            xml(&diagnostic.message),
            diagnostic
                .help
                .as_deref()
                .map(|help| format!("\nhelp: {}", xml(help)))
                .unwrap_or_default()
        );
        out.push_str("    </testcase>\n");
    }
    for error in report.errors {
        let _ = writeln!(
            out,
            "    <testcase name=\"read\" classname=\"mrt\"><error message=\"{}\"/></testcase>",
            xml(&error.to_string())
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}
