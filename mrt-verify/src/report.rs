//! What `mrt verify` found: a verdict per revision, with each failure's kind, object and the static
//! findings that predicted it; and the renderers (full, json, junit, github).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::db::DatabaseDescription;

/// Everything one run found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// One verdict per revision judged or skipped, in walk order.
    pub revisions: Vec<Verdict>,
    /// Counts.
    pub summary: Summary,
    /// The database the run used.
    pub database: DatabaseDescription,
    /// The seed the values were derived from (pass it again with `--seed` to repeat the run).
    pub seed: u64,
    /// Static findings that the database contradicted: they predicted a loss that did not happen.
    pub contradicted: Vec<StaticFinding>,
    /// What could not be seeded, and other remarks that change no verdict.
    pub notes: Vec<String>,
}

/// The verdict on one revision.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The revision id (`app_label.name` for Django).
    pub revision: String,
    /// Its file.
    pub path: String,
    /// Passed, failed or skipped.
    pub status: Status,
    /// Why it was skipped.
    pub reason: Option<String>,
    /// What went wrong, in the order it was found.
    pub failures: Vec<Failure>,
    /// How long judging it took.
    pub duration_ms: u64,
}

/// A verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Upgrade, downgrade and upgrade again ran, and the downgrade gave back the schema and the
    /// data before the revision.
    Passed,
    /// Something went wrong (see the failures).
    Failed,
    /// Not judged (a reason is given).
    Skipped,
}

/// What kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    /// The upgrade raised (on the seeded rows only, or on empty tables too).
    Upgrade,
    /// The downgrade raised.
    Downgrade,
    /// The schema after upgrade and downgrade differs from the one before.
    Schema,
    /// Rows or values before the revision are not there after upgrade and downgrade.
    Data,
    /// Upgrading again after the downgrade raised.
    Reupgrade,
    /// A step did not finish within the timeout.
    Timeout,
}

impl FailureKind {
    /// The name used in every output.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Upgrade => "upgrade",
            FailureKind::Downgrade => "downgrade",
            FailureKind::Schema => "schema",
            FailureKind::Data => "data",
            FailureKind::Reupgrade => "reupgrade",
            FailureKind::Timeout => "timeout",
        }
    }
}

/// One failure.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// What kind.
    pub kind: FailureKind,
    /// The object (`users.phone`, `index ix_users_email`), when there is one.
    pub object: Option<String>,
    /// What happened.
    pub message: String,
    /// The static findings' codes that predicted it.
    pub codes: Vec<String>,
    /// The table concerned, for joining with static findings.
    #[serde(skip)]
    pub table: Option<String>,
}

/// A static finding, as far as the run needs it.
#[derive(Debug, Clone, Serialize)]
pub struct StaticFinding {
    /// Its revision.
    pub revision: String,
    /// The rule's code.
    pub code: String,
    /// The finding's message.
    pub message: String,
    /// The file.
    pub path: String,
    /// The line.
    pub line: usize,
}

/// Counts of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Revisions listed.
    pub revisions: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
    /// Failures by kind.
    pub failures: BTreeMap<&'static str, usize>,
    /// The whole run.
    pub duration_ms: u64,
}

impl Report {
    /// Whether every revision judged passed.
    pub fn passed(&self) -> bool {
        self.summary.failed == 0
    }

    /// Counts the verdicts into the summary.
    pub(crate) fn count(&mut self) {
        let mut summary = Summary {
            revisions: self.revisions.len(),
            duration_ms: self.summary.duration_ms,
            ..Summary::default()
        };
        for verdict in &self.revisions {
            match verdict.status {
                Status::Passed => summary.passed += 1,
                Status::Failed => summary.failed += 1,
                Status::Skipped => summary.skipped += 1,
            }
            for failure in &verdict.failures {
                *summary.failures.entry(failure.kind.name()).or_default() += 1;
            }
        }
        self.summary = summary;
    }

