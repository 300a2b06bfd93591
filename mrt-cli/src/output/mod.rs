//! Printing a check's findings in each output format.

mod concise;
mod full;
mod github;
mod gitlab;
mod json;
mod junit;
mod sarif;

use std::fmt::Write as _;

use mrt_core::{Diagnostic, Error, Project, Severity};
use mrt_fix::Applicability;

use crate::args::OutputFormat;
use crate::check::FixNote;

/// Counts over every checked project.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub(crate) struct Summary {
    pub(crate) files: usize,
    pub(crate) migrations: usize,
    pub(crate) revisions: usize,
    pub(crate) parent_links: usize,
    pub(crate) unknown_parents: usize,
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    /// Findings `mrt fix` fixes.
    pub(crate) fixable: usize,
    /// Findings `mrt fix --unsafe-fixes` fixes besides.
    pub(crate) unsafe_fixable: usize,
}

impl Summary {
    pub(crate) fn add(&mut self, project: &Project) {
        let graph = &project.graph;
        self.files += project.files_read;
        self.migrations += project.checked_migrations();
        self.revisions += graph.len();
        self.parent_links += graph.parent_edge_count();
        self.unknown_parents += graph
            .missing_references()
            .iter()
            .filter(|missing| missing.kind == mrt_core::graph::EdgeKind::Parent)
            .count();
    }

    pub(crate) fn count(&mut self, diagnostics: &[Diagnostic]) {
        let of = |severity| {
            diagnostics
                .iter()
                .filter(|d| d.severity() == severity)
                .count()
        };
        self.errors = of(Severity::Error);
        self.warnings = of(Severity::Warning);
    }

    pub(crate) fn count_fixes(&mut self, fixes: &[Option<FixNote>]) {
        let of = |applicability| {
            fixes
                .iter()
                .flatten()
                .filter(|note| note.applicability == applicability)
                .count()
        };
        self.fixable = of(Applicability::Safe);
        self.unsafe_fixable = of(Applicability::Unsafe);
    }
}

/// A revision whose findings the configuration accepts (`[tool.mrt.skip]`).
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Skipped {
    pub(crate) revision: String,
    pub(crate) path: String,
    pub(crate) reason: String,
}

/// Everything a format may print.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Report<'a> {
    pub(crate) diagnostics: &'a [Diagnostic],
    /// The fix of each finding, if `mrt fix` has one (same order as `diagnostics`).
    pub(crate) fixes: &'a [Option<FixNote>],
    pub(crate) errors: &'a [Error],
    pub(crate) skipped: &'a [Skipped],
    pub(crate) summary: &'a Summary,
    pub(crate) strict: bool,
    /// ANSI colours in the `full` and `concise` formats.
    pub(crate) paint: Paint,
    /// The findings only: no summary lines.
    pub(crate) quiet: bool,
}

/// ANSI styles for the text formats, or none: plain text when colour is off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Paint {
    pub(crate) enabled: bool,
}

impl Paint {
    fn wrap(self, codes: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{codes}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// A path, in bold.
    pub(crate) fn path(self, text: &str) -> String {
        self.wrap("1", text)
    }

    /// A rule code or an underline, bold red for an error, bold yellow for a warning.
    pub(crate) fn severity(self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.wrap("1;31", text),
            Severity::Warning => self.wrap("1;33", text),
        }
    }

    /// The gutter and the help lines, in blue.
    pub(crate) fn gutter(self, text: &str) -> String {
        self.wrap("34", text)
    }
}

