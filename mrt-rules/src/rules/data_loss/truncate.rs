use mrt_core::ir::{Body, OpKind};
use mrt_core::{Finding, MigrationContext, Rule};

use crate::helpers::{NewObjects, label, name_range, operation_range};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports SQL `TRUNCATE` in `upgrade()` or `downgrade()` (one finding per table it names),
    /// and `TRUNCATE` in a Django `RunSQL`.
    /// squawk calls this `ban-truncate-cascade`.
    ///
    /// ## Why is this bad?
    /// `TRUNCATE` deletes every row at once, without a `WHERE`, without row triggers, and with
    /// `CASCADE` in the tables that reference it too. No later step can restore the rows. In a
    /// downgrade it is worse: a rollback run during an incident silently empties a table.
    ///
    /// ## Example
    /// ```python
    /// def upgrade():
    ///     op.execute("TRUNCATE TABLE sessions")
    /// ```
    ///
    /// Use instead:
    ///
    /// Delete only the rows that must go, in batches, or keep the truncate with the loss reviewed:
    /// ```python
    /// def upgrade():
    ///     op.execute("DELETE FROM sessions WHERE expires_at < now()")
    /// ```
    ///
    /// ## Known problems
    /// The word `TRUNCATE` inside a comment, a string literal or a function body (`$$ ... $$`) is
    /// not a statement and is not reported. A table created earlier in the same body holds no rows
    /// from before the migration and is not reported. SQL built at run time (an f-string) cannot
    /// be read (MRT805 reports it).
    pub(crate) struct Truncate {
        code: "MRT203",
        name: "truncate",
        aliases: ["MRT212"],
        severity: Error,
        frameworks: [Alembic, Django],
        fix: None,
        summary: "TRUNCATE deletes every row of a table; nothing brings them back",
    }
}

impl Rule for Truncate {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let migration = cx.migration;
        for (body, created, function) in [
            (
                &migration.upgrade,
                cx.facts.created_in_upgrade(),
                "upgrade()",
            ),
            (
                &migration.downgrade,
                cx.facts.created_in_downgrade(),
                "downgrade()",
            ),
        ] {
            if let Some(body) = body {
                check_body(body, created, function, findings);
            }
        }
    }
}

fn check_body(body: &Body, new_objects: &NewObjects, function: &str, findings: &mut Vec<Finding>) {
    for (index, op) in body.ops.iter().enumerate() {
        let OpKind::Truncate { table } = &op.kind else {
            continue;
        };
        if let Some(table) = table
            && new_objects.table_before(&table.value, index)
        {
            continue;
        }
        let described = label(table, "a table");
        findings.push(
            Finding::new(
                name_range(table, op),
                format!("`TRUNCATE` in `{function}` deletes every row of {described}; nothing can bring them back"),
            )
            .with_help("Delete only the rows that must go, or suppress with `# noqa: MRT203` once the loss is reviewed")
            .within(operation_range(&body.ops, index)),
        );
    }
}
