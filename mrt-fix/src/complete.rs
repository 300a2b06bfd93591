//! Completing a downgrade: for a finding on upgrade operation K whose inverse the downgrade lacks
//! (the name-matched reverse rules, and MRT801 where its residue is that missing inverse), the one
//! inverse, read on the schema just before K, inserted into the existing `downgrade()` where the
//! reverse order of the upgrade puts it: after the statements that reverse operations after K,
//! else at the top of the body.

use std::collections::HashSet;

use mrt_core::ir::{AlterColumn, Body, Migration, OpKind, Operation};
use mrt_core::schema::{ObjectKey, ResidueKind, RevisionReplay, RevisionResidue};
use mrt_core::{Framework, Ranged, Settings, TextRange, TextSize};
use mrt_rules::reverse::{alter_reversal, is_foreign_key, reverses, reversing_downgrade};
use ruff_python_ast::Stmt;

use crate::edit::{Edit, Fix};
use crate::emit;
use crate::fixes::{MigrationFix, applicability, imports, line_indent};
use crate::inverse::{Inverse, Part, Step, created_columns, invert_one};
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

/// One inverse to insert.
struct Wanted {
    /// The upgrade operation it reverses.
    index: usize,
    code: &'static str,
    /// What of it: the operation, a reduced copy, or its enum types.
    op: Option<Operation>,
    enum_types: bool,
    placement: Placement,
    /// The operation the finding points at.
    target: TextRange,
}

