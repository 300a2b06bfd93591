//! A house rule gets a fix by saying what would answer its finding ([`Remedy`]): the fixer writes
//! it, titled as the rule declares, with no code of `mrt-fix` knowing the rule.

use mrt_core::fix::{Applicability, MissingInverse, Remedy};
use mrt_core::ir::OpKind;
use mrt_core::{Finding, Linter, MigrationContext, Project, Rule, Settings, SourceFile};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports every table an upgrade creates that its downgrade keeps.
    ///
    /// ## Why is this bad?
    /// A test of this crate: the team wants each created table dropped again.
    pub struct KeepNoTables {
        code: "ACME101",
        name: "keep-no-tables",
        severity: Warning,
        frameworks: [Alembic],
        fix: Sometimes,
        fix_title: "Drop the table again in `downgrade()`",
        summary: "a downgrade drops the tables its upgrade creates",
    }
}

impl Rule for KeepNoTables {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let (Some(upgrade), Some(downgrade)) = (&cx.migration.upgrade, &cx.migration.downgrade)
        else {
            return;
        };
        for (index, op) in upgrade.ops.iter().enumerate() {
            let OpKind::CreateTable { .. } = &op.kind else {
                continue;
            };
            let dropped = downgrade
                .ops
                .iter()
                .any(|back| matches!(back.kind, OpKind::DropTable { .. }));
            if !dropped {
                findings.push(
                    Finding::new(op.range, "Created table kept by the downgrade")
                        .with_remedy(Some(Remedy::AddInverse(MissingInverse::whole(index)))),
                );
            }
        }
    }
}

const REVISION: &str = r#"revision = "a1"
down_revision = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table("pets", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("pets", sa.Column("name", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("pets", "name")
"#;

fn check(linter: &Linter) -> Vec<mrt_core::Diagnostic> {
    let project = Project::from_sources([SourceFile::new("a1.py", REVISION)]);
    linter.check(&project)
}

#[test]
fn a_house_rules_remedy_is_written_as_its_fix() {
    let linter = Linter::new(vec![&KeepNoTables], Settings::default()).with_fixer(mrt_fix::fixer());
    let found = check(&linter);
    assert_eq!(found.len(), 1, "{found:?}");
    let fix = found[0].fix.as_deref().expect("the remedy is written");
    assert_eq!(fix.title, "Drop the table again in `downgrade()`");
    assert_eq!(fix.applicability, Applicability::Safe);
    let fixed = mrt_fix::apply_fixes(REVISION, [fix]).text;
    // After the statement that reverses the later `add_column`: the reverse order of the upgrade.
    assert!(
        fixed.ends_with("    op.drop_column(\"pets\", \"name\")\n    op.drop_table(\"pets\")\n"),
        "{fixed}"
    );
}

#[test]
fn without_a_fixer_findings_carry_no_fix() {
    let found = check(&Linter::new(vec![&KeepNoTables], Settings::default()));
    assert_eq!(found.len(), 1);
    assert!(found[0].fix.is_none());
}
