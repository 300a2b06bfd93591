use mrt_core::ir::{OpKind, Operation};
use mrt_core::{Finding, Framework, MigrationContext, Rule};

use crate::helpers::{name_range, named_or_quoted, operation_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports index work done `CONCURRENTLY` inside a transaction: in Django, `AddIndexConcurrently`,
    /// `RemoveIndexConcurrently` or a `RunSQL` with `CONCURRENTLY` in a migration without
    /// `atomic = False`; in Alembic, `postgresql_concurrently=True` or SQL `CONCURRENTLY` outside
    /// `with op.get_context().autocommit_block():`.
    /// squawk calls this `ban-concurrent-index-creation-in-transaction`.
    ///
    /// ## Why is this bad?
    /// PostgreSQL refuses `CREATE INDEX CONCURRENTLY` and `DROP INDEX CONCURRENTLY` inside a
    /// transaction block: the migration fails at deploy time, after the earlier steps of the same
    /// release have run.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.create_index("ix_users_email", "users", ["email"], postgresql_concurrently=True)
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def upgrade():
    ///     with op.get_context().autocommit_block():
    ///         op.create_index("ix_users_email", "users", ["email"], postgresql_concurrently=True)
    /// ```
    ///
    /// ## Known problems
    /// An Alembic environment configured to run each migration outside a transaction
    /// (`transaction_per_migration` with autocommit) is not detected from the migration file.
    /// SQL `COMMIT` (or `END`) run earlier in the upgrade ends Alembic's transaction, and what
    /// follows it runs outside one (the way migrations built indexes concurrently before
    /// `autocommit_block()` existed): not reported, unless a `BEGIN` comes between. A commit made
    /// through the connection object (`op.get_bind().commit()`) is not seen.
    pub(crate) struct ConcurrentIndexInTransaction {
        code: "MRT414",
        name: "concurrent-index-in-transaction",
        severity: Error,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "CONCURRENTLY index work inside a transaction fails on PostgreSQL",
    }
}

impl Rule for ConcurrentIndexInTransaction {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let migration = cx.migration;
        let Some(upgrade) = &migration.upgrade else {
            return;
        };
        let django_atomic = migration.django().map(mrt_core::ir::DjangoMeta::is_atomic);
        for (index, op) in upgrade.ops.iter().enumerate() {
            let (verb, name) = match &op.kind {
                OpKind::CreateIndex {
                    name,
                    concurrently: true,
                    ..
                } => ("Building", name),
                OpKind::DropIndex {
                    name,
                    concurrently: true,
                    ..
                } => ("Dropping", name),
                _ => continue,
            };
            let (in_transaction, help) = match (migration.framework, django_atomic) {
                (Framework::Django, Some(atomic)) => (
                    atomic,
                    "Set `atomic = False` on the migration (and keep other operations out of it)",
                ),
                _ => (
                    !op.context.autocommit && !transaction_ended_before(&upgrade.ops, index),
                    "Run it inside `with op.get_context().autocommit_block():`",
                ),
            };
            if !in_transaction {
                continue;
            }
            findings.push(
                Finding::new(
                    name_range(name, op),
                    format!(
                        "{verb} {} CONCURRENTLY inside a transaction: PostgreSQL refuses it and the migration fails",
                        named_or_quoted("index", name, op, &cx.migration.source.text)
                    ),
                )
                .with_help(help)
                .within(operation_range(&upgrade.ops, index)),
            );
        }
    }
}

/// Whether SQL earlier in the upgrade ends the migration's transaction (`op.execute("COMMIT")`, or
/// `END`) and none starts another after it: the statements that follow run outside a transaction
/// block, the way migrations written before `autocommit_block()` existed build indexes
/// concurrently.
fn transaction_ended_before(ops: &[Operation], index: usize) -> bool {
    let first_keyword = |op: &Operation| match &op.kind {
        OpKind::OtherSql { keyword } => keyword
            .split_whitespace()
            .next()
            .map(str::to_ascii_uppercase),
        _ => None,
    };
    ops[..index]
        .iter()
        .rev()
        .find_map(|op| match first_keyword(op).as_deref() {
            Some("COMMIT" | "END") => Some(true),
            Some("BEGIN" | "START") => Some(false),
            _ => None,
        })
        .unwrap_or(false)
}
