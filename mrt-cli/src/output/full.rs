//! Each finding with its location, its source line with the range underlined, and a help line.

use std::fmt::Write as _;

use mrt_core::Diagnostic;

use super::Report;

pub(super) fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for diagnostic in report.diagnostics {
        finding(&mut out, diagnostic);
    }
    out.push_str(&report.summary_lines());
    out
}

fn finding(out: &mut String, diagnostic: &Diagnostic) {
    let start = diagnostic.start();
    let end = diagnostic.end();
    let _ = writeln!(
        out,
        "{}:{}:{}: {} [{}] {}: {}",
        diagnostic.path().display(),
        start.line,
        start.column,
        diagnostic.code(),
        diagnostic.severity().as_str(),
        diagnostic.rule.name,
        diagnostic.message
    );
    let line_text = diagnostic.source.line_text(start.line);
    let gutter = start.line.to_string().len();
    let blank = " ".repeat(gutter);
    // Underline the range on its first line; a range running past it is underlined to the line's end.
    let line_chars = line_text.chars().count();
    let underline_end = if end.line == start.line {
        end.column
    } else {
        line_chars + 1
    };
    let width = underline_end.saturating_sub(start.column).max(1);
    let indent: String = line_text
        .chars()
        .take(start.column - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let _ = writeln!(out, "{blank} |");
    let _ = writeln!(out, "{} | {line_text}", start.line);
    let _ = writeln!(
        out,
        "{blank} | {indent}{} {}",
        "^".repeat(width),
        diagnostic.code()
    );
    let _ = writeln!(out, "{blank} |");
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "{blank} = help: {help}");
    }
    out.push('\n');
}
