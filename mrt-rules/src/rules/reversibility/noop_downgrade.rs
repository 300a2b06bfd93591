use mrt_core::effect::Effect;
use mrt_core::fix::Remedy;
use mrt_core::ir::{Body, OpKind};
use mrt_core::{Finding, MigrationContext, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a `downgrade()` whose body does nothing (only `pass`, a docstring, `...` or
    /// constants) while `upgrade()` does something.
    ///
    /// ## Why is this bad?
    /// `alembic downgrade` runs it, reports success and moves the version pointer back, while the
    /// schema stays upgraded. The next upgrade then fails on objects that already exist, or code
    /// written for the old schema runs against the new one.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.create_index("ix_users_email", "users", ["email"])
    ///
    /// def downgrade():
    ///     pass
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.drop_index("ix_users_email", table_name="users")
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` replaces the body with the inverse of `upgrade()`, written as for MRT101: safe
    /// when every operation has a known inverse, unsafe when a step is left as a `# TODO(mrt):`
    /// comment, display-only when nothing can be reversed.
    ///
    /// ## Known problems
    /// Merge and placeholder revisions, whose upgrade is empty too, are not reported; nor is an
    /// upgrade that only adds values to enum types (`ALTER TYPE ... ADD VALUE`): no downgrade can
    /// remove them, MRT304 reports each, and `pass` is the right code there. A downgrade that
    /// honestly cannot be written should raise instead (MRT804 asks for the reason). The specific
    /// reverses a `pass` downgrade lacks are reported at their upgrade operations too (MRT201,
    /// MRT301, MRT408, ...).
    pub(crate) struct NoopDowngrade {
        code: "MRT102",
        name: "noop-downgrade",
        severity: Error,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Replace the no-op `downgrade()` with the reverse of `upgrade()`",
        summary: "downgrade() does nothing while upgrade() changes the schema",
    }
}

impl Rule for NoopDowngrade {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let migration = cx.migration;
        if !migration.syntax_errors.is_empty() {
            return;
        }
        let (Some(upgrade), Some(downgrade)) = (&migration.upgrade, &migration.downgrade) else {
            return;
        };
        if upgrade.is_noop || !downgrade.is_noop || only_irreversible_with_own_finding(upgrade) {
            return;
        }
        findings.push(
            Finding::new(
                downgrade.name_range,
                "`downgrade()` does nothing, but `upgrade()` does: a rollback reports success and leaves the upgrade's changes in place",
            )
            .with_help("Reverse each operation of `upgrade()` in `downgrade()`, in reverse order")
            .within(downgrade.range)
            .with_remedy(Some(Remedy::ReverseUpgrade)),
        );
    }
}

/// Whether every operation of the upgrade is one that no downgrade can undo and that a rule of its
/// own reports (a value added to an enum: MRT304). `pass` is then the honest downgrade, and a
/// second finding at it would ask for a reverse that cannot be written. The records of raw SQL
/// whose statements follow them do nothing of their own.
fn only_irreversible_with_own_finding(upgrade: &Body) -> bool {
    let mut irreversible = upgrade
        .ops
        .iter()
        .filter(|op| op.kind.effect() != Effect::Nothing)
        .peekable();
    irreversible.peek().is_some()
        && irreversible.all(|op| matches!(op.kind, OpKind::AddEnumValue { .. }))
}
