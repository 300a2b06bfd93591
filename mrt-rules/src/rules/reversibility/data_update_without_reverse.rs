use mrt_core::ir::{Name, OpKind};
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{
    MultiSteps, both_same, downgrade_has, label, name_of, name_range, operation_range, same_name,
};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports SQL `UPDATE t` in `upgrade()` when `downgrade()` runs no `UPDATE` of the same table
    /// `t`.
    ///
    /// ## Why is this bad?
    /// An `UPDATE` overwrites values, and the old ones exist nowhere else. Rolling back restores
    /// the schema but leaves the rows as the upgrade rewrote them, so code of the previous release
    /// reads data it never wrote.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.execute("UPDATE users SET status = 'active' WHERE status = 'enabled'")
    ///
    /// def downgrade():
    ///     pass
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.execute("UPDATE users SET status = 'enabled' WHERE status = 'active'")
    /// ```
    ///
    /// ## Known problems
    /// Any `UPDATE` of the same table in `downgrade()` counts as the reverse; that it restores the
    /// same rows is not checked. The word `UPDATE` in a comment, a string literal or a function or
    /// trigger body (`$$ ... $$`) is not a statement and is not reported. An `UPDATE` of a table
    /// created earlier in the same upgrade changes no earlier data and is not reported. An
    /// `UPDATE` that backfills an add/update/drop sequence is reported by MRT208 alone. An
    /// `UPDATE` that only fills columns the same upgrade added (its `SET` names no other column)
    /// and the downgrade drops is not reported: its values leave with the columns. Updates
    /// written with SQLAlchemy expressions (`op.execute(users.update()...)`), or inside a
    /// `WITH ... AS (UPDATE ...)` query, are not read.
    pub(crate) struct DataUpdateWithoutReverse {
        code: "MRT103",
        name: "data-update-without-reverse",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "an UPDATE in upgrade has no UPDATE of the same table in downgrade",
    }
}

impl Rule for DataUpdateWithoutReverse {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let migration = cx.migration;
        let Some(upgrade) = &migration.upgrade else {
            return;
        };
        let new_objects = cx.facts.created_in_upgrade();
        let multi_steps = MultiSteps::of(upgrade, cx.facts.created_in_upgrade());
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::UpdateRows { table, columns, .. } = &op.kind else {
                continue;
            };
            if multi_steps.rewrites_at(index)
                || backfills_columns_the_downgrade_drops(cx, table, columns, index)
            {
                continue;
            }
            if let Some(table) = table
                && new_objects.table_before(&table.value, index)
            {
                continue;
            }
            let reversed = downgrade_has(
                migration,
                |kind| matches!(kind, OpKind::UpdateRows { table: reverse, .. } if both_same(reverse, table)),
            );
            if reversed {
                continue;
            }
            let described = label(table, "a table");
            findings.push(
                Finding::new(
                    name_range(table, op),
                    format!("`UPDATE` of {described} in `upgrade()` has no `UPDATE` of it in `downgrade()`: a rollback keeps the rewritten values"),
                )
                .with_help("Restore the previous values with an `UPDATE` in `downgrade()`, or suppress with `# noqa: MRT103` if they need no restoring")
                .within(operation_range(&upgrade.ops, index)),
            );
        }
    }
}

/// Whether the `UPDATE` at `index` only fills columns that the upgrade added before it and that
/// the downgrade drops: the values it writes go with the columns, and no earlier value is
/// overwritten. An `UPDATE` whose assigned columns could not all be read is not one.
fn backfills_columns_the_downgrade_drops(
    cx: &MigrationContext<'_>,
    table: &Name,
    columns: &[String],
    index: usize,
) -> bool {
    let Some(table_name) = name_of(table) else {
        return false;
    };
    let added = cx.facts.created_in_upgrade();
    !columns.is_empty()
        && columns.iter().all(|column| {
            added.column_before(table_name, column, index)
                && downgrade_has(cx.migration, |kind| {
                    matches!(kind, OpKind::DropColumn { table: dropped_from, column: Some(dropped) }
                        if same_name(dropped_from, table_name) && dropped.value.eq_ignore_ascii_case(column))
                })
        })
}
