use mrt_core::ir::OpKind;
use mrt_core::{Finding, Framework, MigrationContext, Rule};

use crate::helpers::{column_label, is_new_table, server_default};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that adds a column that rejects NULL (`nullable=False`, or a primary key)
    /// to an existing table without a `server_default`: `op.add_column`, `batch_op.add_column`, or
    /// SQL `ALTER TABLE ... ADD COLUMN ... NOT NULL` without `DEFAULT`.
    /// squawk calls this `adding-required-field`.
    ///
    /// ## Why is this bad?
    /// The database has to put a value in the new column for every row already in the table, and
    /// with no default that value is NULL, which the column rejects: the `ALTER TABLE` fails as
    /// soon as the table has a row. It passes on an empty development database and fails in
    /// production. A Python-side `default=` does not help: SQLAlchemy applies it to its own inserts
    /// and emits no `DEFAULT` in the DDL.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.add_column("users", sa.Column("locale", sa.String(8), nullable=False, default="en"))
    /// ```
    ///
    /// Use instead:
    ///
    /// Give the column a default the database knows:
    /// ```python
    /// def upgrade():
    ///     op.add_column("users", sa.Column("locale", sa.String(8), nullable=False, server_default="en"))
    /// ```
    /// or add it nullable, backfill it, then make it NOT NULL in a later step.
    ///
    /// ## Known problems
    /// A column added to a table created earlier in the same upgrade is not reported: that table
    /// has no rows. Columns the database fills itself are not reported: SQL `serial` types,
    /// `sa.Identity()` / `GENERATED ... AS IDENTITY`, and computed columns.
    /// For Django, a `default=` counts: `AddField` fills the existing rows with it (then drops the
    /// database default), as do the values Django picks itself (`''` for a `blank=True` string
    /// field, the time for `auto_now` / `auto_now_add`); only a NOT NULL field with none of these
    /// and no `db_default=` is reported.
    pub(crate) struct AddNotNullColumnWithoutDefault {
        code: "MRT401",
        name: "add-not-null-column-without-default",
        aliases: ["MRT411"],
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "adding a NOT NULL column without a server default fails on a table with rows",
    }
}

impl Rule for AddNotNullColumnWithoutDefault {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let new_objects = cx.facts.new_objects();
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::AddColumn { table, column } = &op.kind else {
                continue;
            };
            if !column.is_not_null() || server_default(column).is_some() || column.generated {
                continue;
            }
            // Django's `AddField` fills the rows that exist with a Python-side `default=`.
            let django = cx.migration.framework == Framework::Django;
            if django && column.default.is_some() {
                continue;
            }
            if is_new_table(new_objects, table, index) {
                continue;
            }
            let described = column_label(table.as_ref(), column.name.as_ref());
            let range = column.name.as_ref().map_or(column.range, |name| name.range);
            let help = if django {
                "Give the field a `default=` or `db_default=`, or add it with `null=True`, backfill it, then make it NOT NULL"
            } else if column.default.is_some() {
                "`default=` is applied by SQLAlchemy on its own inserts and emits no DDL default: use `server_default=`, or add the column nullable, backfill it, then set NOT NULL"
            } else {
                "Give the column a `server_default=` (SQL `DEFAULT`), or add it nullable, backfill it, then set NOT NULL"
            };
            findings.push(
                Finding::new(
                    range,
                    if django {
                        format!("NOT NULL field {described} is added without a default: the ALTER fails on a table that has rows")
                    } else {
                        format!("NOT NULL column {described} is added without a server default: the ALTER fails on a table that has rows")
                    },
                )
                .with_help(help)
                .within(op.range),
            );
        }
    }
}
