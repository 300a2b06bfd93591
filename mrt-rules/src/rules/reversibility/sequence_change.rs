use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{name_range, named_or_quoted, operation_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports SQL in `upgrade()` that changes a sequence: `ALTER SEQUENCE`, or a call of
    /// `setval(...)` in any case (`SELECT setval('orders_id_seq', 1000)`).
    ///
    /// ## Why is this bad?
    /// A downgrade cannot know the value or settings the sequence had, so a rollback leaves it
    /// changed; `setval` is not even undone when the migration's own transaction rolls back.
    /// Moving a sequence below the largest id in use makes later inserts fail on duplicate keys,
    /// and `ALTER SEQUENCE` changes its increment, bounds or owner for every writer at once.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.execute("ALTER SEQUENCE orders_id_seq RESTART WITH 1")
    /// ```
    ///
    /// Use instead:
    ///
    /// Derive the value from the data, so that running it again (or after a rollback) is safe, and
    /// review it:
    /// ```python
    /// def upgrade():
    ///     op.execute("SELECT setval('orders_id_seq', (SELECT max(id) FROM orders))")  # noqa: MRT501 reviewed
    /// ```
    ///
    /// ## Known problems
    /// Every sequence change is reported, whatever the downgrade does: whether it restores the
    /// previous state cannot be told statically. `setval` inside a comment, a string literal or
    /// a function body (`$$ ... $$`) is not a call and is not reported.
    pub(crate) struct SequenceChange {
        code: "MRT501",
        name: "sequence-change",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "ALTER SEQUENCE / setval changes a sequence that no downgrade can restore",
    }
}

impl Rule for SequenceChange {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::AlterSequence { name } = &op.kind else {
                continue;
            };
            let described = named_or_quoted("sequence", name, op, &cx.migration.source.text);
            findings.push(
                Finding::new(
                    name_range(name, op),
                    format!("Upgrade changes {described}: a downgrade cannot restore its previous value or settings"),
                )
                .with_help("Check the new value against the ids in use, then suppress with `# noqa: MRT501` once reviewed")
                .within(operation_range(&upgrade.ops, index)),
            );
        }
    }
}
