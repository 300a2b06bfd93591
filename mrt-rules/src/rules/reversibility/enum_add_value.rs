use mrt_core::ir::OpKind;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{label, name_range, operation_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports SQL `ALTER TYPE e ADD VALUE 'v'` in `upgrade()`, in any layout, with or without
    /// `IF NOT EXISTS` and `BEFORE` / `AFTER`.
    ///
    /// ## Why is this bad?
    /// PostgreSQL has no `ALTER TYPE ... DROP VALUE`: once added, a label stays. The downgrade
    /// cannot simply undo the change; it has to build a new type without the label, convert
    /// every column that uses the type (rewriting rows that hold the label first), and drop the
    /// old type. A downgrade that does not do all that leaves the label behind, and the next
    /// upgrade fails on the duplicate value (unless it says `IF NOT EXISTS`).
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.execute("ALTER TYPE order_status ADD VALUE 'refunded'")
    /// ```
    ///
    /// Use instead:
    ///
    /// Keep the one-way change but make it explicit: write the type swap in `downgrade()` (new
    /// type without the label, `ALTER COLUMN ... TYPE ... USING`, drop the old type), then
    /// suppress with the review recorded:
    /// ```python
    /// def upgrade():
    ///     op.execute("ALTER TYPE order_status ADD VALUE 'refunded'")  # noqa: MRT304 downgrade swaps the type
    /// ```
    ///
    /// ## Known problems
    /// The rule never stays quiet on its own, whatever the downgrade does: that a downgrade's type
    /// swap is right cannot be checked statically, so a reviewed change is suppressed with
    /// `# noqa: MRT304`. On PostgreSQL before 12, `ADD VALUE` also cannot run inside a
    /// transaction block.
    pub(crate) struct EnumAddValue {
        code: "MRT304",
        name: "enum-add-value",
        severity: Error,
        frameworks: [Alembic],
        fix: None,
        summary: "a value added to a PostgreSQL enum cannot be removed again",
    }
}

impl Rule for EnumAddValue {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::AddEnumValue { type_name, value } = &op.kind else {
                continue;
            };
            let described = label(type_name, "an enum type");
            let added = if value.is_empty() {
                "a value".to_owned()
            } else {
                format!("value '{value}'")
            };
            findings.push(
                Finding::new(
                    name_range(type_name, op),
                    format!("Adding {added} to enum type {described} cannot be undone: PostgreSQL cannot remove a value from an enum"),
                )
                .with_help("Write a downgrade that swaps in a type without the value, then suppress with `# noqa: MRT304` once reviewed")
                .within(operation_range(&upgrade.ops, index)),
            );
        }
    }
}
