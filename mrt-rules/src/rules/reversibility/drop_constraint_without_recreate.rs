use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers;

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that drops a unique, check or primary-key constraint
    /// (`op.drop_constraint(name, t)` or SQL `ALTER TABLE t DROP CONSTRAINT name`) whose downgrade
    /// does not create a constraint of that name on `t`.
    ///
    /// ## Why is this bad?
    /// After a rollback the previous release runs without the rule the database used to enforce
    /// for it: duplicates or invalid values go in silently, and re-adding the constraint later
    /// fails on them.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.drop_constraint("uq_users_email", "users", type_="unique")
    ///     op.create_index("ix_users_email", "users", ["email"])
    ///
    /// def downgrade():
    ///     op.drop_index("ix_users_email", table_name="users")
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.drop_index("ix_users_email", table_name="users")
    ///     op.create_unique_constraint("uq_users_email", "users", ["email"])
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` adds `op.create_unique_constraint` / `create_check_constraint` /
    /// `create_primary_key` to the existing `downgrade()`, with the definition the earlier
    /// revisions gave the constraint, placed where the reverse order of the upgrade puts it: after
    /// the statements that undo later operations, else at the top of the body. The fix is safe when
    /// a revision mrt read defines the constraint (a check constraint with its condition);
    /// otherwise the step is a `# TODO(mrt):` note and the fix is only displayed.
    ///
    /// ## Known problems
    /// A foreign key (`type_="foreignkey"`) is reported by MRT205 and a drop inside
    /// `batch_alter_table` by MRT410. SQL `DROP CONSTRAINT` does not say what kind of constraint it
    /// drops, so a foreign key dropped that way is reported here. The constraint is matched by name
    /// and table; its definition is not compared. A downgrade that only raises is left to MRT804; a
    /// missing or empty one (`pass`) is reported here too, beside MRT101 or MRT102, and the message
    /// says which. A constraint the upgrade re-creates after dropping it (to change its
    /// definition), or a unique constraint it replaces by a unique constraint or index on the
    /// same columns under another name (its columns known from the earlier revisions), is kept,
    /// and not reported; whether its definition is restored is MRT801's. The
    /// downgrade's re-creation may name the table as it is after renaming it back, and its name
    /// may be computed the ways the linter reads (`op.f()`, `batch_op.f()`, constants, f-strings
    /// in a loop over a literal tuple).
    pub(crate) struct DropConstraintWithoutRecreate {
        code: "MRT409",
        name: "drop-constraint-without-recreate",
        severity: Warning,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Re-create the constraint in `downgrade()`",
        summary: "a dropped constraint that the downgrade does not re-create",
    }
}

impl Rule for DropConstraintWithoutRecreate {
    // The columns of a dropped unique constraint: a replacement on them keeps it.
    fn uses_schema(&self) -> bool {
        true
    }

    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        for (index, op, name, table) in
            helpers::unrecreated_constraint_drops(cx, |op, foreign_key| {
                op.context.batch.is_none() && !foreign_key
            })
        {
            let constraint =
                helpers::named_or_quoted("constraint", name, op, &cx.migration.source.text);
            let on = helpers::label(table, "its table");
            findings.push(
                Finding::new(
                    helpers::name_range(name, op),
                    format!(
                        "Dropping {constraint} on {on} {}: after a rollback nothing enforces it",
                        helpers::not_undone(cx.migration)
                    ),
                )
                .with_help(format!(
                    "Re-create {} on {on} in `downgrade()`",
                    helpers::label(name, "the constraint")
                ))
                .within(op.range)
                .with_remedy(crate::remedy::missing_inverse(cx.migration, index)),
            );
        }
    }
}
