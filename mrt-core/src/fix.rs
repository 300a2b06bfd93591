//! Fixes travel with findings. A rule that knows what would answer its finding says so as a
//! [`Remedy`] (the inverse of which upgrade operation the downgrade lacks, or the whole inverse of
//! `upgrade()`); a [`Fixer`] given to the [`crate::Linter`] writes each remedy as a [`Fix`] while the
//! replay has the schema before the revision at hand, and the linter hands the fix out on the
//! finding's [`crate::Diagnostic`]. `mrt-fix` is the fixer that writes Alembic code; nothing joins
//! fixes back to findings afterwards.

use ruff_text_size::{TextRange, TextSize};

use crate::ir::AlterColumn;
use crate::project::Project;
use crate::rule::RuleMeta;
use crate::schema::JudgedRevision;
use crate::settings::Settings;

/// What would answer a finding, said by the rule that reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remedy {
    /// Write `downgrade()` as the inverse of `upgrade()`: add the missing function, or replace the
    /// body of one that does nothing.
    ReverseUpgrade,
    /// Add to the existing `downgrade()` the inverse of one upgrade operation it lacks.
    AddInverse(MissingInverse),
}

/// The inverse of one upgrade operation that a downgrade lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingInverse {
    /// Index into the upgrade's operations, as the migration runs on the configured dialect (what
    /// rules see).
    pub op: usize,
    /// What of the operation to reverse.
    pub part: InversePart,
}

impl MissingInverse {
    /// The inverse of the whole operation `op`.
    pub fn whole(op: usize) -> Self {
        Self {
            op,
            part: InversePart::Whole,
        }
    }
}

/// What of an upgrade operation a downgrade fails to reverse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InversePart {
    /// All of it: its inverse goes after the statements that reverse later operations.
    Whole,
    /// The changes of an `alter_column` that the downgrade does not undo (the downgrade undoes the
    /// others): their inverse goes after the downgrade's own partial reverse.
    AlterChanges(Box<AlterColumn>),
    /// The enum types the operation's columns create implicitly, once the downgrade drops the
    /// table or column that uses them: their drop goes after that.
    EnumTypes,
}

impl InversePart {
    /// Whether the inverse goes after the downgrade's statements that reverse this very operation
    /// (the rest of its inverse), rather than after those reversing later operations.
    pub fn follows_own_reverse(&self) -> bool {
        !matches!(self, InversePart::Whole)
    }
}

/// Writes fixes for the remedies of one revision's findings. Given to the linter
/// ([`crate::Linter::with_fixer`]), it is called on the thread pool as the schema replay judges
/// each revision, so a fix reads the schema before the revision without a second replay. A fix
/// reads the revision and that schema, no other migration of the project: the findings cache
/// ([`crate::Linter::check_cached`]) keys a revision's fixes by its chain.
pub trait Fixer: Send + Sync {
    /// For each wanted remedy (with the rule that reported it, whose `fix_title` names the fix),
    /// its fix, in the same order; `None` where nothing can be written. With
    /// [`FixDetail::Outline`] a fix's edits may be left empty; whether there is a fix, its title
    /// and its applicability must be what [`FixDetail::Edits`] gives.
    fn fixes(
        &self,
        project: &Project,
        settings: &Settings,
        revision: &JudgedRevision<'_>,
        wanted: &[(&'static RuleMeta, &Remedy)],
        detail: FixDetail,
    ) -> Vec<Option<Fix>>;
}

/// How much of each fix the linter asks its [`Fixer`] for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum FixDetail {
    /// Everything, the edits that apply it included (`mrt fix`, an editor's code actions).
    #[default]
    Edits,
    /// Whether there is a fix, its title and applicability, without its edits: what a report
    /// shows of it (`mrt check`'s `[*]` marks and fix notes), where writing the code would be
    /// work thrown away.
    Outline,
}

impl std::fmt::Debug for dyn Fixer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fixer")
    }
}

/// How safe a fix is to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Shown, never applied: nothing of it can be written without a person's judgement.
    DisplayOnly,
    /// Applied with `--unsafe-fixes`: it writes steps that need review (`# TODO(mrt): ...`).
    Unsafe,
    /// Applied by `mrt fix`: it only writes what the migrations themselves define.
    Safe,
}

impl Applicability {
    /// Lower-case name, as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replaces `range` of a file's text with `replacement` (an insertion when `range` is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// What is replaced.
    pub range: TextRange,
    /// What replaces it.
    pub replacement: String,
}

impl Edit {
    /// Inserts `text` at `offset`.
    pub fn insertion(text: impl Into<String>, offset: TextSize) -> Self {
        Self {
            range: TextRange::empty(offset),
            replacement: text.into(),
        }
    }

    /// Replaces `range` with `text`.
    pub fn replacement(text: impl Into<String>, range: TextRange) -> Self {
        Self {
            range,
            replacement: text.into(),
        }
    }
}

/// A set of edits that together fix one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The edits, applied together or not at all.
    pub edits: Vec<Edit>,
    /// How safe it is.
    pub applicability: Applicability,
    /// What it does ("Write a `downgrade()` that reverses `upgrade()`"): the `fix_title` of the
    /// rule whose finding it answers.
    pub title: String,
}
