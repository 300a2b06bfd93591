use mrt_core::ir::{OpKind, SqlText};
use mrt_core::{Finding, MigrationContext, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports SQL run by an upgrade that is built at run time (an f-string, a variable, `.format`,
    /// `%`): no rule can read it.
    ///
    /// ## Why is this bad?
    /// Every other rule is blind to it: a `DROP COLUMN` or an `UPDATE` without `WHERE` in such SQL
    /// passes the check unseen. The reviewer has to read it by hand.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     for table in TABLES:
    ///         op.execute(f"ALTER TABLE {table} DROP COLUMN legacy")
    /// ```
    ///
    /// Use instead:
    ///
    /// Write the statements out, or use `op` calls the linter reads; when the SQL must be built,
    /// review it and suppress with `# noqa: MRT805`.
    ///
    /// ## Known problems
    /// SQL is readable, and this rule stays quiet on it, when every part is known: a literal held in
    /// a local variable or a module constant, a literal loop value, a helper's argument, and
    /// `+`, f-strings, `%` and `.format(...)` of those (`"DROP TYPE %s" % MOOD`); `text(...)` and
    /// `text(...).bindparams(...)` (values bound at run time leave the statement as written); an
    /// f-string whose unknown values all fall inside SQL string literals
    /// (`f"UPDATE users SET created = '{now}'"`): the statement is known, only its values are not.
    /// SQLAlchemy Core statements on a table object (`sa.table("t", ...).update()`,
    /// `sa.delete(t).where(...)`, `t.insert()`) executed on a connection or by `op.execute` are
    /// data operations on that table, checked like `UPDATE` / `DELETE` / `INSERT`, not unreadable
    /// SQL; so are ORM bulk statements (`session.query(Model).filter(...).delete()` /
    /// `.update({...})`) on a model the file defines with a `__tablename__`. A Core `select(...)`
    /// only reads. Anything else counts as built at run time.
    pub(crate) struct UnanalysableSql {
        code: "MRT805",
        name: "unanalysable-sql",
        severity: Warning,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "SQL built at run time that no rule can read",
    }
}

impl Rule for UnanalysableSql {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        for op in &upgrade.ops {
            if let OpKind::Sql {
                text: SqlText::Unreadable(_),
                ..
            } = &op.kind
            {
                findings.push(
                    Finding::new(
                        op.range,
                        "SQL built at run time: no rule can check what it does",
                    )
                    .with_help(
                        "Write the SQL out, or review it and suppress with `# noqa: MRT805`",
                    ),
                );
            }
        }
    }
}
