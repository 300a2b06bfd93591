//! Printing a check's findings in each output format, as `mrt check` prints them: a program that
//! embeds the linter builds a [`Report`] and calls [`render`] or [`statistics`].
//!
//! ```no_run
//! use mrt_cli::output::{OutputFormat, Report, Summary, fix_notes, render};
//! use mrt_core::{Linter, Project, Settings};
//!
//! let (project, errors) = Project::load(&["migrations/versions".into()]);
//! let rules = mrt_rules::registry().select(&[], &[], &[]).expect("no selectors to resolve");
//! let linter = Linter::new(rules, Settings::default()).with_fixer(mrt_fix::fixer());
//! let diagnostics = linter.check(&project);
//! let fixes = fix_notes(&diagnostics);
//! let mut summary = Summary::default();
//! summary.add(&project);
//! summary.count(&diagnostics);
//! summary.count_fixes(&fixes);
//! let report = Report::new(&diagnostics, &summary).with_fixes(&fixes).with_errors(&errors);
//! print!("{}", render(&report, OutputFormat::Sarif));
//! ```

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

pub use crate::args::OutputFormat;
pub use crate::check::fix_notes;

/// What `mrt check` says of the fix `mrt fix` has for a finding (see [`fix_notes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixNote {
    /// What the fix does.
    pub title: String,
    /// How safe it is.
    pub applicability: Applicability,
}

/// Counts over every checked project.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// Python files read.
    pub files: usize,
    /// Migrations checked.
    pub migrations: usize,
    /// Revisions in the graphs.
    pub revisions: usize,
    /// Parent links in the graphs.
    pub parent_links: usize,
    /// `down_revision` references that name no known revision.
    pub unknown_parents: usize,
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Findings `mrt fix` fixes.
    pub fixable: usize,
    /// Findings `mrt fix --unsafe-fixes` fixes besides.
    pub unsafe_fixable: usize,
}

impl Summary {
    /// Adds a project's files, migrations and graph.
    pub fn add(&mut self, project: &Project) {
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

    /// Counts the findings by severity.
    pub fn count(&mut self, diagnostics: &[Diagnostic]) {
        let of = |severity| {
            diagnostics
                .iter()
                .filter(|d| d.severity() == severity)
                .count()
        };
        self.errors = of(Severity::Error);
        self.warnings = of(Severity::Warning);
    }

    /// Counts the findings `mrt fix` fixes, safely or not.
    pub fn count_fixes(&mut self, fixes: &[Option<FixNote>]) {
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
pub struct Skipped {
    /// The revision id.
    pub revision: String,
    /// Its file.
    pub path: String,
    /// Why its findings are accepted.
    pub reason: String,
}

/// Everything a format may print: the findings, sorted as they are to be printed
/// ([`Diagnostic::cmp_for_output`]), and what goes with them. Built with [`Report::new`] and the
/// `with_*` methods.
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct Report<'a> {
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

impl<'a> Report<'a> {
    /// A report of `diagnostics`, with no fixes, no unreadable paths, no skipped revisions, not
    /// strict, without colour.
    pub fn new(diagnostics: &'a [Diagnostic], summary: &'a Summary) -> Self {
        Self {
            diagnostics,
            fixes: &[],
            errors: &[],
            skipped: &[],
            summary,
            strict: false,
            paint: Paint::default(),
            quiet: false,
        }
    }

    /// The fix of each finding, in the same order (see [`fix_notes`]).
    pub fn with_fixes(mut self, fixes: &'a [Option<FixNote>]) -> Self {
        self.fixes = fixes;
        self
    }

    /// The paths that could not be read.
    pub fn with_errors(mut self, errors: &'a [Error]) -> Self {
        self.errors = errors;
        self
    }

    /// The revisions whose findings the configuration accepts.
    pub fn with_skipped(mut self, skipped: &'a [Skipped]) -> Self {
        self.skipped = skipped;
        self
    }

    /// Whether warnings fail the check (the summary says so).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// ANSI colours in the `full` and `concise` formats.
    pub fn color(mut self, color: bool) -> Self {
        self.paint = Paint { enabled: color };
        self
    }

    /// The findings only, without the summary lines.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }
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

/// Renders a report in a format, as `mrt check --output-format` prints it.
pub fn render(report: &Report<'_>, format: OutputFormat) -> String {
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

/// Writes a report in a format to `out`. The JSON report is streamed; the other formats are
/// rendered first.
pub fn write(
    report: &Report<'_>,
    format: OutputFormat,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Json => json::write(report, out),
        _ => out.write_all(render(report, format).as_bytes()),
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
pub fn statistics(report: &Report<'_>, format: OutputFormat) -> String {
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
    /// The path as `Path::display` shows it, borrowed when it is UTF-8.
    pub(crate) path: std::borrow::Cow<'a, str>,
    pub(crate) start: mrt_core::Location,
    pub(crate) end: mrt_core::Location,
}

impl<'a> Located<'a> {
    pub(crate) fn of(diagnostic: &'a Diagnostic) -> Self {
        let path = diagnostic.path();
        Self {
            // `to_str` checks UTF-8 with a fast path for ASCII; `to_string_lossy` walks the
            // text in chunks even when it has nothing to replace (a path for every finding).
            path: path
                .to_str()
                .map_or_else(|| path.to_string_lossy(), std::borrow::Cow::Borrowed),
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
