//! Printing a check's findings in each output format.

mod concise;
mod full;
mod json;

use mrt_core::{Diagnostic, Error, Project, Severity};

use crate::args::OutputFormat;

/// Everything a format may print.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Report<'a> {
    pub(crate) project: &'a Project,
    pub(crate) diagnostics: &'a [Diagnostic],
    pub(crate) errors: &'a [Error],
    pub(crate) strict: bool,
}

impl Report<'_> {
    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity() == severity)
            .count()
    }

    /// The closing line of the text formats.
    pub(crate) fn summary_line(&self) -> String {
        let errors = self.count(Severity::Error);
        let warnings = self.count(Severity::Warning);
        let migrations = self.project.checked_migrations();
        let checked = format!(
            "{migrations} migration{} in {} file{}",
            plural(migrations),
            self.project.files_read,
            plural(self.project.files_read)
        );
        let unreadable = if self.errors.is_empty() {
            String::new()
        } else {
            let count = self.errors.len();
            format!(
                " {count} path{} could not be read (see above).",
                plural(count)
            )
        };
        if errors + warnings == 0 {
            if unreadable.is_empty() {
                return format!("All checks passed ({checked}).\n");
            }
            return format!("No findings in {checked}.{unreadable}\n");
        }
        let mut line = format!(
            "Found {errors} error{} and {warnings} warning{} in {checked}.",
            plural(errors),
            plural(warnings)
        );
        if warnings > 0 && !self.strict {
            line.push_str(" Warnings fail the check only with --strict.");
        }
        line.push_str(&unreadable);
        line.push('\n');
        line
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// Renders a report in a format.
pub(crate) fn render(report: &Report<'_>, format: OutputFormat) -> String {
    match format {
        OutputFormat::Full => full::render(report),
        OutputFormat::Concise => concise::render(report),
        OutputFormat::Json => json::render(report),
    }
}
