use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{label, name_of, name_range, operation_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports SQL `DELETE FROM t` without a `WHERE` in an upgrade.
    ///
    /// ## Why is this bad?
    /// Every row of the table is deleted, and no downgrade can bring the rows back. Later
    /// operations on the emptied table (a column dropped, a NOT NULL added) look harmless in review
    /// because the loss already happened here.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.execute("DELETE FROM import_error")
    /// ```
    ///
    /// Use instead:
    ///
    /// Delete only what must go, or keep a copy the downgrade can restore:
    /// ```python
    /// def upgrade():
    ///     op.execute("CREATE TABLE import_error_backup AS SELECT * FROM import_error")
    ///     op.execute("DELETE FROM import_error")  # noqa: MRT803 backed up above
    /// ```
    ///
    /// ## Known problems
    /// Only SQL the linter can read is checked; deletes built with SQLAlchemy expressions
    /// (`table.delete()`) are not. A table created earlier in the same upgrade holds no rows and is
    /// not reported.
    pub(crate) struct DeleteWithoutWhere {
        code: "MRT803",
        name: "delete-without-where",
        severity: Error,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "DELETE without WHERE empties the table; no downgrade brings the rows back",
    }
}

impl Rule for DeleteWithoutWhere {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let new_objects = cx.facts.new_objects();
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::DeleteRows {
                table,
                has_where: false,
            } = &op.kind
            else {
                continue;
            };
            if name_of(table).is_some_and(|table| new_objects.table_before(table, index)) {
                continue;
            }
            findings.push(
                Finding::new(
                    name_range(table, op),
                    format!(
                        "`DELETE` without `WHERE` empties {}: no downgrade can bring the rows back",
                        label(table, "the table")
                    ),
                )
                .with_help("Add a `WHERE`, or back the rows up first and suppress with `# noqa: MRT803` once reviewed")
                .within(operation_range(&upgrade.ops, index)),
            );
        }
    }
}
