use mrt_core::ir::{Name, OpKind, SqlText};
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{self, ReverseCheck};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports rows an upgrade inserts with `op.bulk_insert(table, rows)` when the downgrade does
    /// not remove rows of that table again (`DELETE FROM`, `TRUNCATE`, or dropping the table).
    ///
    /// ## Why is this bad?
    /// Seed rows (lookup values, default settings, permissions) stay after a rollback. The next
    /// upgrade inserts them again and fails on a unique key, or silently duplicates them; code of
    /// the previous release may meet values it does not know.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.bulk_insert(roles, [{"name": "auditor"}])
    ///
    /// def downgrade():
    ///     pass
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.execute("DELETE FROM roles WHERE name = 'auditor'")
    /// ```
    ///
    /// ## Known problems
    /// Any `DELETE FROM` or `TRUNCATE` of the same table in `downgrade()` counts as the reverse;
    /// that it removes the same rows is not checked; when the table's name cannot be read (a
    /// table object the linter does not resolve), any removal of rows counts. Rows inserted into a
    /// table created earlier
    /// in the same upgrade are not reported: the downgrade that drops the table removes them. A
    /// downgrade running SQL the linter cannot read (built at run time) is not judged, since it
    /// may delete them. A downgrade that only raises is left to MRT804; a missing or empty one
    /// (`pass`) is reported here too, beside MRT101 or MRT102, and the message says which. Rows
    /// inserted with SQL `INSERT` are MRT104's.
    pub(crate) struct BulkInsertWithoutReverse {
        code: "MRT106",
        name: "bulk-insert-without-reverse",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "rows inserted with bulk_insert are not removed by the downgrade",
    }
}

impl Rule for BulkInsertWithoutReverse {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(ReverseCheck {
            upgrade,
            downgrade,
            new_objects,
        }) = ReverseCheck::of(cx)
        else {
            return;
        };
        // SQL built at run time may delete the rows: no warning is claimed on a guess.
        if downgrade.iter().any(|op| {
            matches!(
                op.kind,
                OpKind::Sql {
                    text: SqlText::Unreadable(_),
                    ..
                }
            )
        }) {
            return;
        }
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::BulkInsert { table } = &op.kind else {
                continue;
            };
            if helpers::is_new_table(new_objects, table, index) {
                continue;
            }
            if downgrade
                .iter()
                .any(|back| removes_rows_of(&back.kind, table))
            {
                continue;
            }
            let into = helpers::label(table, "a table");
            findings.push(
                Finding::new(
                    helpers::name_range(table, op),
                    format!(
                        "Inserting rows into {into} with `bulk_insert` {}: after a rollback the rows stay, and the next upgrade inserts them again",
                        helpers::not_undone(cx.migration)
                    ),
                )
                .with_help("Delete the inserted rows in `downgrade()` (`DELETE FROM ... WHERE ...`)")
                .within(op.range),
            );
        }
    }
}

/// Whether a downgrade operation removes rows of `table`: a `DELETE`, a `TRUNCATE` or its drop.
/// When the inserted table's name was not read, any removal may be of it.
fn removes_rows_of(kind: &OpKind, table: &Name) -> bool {
    match kind {
        OpKind::DeleteRows { table: from, .. }
        | OpKind::Truncate { table: from }
        | OpKind::DropTable { table: from } => table.is_none() || helpers::both_same(table, from),
        _ => false,
    }
}
