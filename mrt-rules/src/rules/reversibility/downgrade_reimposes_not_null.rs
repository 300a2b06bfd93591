use mrt_core::ir::{AlterColumn, OpKind, Operation};
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{column_label, name_of, same_name};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a downgrade that makes NOT NULL again a column its upgrade made nullable:
    /// `alter_column(t, c, nullable=False)` or SQL `ALTER COLUMN c SET NOT NULL` in `downgrade()`
    /// after `nullable=True` / `DROP NOT NULL` in `upgrade()`, and a Django `AlterField` that
    /// makes a NOT NULL field `null=True` (Django's reverse of it sets NOT NULL again).
    ///
    /// ## Why is this bad?
    /// Between the upgrade and the rollback the application may write NULLs into the column: the
    /// rollback then fails on them, in the middle of an incident, when a rollback is needed most.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.alter_column("users", "phone", nullable=True)
    ///
    /// def downgrade():
    ///     op.alter_column("users", "phone", nullable=False)
    /// ```
    ///
    /// Use instead:
    ///
    /// Fill the NULLs before re-imposing the constraint:
    /// ```python
    /// def downgrade():
    ///     op.execute("UPDATE users SET phone = '' WHERE phone IS NULL")
    ///     op.alter_column("users", "phone", nullable=False)  # noqa: MRT109 NULLs filled above
    /// ```
    ///
    /// ## Known problems
    /// An `UPDATE` that fills the NULLs before the change is not recognised: say so in a
    /// `# noqa: MRT109` comment. A Django field whose earlier state no migration here declares is
    /// not reported.
    pub(crate) struct DowngradeReimposesNotNull {
        code: "MRT109",
        name: "downgrade-reimposes-not-null",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "a downgrade re-imposing NOT NULL fails on NULLs written since the upgrade",
    }
}

/// The `AlterColumn` of an operation that sets `nullable` to `value`.
fn sets_nullable(op: &Operation, value: bool) -> Option<&AlterColumn> {
    match &op.kind {
        OpKind::AlterColumn(alter)
            if alter
                .nullable
                .as_ref()
                .is_some_and(|nullable| nullable.value == value) =>
        {
            Some(alter)
        }
        _ => None,
    }
}

fn same_column(a: &AlterColumn, b: &AlterColumn) -> bool {
    match (name_of(&b.table), name_of(&b.column)) {
        (Some(table), Some(column)) => same_name(&a.table, table) && same_name(&a.column, column),
        _ => false,
    }
}

impl Rule for DowngradeReimposesNotNull {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let help = "Fill the NULLs (`UPDATE ... WHERE c IS NULL`) before re-imposing NOT NULL, or leave the column nullable in the downgrade";
        // A framework that derives the downgrade (Django) reverses each operation itself: read
        // what the operation says the column was.
        if !cx.migration.writes_downgrade() {
            // Django reverses the AlterField itself: read what the state says it was.
            for op in &upgrade.ops {
                let Some(alter) = sets_nullable(op, true) else {
                    continue;
                };
                // Only a field the state says was NOT NULL: its reverse re-imposes it.
                let was_not_null = alter
                    .existing_nullable
                    .as_ref()
                    .is_some_and(|was| !was.value);
                if op.context.from_sql || !was_not_null {
                    continue;
                }
                let Some(nullable) = &alter.nullable else {
                    continue;
                };
                findings.push(
                    Finding::new(
                        nullable.range,
                        format!(
                            "Undoing this migration makes {} NOT NULL again: it fails on the NULLs written since",
                            column_label(alter.table.as_ref(), alter.column.as_ref())
                        ),
                    )
                    .with_help(help)
                    .within(op.range),
                );
            }
            return;
        }
        let Some(downgrade) = &cx.migration.downgrade else {
            return;
        };
        for op in &downgrade.ops {
            let Some(alter) = sets_nullable(op, false) else {
                continue;
            };
            let made_nullable = upgrade.ops.iter().any(|earlier| {
                sets_nullable(earlier, true)
                    .is_some_and(|upgrade_alter| same_column(upgrade_alter, alter))
            });
            let Some(nullable) = alter.nullable.as_ref().filter(|_| made_nullable) else {
                continue;
            };
            findings.push(
                Finding::new(
                    nullable.range,
                    format!(
                        "The downgrade makes {} NOT NULL again: it fails on the NULLs written since the upgrade",
                        column_label(alter.table.as_ref(), alter.column.as_ref())
                    ),
                )
                .with_help(help)
                .within(op.range),
            );
        }
    }
}
