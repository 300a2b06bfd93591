use mrt_core::effect::Effect;
use mrt_core::ir::{Name, OpKind, Operation, SqlText};
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{self, NewObjects};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports raw SQL in an upgrade (`op.execute`, `connection.execute`, `context.execute`...)
    /// that changes the database while the downgrade runs no SQL at all and does not undo what the
    /// SQL does with other operations either.
    ///
    /// ## Why is this bad?
    /// Alembic cannot reverse SQL it only passes through. When the downgrade has nothing for it, a
    /// rollback leaves the functions, grants, rows or schema changes of the SQL in place, and the
    /// next upgrade may fail on objects that already exist.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    ///     op.add_column("users", sa.Column("nickname", sa.Text()))
    ///
    /// def downgrade():
    ///     op.drop_column("users", "nickname")
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.drop_column("users", "nickname")
    ///     op.execute("DROP EXTENSION IF EXISTS pg_trgm")
    /// ```
    ///
    /// ## Known problems
    /// SQL that changes nothing the database keeps is not reported: read-only SQL (`SELECT`),
    /// session settings (`SET lock_timeout`, `RESET`, `SHOW`, SQLite's `PRAGMA`; the few pragmas
    /// SQLite writes to the file, like `user_version`, are taken as settings too). An `UPDATE`
    /// that backfills a column the same upgrade adds is MRT103's to judge. A downgrade that is
    /// missing or `pass` runs no SQL: the SQL is reported here too, beside MRT101 or MRT102; one
    /// that only raises is left to MRT804. SQL whose statements the linter lowered to
    /// operations is not reported when the downgrade undoes each of them by name (for example
    /// `ALTER TABLE t ADD COLUMN c` reversed by `op.drop_column("t", "c")`), or when a more
    /// specific rule reports the missing reverse or the data loss of that statement (MRT103,
    /// MRT201, MRT202, MRT203, MRT205, MRT206, MRT207, MRT208, MRT301, MRT302, MRT304, MRT403,
    /// MRT408, MRT409, MRT501, MRT502, MRT503, MRT803). Any SQL in the downgrade counts as a reverse: whether it really undoes the
    /// upgrade's SQL is not checked. SQL built at run time cannot be read and is always reported
    /// when the downgrade runs no SQL. The alias MRT105 is the code pytest-mrt used for
    /// `connection.execute` and `context.execute`.
    pub(crate) struct RawSqlWithoutReverse {
        code: "MRT104",
        name: "raw-sql-without-reverse",
        aliases: ["MRT105"],
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "upgrade runs SQL that changes the database and the downgrade runs none",
    }
}

impl Rule for RawSqlWithoutReverse {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        let Some(downgrade) = helpers::searched_downgrade(cx.migration) else {
            return;
        };
        if helpers::downgrade_has(cx.migration, |kind| matches!(kind, OpKind::Sql { .. })) {
            return;
        }
        let new_objects = cx.facts.created_in_upgrade();
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::Sql {
                text,
                lowered,
                read_only,
                ..
            } = &op.kind
            else {
                continue;
            };
            if *read_only {
                continue;
            }
            let first = index + 1;
            let statements = upgrade.ops.get(first..first + lowered).unwrap_or_default();
            let left = statements.iter().enumerate().find(|(offset, statement)| {
                !covered(statement, first + offset, downgrade, new_objects)
            });
            let what = match (text, left) {
                (SqlText::Unreadable(_), _) => "SQL built at run time".to_owned(),
                (SqlText::Literal(_), Some((_, statement))) => {
                    format!("SQL (`{}`)", describe(&statement.kind))
                }
                (SqlText::Literal(_), None) if statements.is_empty() => "SQL".to_owned(),
                (SqlText::Literal(_), None) => continue,
            };
            findings.push(
                Finding::new(
                    op.range,
                    format!("The upgrade runs {what} that changes the database, but the downgrade runs no SQL and does not undo it: a rollback leaves the change in place"),
                )
                .with_help("Undo the SQL in `downgrade()` (with `op.execute` or the matching `op` calls), or suppress with `# noqa: MRT104` once reviewed")
                .within(op.range),
            );
        }
    }
}

