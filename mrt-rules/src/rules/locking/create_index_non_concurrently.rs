use mrt_core::ir::OpKind;
use mrt_core::{Dialect, Finding, Framework, MigrationContext, Rule};

use crate::helpers::{is_new_table, label, name_of, name_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that builds an index on an existing table without `CONCURRENTLY`:
    /// `op.create_index(...)` without `postgresql_concurrently=True` (also in a batch block), SQL
    /// `CREATE [UNIQUE] INDEX` without `CONCURRENTLY`, Django's `AddIndex`, and the indexes that
    /// come with a column: `sa.Column(..., index=True)` or `unique=True` given to `add_column`,
    /// and a Django `AddField` / `AlterField` whose field has `db_index=True`, `unique=True`, or
    /// is a `ForeignKey` / `OneToOneField` (indexed unless `db_index=False`; an `AlterField` only
    /// when the field had no such index before). Only when the configured dialect is PostgreSQL.
    /// squawk calls this `require-concurrent-index-creation`.
    ///
    /// ## Why is this bad?
    /// A plain `CREATE INDEX` takes a `SHARE` lock on the table for the whole build: reads go on,
    /// but every `INSERT`, `UPDATE` and `DELETE` waits until the index is built, which on a large
    /// table takes minutes. `CREATE INDEX CONCURRENTLY` builds it while writes continue.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.create_index("ix_orders_created_at", "orders", ["created_at"])
    /// ```
    ///
    /// Use instead:
    ///
    /// `CONCURRENTLY` cannot run inside a transaction, so run it in an autocommit block:
    /// ```python
    /// def upgrade():
    ///     with op.get_context().autocommit_block():
    ///         op.create_index(
    ///             "ix_orders_created_at", "orders", ["created_at"], postgresql_concurrently=True
    ///         )
    /// ```
    ///
    /// ## Known problems
    /// An index on a table created earlier in the same upgrade is not reported: the table is empty,
    /// the build instant. Other dialects (`dialect = "sqlite"`, `"mysql"`, ...) are not checked.
    /// A unique index is reported by this rule for the lock and by MRT406 for the duplicates that
    /// make it fail: both facts hold, and a concurrent build still fails on duplicates. An index
    /// that comes with a field has a name Django derives with a hash; the message names its
    /// column instead.
    pub(crate) struct CreateIndexNonConcurrently {
        code: "MRT407",
        name: "create-index-non-concurrently",
        aliases: ["MRT413"],
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "building an index without CONCURRENTLY blocks writes to the table",
    }
}

impl Rule for CreateIndexNonConcurrently {
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
            let (subject, range, table, name) = match &op.kind {
                OpKind::CreateIndex {
                    name,
                    table,
                    columns,
                    concurrently: false,
                    ..
                } => {
                    let subject = match (name_of(name), columns.as_slice()) {
                        (Some(name), _) => format!("Index `{name}`"),
                        // An index a Django field asks for: its name is derived at run time.
                        (None, [column]) => format!("An index on `{column}`"),
                        (None, _) => "An index".to_owned(),
                    };
                    (subject, name_range(name, op), table, name.as_ref())
                }
                // SQL `ADD COLUMN ... UNIQUE` is lowered with its constraint, reported as one.
                OpKind::AddColumn { table, column }
                    if column.index || (column.unique && !op.context.from_sql) =>
                {
                    let subject = name_of(&column.name).map_or_else(
                        || "The index of an added column".to_owned(),
                        |name| format!("The index of added column `{name}`"),
                    );
                    (subject, name_range(&column.name, op), table, None)
                }
                _ => continue,
            };
            if is_new_table(new_objects, table, index) {
                continue;
            }
            // A field's index (`AddField`, or `AlterField` with no index name) vs. `AddIndex`.
            let of_column = name.is_none();
            let help = if django && !op.context.from_sql && of_column {
                "Declare the field with `db_index=False` (and without `unique=True`), then build the index with `AddIndexConcurrently` (`django.contrib.postgres.operations`) in a migration with `atomic = False`"
            } else if django && !op.context.from_sql {
                "Use `AddIndexConcurrently` (`django.contrib.postgres.operations`) in a migration with `atomic = False`"
            } else if op.context.from_sql {
                "Use `CREATE INDEX CONCURRENTLY`, run outside a transaction (`with op.get_context().autocommit_block():`)"
            } else {
                "Pass `postgresql_concurrently=True` and run it inside `with op.get_context().autocommit_block():`"
            };
            findings.push(
                Finding::new(
                    range,
                    format!(
                        "{subject} is built on {} without CONCURRENTLY: writes to the table wait until the build ends",
                        label(table, "its table"),
                    ),
                )
                .with_help(help)
                .within(op.range),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use mrt_core::{Dialect, Settings};

    use super::CreateIndexNonConcurrently;

    const MIGRATION: &str = r#"
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.create_index("ix_users_email", "users", ["email"])
    op.execute("CREATE INDEX ix_users_name ON users (name)")


def downgrade():
    op.drop_index("ix_users_email", table_name="users")
"#;

    fn codes(settings: Settings) -> Vec<&'static str> {
        crate::helpers::codes_under(&CreateIndexNonConcurrently, MIGRATION, settings)
    }

    #[test]
    fn reports_on_postgresql() {
        assert_eq!(codes(Settings::default()), ["MRT407", "MRT407"]);
    }

    #[test]
    fn quiet_on_other_dialects() {
        for dialect in [Dialect::Sqlite, Dialect::Mysql, Dialect::Generic] {
            let mut settings = Settings::default();
            settings.dialect = dialect;
            assert_eq!(codes(settings), Vec::<&str>::new(), "{dialect:?}");
        }
    }
}
