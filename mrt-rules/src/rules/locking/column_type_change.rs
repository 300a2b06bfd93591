use mrt_core::schema::postgres_alters_in_place;
use mrt_core::settings::Dialect;
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{column_label, existing_column_type_change, type_before};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that changes the type of a column of an existing table:
    /// `op.alter_column(..., type_=...)` (also in a batch block), SQL
    /// `ALTER TABLE ... ALTER COLUMN ... [SET DATA] TYPE ...`, or a Django `AlterField` whose field
    /// class or type arguments (`max_length`, `max_digits`, ...) differ from the field's state
    /// before it. squawk calls this `changing-column-type`.
    ///
    /// ## Why is this bad?
    /// Most type changes make PostgreSQL rewrite the whole table and rebuild its indexes while it
    /// holds an `ACCESS EXCLUSIVE` lock: every read and write of the table waits until the rewrite
    /// ends, which on a large table means minutes of downtime. The cast can also fail half-way on a
    /// value that does not convert, and code still running on the old type may break.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.alter_column("events", "payload", type_=postgresql.JSONB(), existing_type=sa.Text())
    /// ```
    ///
    /// Use instead:
    ///
    /// Add a column of the new type, backfill it in batches, switch the code over, then drop the
    /// old column in a later revision. When the change is known not to rewrite and the rule
    /// cannot tell (the type before is unknown), suppress the finding with the reason:
    /// ```python
    /// def upgrade():
    ///     op.alter_column("users", "name", type_=sa.String(200))  # noqa: MRT303 varchar widening, no rewrite
    /// ```
    ///
    /// ## Known problems
    /// On PostgreSQL (the default dialect) the rule stays quiet when it knows the type before (as
    /// the earlier revisions left it, else from `existing_type=`) and the change rewrites
    /// nothing: `VARCHAR(n)` widened to a larger `m` or to no length, `VARCHAR` to `TEXT`, `FLOAT`
    /// to `FLOAT(53)` (both `double precision`), or the same type written another way
    /// (`sa.String(length=50)` for `VARCHAR(50)`). Other casts PostgreSQL does without a rewrite
    /// (`varchar` to `citext`, a `numeric` widened) are still reported, and so is every change
    /// from an unknown type. On other dialects every change is reported: MySQL, for one, rewrites
    /// a `VARCHAR` whose length crosses 255 bytes. A type change on a table created, or a column
    /// added, earlier in the same upgrade is not reported. For Django, a `CharField` made longer or
    /// turned into a `TextField` is not reported (PostgreSQL keeps the rows), and neither is an
    /// `AlterField` of a field whose earlier state no migration here declares.
    pub(crate) struct ColumnTypeChange {
        code: "MRT303",
        name: "column-type-change",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "changing a column's type can rewrite the table under an exclusive lock",
    }
}

impl Rule for ColumnTypeChange {
    // The type a column had before: on PostgreSQL a change from it may rewrite nothing.
    fn uses_schema(&self) -> bool {
        true
    }

    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let new_objects = cx.facts.new_objects();
        for (index, op) in upgrade.ops.iter().enumerate() {
            let Some((alter, type_text)) = existing_column_type_change(new_objects, op, index)
            else {
                continue;
            };
            if cx.settings.dialect == Dialect::Postgresql
                && type_before(cx, alter, index)
                    .is_some_and(|before| postgres_alters_in_place(before, &type_text.value))
            {
                continue;
            }
            let described = column_label(alter.table.as_ref(), alter.column.as_ref());
            findings.push(
                Finding::new(
                    type_text.range,
                    format!(
                        "Changing the type of column {described} to `{}` can rewrite the table and its indexes under an ACCESS EXCLUSIVE lock",
                        type_text.value
                    ),
                )
                .with_help("Add a column of the new type, backfill it and switch over; or suppress with `# noqa: MRT303` once the change is known not to rewrite (e.g. widening a varchar)")
                .within(op.range),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use mrt_core::{Dialect, Settings};

    use super::ColumnTypeChange;

    // Widenings that PostgreSQL does in place; MySQL may rewrite for them.
    const WIDENINGS: &str = r#"
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.alter_column("users", "name", type_=sa.String(300), existing_type=sa.String(50))
    op.alter_column("users", "bio", type_=sa.Text(), existing_type=sa.String(500))


def downgrade():
    op.alter_column("users", "bio", type_=sa.String(500), existing_type=sa.Text())
    op.alter_column("users", "name", type_=sa.String(50), existing_type=sa.String(300))
"#;

    fn codes(dialect: Dialect) -> Vec<&'static str> {
        let mut settings = Settings::default();
        settings.dialect = dialect;
        crate::helpers::codes_under(&ColumnTypeChange, WIDENINGS, settings)
    }

    #[test]
    fn widenings_are_quiet_on_postgresql_only() {
        assert_eq!(codes(Dialect::Postgresql), Vec::<&str>::new());
        assert_eq!(codes(Dialect::Mysql), ["MRT303", "MRT303"]);
        assert_eq!(codes(Dialect::Generic), ["MRT303", "MRT303"]);
    }
}
