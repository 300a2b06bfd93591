//! Fixes on findings: MRT101 (write the missing `downgrade()`) and MRT102 (replace the no-op
//! body), each the inverse of `upgrade()` on the schema the chain defines before the revision;
//! and, for a downgrade that exists but lacks the inverse of one operation (the name-matched
//! reverse rules, MRT801), that one inverse inserted in place ([`crate::complete`]).

use mrt_core::ir::{Body, Migration};
use mrt_core::schema::{JudgedRevision, ReplayStep, RevisionReplay, Schema, replay_some_with};
use mrt_core::{Framework, Project, Settings, TextRange, TextSize};

use crate::edit::{Applicability, Edit, Fix};
use crate::emit;
use crate::inverse::{Inverse, Step, invert};
use crate::style::Style;

/// A fix for a finding of one migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFix {
    /// Index into [`Project::migrations`].
    pub migration: usize,
    /// The code of the finding it fixes (`MRT101`, `MRT408`, ...).
    pub code: &'static str,
    /// The upgrade operation whose finding it fixes (the finding's range lies inside it); `None`
    /// for a fix of the downgrade as a whole (MRT101, MRT102).
    pub target: Option<TextRange>,
    /// The fix.
    pub fix: Fix,
}

impl MigrationFix {
    /// Whether this fix answers a finding of `code` at `range` in its migration.
    pub fn answers(&self, code: &str, range: TextRange) -> bool {
        self.code == code
            && self
                .target
                .is_none_or(|target| target.contains_range(range))
    }
}

/// The fixes `mrt` can offer for the migrations of `project`, by migration index. The caller
/// keeps those whose finding the linter reported (selection, `# noqa` and configuration apply).
pub fn fixes(project: &Project, settings: &Settings) -> Vec<MigrationFix> {
    fixes_for(project, settings, |_| true)
}

/// Like [`fixes`], only for the migrations (indices into [`Project::migrations`]) that `wanted`
/// accepts, typically those with a finding a fix could answer: the others are only replayed
/// forward.
pub fn fixes_for(
    project: &Project,
    settings: &Settings,
    wanted: impl Fn(usize) -> bool,
) -> Vec<MigrationFix> {
    let mut found = Vec::new();
    replay_some_with(project, settings, None, wanted, |step| {
        found.extend(revision_fixes(project, &Revision::of_step(step), settings));
    });
    found.sort_by_key(|fix| (fix.migration, fix.target.map(TextRange::start)));
    found
}

/// The fixes of one revision as the linter's replay judges it (pass it to
/// [`mrt_core::Linter::check_with_extra`], on the same settings): `None` when its downgrade has
/// nothing to fix ([`may_fix`]), so the fixes come from the replay the rules read, on the thread
/// pool, with no second replay. [`sorted_fixes`] gathers them.
pub fn judged_fixes(
    project: &Project,
    judged: JudgedRevision<'_>,
    settings: &Settings,
) -> Option<Vec<MigrationFix>> {
    if !may_fix(judged.migration, judged.replay) {
        return None;
    }
    let revision = Revision {
        index: judged.index,
        migration: judged.migration,
        before: judged.before_part,
        replay: judged.replay,
    };
    Some(revision_fixes(project, &revision, settings))
}

/// The fixes [`judged_fixes`] found, per migration, in the order [`fixes_for`] gives them.
pub fn sorted_fixes(per_migration: Vec<Option<Vec<MigrationFix>>>) -> Vec<MigrationFix> {
    let mut found: Vec<MigrationFix> = per_migration.into_iter().flatten().flatten().collect();
    found.sort_by_key(|fix| (fix.migration, fix.target.map(TextRange::start)));
    found
}

/// Whether the fixes of `migration` (as it runs on the configured dialect), given what the replay
/// found in it, may have a fix: its downgrade is missing, a no-op, or lacks an inverse.
pub fn may_fix(migration: &Migration, replay: &RevisionReplay) -> bool {
    if migration.framework != Framework::Alembic || !migration.syntax_errors.is_empty() {
        return false;
    }
    let Some(upgrade) = &migration.upgrade else {
        return false;
    };
    match &migration.downgrade {
        None => true,
        Some(downgrade) if downgrade.is_noop && !upgrade.is_noop => true,
        Some(_) => crate::complete::has_gaps(migration, replay),
    }
}

/// What the fixes of one revision read: the migration as it runs on the configured dialect, the
/// schema before it (whole, or the part its operations read), and what the replay found.
pub(crate) struct Revision<'a> {
    /// Index into [`Project::migrations`].
    pub(crate) index: usize,
    pub(crate) migration: &'a Migration,
    pub(crate) before: &'a Schema,
    pub(crate) replay: &'a RevisionReplay,
}

impl<'a> Revision<'a> {
    fn of_step(step: &ReplayStep<'a>) -> Self {
        Self {
            index: step.index,
            migration: step.migration,
            before: step.before,
            replay: step.replay,
        }
    }
}

/// The fixes of one revision: a whole downgrade when it is missing or a no-op, else the inverses
/// its downgrade lacks.
fn revision_fixes(
    project: &Project,
    revision: &Revision<'_>,
    settings: &Settings,
) -> Vec<MigrationFix> {
    match downgrade_fix(project, revision, settings) {
        Some(fix) => vec![fix],
        None => crate::complete::fixes(revision, settings),
    }
}

