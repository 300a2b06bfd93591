//! Under a release boundary (`--since`), a table created by a revision after the boundary holds no
//! production rows: dropping it loses nothing (MRT202 stays quiet), and neither does dropping one
//! of its columns (MRT201, MRT206), whether or not the same upgrade drops the table.

#![allow(clippy::expect_used)]

use mrt_core::{Diagnostic, Linter, Project, Settings, SourceFile};

fn revision(id: &str, parent: &str, upgrade: &str, downgrade: &str) -> SourceFile {
    SourceFile::new(
        format!("{id}.py"),
        format!(
            "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = \"{id}\"\ndown_revision = {parent}\n\n\ndef upgrade():\n{upgrade}\n\n\ndef downgrade():\n{downgrade}\n"
        ),
    )
}

/// A release (r0), a revision creating `drafts` (r1), then one dropping a column of `drafts`, a
/// column in a batch block, and a whole table (r2 drops `drafts` columns; r3 drops the table).
fn project() -> Project {
    Project::from_sources([
        revision("r0", "None", "    pass", "    pass"),
        revision(
            "r1",
            "\"r0\"",
            "    op.create_table(\"drafts\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"body\", sa.Text()), sa.Column(\"note\", sa.Text()))",
            "    op.drop_table(\"drafts\")",
        ),
        revision(
            "r2",
            "\"r1\"",
            "    op.drop_column(\"drafts\", \"body\")\n    with op.batch_alter_table(\"drafts\") as batch_op:\n        batch_op.drop_column(\"note\")",
            "    op.add_column(\"drafts\", sa.Column(\"note\", sa.Text()))\n    op.add_column(\"drafts\", sa.Column(\"body\", sa.Text()))",
        ),
        revision(
            "r3",
            "\"r2\"",
            "    op.drop_table(\"drafts\")",
            "    op.create_table(\"drafts\", sa.Column(\"id\", sa.Integer(), primary_key=True))",
        ),
    ])
}

fn codes(since: Option<&str>) -> Vec<(String, &'static str)> {
    let rules = mrt_rules::registry()
        .select(
            &[
                "MRT201".to_owned(),
                "MRT202".to_owned(),
                "MRT206".to_owned(),
            ],
            &[],
            &[],
        )
        .expect("known codes");
    let linter = Linter::new(rules, Settings::default());
    let project = project();
    let diagnostics = match since {
        Some(since) => linter
            .check_since(&project, since)
            .expect("a known revision"),
        None => linter.check(&project),
    };
    diagnostics
        .iter()
        .map(|diagnostic| {
            (
                diagnostic.path().display().to_string(),
                Diagnostic::code(diagnostic),
            )
        })
        .collect()
}

#[test]
fn drops_on_a_table_created_after_the_boundary_lose_nothing() {
    let every = vec![
        ("r2.py".to_owned(), "MRT201"),
        ("r2.py".to_owned(), "MRT206"),
        ("r3.py".to_owned(), "MRT202"),
    ];
    assert_eq!(codes(None), every);
    // `drafts` was released with r1: its rows are production rows.
    assert_eq!(codes(Some("r1")), every);
    // `drafts` is in the same release as r2 and r3: neither its columns nor the table hold
    // production rows.
    assert_eq!(codes(Some("r0")), Vec::new());
}
