use mrt_core::ir::{OpKind, SqlText};
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers;

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that drops a foreign key (`drop_constraint(name, t, type_="foreignkey")`,
    /// its batch form, or SQL `ALTER TABLE t DROP CONSTRAINT name` of a foreign key) that the
    /// downgrade does not re-create by name.
    ///
    /// ## Why is this bad?
    /// After a rollback nothing enforces the reference any more: the previous release can write
    /// orphaned rows, and re-creating the key later fails once they exist. Cascading deletes the
    /// old code relied on silently stop.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.drop_constraint("fk_orders_user", "orders", type_="foreignkey")
    ///
    /// def downgrade():
    ///     pass
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.create_foreign_key("fk_orders_user", "orders", "users", ["user_id"], ["id"])
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` adds `op.create_foreign_key(...)` to the existing `downgrade()`, with the columns,
    /// referred table and `ondelete` the earlier revisions gave the key (the referred columns are
    /// the referred table's primary key), placed where the reverse order of the upgrade puts it:
    /// after the statements that undo later operations, else at the top of the body; inside a
    /// `batch_alter_table` block when the drop was in one. The fix is safe when all of that is
    /// known; otherwise the step is a `# TODO(mrt):` note and the fix is only displayed.
    ///
    /// ## Known problems
    /// When the kind is not given (SQL, or `drop_constraint` without `type_`), a foreign key is
    /// recognised by its name: `fk_...`, `..._fkey` (PostgreSQL's default) or `..._fk`. Other
    /// constraint drops are MRT409's and MRT410's. A downgrade that only raises is left to MRT804; a
    /// missing or empty one (`pass`) is reported here too, beside MRT101 or MRT102, and the message
    /// says which. A downgrade that runs SQL the linter cannot model (built at run time, a `DO`
    /// block) is not judged, since that SQL may re-create the key. A key whose name the migration
    /// reads at run time (from the database's catalogue) counts as re-created when the downgrade
    /// creates a foreign key on the same table. So does a key the downgrade re-creates unnamed
    /// when PostgreSQL names it as the one dropped (`<table>_<column>_fkey`). A constraint the upgrade re-creates after dropping
    /// it (to change its definition) is kept, and not reported; whether its definition is restored
    /// is MRT801's. The downgrade's re-creation may name the table as it is after renaming it back,
    /// and its name may be computed the ways the linter reads (`op.f()`, `batch_op.f()`,
    /// constants, f-strings in a loop over a literal tuple).
    pub(crate) struct DropForeignKeyWithoutRestore {
        code: "MRT205",
        name: "drop-foreign-key-without-restore",
        severity: Error,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Re-create the foreign key in `downgrade()`",
        summary: "a dropped foreign key that the downgrade does not re-create",
    }
}

impl Rule for DropForeignKeyWithoutRestore {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        // A downgrade running SQL the linter cannot model (built at run time, a `DO $$ ... $$`
        // block) may well re-create the key: an error must not be claimed on a guess.
        let opaque = helpers::ops_of(cx.migration.downgrade.as_ref())
            .iter()
            .any(|op| {
                matches!(
                    &op.kind,
                    OpKind::Sql {
                        text: SqlText::Unreadable(_),
                        ..
                    } | OpKind::OtherSql { .. }
                )
            });
        if opaque {
            return;
        }
        for (index, op, name, table) in
            helpers::unrecreated_constraint_drops(cx, |_, foreign_key| foreign_key)
        {
            let key = helpers::named_or_quoted("foreign key", name, op, &cx.migration.source.text);
            let on = helpers::label(table, "its table");
            findings.push(
                Finding::new(
                    helpers::name_range(name, op),
                    format!("Dropping {key} on {on} {}: after a rollback nothing enforces the reference", helpers::not_undone(cx.migration)),
                )
                .with_help(format!("Re-create {} on {on} in `downgrade()` with `op.create_foreign_key`", helpers::label(name, "the foreign key")))
                .within(op.range)
                .with_remedy(crate::remedy::missing_inverse(cx.migration, index)),
            );
        }
    }
}
