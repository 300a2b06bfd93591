//! Completing a downgrade: for a finding whose remedy is the inverse of upgrade operation K (the
//! name-matched reverse rules, and MRT801 where its residue is that missing inverse), that one
//! inverse, read on the schema just before K, inserted into the existing `downgrade()` where the
//! reverse order of the upgrade puts it: after the statements that reverse operations after K,
//! else at the top of the body.

use mrt_core::fix::{FixDetail, InversePart, MissingInverse};
use mrt_core::ir::{Body, Migration, OpKind, Operation};
use mrt_core::schema::Schema;
use mrt_core::{Settings, TextRange, TextSize};
use mrt_rules::reverse::{reverses, reversing_downgrade};

use crate::edit::{Edit, Fix};
use crate::emit;
use crate::fixes::{applicability, imports, line_indent};
use crate::inverse::{Part, PlayedUpTo, Step, invert_one};
use crate::style::Style;

/// Where, among the downgrade's statements, the inverse of operation K goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// After the statements that reverse operations after K.
    AfterLater,
    /// After the statements that reverse K itself or operations after it: the rest of K's inverse
    /// (a reduced `alter_column`, the enum types of a dropped table).
    AfterOwn,
}

/// What completing one revision's downgrade reads, once for all its findings: the downgrade's
/// operations and statements, the types it drops, and the upgrade played on the schema before
/// it as far as the inverses asked so far needed.
pub(crate) struct Completion<'a> {
    down_ops: &'a [Operation],
    layout: Layout,
    dropped_types: Vec<String>,
    upgrade: PlayedUpTo<'a>,
}

impl<'a> Completion<'a> {
    /// `None` when the migration has no downgrade to add to (missing, a no-op, only raising) or
    /// its body has no line of its own to insert before. `before` is the schema before the
    /// revision.
    pub(crate) fn read(migration: &'a Migration, before: &'a Schema) -> Option<Self> {
        let upgrade = migration.upgrade.as_ref()?;
        let downgrade = migration.downgrade.as_ref()?;
        let down_ops = reversing_downgrade(migration)?;
        let layout = Layout::read(&migration.source.text, downgrade)?;
        let dropped_types = down_ops
            .iter()
            .filter_map(|op| match &op.kind {
                OpKind::DropType { name: Some(name) } => Some(name.value.to_lowercase()),
                _ => None,
            })
            .collect();
        Some(Self {
            down_ops,
            layout,
            dropped_types,
            upgrade: PlayedUpTo::new(before, &upgrade.ops),
        })
    }

    /// The fix adding the inverse the downgrade lacks, read on the schema just before the
    /// operation.
    pub(crate) fn fix(
        &mut self,
        step: &crate::fixes::Revision<'_>,
        missing: &MissingInverse,
        style: &Style,
        settings: &Settings,
        title: &str,
        detail: FixDetail,
    ) -> Option<Fix> {
        let migration = step.migration;
        let upgrade = migration.upgrade.as_ref()?;
        let text = &migration.source.text;
        let ops = &upgrade.ops;
        let original = ops.get(missing.op)?;
        let reduced;
        let part = match &missing.part {
            InversePart::Whole => Part::Op(original),
            InversePart::AlterChanges(alter) => {
                let mut op = original.clone();
                op.kind = OpKind::AlterColumn(alter.clone());
                reduced = op;
                Part::Op(&reduced)
            }
            InversePart::EnumTypes => Part::EnumTypes {
                kept: &self.dropped_types,
            },
        };
        let mut inverse = invert_one(
            &mut self.upgrade,
            missing.op,
            part,
            text,
            style,
            settings.dialect,
        );
        if inverse.steps.is_empty() {
            return None;
        }
        if !original.context.dialects.is_empty() {
            inverse.steps.insert(
                0,
                Step::Todo(
                    "upgrade() runs this operation only on some databases: guard its inverse the same way"
                        .to_owned(),
                ),
            );
        }
        let placement = if missing.part.follows_own_reverse() {
            Placement::AfterOwn
        } else {
            Placement::AfterLater
        };
        let after = last_reversing(ops, self.down_ops, missing.op, placement);
        // Placed for an outline too: an inverse with nowhere to go is no fix.
        let insertion = self.layout.place(text, after)?;
        let mut fix = Fix {
            edits: Vec::new(),
            applicability: applicability(&inverse),
            title: title.to_owned(),
        };
        if detail == FixDetail::Outline {
            return Some(fix);
        }
        let lines = emit::statements(&inverse, style, &self.layout.indent);
        fix.edits.push(insertion.edit(&lines, style.newline));
        fix.edits.extend(imports(text, upgrade, &inverse, style));
        Some(fix)
    }
}

