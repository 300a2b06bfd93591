use mrt_core::ir::OpKind;
use mrt_core::{Dialect, Finding, Framework, MigrationContext, Rule};

use crate::helpers::{is_new_table, label, name_of, name_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that builds an index on an existing table without `CONCURRENTLY`:
    /// `op.create_index(...)` without `postgresql_concurrently=True` (also in a batch block), or
    /// SQL `CREATE [UNIQUE] INDEX` without `CONCURRENTLY`. Only when the configured dialect is
    /// PostgreSQL.
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
    /// make it fail: both facts hold, and a concurrent build still fails on duplicates.
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
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::CreateIndex {
                name,
                table,
                concurrently: false,
                ..
            } = &op.kind
            else {
                continue;
            };
            if is_new_table(new_objects, table, index) {
                continue;
            }
            let help = if cx.migration.framework == Framework::Django && !op.context.from_sql {
                "Use `AddIndexConcurrently` (`django.contrib.postgres.operations`) in a migration with `atomic = False`"
            } else if op.context.from_sql {
                "Use `CREATE INDEX CONCURRENTLY`, run outside a transaction (`with op.get_context().autocommit_block():`)"
            } else {
                "Pass `postgresql_concurrently=True` and run it inside `with op.get_context().autocommit_block():`"
            };
            findings.push(
                Finding::new(
                    name_range(name, op),
                    format!(
                        "{} is built on {} without CONCURRENTLY: writes to the table wait until the build ends",
                        name_of(name).map_or_else(|| "An index".to_owned(), |name| format!("Index `{name}`")),
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
