use mrt_core::ir::{OpKind, Operation, SqlText};
use mrt_core::{Dialect, Finding, MigrationContext, Rule};

use crate::helpers::is_new_table;

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an upgrade that takes an `ACCESS EXCLUSIVE` lock on an existing table (it drops,
    /// renames or alters the table or one of its columns, adds or drops a constraint, a trigger or,
    /// without `CONCURRENTLY`, an index) with no `SET [LOCAL] lock_timeout` before it in the same
    /// upgrade. Opt-in: it runs only when selected (`--select MRT418`). Only when the configured
    /// dialect is PostgreSQL. squawk calls this `require-timeout-settings`.
    ///
    /// ## Why is this bad?
    /// The statement waits for its lock behind every running query on the table, and every query
    /// that arrives meanwhile waits behind it. Without a `lock_timeout` one long query blocks the
    /// whole table for as long as it runs; with one, the migration fails fast and can be retried.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.add_column("orders", sa.Column("note", sa.Text()))
    /// ```
    ///
    /// Use instead:
    ///
    /// ```python
    /// def upgrade():
    ///     op.execute("SET LOCAL lock_timeout = '5s'")
    ///     op.add_column("orders", sa.Column("note", sa.Text()))
    /// ```
    ///
    /// ## Known problems
    /// A timeout set outside the migration file (Alembic's `env.py`, the connection's options, the
    /// role's settings) is not seen: that is why the rule is opt-in. A `SET` reached through SQL
    /// built at run time is not seen either. The upgrade is reported once, at its first
    /// operation that takes the lock.
    pub(crate) struct MissingLockTimeout {
        code: "MRT418",
        name: "missing-lock-timeout",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        opt_in: true,
        summary: "an ACCESS EXCLUSIVE lock taken without a lock_timeout can block the table",
    }
}

impl Rule for MissingLockTimeout {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        if cx.settings.dialect != Dialect::Postgresql {
            return;
        }
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let new_objects = cx.facts.new_objects();
        for (index, op) in upgrade.ops.iter().enumerate() {
            if sets_lock_timeout(op) {
                return;
            }
            let Some(table) = exclusive_lock_table(&op.kind) else {
                continue;
            };
            if is_new_table(new_objects, table, index) {
                continue;
            }
            let described = table.as_ref().map_or_else(
                || "a table".to_owned(),
                |table| format!("`{}`", table.value),
            );
            findings.push(
                Finding::new(
                    op.range,
                    format!(
                        "This upgrade locks {described} ACCESS EXCLUSIVE with no `lock_timeout` set: while it waits for the lock, every query on the table waits behind it"
                    ),
                )
                .with_help("Run `SET LOCAL lock_timeout = '5s'` (or what the application tolerates) at the start of the upgrade, and retry the migration when it times out"),
            );
            return;
        }
    }
}

/// SQL that sets `lock_timeout` (`SET lock_timeout = ...`, `SET LOCAL lock_timeout TO ...`).
fn sets_lock_timeout(op: &Operation) -> bool {
    let OpKind::Sql {
        text: SqlText::Literal(sql),
        ..
    } = &op.kind
    else {
        return false;
    };
    sql.split(';').any(|statement| {
        let words: Vec<String> = statement
            .split(|c: char| c.is_whitespace() || c == '=')
            .filter(|word| !word.is_empty())
            .take(3)
            .map(str::to_ascii_lowercase)
            .collect();
        match words.as_slice() {
            [set, name, ..] if set == "set" && name == "lock_timeout" => true,
            [set, local, name] => set == "set" && local == "local" && name == "lock_timeout",
            _ => false,
        }
    })
}

/// The table an operation locks `ACCESS EXCLUSIVE`, for the operations that do.
fn exclusive_lock_table(kind: &OpKind) -> Option<&mrt_core::ir::Name> {
    match kind {
        OpKind::DropTable { table }
        | OpKind::AddColumn { table, .. }
        | OpKind::DropColumn { table, .. }
        | OpKind::DropConstraint { table, .. }
        | OpKind::Truncate { table }
        | OpKind::CreateTrigger { table, .. }
        | OpKind::DropTrigger { table, .. }
        | OpKind::DropIndex {
            table,
            concurrently: false,
            ..
        } => Some(table),
        OpKind::RenameTable { old, .. } => Some(old),
        OpKind::AlterColumn(alter) => Some(&alter.table),
        OpKind::CreateConstraint(constraint) => Some(&constraint.table),
        _ => None,
    }
}
