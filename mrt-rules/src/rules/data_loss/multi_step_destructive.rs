use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{MultiSteps, column_label, operation_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that, on one table, adds a column, rewrites the table with `UPDATE`, and
    /// then drops a column that held data: the whole expand/backfill/contract sequence in a single
    /// revision. The finding is at the drop.
    ///
    /// ## Why is this bad?
    /// The old column is dropped in the same deploy that introduces its replacement. Code still
    /// reading it breaks the moment the revision runs, and nothing checks the backfill before the
    /// source of truth is gone. A downgrade can re-create the old column but not its values,
    /// unless it reverses the transformation exactly. On a database without transactional DDL
    /// (MySQL), a failure halfway leaves the table half-migrated.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.add_column("users", sa.Column("full_name", sa.Text()))
    ///     op.execute("UPDATE users SET full_name = first_name || ' ' || last_name")
    ///     op.drop_column("users", "first_name")
    /// ```
    ///
    /// Use instead:
    ///
    /// Split the sequence: add and backfill the new column in one revision, switch the code to it,
    /// and drop the old column in a later revision once the backfill is verified:
    /// ```python
    /// # revision 1
    /// def upgrade():
    ///     op.add_column("users", sa.Column("full_name", sa.Text()))
    ///     op.execute("UPDATE users SET full_name = first_name || ' ' || last_name")
    ///
    /// # revision 2, deployed later
    /// def upgrade():
    ///     op.drop_column("users", "first_name")  # noqa: MRT201 full_name verified in prod
    /// ```
    ///
    /// ## Known problems
    /// MRT201 and MRT206 stay quiet on the drop, and MRT103 on the `UPDATE`s of the sequence, so
    /// the sequence is reported once. The steps must come in this order and touch the same table;
    /// a column that was itself added in the upgrade holds no data and ends no sequence. An
    /// `UPDATE` written with SQLAlchemy (`op.execute(users.update()...)`) or built at run time is
    /// not read, so its sequence is reported as a plain drop (MRT201).
    pub(crate) struct MultiStepDestructive {
        code: "MRT208",
        name: "multi-step-destructive",
        severity: Error,
        frameworks: [Alembic],
        fix: None,
        summary: "adding, backfilling and dropping columns of one table in one revision loses the old data",
    }
}

impl Rule for MultiStepDestructive {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let steps = MultiSteps::of(upgrade, cx.facts.created_in_upgrade());
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::DropColumn { table, column } = &op.kind else {
                continue;
            };
            let Some(step) = steps.ending_at(index) else {
                continue;
            };
            let added = match upgrade.ops.get(step.add).map(|add| &add.kind) {
                Some(OpKind::AddColumn { table, column }) => {
                    column_label(table.as_ref(), column.name.as_ref())
                }
                _ => "a column".to_owned(),
            };
            let dropped = column_label(table.as_ref(), column.as_ref());
            let table = crate::helpers::label(table, "the table");
            let range = column.as_ref().map_or(op.range, |column| column.range);
            findings.push(
                Finding::new(
                    range,
                    format!("Column {dropped} is dropped in the same upgrade that adds {added} and rewrites {table} with `UPDATE`: if the backfill is wrong, the old values are gone"),
                )
                .with_help("Add and backfill in this revision, and drop the old column in a later one once the new column is verified")
                .within(operation_range(&upgrade.ops, index)),
            );
        }
    }
}
