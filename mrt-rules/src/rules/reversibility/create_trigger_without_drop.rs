use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{self, ReverseCheck};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports SQL `CREATE [OR REPLACE] TRIGGER name` in an upgrade whose downgrade does not drop
    /// trigger `name`.
    ///
    /// ## Why is this bad?
    /// After a rollback the trigger keeps firing on every write, running logic the previous release
    /// knows nothing about: it may write columns that no longer exist, or call a function the
    /// downgrade dropped, and every write to the table then fails.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.execute("CREATE TRIGGER touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch()")
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.execute("DROP TRIGGER IF EXISTS touch ON accounts")
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` adds `op.execute("DROP TRIGGER name ON table")` (without `ON table` for SQLite and
    /// MySQL) to the existing `downgrade()`, placed where the reverse order of the upgrade puts it:
    /// after the statements that undo later operations, else at the top of the body. The fix is
    /// safe.
    ///
    /// ## Known problems
    /// Triggers are matched by name. A trigger on a table created earlier in the same upgrade is
    /// not reported: dropping the table drops it. A downgrade that only raises is left to MRT804; a
    /// missing or empty one (`pass`) is reported here too, beside MRT101 or MRT102, and the message
    /// says which.
    pub(crate) struct CreateTriggerWithoutDrop {
        code: "MRT502",
        name: "create-trigger-without-drop",
        severity: Error,
        frameworks: [Alembic, Django],
        fix: Sometimes,
        fix_title: "Drop the trigger in `downgrade()`",
        summary: "a trigger created by an upgrade that its downgrade does not drop",
    }
}

impl Rule for CreateTriggerWithoutDrop {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(ReverseCheck {
            upgrade,
            downgrade,
            new_objects,
        }) = ReverseCheck::of(cx)
        else {
            return;
        };
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::CreateTrigger { name, table } = &op.kind else {
                continue;
            };
            if helpers::name_of(table).is_some_and(|table| new_objects.table_before(table, index)) {
                continue;
            }
            let dropped = downgrade.iter().any(|back| {
                matches!(&back.kind, OpKind::DropTrigger { name: dropped, .. } if helpers::both_same(name, dropped))
            });
            if dropped {
                continue;
            }
            findings.push(
                Finding::new(
                    helpers::name_range(name, op),
                    format!(
                        "{} on {} is not dropped by the downgrade: after a rollback it keeps firing",
                        helpers::capitalized(&helpers::named_or_quoted("trigger", name, op, &cx.migration.source.text)),
                        helpers::label(table, "its table")
                    ),
                )
                .with_help("Drop it in `downgrade()`: `DROP TRIGGER IF EXISTS <name> ON <table>`")
                .within(helpers::operation_range(&upgrade.ops, index))
                .with_remedy(crate::remedy::missing_inverse(cx.migration, index)),
            );
        }
    }
}
