use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{column_label, not_null_on_existing_columns, operation_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports making an existing column NOT NULL (`alter_column(t, c, nullable=False)`, or SQL
    /// `ALTER COLUMN c SET NOT NULL`) on a table that already holds rows.
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
    /// A column added, or a table created, earlier in the same upgrade is not reported. The
    /// `CHECK ... NOT VALID` pattern above is not recognised.
    pub(crate) struct SetNotNullOnExistingColumn {
        code: "MRT213",
        name: "set-not-null-on-existing-column",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "setting NOT NULL scans an existing table under lock and fails on NULLs",
    }
}

impl Rule for SetNotNullOnExistingColumn {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        for change in not_null_on_existing_columns(upgrade, cx.facts.created_in_upgrade()) {
            let alter = change.alter;
            findings.push(
                Finding::new(
                    change.nullable.range,
                    format!(
                        "Setting {} NOT NULL scans the whole table under an exclusive lock, and fails if any row is NULL",
                        column_label(alter.table.as_ref(), alter.column.as_ref())
                    ),
                )
                .with_help("Backfill NULLs first, and on PostgreSQL 12+ validate a `CHECK (c IS NOT NULL) NOT VALID` constraint before setting NOT NULL")
                .within(operation_range(&upgrade.ops, change.index)),
            );
        }
    }
}