impl Report<'_> {
    /// The closing lines of the text formats: skipped revisions, then the counts.
    pub(crate) fn summary_lines(&self) -> String {
        let mut text = String::new();
        if self.quiet {
            return text;
        }
        for skip in self.skipped {
            let _ = writeln!(
                text,
                "Skipped revision `{}` ({}): {}",
                skip.revision, skip.path, skip.reason
            );
        }
        let Summary {
            errors,
            warnings,
            migrations,
            files,
            ..
        } = *self.summary;
        let checked = format!(
            "{migrations} migration{} in {files} file{}",
            plural(migrations),
            plural(files)
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
            if migrations == 0 {
                // Not "All checks passed": nothing was checked (a warning on stderr names the
                // paths).
                let _ = writeln!(text, "No migrations checked ({checked}).{unreadable}");
            } else if unreadable.is_empty() {
                let _ = writeln!(text, "All checks passed ({checked}).");
            } else {
                let _ = writeln!(text, "No findings in {checked}.{unreadable}");
            }
            return text;
        }
        let _ = write!(
            text,
            "Found {errors} error{} and {warnings} warning{} in {checked}.",
            plural(errors),
            plural(warnings)
        );
        if warnings > 0 && !self.strict {
            text.push_str(" Warnings fail the check only with --strict.");
        }
        text.push_str(&unreadable);
        text.push('\n');
        let (fixable, more) = (self.summary.fixable, self.summary.unsafe_fixable);
        match (fixable, more) {
            (0, 0) => {}
            (0, more) => {
                let _ = writeln!(text, "{more} fixable with `mrt fix --unsafe-fixes`.");
            }
            (fixable, 0) => {
                let _ = writeln!(text, "[*] {fixable} fixable with `mrt fix`.");
            }
            (fixable, more) => {
                let _ = writeln!(
                    text,
                    "[*] {fixable} fixable with `mrt fix` ({more} more with `mrt fix --unsafe-fixes`)."
                );
            }
        }
        text
    }

    /// The fix of the finding at `index`, if any.
    pub(crate) fn fix(&self, index: usize) -> Option<&FixNote> {
        self.fixes.get(index).and_then(Option::as_ref)
    }

    /// The marker of a finding with a fix `mrt fix` applies (`[*] `, as ruff prints it), or
    /// nothing.
    pub(crate) fn marker(&self, index: usize) -> &'static str {
        match self.fix(index) {
            Some(note) if note.applicability == Applicability::Safe => "[*] ",
            _ => "",
        }
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
        OutputFormat::JsonLines => json::render_lines(report),
        OutputFormat::Sarif => sarif::render(report),
        OutputFormat::Github => github::render(report),
        OutputFormat::Gitlab => gitlab::render(report),
        OutputFormat::Junit => junit::render(report),
    }
}

/// One line of `--statistics`.
#[derive(Debug, serde::Serialize)]
struct RuleCount {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    count: usize,
    /// How many of them `mrt fix` fixes.
    fixable: usize,
}

/// `--statistics`: findings per rule, most frequent first; a JSON array for the JSON formats.
pub(crate) fn statistics(report: &Report<'_>, format: OutputFormat) -> String {
    let mut counts: Vec<RuleCount> = Vec::new();
    for (index, diagnostic) in report.diagnostics.iter().enumerate() {
        let fixable = usize::from(!report.marker(index).is_empty());
        match counts
            .iter_mut()
            .find(|entry| entry.code == diagnostic.code())
        {
            Some(entry) => {
                entry.count += 1;
                entry.fixable += fixable;
            }
            None => counts.push(RuleCount {
                code: diagnostic.code(),
                name: diagnostic.rule.name,
                severity: diagnostic.severity().as_str(),
                count: 1,
                fixable,
            }),
        }
    }
    counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    if matches!(format, OutputFormat::Json | OutputFormat::JsonLines) {
        return to_json(&counts, format == OutputFormat::Json);
    }
    let width = counts
        .iter()
        .map(|entry| entry.count.to_string().len())
        .max()
        .unwrap_or(1);
    let mut text = String::new();
    for entry in counts {
        let RuleCount {
            code,
            name,
            severity,
            count,
            ..
        } = entry;
        let _ = writeln!(text, "{count:>width$}  {code}  [{severity}]  {name}");
    }
    text.push_str(&report.summary_lines());
    text
}

/// The fields every structured format shares, for one finding.
pub(crate) struct Located<'a> {
    pub(crate) diagnostic: &'a Diagnostic,
    pub(crate) path: String,
    pub(crate) start: mrt_core::Location,
    pub(crate) end: mrt_core::Location,
}

impl<'a> Located<'a> {
    pub(crate) fn of(diagnostic: &'a Diagnostic) -> Self {
        Self {
            path: diagnostic.path().display().to_string(),
            start: diagnostic.start(),
            end: diagnostic.end(),
            diagnostic,
        }
    }
}

/// Serialises a value the formats build (plain strings and numbers: it cannot fail), with a
/// newline.
pub(crate) fn to_json(value: &impl serde::Serialize, pretty: bool) -> String {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    let mut text =
        text.unwrap_or_else(|error| format!("{{\"error\": \"cannot serialise: {error}\"}}"));
    text.push('\n');
    text
}