    /// A table of revisions with their verdicts, the failures under each, and a summary.
    pub fn render_full(&self) -> String {
        let mut text = String::new();
        let width = self
            .revisions
            .iter()
            .map(|verdict| verdict.revision.len())
            .max()
            .unwrap_or(8)
            .max(8);
        for verdict in &self.revisions {
            let status = match verdict.status {
                Status::Passed => "passed",
                Status::Failed => "FAILED",
                Status::Skipped => "skipped",
            };
            let _ = write!(
                text,
                "{:<width$}  {status:<7}  {:>6} ms",
                verdict.revision, verdict.duration_ms
            );
            if let Some(reason) = &verdict.reason {
                let _ = write!(text, "  ({reason})");
            }
            text.push('\n');
            for failure in &verdict.failures {
                let _ = write!(text, "    {:<9} {}", failure.kind.name(), failure.message);
                if !failure.codes.is_empty() {
                    let _ = write!(text, "  <- {}", failure.codes.join(", "));
                }
                text.push('\n');
            }
        }
        if !self.contradicted.is_empty() {
            text.push_str("\nStatic findings the database contradicted (no loss seen):\n");
            for finding in &self.contradicted {
                let _ = writeln!(
                    text,
                    "    {}:{}: {} {}",
                    finding.path, finding.line, finding.code, finding.message
                );
            }
        }
        if !self.notes.is_empty() {
            text.push_str("\nNotes:\n");
            for note in &self.notes {
                let _ = writeln!(text, "    {note}");
            }
        }
        let summary = &self.summary;
        let database = &self.database;
        let _ = writeln!(
            text,
            "\n{} revisions: {} passed, {} failed, {} skipped in {:.1} s (database: {}{} {}, seed {})",
            summary.revisions,
            summary.passed,
            summary.failed,
            summary.skipped,
            seconds(summary.duration_ms),
            if database.embedded { "embedded " } else { "" },
            database.backend,
            database.version.as_deref().unwrap_or(""),
            self.seed
        );
        text
    }

    /// The report as JSON (described in docs/json-output.md).
    pub fn render_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_owned());
        text.push('\n');
        text
    }

    /// A JUnit XML report: one test case per revision.
    pub fn render_junit(&self) -> String {
        let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            text,
            "<testsuites name=\"mrt verify\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
            self.summary.revisions,
            self.summary.failed,
            self.summary.skipped,
            seconds(self.summary.duration_ms)
        );
        let _ = writeln!(
            text,
            "  <testsuite name=\"rollback\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            self.summary.revisions, self.summary.failed, self.summary.skipped
        );
        for verdict in &self.revisions {
            let _ = write!(
                text,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
                xml(&verdict.revision),
                xml(&verdict.path),
                seconds(verdict.duration_ms)
            );
            match verdict.status {
                Status::Passed => text.push_str("/>\n"),
                Status::Skipped => {
                    let _ = writeln!(
                        text,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml(verdict.reason.as_deref().unwrap_or(""))
                    );
                }
                Status::Failed => {
                    text.push_str(">\n");
                    for failure in &verdict.failures {
                        let _ = writeln!(
                            text,
                            "      <failure type=\"{}\" message=\"{}\"/>",
                            failure.kind.name(),
                            xml(&failure.message)
                        );
                    }
                    text.push_str("    </testcase>\n");
                }
            }
        }
        text.push_str("  </testsuite>\n</testsuites>\n");
        text
    }

    /// GitHub Actions annotations: one error per failure, on the revision's file.
    pub fn render_github(&self) -> String {
        let mut text = String::new();
        for verdict in &self.revisions {
            for failure in &verdict.failures {
                let mut message = format!("{}: {}", failure.kind.name(), failure.message);
                if !failure.codes.is_empty() {
                    let _ = write!(message, " (predicted by {})", failure.codes.join(", "));
                }
                let _ = writeln!(
                    text,
                    "::error file={},line=1,title=mrt verify {}::{}",
                    github_property(&verdict.path),
                    github_property(&verdict.revision),
                    github_data(&message)
                );
            }
        }
        let _ = writeln!(
            text,
            "{} revisions: {} passed, {} failed, {} skipped",
            self.summary.revisions, self.summary.passed, self.summary.failed, self.summary.skipped
        );
        text
    }
}

/// Milliseconds as seconds, for printing (exact below 2^52 ms, some 140,000 years).
#[allow(clippy::cast_precision_loss)]
fn seconds(millis: u64) -> f64 {
    millis as f64 / 1000.0
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
}

fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}