/// Whether downgrade operation `back` (partly) undoes upgrade operation `op`.
fn undoes(op: &Operation, back: &Operation) -> bool {
    if let (OpKind::AlterColumn(alter), OpKind::AlterColumn(other)) = (&op.kind, &back.kind) {
        let same = |a: &mrt_core::ir::Name, b: &mrt_core::ir::Name| match (a, b) {
            (Some(a), Some(b)) => a.value.eq_ignore_ascii_case(&b.value),
            _ => false,
        };
        return same(&alter.table, &other.table)
            && (same(&alter.column, &other.column) || same(&alter.new_name, &other.column));
    }
    if let (OpKind::CreateTable { .. } | OpKind::AddColumn { .. }, OpKind::DropType { .. }) =
        (&op.kind, &back.kind)
    {
        return false;
    }
    reverses(&op.kind, std::slice::from_ref(back))
}

/// The last downgrade operation (by position) that undoes an upgrade operation after `index`
/// (or at it, for [`Placement::AfterOwn`]).
fn last_reversing<'a>(
    ops: &[Operation],
    down_ops: &'a [Operation],
    index: usize,
    placement: Placement,
) -> Option<&'a Operation> {
    let from = match placement {
        Placement::AfterLater => index + 1,
        Placement::AfterOwn => index,
    };
    let later = ops.get(from..).unwrap_or_default();
    down_ops
        .iter()
        .rev()
        .find(|back| later.iter().any(|op| undoes(op, back)))
}

/// The top-level statements of `downgrade()`, and their indentation.
struct Layout {
    /// The statements, in order (a leading docstring left out).
    statements: Vec<TextRange>,
    /// Where a statement at the top of the body goes.
    top: TextSize,
    indent: String,
}

impl Layout {
    fn read(text: &str, downgrade: &Body) -> Option<Self> {
        let statements = downgrade.statements.clone();
        let first = statements.first()?;
        let top = line_start(text, first.start());
        // A body on the `def` line (`def downgrade(): op.x()`) has no line of its own to add to.
        if top <= downgrade.name_range.start() {
            return None;
        }
        Some(Self {
            indent: line_indent(text, first.start()),
            statements,
            top,
        })
    }

    /// Where statements go after the top-level statement holding `after`, or at the top of the
    /// body.
    fn place(&self, text: &str, after: Option<&Operation>) -> Option<Insertion> {
        let Some(after) = after else {
            return Some(Insertion {
                at: self.top,
                at_end_of_file: false,
            });
        };
        let statement = self
            .statements
            .iter()
            .find(|statement| statement.contains_range(after.range))?;
        let end = statement.end().to_usize();
        Some(match crate::style::next_line_start(text, end) {
            Some(at) => Insertion {
                at: TextSize::try_from(at).ok()?,
                at_end_of_file: false,
            },
            None => Insertion {
                at: TextSize::try_from(text.len()).ok()?,
                at_end_of_file: true,
            },
        })
    }
}

/// Where inserted statements go.
struct Insertion {
    at: TextSize,
    /// After a last line without a line ending: the statements start a new line rather than end
    /// one.
    at_end_of_file: bool,
}

impl Insertion {
    fn edit(&self, lines: &str, newline: &str) -> Edit {
        let content = if self.at_end_of_file {
            format!("{newline}{lines}")
        } else {
            format!("{lines}{newline}")
        };
        Edit::insertion(content, self.at)
    }
}

fn line_start(text: &str, offset: TextSize) -> TextSize {
    TextSize::try_from(crate::style::line_start(text, offset.to_usize())).unwrap_or_default()
}
