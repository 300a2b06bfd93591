//! Each finding with its location, its source line with the range underlined, and a help line.

use std::fmt::Write as _;

use mrt_core::Diagnostic;
use mrt_fix::Applicability;

use super::FixNote;
use super::{Paint, Report};

pub(super) fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for (index, diagnostic) in report.diagnostics.iter().enumerate() {
        finding(
            &mut out,
            diagnostic,
            report.marker(index),
            report.fix(index),
            report.paint,
        );
    }
    out.push_str(&report.summary_lines());
    out
}

fn finding(
    out: &mut String,
    diagnostic: &Diagnostic,
    marker: &str,
    fix: Option<&FixNote>,
    paint: Paint,
) {
    let start = diagnostic.start();
    let severity = diagnostic.severity();
    let end = diagnostic.end();
    let _ = writeln!(
        out,
        "{}:{}:{}: {} {marker}[{}] {}: {}",
        paint.path(&diagnostic.path().display().to_string()),
        start.line,
        start.column,
        paint.severity(severity, diagnostic.code()),
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
    let bar = paint.gutter(&format!("{blank} |"));
    let _ = writeln!(out, "{bar}");
    let _ = writeln!(
        out,
        "{} {line_text}",
        paint.gutter(&format!("{} |", start.line))
    );
    let _ = writeln!(
        out,
        "{bar} {indent}{}",
        paint.severity(
            severity,
            &format!("{} {}", "^".repeat(width), diagnostic.code())
        )
    );
    let _ = writeln!(out, "{bar}");
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "{blank} = help: {help}");
    }
    if let Some(fix) = fix {
        let how = match fix.applicability {
            Applicability::Safe => "`mrt fix`",
            Applicability::Unsafe => "`mrt fix --unsafe-fixes`",
            Applicability::DisplayOnly => "shown by `mrt fix`, not applied",
        };
        let _ = writeln!(out, "{blank} = fix ({how}): {}", fix.title);
    }
    out.push('\n');
}
