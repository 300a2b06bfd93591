//! `fix_until_settled`, the loop `mrt fix` runs, used as an embedder would: only the fixes of the
//! findings the caller reports are applied, and the result lints clean of them.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use mrt_core::{Linter, Project, Settings, SourceFile};
use mrt_fix::{Applicability, fix_until_settled};

const BASE: &str = "revision = \"0001\"\ndown_revision = None\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.create_table(\"users\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table(\"users\")\n";

const NO_DOWNGRADE: &str = "revision = \"0002\"\ndown_revision = \"0001\"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.add_column(\"users\", sa.Column(\"nickname\", sa.String(50)))\n";

fn project() -> Project {
    Project::from_sources([
        SourceFile::new("0001.py", BASE),
        SourceFile::new("0002.py", NO_DOWNGRADE),
    ])
}

fn codes(linter: &Linter, text: &str) -> Vec<&'static str> {
    let project = Project::from_sources([
        SourceFile::new("0001.py", BASE),
        SourceFile::new("0002.py", text),
    ]);
    linter
        .check(&project)
        .iter()
        .map(mrt_core::Diagnostic::code)
        .collect()
}

#[test]
fn the_loop_fixes_what_the_caller_reports_until_nothing_changes() {
    let rules = mrt_rules::registry().select(&[], &[], &[]).unwrap();
    let linter = Linter::new(rules, Settings::default());
    assert_eq!(codes(&linter, NO_DOWNGRADE), ["MRT101"]);
    let settled = fix_until_settled(project(), linter.settings(), Applicability::Safe, |p| {
        linter.check(p)
    });
    assert_eq!(settled.applied, 1);
    assert_eq!(settled.changed.len(), 1);
    let (original, fixed) = settled
        .changed
        .get(std::path::Path::new("0002.py"))
        .unwrap();
    assert_eq!(original, NO_DOWNGRADE);
    assert!(fixed.contains("def downgrade"), "{fixed}");
    assert!(
        fixed.contains("op.drop_column(\"users\", \"nickname\")"),
        "{fixed}"
    );
    assert_eq!(codes(&linter, fixed), Vec::<&str>::new());
}

#[test]
fn findings_the_caller_drops_are_not_fixed() {
    let rules = mrt_rules::registry().select(&[], &[], &[]).unwrap();
    let linter = Linter::new(rules, Settings::default());
    let settled = fix_until_settled(project(), linter.settings(), Applicability::Safe, |p| {
        let mut kept = linter.check(p);
        kept.retain(|d| d.code() != "MRT101");
        kept
    });
    assert_eq!(settled.applied, 0);
    assert!(settled.changed.is_empty());
}
