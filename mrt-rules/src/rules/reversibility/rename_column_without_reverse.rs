use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{self, ReverseCheck};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that renames a column (`op.alter_column(t, c, new_column_name=n)`,
    /// `batch_op.alter_column(c, new_column_name=n)`, or SQL `ALTER TABLE t RENAME COLUMN c TO n`)
    /// whose downgrade does not rename `t.n` back to `c`.
    /// squawk calls this `renaming-column`.
    ///
    /// ## Why is this bad?
    /// After `alembic downgrade` the column keeps its new name, while the previous release reads
    /// and writes the old one: its queries fail on a column that does not exist.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.alter_column("users", "mail", new_column_name="email")
    ///     op.create_index("ix_users_email", "users", ["email"])
    ///
    /// def downgrade():
    ///     op.drop_index("ix_users_email", table_name="users")
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.drop_index("ix_users_email", table_name="users")
    ///     op.alter_column("users", "email", new_column_name="mail")
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` adds the `alter_column` that renames the column back to the existing
    /// `downgrade()`, with `existing_type` / `existing_nullable` / `existing_server_default` read
    /// from the schema the earlier revisions define, placed where the reverse order of the upgrade
    /// puts it: after the statements that undo later operations, else at the top of the body;
    /// inside a `batch_alter_table` block when the rename was in one. When the downgrade already
    /// undoes the other changes of the same `alter_column`, only the rename is added, after them.
    /// The fix is safe; when the upgrade runs the rename only on some databases it is unsafe (a `#
    /// TODO(mrt):` note says to guard it the same way).
    ///
    /// ## Known problems
    /// In a revision file, `op` and `sa` used without an import (a snippet copied from
    /// documentation) are Alembic's `op` and SQLAlchemy; a module that binds `op` to something
    /// else is not read as Alembic's. Each rename is matched on its own: when an upgrade renames
    /// two columns and the downgrade undoes one, the other is still reported. Names the linter
    /// cannot read (built at run time) are never matched; names computed the ways the linter reads
    /// (`op.f()`, `batch_op.f()`, constants, a loop over the same literal tuple as the upgrade's)
    /// match. A column added earlier in the same upgrade, or on a table created there, is not
    /// reported. A downgrade that only raises is left to MRT804; a missing or empty one (`pass`) is
    /// reported here too, beside MRT101 or MRT102, and the message says which.
    pub(crate) struct RenameColumnWithoutReverse {
        code: "MRT302",
        name: "rename-column-without-reverse",
        severity: Error,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Rename the column back in `downgrade()`",
        summary: "a column rename that the downgrade does not undo",
    }
}

impl Rule for RenameColumnWithoutReverse {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(ReverseCheck {
            upgrade,
            downgrade,
            new_objects,
        }) = ReverseCheck::of(cx)
        else {
            return;
        };
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::AlterColumn(alter) = &op.kind else {
                continue;
            };
            if alter.new_name.is_none() {
                continue;
            }
            if helpers::is_new_column(new_objects, &alter.table, &alter.column, index) {
                continue;
            }
            if helpers::renames_column_back(alter, downgrade) {
                continue;
            }
            let column = helpers::column_phrase(alter.table.as_ref(), alter.column.as_ref());
            let new_label = helpers::label(&alter.new_name, "a new name");
            let help = match (
                helpers::name_of(&alter.table),
                helpers::name_of(&alter.column),
                helpers::name_of(&alter.new_name),
            ) {
                (Some(table), Some(old), Some(new)) => format!(
                    "Add `op.alter_column(\"{table}\", \"{new}\", new_column_name=\"{old}\")` to `downgrade()`"
                ),
                _ => "Rename the column back to its old name in `downgrade()`".to_owned(),
            };
            findings.push(
                Finding::new(
                    helpers::name_range(&alter.new_name, op),
                    format!("Renaming {column} to {new_label} {}: after a rollback the column keeps its new name and the previous release cannot find it", helpers::not_undone(cx.migration)),
                )
                .with_help(help)
                .within(op.range)
                .with_remedy(crate::remedy::missing_inverse(cx.migration, index)),
            );
        }
    }
}
