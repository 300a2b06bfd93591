use mrt_core::ir::{ConstraintKind, Name, OpKind, Operation};
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{is_new_table, name_of, name_range, same_name, server_default};

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
    /// on a table created earlier in the same upgrade is not reported. Nor is one that cannot
    /// fail: one that replaces a unique constraint or index the upgrade dropped before it, on the
    /// same table, when every column of the dropped one is among its own (the same columns, or
    /// the dropped key on fewer; its columns are known from the earlier revisions), and one on a
    /// column added earlier in the same upgrade without a server default and not updated since
    /// (it holds only NULLs, and NULLs never collide). A unique column added without a default
    /// holds only NULLs too, and is not reported; one added NOT NULL with a default is, since every
    /// existing row gets the same value.
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
    // The columns of a unique key the upgrade drops: a replacement on them cannot fail.
    fn uses_schema(&self) -> bool {
        true
    }

    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let new_objects = cx.facts.new_objects();
        for (index, op) in upgrade.ops.iter().enumerate() {
            let (what, name, table, columns): (&str, &Name, &Name, &[String]) = match &op.kind {
                OpKind::CreateIndex {
                    name,
                    table,
                    unique: true,
                    columns,
                    ..
                } => ("index", name, table, columns),
                OpKind::CreateConstraint(constraint)
                    if constraint.kind == ConstraintKind::Unique =>
                {
                    (
                        "constraint",
                        &constraint.name,
                        &constraint.table,
                        &constraint.columns,
                    )
                }
                // Every existing row gets the one default: two rows are already duplicates.
                OpKind::AddColumn { table, column }
                    if column.unique
                        && column.is_not_null()
                        && (column.default.is_some() || server_default(column).is_some()) =>
                {
                    ("column", &column.name, table, &[])
                }
                _ => continue,
            };
            if is_new_table(new_objects, table, index)
                || replaces_a_looser_key(cx, &upgrade.ops, index, table, columns)
                || on_a_column_of_nulls(&upgrade.ops, index, table, columns)
            {
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

/// Whether the unique key created at `index` replaces one the upgrade dropped before it, on the
/// same table, whose columns are all among its own (the same columns, or the dropped key on fewer
/// of them): rows that were distinct on the dropped key are distinct on this one. The dropped
/// key's columns come from the replay of the earlier revisions.
fn replaces_a_looser_key(
    cx: &MigrationContext<'_>,
    ops: &[Operation],
    index: usize,
    table: &Name,
    columns: &[String],
) -> bool {
    let Some(replay) = cx.replay else {
        return false;
    };
    if columns.is_empty() {
        return false;
    }
    ops[..index].iter().enumerate().any(|(at, op)| {
        let on_table = match &op.kind {
            OpKind::DropConstraint { table: dropped, .. } => {
                name_of(table).is_some_and(|table| same_name(dropped, table))
            }
            // `drop_index` may leave its table out: the replay found it by name.
            OpKind::DropIndex { table: dropped, .. } => {
                dropped.is_none() || name_of(table).is_some_and(|table| same_name(dropped, table))
            }
            _ => false,
        };
        on_table
            && replay.unique_columns_dropped_at(at).is_some_and(|dropped| {
                !dropped.is_empty()
                    && dropped
                        .iter()
                        .all(|column| columns.iter().any(|c| c.eq_ignore_ascii_case(column)))
            })
    })
}

/// Whether one column of the unique key created at `index` was added earlier in the upgrade
/// without a server default, and no `UPDATE` of its table ran in between: it holds only NULLs,
/// which are all distinct, so no two rows can collide on the key.
fn on_a_column_of_nulls(ops: &[Operation], index: usize, table: &Name, columns: &[String]) -> bool {
    let Some(table) = name_of(table) else {
        return false;
    };
    columns.iter().any(|column| {
        let Some(added) = ops[..index].iter().position(|op| {
            matches!(&op.kind, OpKind::AddColumn { table: on, column: def }
                if same_name(on, table) && same_name(&def.name, column) && server_default(def).is_none())
        }) else {
            return false;
        };
        !ops[added + 1..index].iter().any(|op| {
            matches!(&op.kind, OpKind::UpdateRows { table: updated, .. }
                if updated.is_none() || same_name(updated, table))
        })
    })
}
