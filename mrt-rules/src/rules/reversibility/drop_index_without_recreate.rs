use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers;

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that drops an index (`op.drop_index(name)`, its batch form, or SQL
    /// `DROP INDEX name`) whose downgrade creates no index of that name.
    ///
    /// ## Why is this bad?
    /// After a rollback the index is gone while the previous release still relies on it: queries
    /// that used it turn into sequential scans, and a unique index no longer rejects duplicates.
    /// Nothing fails loudly, so the loss is found in production.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.drop_index("ix_users_email", table_name="users")
    ///     op.alter_column("users", "email", nullable=False)
    ///
    /// def downgrade():
    ///     op.alter_column("users", "email", nullable=True)
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.alter_column("users", "email", nullable=True)
    ///     op.create_index("ix_users_email", "users", ["email"])
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` adds `op.create_index(...)` to the existing `downgrade()`, with the columns and
    /// uniqueness the earlier revisions gave the index, placed where the reverse order of the
    /// upgrade puts it: after the statements that undo later operations, else at the top of the
    /// body; inside a `batch_alter_table` block when the drop was in one. The fix is safe when a
    /// revision mrt read defines the index; when none does, only a `# TODO(mrt):` note can be
    /// written and the fix is only displayed.
    ///
    /// ## Known problems
    /// The index is matched by name only (case-insensitively); a name the linter cannot read is
    /// never matched. Whether the re-created index has the same columns is not checked. A downgrade
    /// that only raises is left to MRT804; a missing or empty one (`pass`) is reported here too,
    /// beside MRT101 or MRT102, and the message says which.
    pub(crate) struct DropIndexWithoutRecreate {
        code: "MRT408",
        name: "drop-index-without-recreate",
        severity: Warning,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Re-create the index in `downgrade()`",
        summary: "a dropped index that the downgrade does not re-create",
    }
}

impl Rule for DropIndexWithoutRecreate {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let Some(downgrade) = helpers::searched_downgrade(cx.migration) else {
            return;
        };
        for (at, op) in upgrade.ops.iter().enumerate() {
            let OpKind::DropIndex { name, .. } = &op.kind else {
                continue;
            };
            if helpers::recreates_index(name, downgrade) {
                continue;
            }
            let index = helpers::named_or_quoted("index", name, op, &cx.migration.source.text);
            findings.push(
                Finding::new(
                    helpers::name_range(name, op),
                    format!("Dropping {index} {}: after a rollback the previous release runs without it", helpers::not_undone(cx.migration)),
                )
                .with_help(format!("Re-create {} in `downgrade()` with `op.create_index`", helpers::label(name, "the index")))
                .within(op.range)
                .with_remedy(crate::remedy::missing_inverse(cx.migration, at)),
            );
        }
    }
}
