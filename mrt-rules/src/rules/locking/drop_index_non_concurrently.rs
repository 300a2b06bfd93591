use mrt_core::ir::OpKind;
use mrt_core::{Dialect, Finding, Framework, MigrationContext, Rule};

use crate::helpers::{is_new_table, name_of, name_range, same_name};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that drops an index without `CONCURRENTLY`: `op.drop_index(...)` without
    /// `postgresql_concurrently=True`, SQL `DROP INDEX` without `CONCURRENTLY`, and Django's
    /// `RemoveIndex`. Only when the configured dialect is PostgreSQL. squawk calls this
    /// `require-concurrent-index-deletion`.
    ///
    /// ## Why is this bad?
    /// A plain `DROP INDEX` takes an `ACCESS EXCLUSIVE` lock on the index's table. The drop itself
    /// is quick, but it first waits for every running query on the table, and every query that
    /// arrives meanwhile queues behind it: one long report stalls all reads and writes.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.drop_index("ix_orders_created_at", table_name="orders")
    /// ```
    ///
    /// Use instead:
    ///
    /// ```python
    /// def upgrade():
    ///     with op.get_context().autocommit_block():
    ///         op.drop_index(
    ///             "ix_orders_created_at", table_name="orders", postgresql_concurrently=True
    ///         )
    /// ```
    ///
    /// ## Known problems
    /// An index of a table created, or an index built, earlier in the same upgrade is not
    /// reported. A `DROP INDEX` whose table is not named (SQL) is reported unless the index was
    /// built earlier in the upgrade.
    pub(crate) struct DropIndexNonConcurrently {
        code: "MRT417",
        name: "drop-index-non-concurrently",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "dropping an index without CONCURRENTLY blocks the table while it waits",
    }
}

impl Rule for DropIndexNonConcurrently {
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
            let OpKind::DropIndex {
                name,
                table,
                concurrently: false,
            } = &op.kind
            else {
                continue;
            };
            let built_here = name_of(name).is_some_and(|dropped| {
                upgrade.ops[..index].iter().any(|earlier| {
                    matches!(&earlier.kind, OpKind::CreateIndex { name, .. } if same_name(name, dropped))
                })
            });
            if built_here || is_new_table(new_objects, table, index) {
                continue;
            }
            let help = if django && !op.context.from_sql {
                "Use `RemoveIndexConcurrently` (`django.contrib.postgres.operations`) in a migration with `atomic = False`"
            } else if op.context.from_sql {
                "Use `DROP INDEX CONCURRENTLY`, run outside a transaction (`with op.get_context().autocommit_block():`)"
            } else {
                "Pass `postgresql_concurrently=True` and run it inside `with op.get_context().autocommit_block():`"
            };
            findings.push(
                Finding::new(
                    name_range(name, op),
                    format!(
                        "{} is dropped without CONCURRENTLY: the ACCESS EXCLUSIVE lock queues every query on its table behind the running ones",
                        name_of(name).map_or_else(|| "An index".to_owned(), |name| format!("Index `{name}`")),
                    ),
                )
                .with_help(help)
                .within(op.range),
            );
        }
    }
}