/// The fixes that complete the downgrade of one replayed revision.
pub(crate) fn fixes(step: &crate::fixes::Revision<'_>, settings: &Settings) -> Vec<MigrationFix> {
    let migration = step.migration;
    if migration.framework != Framework::Alembic || !migration.syntax_errors.is_empty() {
        return Vec::new();
    }
    let (Some(upgrade), Some(downgrade)) = (&migration.upgrade, &migration.downgrade) else {
        return Vec::new();
    };
    let Some(down_ops) = reversing_downgrade(migration) else {
        return Vec::new();
    };
    let text = &migration.source.text;
    let Some(layout) = Layout::read(text, downgrade) else {
        return Vec::new();
    };
    let wanted = gaps(&upgrade.ops, down_ops, step.replay);
    let style = Style::detect(text);
    let dropped_types: Vec<String> = down_ops
        .iter()
        .filter_map(|op| match &op.kind {
            OpKind::DropType { name: Some(name) } => Some(name.value.to_lowercase()),
            _ => None,
        })
        .collect();
    let mut found = Vec::new();
    for want in wanted {
        let ops = &upgrade.ops;
        let Some(original) = ops.get(want.index) else {
            continue;
        };
        let part = if want.enum_types {
            Part::EnumTypes {
                kept: &dropped_types,
            }
        } else {
            Part::Op(want.op.as_ref().unwrap_or(original))
        };
        let mut inverse = invert_one(
            ops,
            want.index,
            part,
            step.before,
            text,
            &style,
            settings.dialect,
        );
        if inverse.steps.is_empty() {
            continue;
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
        let after = last_reversing(ops, down_ops, want.index, want.placement);
        let Some(mut edits) = layout.insert(text, after, &inverse, &style) else {
            continue;
        };
        edits.extend(imports(text, upgrade, &inverse, &style));
        found.push(MigrationFix {
            migration: step.index,
            code: want.code,
            target: Some(want.target),
            fix: Fix {
                edits,
                applicability: applicability(&inverse),
                title: crate::fixes::declared_title(want.code).to_owned(),
            },
        });
    }
    found
}

/// Whether [`fixes`] can find something to complete in `migration` (as it runs on the dialect):
/// its downgrade lacks an inverse that a reverse rule or the residue names. Reads no schema.
pub(crate) fn has_gaps(migration: &Migration, replay: &RevisionReplay) -> bool {
    if migration.framework != Framework::Alembic || !migration.syntax_errors.is_empty() {
        return false;
    }
    let (Some(upgrade), Some(_)) = (&migration.upgrade, &migration.downgrade) else {
        return false;
    };
    reversing_downgrade(migration)
        .is_some_and(|down_ops| !gaps(&upgrade.ops, down_ops, replay).is_empty())
}

/// The inverses the downgrade lacks: those the name-matched reverse rules name, and those the
/// residue names when the replay could read the revision.
fn gaps(ops: &[Operation], down_ops: &[Operation], replay: &RevisionReplay) -> Vec<Wanted> {
    let mut wanted = reverse_rule_gaps(ops, down_ops);
    if !replay.opaque {
        wanted.extend(residue_gaps(&replay.residue, ops, down_ops));
    }
    wanted
}

/// The operations the name-matched reverse rules report, with the inverse each lacks. The caller
/// keeps those whose finding the linter reported, so the rules' other conditions (objects new in
/// the upgrade, a downgrade running opaque SQL) need not be repeated here.
fn reverse_rule_gaps(ops: &[Operation], down_ops: &[Operation]) -> Vec<Wanted> {
    let mut wanted = Vec::new();
    let mut push = |index: usize, code, op: Option<Operation>, placement, enum_types| {
        wanted.push(Wanted {
            index,
            code,
            op,
            enum_types,
            placement,
            target: ops[index].range,
        });
    };
    for (index, op) in ops.iter().enumerate() {
        let missing = || !reverses(&op.kind, down_ops);
        match &op.kind {
            OpKind::RenameTable { .. } if missing() => {
                push(index, "MRT301", None, Placement::AfterLater, false);
            }
            OpKind::AlterColumn(alter) => {
                let reversal = alter_reversal(alter, down_ops);
                let Some((reduced, placement)) = reduced_alter(op, alter, down_ops) else {
                    continue;
                };
                if alter.new_name.is_some() && !reversal.rename {
                    push(index, "MRT302", Some(reduced.clone()), placement, false);
                }
                if alter.nullable.as_ref().is_some_and(|n| !n.value) && !reversal.nullable {
                    let code = if op.context.from_sql {
                        "MRT403"
                    } else {
                        "MRT402"
                    };
                    push(index, code, Some(reduced), placement, false);
                }
            }
            OpKind::DropIndex { .. } if missing() => {
                push(index, "MRT408", None, Placement::AfterLater, false);
            }
            OpKind::DropConstraint { name, kind, .. } if missing() => {
                let code = if is_foreign_key(*kind, name) {
                    "MRT205"
                } else if op.context.batch.is_some() {
                    "MRT410"
                } else {
                    "MRT409"
                };
                push(index, code, None, Placement::AfterLater, false);
            }
            OpKind::DropView { .. } if missing() => {
                push(index, "MRT207", None, Placement::AfterLater, false);
            }
            OpKind::CreateTrigger { .. } if missing() => {
                push(index, "MRT502", None, Placement::AfterLater, false);
            }
            OpKind::CreateType { .. } if missing() => {
                push(index, "MRT503", None, Placement::AfterLater, false);
            }
            // An enum type a column creates implicitly goes after the table or column that uses
            // it: only once the downgrade drops those (else that fix comes first).
            OpKind::CreateTable { .. } | OpKind::AddColumn { .. }
                if !missing()
                    && created_columns(&op.kind)
                        .iter()
                        .any(|column| column.enum_type.is_some()) =>
            {
                push(index, "MRT503", None, Placement::AfterOwn, true);
            }
            _ => {}
        }
    }
    wanted
}

/// An `alter_column` with only the changes the downgrade does not undo, and where its inverse
/// goes; `None` when the downgrade undoes every change.
fn reduced_alter(
    op: &Operation,
    alter: &AlterColumn,
    down_ops: &[Operation],
) -> Option<(Operation, Placement)> {
    let reversal = alter_reversal(alter, down_ops);
    if reversal.complete() {
        return None;
    }
    let untouched = [
        alter.new_name.is_none() || !reversal.rename,
        alter.nullable.is_none() || !reversal.nullable,
        alter.server_default.is_none() || !reversal.server_default,
        alter.type_text.is_none() || !reversal.type_,
    ];
    if untouched.iter().all(|missing| *missing) {
        // Nothing of it is undone: the whole inverse, in its place.
        return Some((op.clone(), Placement::AfterLater));
    }
    let mut reduced = alter.clone();
    if reversal.rename {
        // The downgrade renames the column back: what is left runs after that, on the old name.
        reduced.new_name = None;
    }
    if reversal.nullable {
        reduced.nullable = None;
    }
    if reversal.server_default {
        reduced.server_default = None;
    }
    if reversal.type_ {
        reduced.type_text = None;
    }
    let mut op = op.clone();
    op.kind = OpKind::AlterColumn(reduced);
    Some((op, Placement::AfterOwn))
}

/// The residues of MRT801 that are the missing inverse of one upgrade operation: an object the
/// upgrade created and the downgrade leaves (drop it), one it dropped or changed and the downgrade
/// does not restore (its inverse). A residue the downgrade caused itself (it restores an object
/// with another definition, or drops something else) has no fix.
fn residue_gaps(
    residue: &[RevisionResidue],
    ops: &[Operation],
    down_ops: &[Operation],
) -> Vec<Wanted> {
    let mut wanted = Vec::new();
    let mut seen = HashSet::new();
    for found in residue {
        // MRT801 points at the upgrade operation that last touched the object; a residue it
        // places in the downgrade is the downgrade's own doing.
        let Some(target) = found.upgrade_op.and_then(|at| ops.get(at)) else {
            continue;
        };
        let Some(index) = cause(&found.residue.object, found.residue.kind, ops) else {
            continue;
        };
        let op = &ops[index];
        let (reduced, placement) = match &op.kind {
            OpKind::AlterColumn(alter) => match reduced_alter(op, alter, down_ops) {
                Some((reduced, placement)) => (Some(reduced), placement),
                None => continue,
            },
            kind if reverses(kind, down_ops) => continue,
            _ => (None, Placement::AfterLater),
        };
        if !seen.insert((index, target.range.start())) {
            continue;
        }
        wanted.push(Wanted {
            index,
            code: "MRT801",
            op: reduced,
            enum_types: false,
            placement,
            target: target.range,
        });
    }
    wanted
}

/// The last upgrade operation whose inverse would remove the residue on `object`.
fn cause(object: &ObjectKey, kind: ResidueKind, ops: &[Operation]) -> Option<usize> {
    let same = |name: &mrt_core::ir::Name, key: &str| {
        name.as_ref()
            .is_some_and(|name| name.value.eq_ignore_ascii_case(key))
    };
    ops.iter().rposition(|op| match (object, kind, &op.kind) {
        (ObjectKey::Table(t), ResidueKind::Left, OpKind::CreateTable { table, .. })
        | (ObjectKey::Table(t), ResidueKind::Missing, OpKind::DropTable { table }) => {
            same(table, t)
        }
        (ObjectKey::Column(t, c), ResidueKind::Left, OpKind::AddColumn { table, column }) => {
            same(table, t) && same(&column.name, c)
        }
        (ObjectKey::Column(t, c), ResidueKind::Missing, OpKind::DropColumn { table, column }) => {
            same(table, t) && same(column, c)
        }
        (ObjectKey::Column(t, c), ResidueKind::Changed, OpKind::AlterColumn(alter)) => {
            same(&alter.table, t)
                && (same(&alter.column, c) || same(&alter.new_name, c))
                && (alter.nullable.is_some()
                    || alter.type_text.is_some()
                    || alter.server_default.is_some())
        }
        (ObjectKey::Index(i), ResidueKind::Left, OpKind::CreateIndex { name, .. })
        | (ObjectKey::Index(i), ResidueKind::Missing, OpKind::DropIndex { name, .. })
        | (ObjectKey::View(i), ResidueKind::Left, OpKind::CreateView { name, .. })
        | (ObjectKey::View(i), ResidueKind::Missing, OpKind::DropView { name, .. })
        | (ObjectKey::Trigger(i), ResidueKind::Left, OpKind::CreateTrigger { name, .. })
        | (ObjectKey::Type(i), ResidueKind::Left, OpKind::CreateType { name, .. })
        | (ObjectKey::Type(i), ResidueKind::Missing, OpKind::DropType { name }) => same(name, i),
        (ObjectKey::Constraint(t, n), ResidueKind::Left, OpKind::CreateConstraint(def)) => {
            same(&def.table, t) && same(&def.name, n)
        }
        (
            ObjectKey::Constraint(t, n),
            ResidueKind::Missing,
            OpKind::DropConstraint { name, table, .. },
        ) => same(table, t) && same(name, n),
        _ => false,
    })
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
        let parsed = ruff_python_parser::parse_module(text).ok()?;
        let def = parsed.suite().iter().find_map(|stmt| match stmt {
            Stmt::FunctionDef(def) if def.name.range().contains_range(downgrade.name_range) => {
                Some(def)
            }
            _ => None,
        })?;
        let mut body: &[Stmt] = &def.body;
        let first = body.first()?;
        if ruff_python_ast::helpers::is_docstring_stmt(first) {
            body = &body[1..];
        }
        let statements: Vec<TextRange> = body.iter().map(Ranged::range).collect();
        let first = statements.first()?;
        let top = line_start(text, first.start());
        // A body on the `def` line (`def downgrade(): op.x()`) has no line of its own to add to.
        if top <= def.name.range().start() {
            return None;
        }
        Some(Self {
            indent: line_indent(text, first.start()),
            statements,
            top,
        })
    }

    /// The edit inserting `inverse` after the top-level statement holding `after`, or at the top
    /// of the body.
    fn insert(
        &self,
        text: &str,
        after: Option<&Operation>,
        inverse: &Inverse,
        style: &Style,
    ) -> Option<Vec<Edit>> {
        let lines = emit::statements(inverse, style, &self.indent);
        let newline = style.newline;
        let Some(after) = after else {
            return Some(vec![Edit::insertion(format!("{lines}{newline}"), self.top)]);
        };
        let statement = self
            .statements
            .iter()
            .find(|statement| statement.contains_range(after.range))?;
        let end = statement.end().to_usize();
        Some(vec![match crate::style::next_line_start(text, end) {
            Some(at) => Edit::insertion(format!("{lines}{newline}"), TextSize::try_from(at).ok()?),
            None => Edit::insertion(
                format!("{newline}{lines}"),
                TextSize::try_from(text.len()).ok()?,
            ),
        }])
    }
}

fn line_start(text: &str, offset: TextSize) -> TextSize {
    TextSize::try_from(crate::style::line_start(text, offset.to_usize())).unwrap_or_default()
}
