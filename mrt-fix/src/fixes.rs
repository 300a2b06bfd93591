//! The fixer: the remedies rules attach to their findings, written as Alembic code. The whole
//! inverse of `upgrade()` (MRT101 writes the missing `downgrade()`, MRT102 replaces the no-op
//! body), on the schema the chain defines before the revision; the inverse of one operation a
//! downgrade lacks (the name-matched reverse rules, MRT801), inserted in place
//! ([`crate::complete`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use mrt_core::fix::{FixDetail, Fixer, Remedy};
use mrt_core::ir::{Body, Migration};
use mrt_core::schema::{JudgedRevision, Schema};
use mrt_core::{Framework, Linter, Project, RuleMeta, Settings, TextRange, TextSize};

use crate::complete::Completion;
use crate::edit::{Applicability, Edit, Fix};
use crate::emit;
use crate::inverse::{Inverse, Step, invert};
use crate::style::Style;

/// A fix of a finding, as [`fixes`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFix {
    /// Index into [`Project::migrations`].
    pub migration: usize,
    /// The code of the finding it fixes (`MRT101`, `MRT408`, ...).
    pub code: &'static str,
    /// Where the finding is.
    pub range: TextRange,
    /// The fix.
    pub fix: Fix,
}

/// The fixer `mrt` gives its linter ([`Linter::with_fixer`]): it writes the remedies of the
/// findings of Alembic migrations as Alembic code in the file's own style, reading the schema the
/// chain defines before the revision. A missing or no-op `downgrade()` gets the inverse of
/// `upgrade()`; a downgrade lacking the inverse of one operation gets that inverse, inserted where
/// the reverse order of the upgrade puts it.
#[derive(Debug, Default, Clone, Copy)]
pub struct AlembicFixer;

/// The linter's fixer, shared: [`AlembicFixer`].
pub fn fixer() -> Arc<dyn Fixer> {
    Arc::new(AlembicFixer)
}

impl Fixer for AlembicFixer {
    fn fixes(
        &self,
        project: &Project,
        settings: &Settings,
        judged: &JudgedRevision<'_>,
        wanted: &[(&'static RuleMeta, &Remedy)],
        detail: FixDetail,
    ) -> Vec<Option<Fix>> {
        let migration = judged.migration;
        if migration.framework != Framework::Alembic || !migration.syntax_errors.is_empty() {
            return vec![None; wanted.len()];
        }
        let revision = Revision {
            index: judged.index,
            migration,
            before: judged.before_part,
        };
        // An outline's code is never shown: it is written in the default style, without reading
        // the file's.
        let style = match detail {
            FixDetail::Edits => Style::detect(&migration.source.text),
            FixDetail::Outline => Style::default(),
        };
        // Read once per revision, and only when some finding asks for one missing inverse.
        let mut completion = None;
        wanted
            .iter()
            .map(|(rule, remedy)| {
                let title = rule.fix_title.unwrap_or(DEFAULT_TITLE);
                match remedy {
                    Remedy::ReverseUpgrade => {
                        downgrade_fix(project, &revision, settings, &style, title, detail)
                    }
                    Remedy::AddInverse(missing) => completion
                        .get_or_insert_with(|| Completion::read(migration, judged.before_part))
                        .as_mut()?
                        .fix(&revision, missing, &style, settings, title, detail),
                    _ => None,
                }
            })
            .collect()
    }
}

/// The title of a fix whose rule declares none (a house rule's remedy): what any inverse does.
const DEFAULT_TITLE: &str = "Add the missing inverse of this operation to `downgrade()`";

/// Every fix `mrt` can offer for the findings of the default rules on `project` (with `# noqa`
/// applied), by migration and position. `mrt check` and `mrt fix` get the same fixes on their
/// diagnostics ([`mrt_core::Diagnostic::fix`]) from a linter given [`fixer`].
pub fn fixes(project: &Project, settings: &Settings) -> Vec<MigrationFix> {
    let Ok(registry) = mrt_rules::try_registry() else {
        return Vec::new();
    };
    let Ok(rules) = registry.select(&[], &[], &[]) else {
        return Vec::new();
    };
    let index: HashMap<&Path, usize> = project
        .migrations
        .iter()
        .enumerate()
        .map(|(at, migration)| (migration.path(), at))
        .collect();
    Linter::new(rules, settings.clone())
        .with_fixer(fixer())
        .check(project)
        .into_iter()
        .filter_map(|diagnostic| {
            Some(MigrationFix {
                migration: *index.get(diagnostic.path())?,
                code: diagnostic.code(),
                range: diagnostic.range,
                fix: *diagnostic.fix?,
            })
        })
        .collect()
}

/// What the fixes of one revision read: the migration as it runs on the configured dialect, and
/// the part of the schema before it that its operations read.
pub(crate) struct Revision<'a> {
    /// Index into [`Project::migrations`].
    pub(crate) index: usize,
    pub(crate) migration: &'a Migration,
    pub(crate) before: &'a Schema,
}

/// The whole inverse of `upgrade()`, as a missing `downgrade()` or as the body of a no-op one.
fn downgrade_fix(
    project: &Project,
    step: &Revision<'_>,
    settings: &Settings,
    style: &Style,
    title: &str,
    detail: FixDetail,
) -> Option<Fix> {
    let migration = step.migration;
    let upgrade = migration.upgrade.as_ref()?;
    let missing = match &migration.downgrade {
        None => true,
        Some(downgrade) if downgrade.is_noop && !upgrade.is_noop => false,
        Some(_) => return None,
    };
    let text = &migration.source.text;
    let mut inverse = invert(&upgrade.ops, step.before, text, style, settings.dialect);
    // An upgrade that changes nothing (a merge revision) is reversed by a downgrade that does
    // nothing; only a missing downgrade needs writing then.
    let nothing_to_reverse = inverse.steps.is_empty();
    if nothing_to_reverse && !missing {
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
    let applicability = if nothing_to_reverse {
        Applicability::Safe
    } else {
        applicability(&inverse)
    };
    // Where the code goes is read for an outline too: a fix with nowhere to go is none.
    let (header_end, replaced) = if missing {
        (header_colon(text, upgrade)?, None)
    } else {
        let downgrade = migration.downgrade.as_ref()?;
        let colon = header_colon(text, downgrade)?;
        let start = TextSize::try_from(colon + 1).ok()?;
        (colon, Some(TextRange::new(start, downgrade.range.end())))
    };
    let mut fix = Fix {
        edits: Vec::new(),
        applicability,
        title: title.to_owned(),
    };
    if detail == FixDetail::Outline {
        return Some(fix);
    }
    let newline = style.newline;
    let def_indent = line_indent(text, upgrade.range.start());
    let body = if nothing_to_reverse {
        format!("{def_indent}{}pass{newline}", style.indent)
    } else {
        emit::body(&inverse, style, &format!("{def_indent}{}", style.indent))
    };
    let edit = if let Some(range) = replaced {
        Edit::replacement(format!("{newline}{body}"), range)
    } else {
        let signature = &text[upgrade.name_range.end().to_usize()..header_end];
        Edit::insertion(
            format!(
                "{newline}{newline}{newline}{def_indent}def downgrade{signature}:{newline}{body}"
            ),
            upgrade.range.end(),
        )
    };
    fix.edits.push(edit);
    fix.edits.extend(imports(text, upgrade, &inverse, style));
    Some(fix)
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
