use mrt_core::ir::{OpKind, Reverse};
use mrt_core::{Finding, MigrationContext, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a Django `migrations.RunSQL(sql)` with no `reverse_sql`, or with
    /// `reverse_sql=None`.
    ///
    /// ## Why is this bad?
    /// Django cannot derive the reverse of raw SQL: a `RunSQL` without `reverse_sql` makes the
    /// whole migration irreversible, and `migrate app <earlier>` stops with `IrreversibleError`
    /// when a rollback is needed.
    ///
    /// ## Example
    /// ```python
    /// class Migration(migrations.Migration):
    ///     operations = [
    ///         migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm"),
    ///     ]
    /// ```
    ///
    /// Use instead:
    ///
    /// Give the SQL that undoes it, or `RunSQL.noop` when undoing means doing nothing:
    /// ```python
    /// class Migration(migrations.Migration):
    ///     operations = [
    ///         migrations.RunSQL(
    ///             "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    ///             reverse_sql="DROP EXTENSION IF EXISTS pg_trgm",
    ///         ),
    ///     ]
    /// ```
    ///
    /// ## Known problems
    /// Whether `reverse_sql` really undoes `sql` is not checked. A reverse passed through a
    /// variable counts as given.
    pub(crate) struct RunSqlWithoutReverse {
        code: "MRT108",
        name: "run-sql-without-reverse",
        severity: Error,
        frameworks: [Django],
        fix: None,
        summary: "RunSQL without reverse_sql makes the migration irreversible",
    }
}

impl Rule for RunSqlWithoutReverse {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        for op in &upgrade.ops {
            let OpKind::RunSql {
                reverse: Reverse::Missing,
                reverse_range,
            } = &op.kind
            else {
                continue;
            };
            let message = if reverse_range.is_some() {
                "`RunSQL` has `reverse_sql=None`: the migration cannot be unapplied"
            } else {
                "`RunSQL` has no `reverse_sql`: the migration cannot be unapplied"
            };
            findings.push(
                Finding::new(reverse_range.unwrap_or(op.range), message)
                    .with_help("Pass `reverse_sql=` the SQL that undoes it, or `migrations.RunSQL.noop` when nothing needs undoing")
                    .within(op.range),
            );
        }
    }
}
