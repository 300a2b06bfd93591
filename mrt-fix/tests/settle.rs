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
    let linter = Linter::new(rules, Settings::default()).with_fixer(mrt_fix::fixer());
    assert_eq!(codes(&linter, NO_DOWNGRADE), ["MRT101"]);
    let settled = fix_until_settled(project(), Applicability::Safe, |p| linter.check(p));
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
    let linter = Linter::new(rules, Settings::default()).with_fixer(mrt_fix::fixer());
    let settled = fix_until_settled(project(), Applicability::Safe, |p| {
        let mut kept = linter.check(p);
        kept.retain(|d| d.code() != "MRT101");
        kept
    });
    assert_eq!(settled.applied, 0);
    assert!(settled.changed.is_empty());
}

fn settle_second(text: &str) -> (mrt_fix::Settled, Linter) {
    let rules = mrt_rules::registry().select(&[], &[], &[]).unwrap();
    let linter = Linter::new(rules, Settings::default()).with_fixer(mrt_fix::fixer());
    let project = Project::from_sources([
        SourceFile::new("0001.py", BASE),
        SourceFile::new("0002.py", text),
    ]);
    let settled = fix_until_settled(project, Applicability::Unsafe, |p| linter.check(p));
    (settled, linter)
}

fn fixed_second(settled: &mrt_fix::Settled) -> Option<&str> {
    settled
        .changed
        .get(std::path::Path::new("0002.py"))
        .map(|(_, fixed)| fixed.as_str())
}

#[test]
fn lines_starting_with_a_form_feed_get_a_downgrade_that_parses() {
    let text = NO_DOWNGRADE
        .replace("\ndef upgrade", "\n\x0cdef upgrade")
        .replace("    op.", "\x0c    op.");
    assert!(ruff_python_parser::parse_module(&text).is_ok());
    let (settled, linter) = settle_second(&text);
    let fixed = fixed_second(&settled).expect("the downgrade is written");
    assert!(ruff_python_parser::parse_module(fixed).is_ok(), "{fixed:?}");
    assert!(fixed.contains("\n    op.drop_column("), "{fixed:?}");
    assert_eq!(codes(&linter, fixed), Vec::<&str>::new());
    assert!(settled.refused.is_empty(), "{:?}", settled.refused);
}

#[test]
fn a_file_of_lone_carriage_returns_gets_a_downgrade_that_parses() {
    let text = NO_DOWNGRADE.replace('\n', "\r");
    let (settled, linter) = settle_second(&text);
    let fixed = fixed_second(&settled).expect("the downgrade is written");
    assert!(ruff_python_parser::parse_module(fixed).is_ok(), "{fixed:?}");
    assert!(
        !fixed.contains('\n'),
        "new lines end as the file's do: {fixed:?}"
    );
    assert!(fixed.contains("\r    op.drop_column("), "{fixed:?}");
    assert_eq!(codes(&linter, fixed), Vec::<&str>::new());
}

#[test]
fn a_fix_that_would_bring_a_finding_of_another_code_is_refused() {
    // The upgrade only restates the column's type: its inverse is nothing, and a downgrade of
    // `pass` is what MRT102 reports.
    let text = "revision = \"0002\"\ndown_revision = \"0001\"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.alter_column(\"users\", \"id\", existing_type=sa.Integer())\n";
    let (settled, linter) = settle_second(text);
    let after = fixed_second(&settled).unwrap_or(text);
    let before = codes(&linter, text);
    for code in codes(&linter, after) {
        assert!(before.contains(&code), "{code} is new: {after}");
    }
    // The loop tried the fix, saw the new finding, and took it back.
    assert!(
        settled
            .refused
            .iter()
            .any(|refused| refused.code == "MRT101"
                && refused.reason == mrt_fix::RefusedReason::NewFinding("MRT102")),
        "{:?}",
        settled.refused
    );
    assert!(settled.changed.is_empty(), "{after}");
}

#[test]
fn a_second_run_changes_nothing() {
    for text in [NO_DOWNGRADE.to_owned(), NO_DOWNGRADE.replace('\n', "\r\n")] {
        let (settled, linter) = settle_second(&text);
        let fixed = fixed_second(&settled).expect("fixed").to_owned();
        let (again, _) = settle_second(&fixed);
        assert!(again.changed.is_empty(), "{:?}", again.changed);
        drop(linter);
    }
}

#[test]
fn a_fix_that_does_not_clear_its_finding_is_refused_and_not_repeated() {
    // `users.id` is NOT NULL already: the inverse of making it NOT NULL restores NOT NULL, which
    // does not clear MRT402; written, it was appended again on every run.
    let text = "revision = \"0002\"\ndown_revision = \"0001\"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.alter_column(\"users\", \"id\", nullable=False)\n    op.create_index(\"ix_users_id\", \"users\", [\"id\"])\n\n\ndef downgrade():\n    op.drop_index(\"ix_users_id\", table_name=\"users\")\n";
    let (settled, _) = settle_second(text);
    assert_eq!(
        settled.refused,
        [mrt_fix::Refused {
            path: "0002.py".into(),
            code: "MRT402",
            reason: mrt_fix::RefusedReason::NotCleared,
        }]
    );
    // Nothing is written, so a second run has nothing to add either.
    assert!(settled.changed.is_empty(), "{:?}", settled.changed);
    let (again, _) = settle_second(text);
    assert!(again.changed.is_empty(), "{:?}", again.changed);
}
