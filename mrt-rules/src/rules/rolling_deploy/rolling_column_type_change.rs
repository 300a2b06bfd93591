use mrt_core::schema::{same_type, widens_string};
use mrt_core::{Finding, Framework, MigrationContext, Rule};

use super::{OLD_RELEASE, check_upgrade_ops};
use crate::helpers::{column_label, existing_column_type_change, type_before};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that changes the type of a column the previous release knows:
    /// `op.alter_column(..., type_=...)` (also in a `batch_alter_table` block), SQL
    /// `ALTER TABLE ... ALTER COLUMN ... [SET DATA] TYPE`, or a Django `AlterField` whose field
    /// class differs from the one the earlier migrations gave the field. Opt-in: it runs only when
    /// selected (`--select MRT7`, `--select MRT705`).
    ///
    /// ## Why is this bad?
    /// During a rolling deploy the old application code keeps running against the new schema
    /// until every instance is replaced. It still reads and writes the old type: values it writes
    /// may no longer convert (text into a `jsonb` or an integer column), values it reads may not
    /// parse (an integer that became a string, a wider number that overflows its type), and
    /// comparisons and casts in its queries may stop type-checking.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.alter_column("events", "payload", type_=postgresql.JSONB(), existing_type=sa.Text())
    /// ```
    ///
    /// Use instead:
    ///
    /// Expand/contract over several releases: add a column of the new type, release code that
    /// writes both and backfill the new one, switch reads to it, then drop the old column in a
    /// later release:
    /// ```python
    /// def upgrade():
    ///     op.add_column("events", sa.Column("payload_json", postgresql.JSONB(), nullable=True))
    /// ```
    ///
    /// ## Known problems
    /// The type before is the one the earlier revisions left, else the one `existing_type=`
    /// states. A `type_=` that restates it (`sa.Text` for `sa.Text()`, `sa.String(length=50)`
    /// for `VARCHAR(50)`), as a rename for MySQL must, is not reported, nor one that only widens
    /// a string (a longer `VARCHAR`, `VARCHAR` to `TEXT`): the old code's values still fit.
    /// Other changes the old code may tolerate, like `integer` to `bigint`, are reported, and so
    /// is any change from a type the rule cannot read (a project's `TypeDecorator`) or from an
    /// unknown type. A Django `AlterField` restates the whole field, so it is reported only when
    /// the replay of the earlier migrations knows the field's previous class and it differs; a
    /// change of `max_length` or other options of the same class is not reported, and neither is
    /// a field the earlier migrations never defined. A column added, or a table created, earlier
    /// in the same upgrade (or, with `--since`, after the release boundary) is not reported, nor
    /// one of a table renamed earlier in the upgrade (MRT703 reports the rename).
    pub(crate) struct RollingColumnTypeChange {
        code: "MRT705",
        name: "rolling-column-type-change",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        opt_in: true,
        summary: "changing a column's type can break the previous release while it still runs",
    }
}

impl Rule for RollingColumnTypeChange {
    // The type a column had before: a Django `AlterField` is a type change only against it.
    fn uses_schema(&self) -> bool {
        true
    }

    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let django = cx.migration.framework == Framework::Django;
        check_upgrade_ops(cx, findings, |new_objects, ops, index| {
            let op = &ops[index];
            let (alter, type_text) = existing_column_type_change(new_objects, op, index)?;
            let before = type_before(cx, alter, index);
            // `AlterField` restates the whole field: only another field class changes the type,
            // and without the previous class nothing says it changed. Elsewhere the type given
            // may restate the old one, or only widen a string, which the old code's values fit.
            let harmless = if django && !op.context.from_sql {
                before.is_none_or(|before| class_name(before) == class_name(&type_text.value))
            } else {
                before.is_some_and(|before| {
                    same_type(before, &type_text.value) || widens_string(before, &type_text.value)
                })
            };
            if harmless {
                return None;
            }
            let described = column_label(alter.table.as_ref(), alter.column.as_ref());
            let from = before
                .map(|before| format!(" from `{before}`"))
                .unwrap_or_default();
            Some(
                Finding::new(
                    type_text.range,
                    format!(
                        "Changing the type of column {described}{from} to `{}` can break {OLD_RELEASE}: it still reads and writes the old type",
                        type_text.value
                    ),
                )
                .with_help("Add a column of the new type, write both and backfill, switch reads to it, then drop the old one in a later release"),
            )
        });
    }
}

/// A Django field's class without its module: `models.CharField` and `CharField` are one class.
fn class_name(type_text: &str) -> &str {
    type_text.rsplit('.').next().unwrap_or(type_text).trim()
}
