use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{
    TableDrops, column_label, lossy_column_drops, operation_range, renamed_model_before,
};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that drops a column of an existing table: `op.drop_column`, SQL
    /// `ALTER TABLE ... DROP COLUMN`, or Django's `RemoveField`.
    /// squawk calls this `ban-drop-column`.
    ///
    /// ## Why is this bad?
    /// The column's data is gone the moment the upgrade runs. A downgrade can re-create the column,
    /// but only empty: `alembic downgrade -1` reports success and every value is lost. Code still
    /// reading the column breaks during a rolling deploy.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.drop_column("users", "legacy_email")
    /// ```
    ///
    /// Use instead:
    ///
    /// Stop reading and writing the column first, back its data up (or copy it to where it now
    /// lives) in an earlier revision, then drop it with the loss reviewed and recorded:
    /// ```python
    /// def upgrade():
    ///     op.drop_column("users", "legacy_email")  # noqa: MRT201 backed up in 3f2a, reviewed by DBA
    /// ```
    ///
    /// ## Known problems
    /// A drop inside `batch_alter_table` is reported by MRT206, and an add/update/drop sequence on
    /// one table by MRT208, so that each fact is reported once. A column added earlier in the same
    /// upgrade, or on a table created there, holds no data and is not reported; a column of a
    /// table the same upgrade then drops is reported once, as the table's drop (MRT202).
    /// A column whose data the upgrade first copies to another table with SQL that names it
    /// (`INSERT INTO backup SELECT id, c FROM t`, `UPDATE other SET x = t.c FROM t`), and that the
    /// downgrade re-adds and writes back (`UPDATE t SET c = ...`), is not reported: the loss is
    /// answered. Whether the copy takes every value is not checked.
    pub(crate) struct DropColumn {
        code: "MRT201",
        name: "drop-column",
        aliases: ["MRT209"],
        severity: Error,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "dropping a column loses its data; no downgrade brings it back",
    }
}

impl Rule for DropColumn {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let table_drops = TableDrops::of(&upgrade.ops);
        for drop in lossy_column_drops(cx, upgrade, false) {
            // The table itself is dropped later in this upgrade (Django's `RemoveField` of a
            // foreign key before `DeleteModel`): MRT202 reports the loss once, for the table. A
            // field of a model renamed earlier in the migration is MRT305's.
            if let Some(table) = &drop.table
                && (table_drops.dropped_after(drop.index, &table.value)
                    || renamed_model_before(cx, &upgrade.ops, drop.index, &table.value).is_some())
            {
                continue;
            }
            let described = column_label(drop.table.as_ref(), drop.column.as_ref());
            let range = drop
                .column
                .as_ref()
                .map_or(drop.op.range, |column| column.range);
            findings.push(
                Finding::new(
                    range,
                    format!("Dropping column {described} deletes its data; no downgrade can bring it back"),
                )
                .with_help("Back the data up in an earlier revision, or suppress with `# noqa: MRT201` once the loss is reviewed")
                .within(operation_range(&upgrade.ops, drop.index)),
            );
        }
    }
}
