use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use super::{OLD_RELEASE, check_upgrade_ops};
use crate::helpers::{
    dropped_after_rebuild, is_new_table, label, name_range, named_or_quoted, replaced_by_copy,
    set_aside_for_rebuild,
};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that drops or renames a table the previous release knows:
    /// `op.drop_table`, `op.rename_table`, SQL `DROP TABLE` and `ALTER TABLE ... RENAME TO`, or
    /// Django's `DeleteModel`, `RenameModel` and `AlterModelTable`. Opt-in: it runs only when
    /// selected (`--select MRT7`, `--select MRT703`).
    /// squawk calls this `renaming-table`.
    ///
    /// ## Why is this bad?
    /// During a rolling deploy the old application code keeps running against the new schema
    /// until every instance is replaced. It still queries the table by its old name, which no
    /// longer exists: every query on it fails from the moment the upgrade runs.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.rename_table("customer", "customers")
    /// ```
    ///
    /// Use instead:
    ///
    /// Expand/contract over several releases. To drop a table, first release code that no longer
    /// uses it, then drop it in a later release. To rename one, create the new table, release
    /// code that writes both and backfill, switch reads, then drop the old table later; or, on
    /// PostgreSQL, rename it and leave a simple (updatable) view under the old name until the old
    /// code is gone:
    /// ```python
    /// def upgrade():
    ///     op.rename_table("customer", "customers")  # noqa: MRT703 view `customer` keeps old code working
    ///     op.execute("CREATE VIEW customer AS SELECT * FROM customers")
    /// ```
    ///
    /// ## Known problems
    /// The rule cannot see the application code: it reports a drop even when the previous
    /// release already stopped using the table, and a rename covered by a view. A table created
    /// earlier in the same upgrade (or, with `--since`, after the release boundary) is unknown to
    /// the previous release and is not reported; nor is the SQLite copy-and-swap of a rebuild
    /// (`DROP TABLE t` then a copy renamed to `t`, or `t` renamed aside, re-created, filled from
    /// the old copy, and that dropped), which leaves a table named `t`. A table
    /// renamed twice in one upgrade is reported once, at the first rename.
    pub(crate) struct RollingDropOrRenameTable {
        code: "MRT703",
        name: "rolling-drop-or-rename-table",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        opt_in: true,
        summary: "dropping or renaming a table breaks the previous release while it still runs",
    }
}

impl Rule for RollingDropOrRenameTable {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        check_upgrade_ops(cx, findings, |new_objects, ops, index| {
            let op = &ops[index];
            let (table, message, help) = match &op.kind {
                OpKind::DropTable { table } => {
                    if let Some(name) = table
                        && (replaced_by_copy(ops, index, &name.value)
                            || dropped_after_rebuild(ops, index, &name.value))
                    {
                        return None;
                    }
                    (
                        table,
                        format!(
                            "Dropping {} breaks {OLD_RELEASE}: its queries on the table fail",
                            named_or_quoted("table", table, op, &cx.migration.source.text)
                        ),
                        "Release code that no longer uses the table first, then drop it in a later release",
                    )
                }
                OpKind::RenameTable { .. } if set_aside_for_rebuild(ops, index) => return None,
                OpKind::RenameTable { old, new } => (
                    old,
                    format!(
                        "Renaming {} to {} breaks {OLD_RELEASE}: its queries still name {}",
                        named_or_quoted("table", old, op, &cx.migration.source.text),
                        label(new, "a new name"),
                        label(old, "the old name"),
                    ),
                    "Create the new table, write both and backfill, switch reads, then drop the old one in a later release; or leave a view under the old name",
                ),
                _ => return None,
            };
            if is_new_table(new_objects, table, index) {
                return None;
            }
            Some(Finding::new(name_range(table, op), message).with_help(help))
        });
    }
}