fn downgrade_fix(
    project: &Project,
    step: &Revision<'_>,
    settings: &Settings,
) -> Option<MigrationFix> {
    let migration = step.migration;
    if migration.framework != Framework::Alembic || !migration.syntax_errors.is_empty() {
        return None;
    }
    let upgrade = migration.upgrade.as_ref()?;
    let code = match &migration.downgrade {
        None => "MRT101",
        Some(downgrade) if downgrade.is_noop && !upgrade.is_noop => "MRT102",
        Some(_) => return None,
    };
    let text = &migration.source.text;
    let style = Style::detect(text);
    let mut inverse = invert(&upgrade.ops, step.before, text, &style, settings.dialect);
    // An upgrade that changes nothing (a merge revision) is reversed by a downgrade that does
    // nothing; only a missing downgrade needs writing then.
    let nothing_to_reverse = inverse.steps.is_empty();
    if nothing_to_reverse && code != "MRT101" {
        return None;
    }
    let unfiltered = &project.migrations[step.index];
    if branches_on_dialect(unfiltered) {
        inverse.steps.insert(
            0,
            Step::Todo(format!(
                "upgrade() branches on the database dialect: this reverses what runs on {}",
                settings
                    .dialect
                    .sqlalchemy_names()
                    .first()
                    .copied()
                    .unwrap_or("any database")
            )),
        );
    }
    let newline = style.newline;
    let def_indent = line_indent(text, upgrade.range.start());
    let body = if nothing_to_reverse {
        format!("{def_indent}{}pass{newline}", style.indent)
    } else {
        emit::body(&inverse, &style, &format!("{def_indent}{}", style.indent))
    };
    let mut edits = Vec::new();
    let title = if code == "MRT101" {
        let header_end = header_colon(text, upgrade)?;
        let signature = &text[upgrade.name_range.end().to_usize()..header_end];
        edits.push(Edit::insertion(
            format!(
                "{newline}{newline}{newline}{def_indent}def downgrade{signature}:{newline}{body}"
            ),
            upgrade.range.end(),
        ));
        declared_title(code)
    } else {
        let downgrade = migration.downgrade.as_ref()?;
        let colon = header_colon(text, downgrade)?;
        let start = TextSize::try_from(colon + 1).ok()?;
        edits.push(Edit::replacement(
            format!("{newline}{body}"),
            TextRange::new(start, downgrade.range.end()),
        ));
        declared_title(code)
    };
    edits.extend(imports(text, upgrade, &inverse, &style));
    let applicability = if nothing_to_reverse {
        Applicability::Safe
    } else {
        applicability(&inverse)
    };
    Some(MigrationFix {
        migration: step.index,
        code,
        target: None,
        fix: Fix {
            edits,
            applicability,
            title: title.to_owned(),
        },
    })
}

/// The fix title the rule of `code` declares (`fix_title`), said once, in the rule.
pub(crate) fn declared_title(code: &str) -> &'static str {
    mrt_rules::try_registry()
        .ok()
        .and_then(|registry| registry.find(code))
        .and_then(|rule| rule.meta().fix_title)
        // Every rule with a fix declares its title (a registry test says so); a registry that
        // could not be built still gets a fix that says what it does.
        .unwrap_or("Add the missing inverse of this operation to `downgrade()`")
}

/// The imports generated code needs and the file lacks, as an edit.
pub(crate) fn imports(
    text: &str,
    upgrade: &Body,
    inverse: &Inverse,
    style: &Style,
) -> Option<Edit> {
    let newline = style.newline;
    let uses_op = inverse
        .steps
        .iter()
        .any(|step| !matches!(step, Step::Todo(_)));
    let mut imports = String::new();
    if uses_op && style.op.is_none() {
        imports = imports + "from alembic import op" + newline;
    }
    if inverse.uses_sa && style.sa.is_none() {
        imports = imports + "import sqlalchemy as sa" + newline;
    }
    (!imports.is_empty()).then(|| Edit::insertion(imports, import_point(text, upgrade)))
}

/// Safe when every step is code, unsafe when some step is a `# TODO(mrt):` note, display-only
/// when nothing is code.
pub(crate) fn applicability(inverse: &Inverse) -> Applicability {
    if !inverse.has_code() {
        Applicability::DisplayOnly
    } else if inverse.needs_review() {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    }
}

fn branches_on_dialect(migration: &Migration) -> bool {
    migration
        .upgrade
        .iter()
        .flat_map(|body| &body.ops)
        .any(|op| !op.context.dialects.is_empty())
}

/// The indentation of the line holding `offset` (form feeds at its start left out).
pub(crate) fn line_indent(text: &str, offset: TextSize) -> String {
    let start = crate::style::line_start(text, offset.to_usize());
    crate::style::indentation(&text[start..]).to_owned()
}

/// The offset of the `:` ending a `def`'s header (after its parameters and return annotation).
fn header_colon(text: &str, body: &Body) -> Option<usize> {
    let from = body.name_range.end().to_usize();
    let end = body.range.end().to_usize().min(text.len());
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (offset, c) in text.get(from..end)?.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            (None, ':') if depth == 0 => return Some(from + offset),
            _ => {}
        }
    }
    None
}

/// Where a missing import goes: before the first import that is not `from __future__`, else
/// before the `def upgrade`.
fn import_point(text: &str, upgrade: &Body) -> TextSize {
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let is_import = line.starts_with("import ") || line.starts_with("from ");
        if is_import && !line.starts_with("from __future__") {
            return TextSize::try_from(offset).unwrap_or_default();
        }
        if offset >= upgrade.range.start().to_usize() {
            break;
        }
        offset += line.len();
    }
    let start = crate::style::line_start(text, upgrade.range.start().to_usize());
    TextSize::try_from(start).unwrap_or_default()
}
