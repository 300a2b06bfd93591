use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{label, name_range, operation_range, renamed_model_before};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a Django migration that renames a model (`RenameModel`) and, later in the same
    /// migration, removes a field of the renamed model (`RemoveField`) or deletes it
    /// (`DeleteModel`). The code is pytest-mrt's.
    ///
    /// ## Why is this bad?
    /// The autodetector writes this pair when a model was renamed and changed at once, and the
    /// data of the removed field is lost with it. Undone, the migration adds the field back empty
    /// before renaming the model back: a rollback does not restore what the upgrade deleted, and a
    /// reviewer who reads "rename" easily misses the drop.
    ///
    /// ## Example
    /// ```python
    /// operations = [
    ///     migrations.RenameModel("Customer", "Client"),
    ///     migrations.RemoveField("client", "notes"),
    /// ]
    /// ```
    ///
    /// Use instead:
    ///
    /// Rename in one migration; drop the field in a later one, once its data is moved or backed
    /// up, so that each step can be reviewed and rolled back on its own:
    /// ```python
    /// operations = [migrations.RenameModel("Customer", "Client")]
    /// # a later migration, after the data is moved
    /// operations = [migrations.RemoveField("client", "notes")]
    /// ```
    ///
    /// ## Known problems
    /// A model with its own `db_table` keeps its table when renamed: Django renames nothing, so
    /// the drop that follows is reported as a plain drop (MRT201 / MRT202) instead.
    pub(crate) struct RenameModelWithDataLoss {
        code: "MRT305",
        name: "rename-model-with-data-loss",
        severity: Error,
        frameworks: [Django],
        fix: None,
        summary: "a model renamed and stripped of a field in one migration loses that field's data",
    }
}

impl Rule for RenameModelWithDataLoss {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        for (index, op) in upgrade.ops.iter().enumerate() {
            let (table, dropped) = match &op.kind {
                OpKind::DropColumn { table, column } => (table, column),
                OpKind::DropTable { table } => (table, table),
                _ => continue,
            };
            let Some(table_name) = table.as_ref() else {
                continue;
            };
            if op.context.from_sql
                || renamed_model_before(cx, &upgrade.ops, index, &table_name.value).is_none()
            {
                continue;
            }
            let what = if matches!(op.kind, OpKind::DropTable { .. }) {
                format!(
                    "deletes the renamed model's table {}",
                    label(table, "its table")
                )
            } else {
                format!(
                    "drops column {} of the renamed model's table {}",
                    label(dropped, "a column"),
                    label(table, "its table")
                )
            };
            findings.push(
                Finding::new(
                    name_range(dropped, op),
                    format!("This migration renames a model and then {what}: the data is lost, and undoing the migration does not bring it back"),
                )
                .with_help("Rename the model in one migration and remove the field in a later one, after its data is moved or backed up")
                .within(operation_range(&upgrade.ops, index)),
            );
        }
    }
}
