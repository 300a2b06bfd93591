use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{
    dropped_after_rebuild, name_range, named_or_quoted, operation_range, renamed_model_before,
    replaced_by_copy,
};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that drops an existing table: `op.drop_table`, SQL `DROP TABLE` (one
    /// finding per table it names), or Django's `DeleteModel` and a `RunSQL` `DROP TABLE`.
    /// squawk calls this `ban-drop-table`.
    ///
    /// ## Why is this bad?
    /// Every row of the table is deleted when the upgrade runs. A downgrade can re-create the
    /// table, but only empty: the rollback succeeds and the data stays lost. Code still querying
    /// the table fails as soon as the revision is applied.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.drop_table("audit_log")
    /// ```
    ///
    /// Use instead:
    ///
    /// Stop using the table, archive its rows (or rename it and drop it in a later revision, once
    /// nothing needs it), then drop it with the loss reviewed and recorded:
    /// ```python
    /// def upgrade():
    ///     op.drop_table("audit_log")  # noqa: MRT202 archived to s3://backups/audit_log, reviewed
    /// ```
    ///
    /// ## Known problems
    /// A table created earlier in the same upgrade holds no rows and is not reported. Nor is the
    /// SQLite copy-and-swap (`CREATE TABLE t_new`, `INSERT INTO t_new SELECT ... FROM t`, `DROP
    /// TABLE t`, `ALTER TABLE t_new RENAME TO t`): a later rename of another table to the dropped
    /// name, with rows copied into it, replaces the table rather than losing it; nor its other
    /// form (`ALTER TABLE t RENAME TO t_old`, `CREATE TABLE t`, `INSERT INTO t SELECT ... FROM
    /// t_old`, `DROP TABLE t_old`), where the table set aside is dropped once refilled. A table
    /// dropped through SQL built at run time (an f-string) cannot be read and is not reported
    /// (MRT805 reports the SQL).
    pub(crate) struct DropTable {
        code: "MRT202",
        name: "drop-table",
        aliases: ["MRT210", "MRT211"],
        severity: Error,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "dropping a table loses all its rows; no downgrade brings them back",
    }
}

impl Rule for DropTable {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let new_objects = cx.facts.new_objects();
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::DropTable { table } = &op.kind else {
                continue;
            };
            if let Some(table) = table
                && (new_objects.table_before(&table.value, index)
                    || replaced_by_copy(&upgrade.ops, index, &table.value)
                    || dropped_after_rebuild(&upgrade.ops, index, &table.value)
                    || renamed_model_before(cx, &upgrade.ops, index, &table.value).is_some())
            {
                continue;
            }
            let described = named_or_quoted("table", table, op, &cx.migration.source.text);
            findings.push(
                Finding::new(
                    name_range(table, op),
                    format!("Dropping {described} deletes all its rows; no downgrade can bring them back"),
                )
                .with_help("Archive the rows in an earlier revision, or suppress with `# noqa: MRT202` once the loss is reviewed")
                .within(operation_range(&upgrade.ops, index)),
            );
        }
    }
}
