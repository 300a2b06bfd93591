use mrt_core::{Finding, MigrationContext, Rule};

use super::{DefaultedAddition, defaulted_additions};
use crate::helpers::column_label;

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports a column added to an existing table with a server default that calls a volatile
    /// function: `random()`, `clock_timestamp()`, `gen_random_uuid()`, `uuid_generate_v4()`,
    /// `nextval(...)`...
    /// squawk calls this `adding-field-with-default`.
    ///
    /// ## Why is this bad?
    /// Since PostgreSQL 11 a constant default is stored once and costs nothing, but a volatile one
    /// must be computed for every existing row: the whole table is rewritten under an ACCESS
    /// EXCLUSIVE lock, on every version. Reads and writes wait for the rewrite.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.add_column("orders", sa.Column("uid", sa.Uuid(), server_default=sa.text("gen_random_uuid()")))
    /// ```
    ///
    /// Use instead:
    ///
    /// Add the column without a default, backfill it in batches, then set the default for new
    /// rows with `alter_column(..., server_default=...)`.
    ///
    /// ## Known problems
    /// The functions are recognised by name in the default's SQL; a user-defined volatile
    /// function is not. A table created earlier in the same upgrade is not reported. MRT405 stays
    /// quiet on these columns: the rewrite is reported once, here.
    pub(crate) struct AddColumnVolatileDefault {
        code: "MRT404",
        name: "add-column-volatile-default",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "a volatile server default rewrites the whole table on every PostgreSQL version",
    }
}

impl Rule for AddColumnVolatileDefault {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        if cx.settings.dialect != mrt_core::Dialect::Postgresql {
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
            if !volatile {
                continue;
            }
            findings.push(
                Finding::new(
                    default.range,
                    format!(
                        "Column {} gets a volatile default: PostgreSQL computes it for every existing row, rewriting the table under an exclusive lock",
                        column_label(table.as_ref(), column.name.as_ref())
                    ),
                )
                .with_help("Add the column without a default, backfill in batches, then set the default with `alter_column`")
                .within(op.range),
            );
        }
    }
}
