use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{column_label, lossy_column_drops};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports `drop_column` inside `with op.batch_alter_table(...)` in an upgrade.
    ///
    /// ## Why is this bad?
    /// On SQLite a batch block copies the table into a new one without the column and drops the
    /// old one: the column's data is gone, and a downgrade can only re-create it empty. On other
    /// databases it is a plain drop, with the same loss.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     with op.batch_alter_table("users") as batch_op:
    ///         batch_op.drop_column("email")
    /// ```
    ///
    /// Use instead:
    ///
    /// Copy the data somewhere that survives first, then drop with the loss reviewed:
    /// ```python
    /// def upgrade():
    ///     with op.batch_alter_table("users") as batch_op:
    ///         batch_op.drop_column("email")  # noqa: MRT206 copied to user_emails in 3f2a
    /// ```
    ///
    /// ## Known problems
    /// A column added earlier in the same upgrade, or on a table created there, is not reported. A
    /// batch drop that ends an add/update/drop sequence on its table is reported by MRT208 alone.
    /// A column whose data the upgrade first copies to another table with SQL that names it
    /// (`INSERT INTO backup SELECT id, c FROM t`, `UPDATE other SET x = t.c FROM t`), and that the
    /// downgrade re-adds and writes back (`UPDATE t SET c = ...`), is not reported: the loss is
    /// answered. Whether the copy takes every value is not checked.
    pub(crate) struct DropColumnInBatch {
        code: "MRT206",
        name: "drop-column-in-batch",
        severity: Error,
        frameworks: [Alembic],
        fix: None,
        summary: "a batch drop_column copies the table without the column: its data is lost",
    }
}

impl Rule for DropColumnInBatch {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        for drop in lossy_column_drops(cx, upgrade, true) {
            let name = column_label(drop.table.as_ref(), drop.column.as_ref());
            let range = drop
                .column
                .as_ref()
                .map_or(drop.op.range, |column| column.range);
            findings.push(
                Finding::new(
                    range,
                    format!("Dropping column {name} in a batch block deletes its data (on SQLite the table is copied without it); no downgrade can bring it back"),
                )
                .with_help("Copy the data first, or suppress with `# noqa: MRT206` once the loss is reviewed")
                .within(drop.op.range),
            );
        }
    }
}
