use mrt_core::{Dialect, Finding, MigrationContext, Rule};

use super::{DefaultedAddition, defaulted_additions};
use crate::helpers::column_label;

/// The first PostgreSQL major version that adds a column with a constant default without a
/// rewrite.
const FIRST_FAST_DEFAULT_VERSION: u32 = 11;

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that adds a column with a server default to an existing table, when the
    /// configured target is PostgreSQL older than 11: `op.add_column` (also in a batch block) of a
    /// column with `server_default=...`, or SQL `ALTER TABLE ... ADD COLUMN ... DEFAULT ...`.
    /// squawk calls this `adding-field-with-default`.
    ///
    /// ## Why is this bad?
    /// Before PostgreSQL 11, adding a column with a default writes the default into every row:
    /// the whole table is rewritten while an `ACCESS EXCLUSIVE` lock blocks every read and write
    /// of it. On a large table that is an outage. PostgreSQL 11 and later store a constant default
    /// in the catalog and add the column instantly.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.add_column("orders", sa.Column("status", sa.Text(), server_default="new"))
    /// ```
    ///
    /// Use instead:
    ///
    /// On PostgreSQL 11 or later nothing is needed. On older versions, add the column without a
    /// default, set the default for new rows, and backfill the old ones in batches:
    /// ```python
    /// def upgrade():
    ///     op.add_column("orders", sa.Column("status", sa.Text()))
    ///     op.alter_column("orders", "status", server_default="new")
    ///     # backfill existing rows in batches, in a separate step
    /// ```
    ///
    /// ## Known problems
    /// With no target version configured (`--postgres-version`, `postgres-version` in the
    /// configuration) the target is the oldest PostgreSQL still supported upstream (14; see
    /// `mrt check --show-settings`), so the rule speaks only when a project says it targets a
    /// version before 11. It is quiet for other dialects, for
    /// `server_default=None` (and SQL `DEFAULT NULL`), and for a table created earlier in the same
    /// upgrade. A volatile default (`random()`, `clock_timestamp()`) rewrites the table on every
    /// version; this rule only reasons about the version.
    pub(crate) struct AddColumnWithDefault {
        code: "MRT405",
        name: "add-column-with-default",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "adding a column with a default rewrites the table on PostgreSQL before 11",
    }
}

impl Rule for AddColumnWithDefault {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        if cx.settings.dialect != Dialect::Postgresql {
            return;
        }
        let version = cx.settings.target_postgres_version();
        if version >= FIRST_FAST_DEFAULT_VERSION {
            return;
        }
        for DefaultedAddition {
            op,
            table,
            column,
            default,
            volatile,
        } in defaulted_additions(cx)
        {
            // A volatile default rewrites on every version: MRT404 reports it.
            if volatile {
                continue;
            }
            let described = column_label(table.as_ref(), column.name.as_ref());
            findings.push(
                Finding::new(
                    default.range,
                    format!(
                        "Column {described} is added with a server default: on PostgreSQL {version} this rewrites the whole table under an ACCESS EXCLUSIVE lock"
                    ),
                )
                .with_help("Add the column without a default, set the default with `alter_column`, and backfill existing rows in batches; or, if the target is PostgreSQL 11 or later, configure `--postgres-version`")
                .within(op.range),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use mrt_core::{Dialect, Linter, Project, Settings, SourceFile};

    use super::AddColumnWithDefault;

    const MIGRATION: &str = r#"
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.add_column("orders", sa.Column("status", sa.Text(), server_default="new"))
    op.execute("ALTER TABLE orders ADD COLUMN flag boolean DEFAULT false")


def downgrade():
    op.execute("ALTER TABLE orders DROP COLUMN flag")
    op.drop_column("orders", "status")
"#;

    fn codes(settings: Settings) -> Vec<&'static str> {
        crate::helpers::codes_under(&AddColumnWithDefault, MIGRATION, settings)
    }

    fn with_version(version: Option<u32>) -> Settings {
        let mut settings = Settings::default();
        settings.postgres_version = version;
        settings
    }

    #[test]
    fn reports_when_the_configured_version_is_old() {
        assert_eq!(codes(with_version(Some(10))), ["MRT405", "MRT405"]);
        assert_eq!(codes(with_version(Some(9))), ["MRT405", "MRT405"]);
    }

    #[test]
    fn quiet_from_postgresql_11_and_by_default() {
        assert_eq!(codes(with_version(None)), Vec::<&str>::new());
        for version in [11, 12, 17] {
            assert_eq!(codes(with_version(Some(version))), Vec::<&str>::new());
        }
    }

    #[test]
    fn quiet_on_other_dialects() {
        let mut settings = with_version(Some(10));
        settings.dialect = Dialect::Sqlite;
        assert_eq!(codes(settings), Vec::<&str>::new());
    }

    #[test]
    fn message_names_the_configured_version() {
        let project = Project::from_sources([SourceFile::new("a1.py", MIGRATION)]);
        let diagnostics =
            Linter::new(vec![&AddColumnWithDefault], with_version(Some(10))).check(&project);
        assert!(
            diagnostics
                .iter()
                .all(|diagnostic| diagnostic.message.contains("on PostgreSQL 10 ")),
            "{diagnostics:?}"
        );
    }
}
