use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers;

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports `batch_op.drop_constraint(name)` inside `with op.batch_alter_table(t)` in an
    /// upgrade whose downgrade does not create a constraint of that name on `t` again.
    ///
    /// ## Why is this bad?
    /// On SQLite the batch block rebuilds the table without the constraint; on other databases it
    /// is a plain drop. Either way, after a rollback the previous release runs without the rule the
    /// database enforced for it, and duplicates or invalid values go in silently.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     with op.batch_alter_table("users") as batch_op:
    ///         batch_op.drop_constraint("uq_users_email", type_="unique")
    ///         batch_op.alter_column("email", nullable=False)
    ///
    /// def downgrade():
    ///     with op.batch_alter_table("users") as batch_op:
    ///         batch_op.alter_column("email", nullable=True)
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     with op.batch_alter_table("users") as batch_op:
    ///         batch_op.alter_column("email", nullable=True)
    ///         batch_op.create_unique_constraint("uq_users_email", ["email"])
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` adds the constraint back in a `batch_alter_table` block of the existing
    /// `downgrade()`, with the definition the earlier revisions gave it, placed where the reverse
    /// order of the upgrade puts it: after the statements that undo later operations, else at the
    /// top of the body. The fix is safe when a revision mrt read defines the constraint; otherwise
    /// the step is a `# TODO(mrt):` note and the fix is only displayed.
    ///
    /// ## Known problems
    /// A foreign key (`type_="foreignkey"`) is reported by MRT205, in a batch block or not, and a
    /// drop outside a batch block by MRT409. The constraint is matched by name and table; its
    /// definition is not compared. A downgrade that only raises is left to MRT804; a missing or
    /// empty one (`pass`) is reported here too, beside MRT101 or MRT102, and the message says
    /// which. A constraint the upgrade re-creates after dropping it (to change its
    /// definition), or a unique constraint it replaces by a unique constraint or index on the
    /// same columns under another name (its columns known from the earlier revisions), is kept,
    /// and not reported; whether its definition is restored is MRT801's. The
    /// downgrade's re-creation may name the table as it is after renaming it back, and its name
    /// may be computed the ways the linter reads (`op.f()`, `batch_op.f()`, constants, f-strings
    /// in a loop over a literal tuple).
    pub(crate) struct DropConstraintInBatch {
        code: "MRT410",
        name: "drop-constraint-in-batch",
        severity: Warning,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Re-create the constraint in `downgrade()`",
        summary: "a batch drop_constraint that the downgrade does not re-create",
    }
}

impl Rule for DropConstraintInBatch {
    // The columns of a dropped unique constraint: a replacement on them keeps it.
    fn uses_schema(&self) -> bool {
        true
    }

    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        for (index, op, name, table) in
            helpers::unrecreated_constraint_drops(cx, |op, foreign_key| {
                op.context.batch.is_some() && !foreign_key
            })
        {
            let constraint =
                helpers::named_or_quoted("constraint", name, op, &cx.migration.source.text);
            let on = helpers::label(table, "its table");
            findings.push(
                Finding::new(
                    helpers::name_range(name, op),
                    format!("Dropping {constraint} on {on} in a batch block {}: after a rollback nothing enforces it", helpers::not_undone(cx.migration)),
                )
                .with_help(format!("Re-create {} on {on} in `downgrade()`, inside `batch_alter_table` on SQLite", helpers::label(name, "the constraint")))
                .within(op.range)
                .with_remedy(crate::remedy::missing_inverse(cx.migration, index)),
            );
        }
    }
}
