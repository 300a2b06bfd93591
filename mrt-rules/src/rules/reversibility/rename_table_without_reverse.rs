use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{self, ReverseCheck};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that renames a table (`op.rename_table(old, new)` or SQL
    /// `ALTER TABLE old RENAME TO new`) whose downgrade does not rename `new` back to `old`.
    /// squawk calls this `renaming-table`.
    ///
    /// ## Why is this bad?
    /// After `alembic downgrade` the table still has its new name, while the code of the previous
    /// release queries the old one: every query on it fails, and re-running the upgrade fails too
    /// because `old` no longer exists.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.rename_table("customer", "customers")
    ///     op.create_index("ix_customers_email", "customers", ["email"])
    ///
    /// def downgrade():
    ///     op.drop_index("ix_customers_email", table_name="customers")
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.drop_index("ix_customers_email", table_name="customers")
    ///     op.rename_table("customers", "customer")
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` adds `op.rename_table(new, old)` to the existing `downgrade()`, placed where the
    /// reverse order of the upgrade puts it: after the statements that undo later operations, else
    /// at the top of the body. The fix is safe: the names are the upgrade's own.
    ///
    /// ## Known problems
    /// The reverse is matched by name, case-insensitively: a downgrade that renames the table
    /// through a name the linter cannot read (a variable built at run time) is not recognised;
    /// names computed the ways the linter reads (`op.f()`, constants, `+` and f-strings, a loop
    /// over the same literal tuple as the upgrade's) match. A
    /// table created earlier in the same upgrade is not reported: its downgrade drops it. Nor is a
    /// table set aside to be rebuilt (SQLite: renamed to `t_old`, a new `t` created and filled
    /// from it, `t_old` dropped): the table keeps its name. A
    /// downgrade that only raises is left to MRT804; a missing or empty one (`pass`) is reported
    /// here too, beside MRT101 or MRT102, and the message says which.
    pub(crate) struct RenameTableWithoutReverse {
        code: "MRT301",
        name: "rename-table-without-reverse",
        severity: Error,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Rename the table back in `downgrade()`",
        summary: "a table rename that the downgrade does not undo",
    }
}

impl Rule for RenameTableWithoutReverse {
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
            let OpKind::RenameTable { old, new } = &op.kind else {
                continue;
            };
            if let Some(old) = helpers::name_of(old)
                && new_objects.table_before(old, index)
            {
                continue;
            }
            if helpers::renames_table_back(old, new, downgrade)
                || helpers::set_aside_for_rebuild(&upgrade.ops, index)
            {
                continue;
            }
            let table = helpers::named_or_quoted("table", old, op, &cx.migration.source.text);
            let new_label = helpers::label(new, "a new name");
            let help = match (helpers::name_of(old), helpers::name_of(new)) {
                (Some(old), Some(new)) => {
                    format!("Add `op.rename_table(\"{new}\", \"{old}\")` to `downgrade()`")
                }
                _ => "Rename the table back to its old name in `downgrade()`".to_owned(),
            };
            findings.push(
                Finding::new(
                    helpers::name_range(old, op),
                    format!("Renaming {table} to {new_label} {}: after a rollback the table keeps its new name and the previous release cannot find it", helpers::not_undone(cx.migration)),
                )
                .with_help(help)
                .within(op.range)
                .with_remedy(crate::remedy::missing_inverse(cx.migration, index)),
            );
        }
    }
}
