use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use super::{OLD_RELEASE, check_upgrade_ops};
use crate::helpers::{column_label, is_new_column, table_dropped_after};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that drops a column the previous release knows: `op.drop_column` (also
    /// in a `batch_alter_table` block), SQL `ALTER TABLE ... DROP COLUMN`, or Django's
    /// `RemoveField`. Opt-in: it runs only when selected (`--select MRT7`, `--select MRT701`).
    ///
    /// ## Why is this bad?
    /// During a rolling deploy the old application code keeps running against the new schema
    /// until every instance is replaced. It still names the column: SQLAlchemy and Django select
    /// every mapped column and insert the ones they know, so each of those queries fails with
    /// "column does not exist" from the moment the upgrade runs until the last old instance is
    /// gone.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.drop_column("users", "legacy_email")
    /// ```
    ///
    /// Use instead:
    ///
    /// Expand/contract over two releases. First release code that no longer reads or writes the
    /// column (remove it from the model; if the column is NOT NULL without a default, make it
    /// nullable in the same release, so that inserts can leave it out) and deploy it everywhere;
    /// then drop the column in a revision of a later release:
    /// ```python
    /// # release N: the model no longer maps users.legacy_email; no migration
    /// # release N+1:
    /// def upgrade():
    ///     op.drop_column("users", "legacy_email")  # noqa: MRT701 unmapped since release N
    /// ```
    ///
    /// ## Known problems
    /// The rule cannot see the application code: it reports a drop even when the previous
    /// release already stopped using the column, which is exactly the contract step above; say so
    /// in a `# noqa: MRT701` comment. A column added earlier in the same upgrade, or of a table
    /// created there (or, with `--since`, after the release boundary), is unknown to the previous
    /// release and is not reported. A column of a table the same upgrade then drops, or renamed
    /// earlier in it, is reported once, as the table's drop or rename (MRT703).
    pub(crate) struct RollingDropColumn {
        code: "MRT701",
        name: "rolling-drop-column",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        opt_in: true,
        summary: "dropping a column breaks the previous release while it still runs",
    }
}

impl Rule for RollingDropColumn {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        check_upgrade_ops(cx, findings, |new_objects, ops, index| {
            let op = &ops[index];
            let OpKind::DropColumn { table, column } = &op.kind else {
                return None;
            };
            if is_new_column(new_objects, table, column, index) {
                return None;
            }
            if let Some(table) = table
                && table_dropped_after(ops, index, &table.value)
            {
                return None;
            }
            let described = column_label(table.as_ref(), column.as_ref());
            let range = column.as_ref().map_or(op.range, |column| column.range);
            Some(
                Finding::new(
                    range,
                    format!("Dropping column {described} breaks {OLD_RELEASE}: its queries and inserts still name the column"),
                )
                .with_help("Release code that no longer reads or writes the column first, then drop it in a later release"),
            )
        });
    }
}
