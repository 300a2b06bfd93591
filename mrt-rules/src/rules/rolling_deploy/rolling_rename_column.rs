use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use super::{OLD_RELEASE, check_upgrade_ops};
use crate::helpers::{column_phrase, is_new_column, label, name_of, name_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that renames a column the previous release knows:
    /// `op.alter_column(t, c, new_column_name=n)` (also in a `batch_alter_table` block), SQL
    /// `ALTER TABLE t RENAME COLUMN c TO n`, or Django's `RenameField`. Opt-in: it runs only when
    /// selected (`--select MRT7`, `--select MRT702`).
    /// squawk calls this `renaming-column`.
    ///
    /// ## Why is this bad?
    /// During a rolling deploy the old application code keeps running against the new schema
    /// until every instance is replaced. It still reads and writes the column by its old name,
    /// which no longer exists: its queries fail from the moment the upgrade runs. A rename is
    /// never safe for code that is running, even when the downgrade renames it back (MRT302).
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.alter_column("users", "mail", new_column_name="email")
    /// ```
    ///
    /// Use instead:
    ///
    /// Expand/contract over several releases: add the new column, release code that writes both
    /// and backfill the new one, release code that reads the new one, then drop the old column
    /// in a later release:
    /// ```python
    /// # release N
    /// def upgrade():
    ///     op.add_column("users", sa.Column("email", sa.String(255), nullable=True))
    ///     op.execute("UPDATE users SET email = mail")
    /// # release N+2, once nothing reads `mail`
    /// def upgrade():
    ///     op.drop_column("users", "mail")  # noqa: MRT701 unused since release N+1
    /// ```
    ///
    /// ## Known problems
    /// The rule cannot see the application code. A column added earlier in the same upgrade, or
    /// of a table created there (or, with `--since`, after the release boundary), is unknown to
    /// the previous release and is not reported, nor one of a table renamed earlier in the
    /// upgrade (MRT703 reports the rename). A Django `RenameField` of a field with a
    /// `db_column` set in an earlier migration leaves the column as it is, but is reported.
    pub(crate) struct RollingRenameColumn {
        code: "MRT702",
        name: "rolling-rename-column",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        opt_in: true,
        summary: "renaming a column breaks the previous release while it still runs",
    }
}

impl Rule for RollingRenameColumn {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        check_upgrade_ops(cx, findings, |new_objects, ops, index| {
            let op = &ops[index];
            let OpKind::AlterColumn(alter) = &op.kind else {
                return None;
            };
            if alter.new_name.is_none()
                || is_new_column(new_objects, &alter.table, &alter.column, index)
            {
                return None;
            }
            let column = column_phrase(alter.table.as_ref(), alter.column.as_ref());
            let new_label = label(&alter.new_name, "a new name");
            let old_name = name_of(&alter.column)
                .map_or_else(|| "its old name".to_owned(), |old| format!("`{old}`"));
            Some(
                Finding::new(
                    name_range(&alter.new_name, op),
                    format!("Renaming {column} to {new_label} breaks {OLD_RELEASE}: its queries still name {old_name}"),
                )
                .with_help("Add the new column, write both and backfill, switch reads to it, then drop the old one in a later release"),
            )
        });
    }
}
