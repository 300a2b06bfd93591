use mrt_core::ir::OpKind;
use mrt_core::{Finding, Framework, MigrationContext, Rule};

use crate::helpers::{column_label, is_new_table, not_null_changes, operation_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports making a column NOT NULL (`alter_column(t, c, nullable=False)`, SQL
    /// `ALTER COLUMN c SET NOT NULL`, or a Django `AlterField` of a field that was `null=True` to
    /// one that is not) on a table that already holds rows, also when the column was added
    /// earlier in the same upgrade (the table's rows got a NULL in it). squawk calls this
    /// `adding-not-nullable-field`; pytest-mrt's Django code MRT412 is an alias.
    ///
    /// ## Why is this bad?
    /// PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock to check for NULLs: writes
    /// wait for the scan. If a NULL is left anywhere, the migration fails in the middle of the
    /// deploy.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.alter_column("users", "email", nullable=False)
    /// ```
    ///
    /// Use instead:
    ///
    /// Backfill NULLs first; on PostgreSQL 12+, add a `CHECK (email IS NOT NULL) NOT VALID`
    /// constraint, `VALIDATE` it in a later step, then set NOT NULL (the scan is skipped).
    ///
    /// ## Known problems
    /// A column of a table created earlier in the same upgrade is not reported. The
    /// `CHECK ... NOT VALID` pattern above is not recognised. When a Django field with a
    /// `default` becomes NOT NULL, Django first updates the rows holding NULL to the default, so
    /// the upgrade does not fail on them but rewrites them: the message says so. A Django field
    /// whose earlier state no migration here declares is not reported.
    pub(crate) struct SetNotNullOnExistingColumn {
        code: "MRT213",
        name: "set-not-null-on-existing-column",
        aliases: ["MRT412"],
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "setting NOT NULL scans an existing table under lock and fails on NULLs",
    }
}

impl Rule for SetNotNullOnExistingColumn {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let new_objects = cx.facts.new_objects();
        let django = cx.migration.framework == Framework::Django;
        for change in not_null_changes(upgrade) {
            let alter = change.alter;
            // A column added earlier in this upgrade still counts: its table holds rows.
            if is_new_table(new_objects, &alter.table, change.index) {
                continue;
            }
            // Django's AlterField to NOT NULL first runs `UPDATE ... SET c = <default> WHERE c
            // IS NULL` when the field has a default: the NULLs are rewritten, not rejected.
            let fills = django
                && !change.op.context.from_sql
                && change.index.checked_sub(1).is_some_and(|before| {
                    matches!(&upgrade.ops[before].kind, OpKind::UpdateRows { table, .. }
                        if !upgrade.ops[before].context.from_sql && *table == alter.table)
                });
            let column = column_label(alter.table.as_ref(), alter.column.as_ref());
            let message = if fills {
                format!(
                    "Setting {column} NOT NULL scans the whole table under an exclusive lock; Django first rewrites every NULL in it to the field's default"
                )
            } else {
                format!(
                    "Setting {column} NOT NULL scans the whole table under an exclusive lock, and fails if any row is NULL"
                )
            };
            findings.push(
                Finding::new(change.nullable.range, message)
                .with_help("Backfill NULLs first, and on PostgreSQL 12+ validate a `CHECK (c IS NOT NULL) NOT VALID` constraint before setting NOT NULL")
                .within(operation_range(&upgrade.ops, change.index)),
            );
        }
    }
}
