use mrt_core::ir::{ConstraintDef, ConstraintKind, Name, OpKind};
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{is_new_table, name_of, name_range, server_default};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that makes columns of an existing table unique:
    /// `op.create_unique_constraint(...)`, `op.create_index(..., unique=True)` (also in a batch
    /// block), SQL `ALTER TABLE ... ADD [CONSTRAINT ...] UNIQUE (...)` and
    /// `CREATE UNIQUE INDEX`, Django's `AddConstraint(UniqueConstraint(...))`, an `AlterField`
    /// that makes a field `unique=True`, and a unique NOT NULL column added with a default (every
    /// existing row gets the same value).
    ///
    /// ## Why is this bad?
    /// The rows already in the table must all be distinct. One duplicate, which a development
    /// database rarely has and production often does, makes the upgrade fail half-way through a
    /// deploy; a `CONCURRENTLY` build that fails also leaves an invalid index behind. Checking the
    /// rows means reading the whole table while it is locked.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.create_unique_constraint("uq_users_email", "users", ["email"])
    /// ```
    ///
    /// Use instead:
    ///
    /// Find and resolve duplicates in an earlier revision (or a data migration), build the unique
    /// index concurrently, then attach it as the constraint:
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
    /// A unique index built without `CONCURRENTLY` is reported twice on purpose: by this rule for
    /// the duplicates that make it fail, and by MRT407 for the lock it takes. A unique constraint
    /// on a table created earlier in the same upgrade is not reported. A unique column added
    /// without a default holds only NULLs, which never collide, and is not reported.
    pub(crate) struct UniqueConstraintOnExistingData {
        code: "MRT406",
        name: "unique-constraint-on-existing-data",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "a unique constraint or index added to a table with rows fails on duplicates",
    }
}

impl Rule for UniqueConstraintOnExistingData {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let new_objects = cx.facts.new_objects();
        for (index, op) in upgrade.ops.iter().enumerate() {
            let (what, name, table): (&str, &Name, &Name) = match &op.kind {
                OpKind::CreateIndex {
                    name,
                    table,
                    unique: true,
                    ..
                } => ("index", name, table),
                OpKind::CreateConstraint(ConstraintDef {
                    kind: ConstraintKind::Unique,
                    name,
                    table,
                    ..
                }) => ("constraint", name, table),
                // Every existing row gets the one default: two rows are already duplicates.
                OpKind::AddColumn { table, column }
                    if column.unique
                        && column.is_not_null()
                        && (column.default.is_some() || server_default(column).is_some()) =>
                {
                    ("column", &column.name, table)
                }
                _ => continue,
            };
            if is_new_table(new_objects, table, index) {
                continue;
            }
            let subject = name_of(name).map_or_else(
                || format!("A unique {what}"),
                |name| format!("Unique {what} `{name}`"),
            );
            findings.push(
                Finding::new(
                    name_range(name, op),
                    format!(
                        "{subject} is added to {}: the upgrade fails if its rows hold duplicates",
                        name_of(table).map_or_else(
                            || "an existing table".to_owned(),
                            |table| format!("existing table `{table}`")
                        ),
                    ),
                )
                .with_help("Remove duplicates in an earlier step and check none remain; or suppress with `# noqa: MRT406` once the data is known to be unique")
                .within(op.range),
            );
        }
    }
}
