use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers;

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports raw SQL `ALTER TABLE t ALTER COLUMN c SET NOT NULL` in an upgrade whose downgrade
    /// does not run `ALTER TABLE t ALTER COLUMN c DROP NOT NULL` (or
    /// `op.alter_column(t, c, nullable=True)`).
    ///
    /// ## Why is this bad?
    /// After a rollback the column still rejects NULL, but the previous release was written for a
    /// nullable column: its writes that leave the column empty fail with a NOT NULL violation.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.execute("ALTER TABLE users ALTER COLUMN email SET NOT NULL")
    ///     op.execute("CREATE INDEX ix_users_email ON users (email)")
    ///
    /// def downgrade():
    ///     op.execute("DROP INDEX ix_users_email")
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.execute("DROP INDEX ix_users_email")
    ///     op.execute("ALTER TABLE users ALTER COLUMN email DROP NOT NULL")
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` adds `op.alter_column(t, c, nullable=True)` to the existing `downgrade()`, with
    /// the column's type as `existing_type` when an earlier revision wrote it in Python, placed
    /// where the reverse order of the upgrade puts it: after the statements that undo later
    /// operations, else at the top of the body. The fix is safe when the previous nullability is
    /// known; otherwise the step is a `# TODO(mrt):` note and the fix is unsafe or only displayed.
    ///
    /// ## Known problems
    /// The `alter_column(nullable=False)` form is reported by MRT402. SQL built at run time cannot
    /// be read and is not reported here (MRT805 reports it). A column added earlier in the same
    /// upgrade, or on a table created there, is not reported. A downgrade that only raises is left
    /// to MRT804; a missing or empty one (`pass`) is reported here too, beside MRT101 or MRT102,
    /// and the message says which.
    pub(crate) struct SetNotNullSqlWithoutReverse {
        code: "MRT403",
        name: "set-not-null-sql-without-reverse",
        severity: Warning,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Make the column nullable again in `downgrade()`",
        summary: "SQL SET NOT NULL that the downgrade does not drop again",
    }
}

impl Rule for SetNotNullSqlWithoutReverse {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        for change in helpers::unrestored_not_null(cx, true) {
            let alter = change.alter;
            let column = helpers::column_phrase(alter.table.as_ref(), alter.column.as_ref());
            let help = match (
                helpers::name_of(&alter.table),
                helpers::name_of(&alter.column),
            ) {
                (Some(table), Some(name)) => format!(
                    "Run `ALTER TABLE {table} ALTER COLUMN {name} DROP NOT NULL` in `downgrade()`"
                ),
                _ => "Run `ALTER TABLE ... ALTER COLUMN ... DROP NOT NULL` in `downgrade()`"
                    .to_owned(),
            };
            findings.push(
                Finding::new(
                    change.nullable.range,
                    format!("`SET NOT NULL` on {column} {}: after a rollback the previous release\'s writes of NULL to it fail", helpers::not_undone(cx.migration)),
                )
                .with_help(help)
                .within(change.op.range)
                .with_remedy(crate::remedy::missing_inverse(cx.migration, change.index)),
            );
        }
    }
}
