use mrt_core::ir::{ConstraintDef, ConstraintKind, OpKind};
use mrt_core::{Dialect, Finding, Framework, MigrationContext, Rule};

use crate::helpers::{is_new_table, label, name_of, name_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a `UNIQUE` or `PRIMARY KEY` constraint added to an existing table by building its
    /// index: `op.create_unique_constraint(...)`, `op.create_primary_key(...)`, SQL
    /// `ALTER TABLE ... ADD [CONSTRAINT ...] UNIQUE | PRIMARY KEY (...)`, and Django's
    /// `AddConstraint(UniqueConstraint(...))`. `ADD CONSTRAINT ... USING INDEX` is not reported.
    /// Only when the configured dialect is PostgreSQL. squawk calls this
    /// `disallowed-unique-constraint` (and, for a primary key, `adding-serial-primary-key-field`).
    ///
    /// ## Why is this bad?
    /// PostgreSQL builds the constraint's index while it holds an `ACCESS EXCLUSIVE` lock on the
    /// table: no read or write of the table runs until the build over every row ends.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.create_unique_constraint("uq_users_email", "users", ["email"])
    /// ```
    ///
    /// Use instead:
    ///
    /// Build a unique index concurrently (reads and writes go on), then attach it as the
    /// constraint, which takes the lock only for a moment:
    /// ```python
    /// def upgrade():
    ///     with op.get_context().autocommit_block():
    ///         op.create_index(
    ///             "uq_users_email", "users", ["email"], unique=True, postgresql_concurrently=True
    ///         )  # noqa: MRT406 duplicates removed in 3f2a
    ///     op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email")
    /// ```
    ///
    /// ## Known problems
    /// A unique constraint is also reported by MRT406 for the duplicates that make it fail: the lock
    /// and the failure are two facts, and the concurrent build above still fails on duplicates. A
    /// constraint of a table created earlier in the same upgrade is not reported.
    pub(crate) struct AddUniqueOrPrimaryKeyConstraint {
        code: "MRT416",
        name: "add-unique-or-primary-key-constraint",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "a UNIQUE or PRIMARY KEY constraint builds its index under an exclusive lock",
    }
}

impl Rule for AddUniqueOrPrimaryKeyConstraint {
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
            let OpKind::CreateConstraint(constraint) = &op.kind else {
                continue;
            };
            let ConstraintDef {
                kind: kind @ (ConstraintKind::Unique | ConstraintKind::PrimaryKey),
                name,
                table,
                ..
            } = &**constraint
            else {
                continue;
            };
            if is_new_table(new_objects, table, index) {
                continue;
            }
            let what = if *kind == ConstraintKind::Unique {
                "unique constraint"
            } else {
                "primary key"
            };
            let subject = name_of(name).map_or_else(
                || format!("A {what}"),
                |name| format!("The {what} `{name}`"),
            );
            let help = if django && !op.context.from_sql {
                "In `SeparateDatabaseAndState`, `RunSQL` `CREATE UNIQUE INDEX CONCURRENTLY` (in a migration with `atomic = False`) and `ADD CONSTRAINT ... USING INDEX`, with the `AddConstraint` as its state operation"
            } else {
                "Build the index with `CREATE UNIQUE INDEX CONCURRENTLY`, then `ADD CONSTRAINT ... USING INDEX` it"
            };
            findings.push(
                Finding::new(
                    name_range(name, op),
                    format!(
                        "{subject} on {} builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait until it ends",
                        label(table, "an existing table"),
                    ),
                )
                .with_help(help)
                .within(op.range),
            );
        }
    }
}
