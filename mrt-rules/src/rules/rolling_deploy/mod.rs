//! Upgrades that break the previous release while it still runs: during a rolling deploy the old
//! application code keeps serving against the new schema until every instance is replaced. These
//! rules are opt-in (`--select MRT7`): a project that stops the old code before migrating has no
//! use for them.

mod rolling_add_not_null_column_without_default;
mod rolling_column_type_change;
mod rolling_drop_column;
mod rolling_drop_or_rename_table;
mod rolling_rename_column;

use mrt_core::ir::{OpKind, Operation};
use mrt_core::{Finding, MigrationContext};

use crate::helpers::{NewObjects, operation_range};

/// Who a finding of this family is about, as the messages name it.
const OLD_RELEASE: &str = "the release still running during a rolling deploy";

/// Runs `check` on every upgrade operation, with its index, the upgrade's operations, and the
/// objects new in the upgrade (or since the release boundary): the running release does not use
/// those. Each finding `check` returns is pushed, covering the whole call for suppression comments.
///
/// Operations on a table under a name an earlier rename of the upgrade gave it are left out: the
/// running release does not know that name, and MRT703 reports the rename once.
fn check_upgrade_ops(
    cx: &MigrationContext<'_>,
    findings: &mut Vec<Finding>,
    mut check: impl FnMut(&NewObjects, &[Operation], usize) -> Option<Finding>,
) {
    let Some(upgrade) = &cx.migration.upgrade else {
        return;
    };
    let ops = &upgrade.ops;
    let new_objects = cx.facts.new_objects();
    for (index, op) in ops.iter().enumerate() {
        if op
            .table()
            .is_some_and(|table| renamed_before(ops, index, table))
        {
            continue;
        }
        if let Some(finding) = check(new_objects, ops, index) {
            findings.push(finding.within(operation_range(ops, index)));
        }
    }
}

/// Whether an operation before `index` renamed a table to `table`.
fn renamed_before(ops: &[Operation], index: usize, table: &str) -> bool {
    ops[..index].iter().any(|op| {
        matches!(&op.kind, OpKind::RenameTable { new: Some(new), .. }
            if new.value.eq_ignore_ascii_case(table))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use mrt_core::{Diagnostic, Linter, Project, Settings, SourceFile};

    /// A release, then a revision that creates `drafts`, then one that does everything this
    /// family reports to `drafts`.
    fn project() -> Project {
        let revision = |id: &str, parent: &str, upgrade: &str, downgrade: &str| {
            SourceFile::new(
                format!("{id}.py"),
                format!(
                    "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = \"{id}\"\ndown_revision = {parent}\n\n\ndef upgrade():\n{upgrade}\n\n\ndef downgrade():\n{downgrade}\n"
                ),
            )
        };
        Project::from_sources([
            revision("r0", "None", "    pass", "    pass"),
            revision(
                "r1",
                "\"r0\"",
                "    op.create_table(\"drafts\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"body\", sa.Text()), sa.Column(\"title\", sa.Text()), sa.Column(\"n\", sa.Integer()))",
                "    op.drop_table(\"drafts\")",
            ),
            revision(
                "r2",
                "\"r1\"",
                "    op.drop_column(\"drafts\", \"body\")\n    op.alter_column(\"drafts\", \"title\", new_column_name=\"subject\")\n    op.alter_column(\"drafts\", \"n\", type_=sa.BigInteger())\n    op.add_column(\"drafts\", sa.Column(\"state\", sa.Text(), nullable=False))\n    op.rename_table(\"drafts\", \"notes\")",
                "    op.rename_table(\"notes\", \"drafts\")\n    op.drop_column(\"drafts\", \"state\")\n    op.alter_column(\"drafts\", \"n\", type_=sa.Integer())\n    op.alter_column(\"drafts\", \"subject\", new_column_name=\"title\")\n    op.add_column(\"drafts\", sa.Column(\"body\", sa.Text()))",
            ),
        ])
    }

    fn codes(since: Option<&str>) -> Vec<&'static str> {
        let rules = crate::registry()
            .select(&["MRT7".to_owned()], &[], &[])
            .expect("MRT7 names the rolling-deploy rules");
        let linter = Linter::new(rules, Settings::default());
        let project = project();
        let diagnostics = match since {
            Some(since) => linter
                .check_since(&project, since)
                .expect("a known revision"),
            None => linter.check(&project),
        };
        diagnostics.iter().map(Diagnostic::code).collect()
    }

    #[test]
    fn a_table_created_after_the_release_boundary_is_unknown_to_the_running_release() {
        let every_code = ["MRT701", "MRT702", "MRT705", "MRT704", "MRT703"];
        assert_eq!(codes(None), every_code);
        // `drafts` was released with r1: the code running during r2's deploy uses it.
        assert_eq!(codes(Some("r1")), every_code);
        // `drafts` comes with the same release as r2: no running code knows it.
        assert_eq!(codes(Some("r0")), Vec::<&str>::new());
    }
}