/// Whether a statement lowered from the upgrade's SQL needs no report here: it changes nothing
/// the database keeps (`SET`, `PRAGMA`), the downgrade undoes it, it acts on a table or column created earlier in the upgrade (the downgrade that removes
/// that object undoes it), or a more specific rule reports its missing reverse.
fn covered(
    statement: &Operation,
    index: usize,
    downgrade: &[Operation],
    new_objects: &NewObjects,
) -> bool {
    let on_new_object = match &statement.kind {
        OpKind::AlterColumn(alter) if alter.table.is_some() && alter.column.is_some() => {
            helpers::name_of(&alter.table).is_some_and(|table| {
                helpers::name_of(&alter.column)
                    .is_some_and(|column| new_objects.column_before(table, column, index))
            })
        }
        kind => kind
            .table()
            .is_some_and(|table| new_objects.table_before(&table.value, index)),
    };
    on_new_object
        || statement.kind.effect() == Effect::Nothing
        || helpers::reverses(&statement.kind, downgrade)
        || reported_elsewhere(&statement.kind)
}

/// Statements whose missing reverse a more specific rule reports: a table rename (MRT301), a
/// column rename (MRT302), `SET NOT NULL` (MRT403), `DROP INDEX` (MRT408), `DROP CONSTRAINT`
/// (MRT409, or MRT205 for a foreign key), `DROP VIEW` (MRT207), `ALTER TYPE ... ADD VALUE`
/// (MRT304), sequence changes (MRT501), `UPDATE` (MRT103, or MRT208 in a multi-step rewrite), and
/// the data losses `DROP TABLE` (MRT202), `DROP COLUMN` (MRT201, MRT206, MRT208), `TRUNCATE`
/// (MRT203) and `DELETE` without `WHERE` (MRT803); `CREATE TRIGGER` (MRT502), `CREATE TYPE` (MRT503).
fn reported_elsewhere(kind: &OpKind) -> bool {
    match kind {
        OpKind::RenameTable { .. }
        | OpKind::DropIndex { .. }
        | OpKind::DropConstraint { .. }
        | OpKind::DropView { .. }
        | OpKind::AddEnumValue { .. }
        | OpKind::AlterSequence { .. }
        | OpKind::UpdateRows { .. }
        | OpKind::DropTable { .. }
        | OpKind::DropColumn { .. }
        | OpKind::Truncate { .. }
        | OpKind::CreateTrigger { .. }
        | OpKind::CreateType { .. }
        | OpKind::DeleteRows {
            has_where: false, ..
        } => true,
        OpKind::AlterColumn(alter) => {
            alter.new_name.is_some()
                || alter
                    .nullable
                    .as_ref()
                    .is_some_and(|nullable| !nullable.value)
        }
        _ => false,
    }
}

/// A short description of a statement: its leading keywords and the object it acts on.
fn describe(kind: &OpKind) -> String {
    let on = |words: &str, name: &Name| match helpers::name_of(name) {
        Some(name) => format!("{words} {name}"),
        None => words.to_owned(),
    };
    match kind {
        OpKind::OtherSql { keyword } => keyword.clone(),
        OpKind::CreateTable { table, .. } => on("CREATE TABLE", table),
        OpKind::DropTable { table } => on("DROP TABLE", table),
        OpKind::AddColumn { table, .. } | OpKind::DropColumn { table, .. } => {
            on("ALTER TABLE", table)
        }
        OpKind::AlterColumn(alter) => on("ALTER TABLE", &alter.table),
        OpKind::CreateConstraint(constraint) => on("ALTER TABLE", &constraint.table),
        OpKind::CreateIndex { name, .. } => on("CREATE INDEX", name),
        OpKind::CreateView { name, .. } => on("CREATE VIEW", name),
        OpKind::DropView { name, .. } => on("DROP VIEW", name),
        OpKind::CreateType { name, .. } => on("CREATE TYPE", name),
        OpKind::DropType { name } => on("DROP TYPE", name),
        OpKind::AddEnumValue { type_name, .. } => on("ALTER TYPE", type_name),
        OpKind::CreateTrigger { name, .. } => on("CREATE TRIGGER", name),
        OpKind::DropTrigger { name, .. } => on("DROP TRIGGER", name),
        OpKind::Truncate { table } => on("TRUNCATE", table),
        OpKind::UpdateRows { table, .. } => on("UPDATE", table),
        OpKind::DeleteRows { table, .. } => on("DELETE FROM", table),
        OpKind::InsertRows { table } => on("INSERT INTO", table),
        OpKind::AlterSequence { name } => on("ALTER SEQUENCE", name),
        _ => "a statement".to_owned(),
    }
}
