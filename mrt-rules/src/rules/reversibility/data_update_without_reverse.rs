use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{MultiSteps, both_same, downgrade_has, label, name_range, operation_range};

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
    /// `UPDATE` that backfills an add/update/drop sequence is reported by MRT208 alone. Updates
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
            let OpKind::UpdateRows { table, .. } = &op.kind else {
                continue;
            };
            if multi_steps.rewrites_at(index) {
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
