use mrt_core::ir::{ConstraintKind, Name, OpKind};
use mrt_core::{Dialect, Finding, Framework, MigrationContext, Rule};

use crate::helpers::{is_new_table, label, name_of, name_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a foreign key or check constraint added to an existing table without `NOT VALID`:
    /// `op.create_foreign_key(...)` / `op.create_check_constraint(...)` without
    /// `postgresql_not_valid=True`, a column with a foreign key given to `add_column`, SQL
    /// `ALTER TABLE ... ADD [CONSTRAINT ...] FOREIGN KEY | CHECK ...` and
    /// `ADD COLUMN ... REFERENCES ...` without `NOT VALID`, and Django's `AddField` of a
    /// `ForeignKey` / `OneToOneField` (unless `db_constraint=False`) or
    /// `AddConstraint(CheckConstraint(...))`. Only when the configured dialect is PostgreSQL.
    /// squawk calls this `adding-foreign-key-constraint` and `constraint-missing-not-valid`.
    ///
    /// ## Why is this bad?
    /// PostgreSQL checks every row already in the table before the constraint is in place, while
    /// it holds a lock that blocks writes: `SHARE ROW EXCLUSIVE` on both tables of a foreign key,
    /// `ACCESS EXCLUSIVE` for a check constraint. On a large table the deploy stalls every write
    /// for the length of the scan.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.create_foreign_key("fk_orders_user", "orders", "users", ["user_id"], ["id"])
    /// ```
    ///
    /// Use instead:
    ///
    /// Add the constraint `NOT VALID` (new and updated rows are checked at once, no scan), then
    /// validate it in a later migration: `VALIDATE CONSTRAINT` scans without blocking writes.
    /// ```python
    /// def upgrade():
    ///     op.create_foreign_key(
    ///         "fk_orders_user", "orders", "users", ["user_id"], ["id"], postgresql_not_valid=True
    ///     )
    ///
    /// # a later revision
    /// def upgrade():
    ///     op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user")
    /// ```
    /// Django cannot add a constraint `NOT VALID`: declare the field with `db_constraint=False`,
    /// then add and validate the constraint with `RunSQL`.
    ///
    /// ## Known problems
    /// A constraint of a table created earlier in the same upgrade is not reported: the table is
    /// empty. A column added with a foreign key holds only NULLs (or its default), so its scan
    /// finds nothing to reject, but it still reads every row under the lock.
    pub(crate) struct AddConstraintWithoutNotValid {
        code: "MRT415",
        name: "add-constraint-without-not-valid",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "a foreign key or check constraint added to an existing table scans it under lock",
    }
}

impl Rule for AddConstraintWithoutNotValid {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        if cx.settings.dialect != Dialect::Postgresql {
            return;
        }
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let new_objects = cx.facts.new_objects();
        let django = cx.migration.framework == Framework::Django;
        for (index, op) in upgrade.ops.iter().enumerate() {
            let (what, name, table): (&str, &Name, &Name) = match &op.kind {
                OpKind::CreateConstraint(constraint)
                    if matches!(
                        constraint.kind,
                        ConstraintKind::ForeignKey | ConstraintKind::Check
                    ) && !constraint.not_valid =>
                {
                    let what = if constraint.kind == ConstraintKind::ForeignKey {
                        "foreign key"
                    } else {
                        "check constraint"
                    };
                    (what, &constraint.name, &constraint.table)
                }
                OpKind::AddColumn { table, column } if !column.foreign_keys.is_empty() => {
                    ("foreign key of added column", &column.name, table)
                }
                _ => continue,
            };
            if is_new_table(new_objects, table, index) {
                continue;
            }
            let subject = name_of(name).map_or_else(
                || format!("A {what}"),
                |name| format!("The {what} `{name}`"),
            );
            let help = if django && !op.context.from_sql {
                "Declare the field with `db_constraint=False`, then `RunSQL` the `ADD CONSTRAINT ... NOT VALID` and, in a later migration, `VALIDATE CONSTRAINT`"
            } else {
                "Add it `NOT VALID` (`postgresql_not_valid=True`), then `VALIDATE CONSTRAINT` in a later migration: validation does not block writes"
            };
            findings.push(
                Finding::new(
                    name_range(name, op),
                    format!(
                        "{subject} is added to {} without NOT VALID: every existing row is checked while writes wait",
                        label(table, "an existing table"),
                    ),
                )
                .with_help(help)
                .within(op.range),
            );
        }
    }
}
