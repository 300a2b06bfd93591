use mrt_core::fix::Remedy;
use mrt_core::{Finding, MigrationContext, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports an Alembic revision file (it has a `revision` and an `upgrade()`) that defines no
    /// `downgrade()`.
    ///
    /// ## Why is this bad?
    /// Rolling back past this revision is impossible: `alembic downgrade` stops with an error in
    /// the middle of an incident, when a rollback is needed most.
    ///
    /// ## Example
    /// ```python
    /// revision = "3f2a9c"
    /// down_revision = "1b7e44"
    ///
    /// def upgrade():
    ///     op.add_column("users", sa.Column("nickname", sa.String(50)))
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// def downgrade():
    ///     op.drop_column("users", "nickname")
    /// ```
    ///
    /// ## Fix safety
    /// `mrt fix` writes the `downgrade()`: the inverse of each operation of `upgrade()`, in
    /// reverse order, read from the schema the earlier revisions define (a dropped column comes
    /// back with its type, nullability and server default; a dropped table with its columns, keys,
    /// indexes and constraints). The fix is safe when every operation has a known inverse. It is
    /// unsafe when some step needs a person (deleted rows, an enum label added, SQL that cannot be
    /// read, an object no revision defines): that step is written as a `# TODO(mrt):` comment.
    /// When no operation can be reversed, the fix is only displayed.
    ///
    /// ## Known problems
    /// Files with syntax errors are reported by MRT902 alone: what is missing from a file that
    /// does not parse cannot be told.
    pub(crate) struct MissingDowngrade {
        code: "MRT101",
        name: "missing-downgrade",
        severity: Error,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Write a `downgrade()` that reverses `upgrade()`",
        summary: "a revision without downgrade() cannot be rolled back",
    }
}

impl Rule for MissingDowngrade {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let migration = cx.migration;
        if !migration.writes_downgrade()
            || migration.downgrade.is_some()
            || !migration.syntax_errors.is_empty()
        {
            return;
        }
        let Some(upgrade) = &migration.upgrade else {
            return;
        };
        let revision = migration
            .revision_id()
            .map_or_else(String::new, |id| format!(" `{id}`"));
        findings.push(
            Finding::new(
                upgrade.name_range,
                format!("Revision{revision} has no `downgrade()`: it cannot be rolled back"),
            )
            .with_help("Add a `downgrade()` that reverses `upgrade()`")
            .with_remedy(Some(Remedy::ReverseUpgrade)),
        );
    }
}
