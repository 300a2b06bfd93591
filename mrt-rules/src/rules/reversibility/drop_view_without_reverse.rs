use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{both_same, downgrade_has, label, name_range, operation_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports SQL `DROP VIEW v` or `DROP MATERIALIZED VIEW v` in `upgrade()` when `downgrade()`
    /// does not create view `v` again.
    ///
    /// ## Why is this bad?
    /// A view holds no data, but its definition lives nowhere else than in the database and in the
    /// migration that created it. After a rollback the schema is back to the old revision while
    /// the view is still missing, and every query and report that reads it fails.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.execute("DROP VIEW active_users")
    ///
    /// def downgrade():
    ///     pass
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.execute("CREATE VIEW active_users AS SELECT * FROM users WHERE active")
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` adds `op.execute(...)` with the `CREATE VIEW` statement of the revision that
    /// created the view to the existing `downgrade()`, placed where the reverse order of the
    /// upgrade puts it: after the statements that undo later operations, else at the top of the
    /// body. The fix is safe when a revision mrt read created the view; otherwise the step is a `#
    /// TODO(mrt):` note and the fix is only displayed. A downgrade that is missing or empty gets
    /// the fix of MRT101 or MRT102 instead.
    ///
    /// ## Known problems
    /// Any `CREATE [OR REPLACE] [MATERIALIZED] VIEW` of the same name in `downgrade()` counts as the
    /// reverse; its definition is not compared with the dropped one. A view dropped or created by
    /// SQL built at run time (an f-string) cannot be read: such a drop is not reported, and such
    /// a re-creation does not count.
    pub(crate) struct DropViewWithoutReverse {
        code: "MRT207",
        name: "drop-view-without-reverse",
        severity: Error,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Re-create the view in `downgrade()`",
        summary: "a view dropped in upgrade is not re-created by downgrade",
    }
}

impl Rule for DropViewWithoutReverse {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let migration = cx.migration;
        let Some(upgrade) = &migration.upgrade else {
            return;
        };
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::DropView { name, materialized } = &op.kind else {
                continue;
            };
            let recreated = downgrade_has(
                migration,
                |kind| matches!(kind, OpKind::CreateView { name: created, .. } if both_same(created, name)),
            );
            if recreated {
                continue;
            }
            let kind = if *materialized {
                "materialized view"
            } else {
                "view"
            };
            let described = label(name, "a view");
            findings.push(
                Finding::new(
                    name_range(name, op),
                    format!("Dropping {kind} {described} in `upgrade()` without re-creating it in `downgrade()`: a rollback leaves it missing"),
                )
                .with_help(format!("Re-create the {kind} in `downgrade()` with its current definition (`CREATE {}VIEW ...`)", if *materialized { "MATERIALIZED " } else { "" }))
                .within(operation_range(&upgrade.ops, index))
                .with_remedy(crate::remedy::missing_inverse(cx.migration, index)),
            );
        }
    }
}
