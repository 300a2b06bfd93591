use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers;

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports `op.alter_column(t, c, nullable=False)` (or its batch form) in an upgrade whose
    /// downgrade does not make `t.c` nullable again with `alter_column(t, c, nullable=True)`.
    ///
    /// ## Why is this bad?
    /// After a rollback the column still rejects NULL, but the previous release was written for a
    /// nullable column: its inserts and updates that leave the column empty fail with a NOT NULL
    /// violation.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.alter_column("users", "email", nullable=False)
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
    ///     op.alter_column("users", "email", nullable=True)
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` adds `op.alter_column(t, c, nullable=True, existing_type=...)` to the existing
    /// `downgrade()`, with the `existing_*` arguments read from the schema the earlier revisions
    /// define (other changes of the same `alter_column` that the downgrade does not undo are undone
    /// with it), placed where the reverse order of the upgrade puts it: after the statements that
    /// undo later operations, else at the top of the body; inside a `batch_alter_table` block when
    /// the change was in one. The fix is safe when the previous nullability is known; otherwise the
    /// step is a `# TODO(mrt):` note and the fix is unsafe or only displayed.
    ///
    /// ## Known problems
    /// The SQL form (`ALTER COLUMN c SET NOT NULL`) is reported by MRT403. A column added earlier
    /// in the same upgrade, or on a table created there, is not reported: the downgrade that
    /// removes it removes its NOT NULL too. A downgrade that only raises is left to MRT804; a
    /// missing or empty one (`pass`) is reported here too, beside MRT101 or MRT102, and the message
    /// says which.
    pub(crate) struct NotNullWithoutRestoringNullable {
        code: "MRT402",
        name: "not-null-without-restoring-nullable",
        severity: Warning,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Make the column nullable again in `downgrade()`",
        summary: "alter_column(nullable=False) that the downgrade does not make nullable again",
    }
}

impl Rule for NotNullWithoutRestoringNullable {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        for change in helpers::unrestored_not_null(cx, false) {
            let alter = change.alter;
            let column = helpers::column_phrase(alter.table.as_ref(), alter.column.as_ref());
            let help = match (helpers::name_of(&alter.table), helpers::name_of(&alter.column)) {
                (Some(table), Some(name)) => format!("Add `op.alter_column(\"{table}\", \"{name}\", nullable=True)` to `downgrade()`"),
                _ => "Make the column nullable again in `downgrade()` with `op.alter_column(..., nullable=True)`".to_owned(),
            };
            findings.push(
                Finding::new(
                    change.nullable.range,
                    format!("Making {column} NOT NULL {}: after a rollback the previous release\'s writes of NULL to it fail", helpers::not_undone(cx.migration)),
                )
                .with_help(help)
                .within(change.op.range)
                .with_remedy(crate::remedy::missing_inverse(cx.migration, change.index)),
            );
        }
    }
}
