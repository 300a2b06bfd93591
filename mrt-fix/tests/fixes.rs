//! Fixes applied to migrations in memory: the fixed file parses, the fixed finding is gone, and
//! the fixed source is snapshotted.

// A test that cannot build its own fixtures should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use mrt_core::{Linter, Project, Settings, SourceFile};
use mrt_fix::{Applicability, apply_fixes, fixes};

const BASE: &str = r#"revision = "0001"
down_revision = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False, server_default=""),
        sa.Column("legacy", sa.Text(), nullable=True),
    )
    op.create_index("ix_users_email", "users", ["email"], unique=True)
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_posts_user", ondelete="CASCADE"),
    )


def downgrade():
    op.drop_table("posts")
    op.drop_index("ix_users_email", table_name="users")
    op.drop_table("users")
"#;

const NO_DOWNGRADE: &str = r#"revision = "0002"
down_revision = "0001"

from alembic import op as o
import sqlalchemy as sqla


def upgrade() -> None:
  o.add_column("users", sqla.Column("nickname", sqla.String(50)))
  o.drop_column("users", "legacy")
  o.drop_index("ix_users_email", table_name="users")
  o.alter_column("users", "email", nullable=True, type_=sqla.String(320))
  o.drop_constraint("fk_posts_user", "posts", type_="foreignkey")
  with o.batch_alter_table("posts") as batch_op:
    batch_op.add_column(sqla.Column("title", sqla.String(80), nullable=True))
    batch_op.create_index("ix_posts_title", ["title"])
  o.rename_table("posts", "articles")
"#;

const NOOP_DOWNGRADE: &str = r#"revision = "0003"
down_revision = "0002"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.execute("DELETE FROM articles WHERE title IS NULL")
    op.drop_table("articles")


def downgrade():
    pass
"#;

fn project(files: &[(&str, &str)]) -> Project {
    Project::from_sources(
        files
            .iter()
            .map(|(name, text)| SourceFile::new(*name, *text)),
    )
}

fn findings(project: &Project, code: &str) -> Vec<String> {
    let rules = mrt_rules::registry()
        .select(&[code.to_owned()], &[], &[])
        .unwrap();
    Linter::new(rules, Settings::default())
        .check(project)
        .into_iter()
        .map(|d| format!("{}:{}", d.path().display(), d.code()))
        .collect()
}

/// Applies every fix at or above `at least`, returning the fixed texts by file name.
fn fixed(files: &[(&str, &str)], at_least: Applicability) -> Vec<(String, String)> {
    fixed_on(files, at_least, &Settings::default())
}

/// [`fixed`], on the database `settings` name.
fn fixed_on(
    files: &[(&str, &str)],
    at_least: Applicability,
    settings: &Settings,
) -> Vec<(String, String)> {
    let project = project(files);
    let found = fixes(&project, settings);
    project
        .migrations
        .iter()
        .enumerate()
        .map(|(index, migration)| {
            let chosen = found
                .iter()
                .filter(|f| f.migration == index && f.fix.applicability >= at_least)
                .map(|f| &f.fix);
            let applied = apply_fixes(&migration.source.text, chosen);
            (migration.path().display().to_string(), applied.text)
        })
        .collect()
}

const CHAIN: [(&str, &str); 3] = [
    ("0001_base.py", BASE),
    ("0002_no_downgrade.py", NO_DOWNGRADE),
    ("0003_noop_downgrade.py", NOOP_DOWNGRADE),
];

#[test]
fn offers_a_safe_fix_for_mrt101_and_an_unsafe_one_for_mrt102() {
    let project = project(&CHAIN);
    let found = fixes(&project, &Settings::default());
    let summary: Vec<(usize, &str, Applicability)> = found
        .iter()
        .map(|f| (f.migration, f.code, f.fix.applicability))
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, "MRT101", Applicability::Safe),
            (2, "MRT102", Applicability::Unsafe)
        ]
    );
}

#[test]
fn fixed_files_parse_and_lose_their_findings() {
    assert_eq!(
        findings(&project(&CHAIN), "MRT101"),
        vec!["0002_no_downgrade.py:MRT101"]
    );
    let after = fixed(&CHAIN, Applicability::Unsafe);
    let sources: Vec<(&str, &str)> = after
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let reparsed = project(&sources);
    for migration in &reparsed.migrations {
        assert!(
            migration.syntax_errors.is_empty(),
            "{}: {:?}",
            migration.path().display(),
            migration.syntax_errors
        );
    }
    assert!(findings(&reparsed, "MRT101").is_empty());
    assert!(findings(&reparsed, "MRT102").is_empty());
    // Nothing left to fix: a second run changes nothing.
    assert!(fixes(&reparsed, &Settings::default()).is_empty());
    insta::assert_snapshot!("no_downgrade_fixed", after[1].1);
    insta::assert_snapshot!("noop_downgrade_fixed", after[2].1);
}

#[test]
fn the_written_downgrade_restores_the_schema_before_the_revision() {
    let after = fixed(&CHAIN, Applicability::Unsafe);
    let sources: Vec<(&str, &str)> = after
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let replay = mrt_core::schema::replay(&project(&sources), &Settings::default(), None);
    for (index, (name, _)) in after.iter().enumerate() {
        let revision = replay.revision(index).unwrap();
        assert!(
            revision.residue.is_empty(),
            "{name}: {:?}",
            revision.residue
        );
    }
}

#[test]
fn safe_fixes_leave_unsafe_ones_alone() {
    let after = fixed(&CHAIN, Applicability::Safe);
    assert_ne!(after[1].1, NO_DOWNGRADE);
    assert_eq!(after[2].1, NOOP_DOWNGRADE);
}

#[test]
fn missing_imports_are_added() {
    let text = "revision = \"a1\"\ndown_revision = \"a0\"\n\nfrom alembic import op\n\n\ndef upgrade():\n    op.create_table(\"t\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    pass\n\n\nrevision2 = 1\n";
    let base = "revision = \"a0\"\ndown_revision = None\nfrom alembic import op\nimport sqlalchemy as sa\ndef upgrade():\n    op.create_table(\"u\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"n\", sa.Integer(), nullable=True))\ndef downgrade():\n    op.drop_table(\"u\")\n";
    let drop = "revision = \"a2\"\ndown_revision = \"a1\"\nfrom alembic import op\ndef upgrade():\n    op.drop_column(\"u\", \"n\")\n";
    let after = fixed(
        &[("a0.py", base), ("a1.py", text), ("a2.py", drop)],
        Applicability::Safe,
    );
    assert!(
        after[2].1.contains("import sqlalchemy as sa\n"),
        "{}",
        after[2].1
    );
    insta::assert_snapshot!("import_added", after[2].1);
}

#[test]
fn an_irreversible_upgrade_gets_a_display_only_fix() {
    let text = "revision = \"b1\"\ndown_revision = None\nfrom alembic import op\ndef upgrade():\n    op.execute(\"DELETE FROM users\")\n";
    let project = project(&[("b1.py", text)]);
    let found = fixes(&project, &Settings::default());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].fix.applicability, Applicability::DisplayOnly);
    let applied = apply_fixes(text, [&found[0].fix]);
    assert!(
        applied
            .text
            .contains("# TODO(mrt): rows deleted from `users`")
    );
    assert!(applied.text.contains("raise NotImplementedError("));
}

#[test]
fn a_dropped_column_comes_back_in_place_and_check_conditions_survive() {
    let base = "revision = \"c0\"\ndown_revision = None\nfrom alembic import op\nimport sqlalchemy as sa\ndef upgrade():\n    op.create_table(\"t\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"a\", sa.Integer(), nullable=True), sa.Column(\"b\", sa.Integer(), nullable=True, server_default=\"x\"), sa.CheckConstraint(\"id > 0\", name=\"ck_id\"))\ndef downgrade():\n    op.drop_table(\"t\")\n";
    let drop = "revision = \"c1\"\ndown_revision = \"c0\"\nfrom alembic import op\nimport sqlalchemy as sa\ndef upgrade():\n    with op.batch_alter_table(\"t\") as batch_op:\n        batch_op.drop_column(\"a\")\n    op.drop_table(\"t\")\ndef downgrade():\n    pass\n";
    let mut sqlite = Settings::default();
    sqlite.dialect = mrt_core::Dialect::Sqlite;
    let after = fixed_on(
        &[("c0.py", base), ("c1.py", drop)],
        Applicability::Safe,
        &sqlite,
    );
    let written = &after[1].1;
    assert!(
        written.contains("sa.CheckConstraint(\"id > 0\", name=\"ck_id\")"),
        "{written}"
    );
    assert!(
        written.contains("with op.batch_alter_table(\"t\", recreate=\"always\") as batch_op:\n        batch_op.add_column(\n            sa.Column(\"a\", sa.Integer(), nullable=True),\n            insert_after=\"id\",\n        )"),
        "{written}"
    );
    assert!(written.contains("server_default=\"x\""), "{written}");
}

#[test]
fn on_postgresql_a_dropped_column_comes_back_without_rebuilding_the_table() {
    // Rebuilding the table to put the column in place would drop the primary key the foreign
    // key of `child` depends on.
    let base = "revision = \"c0\"\ndown_revision = None\nfrom alembic import op\nimport sqlalchemy as sa\ndef upgrade():\n    op.create_table(\"t\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"a\", sa.Integer(), nullable=True), sa.Column(\"b\", sa.Integer(), nullable=True))\n    op.create_table(\"child\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"t_id\", sa.Integer(), sa.ForeignKey(\"t.id\")))\ndef downgrade():\n    op.drop_table(\"child\")\n    op.drop_table(\"t\")\n";
    let drop = "revision = \"c1\"\ndown_revision = \"c0\"\nfrom alembic import op\nimport sqlalchemy as sa\ndef upgrade():\n    with op.batch_alter_table(\"t\") as batch_op:\n        batch_op.drop_column(\"a\")\n    with op.batch_alter_table(\"child\", recreate=\"never\") as batch_op:\n        batch_op.drop_column(\"t_id\")\ndef downgrade():\n    pass\n";
    for dialect in [mrt_core::Dialect::Postgresql, mrt_core::Dialect::Mysql] {
        let mut settings = Settings::default();
        settings.dialect = dialect;
        let after = fixed_on(
            &[("c0.py", base), ("c1.py", drop)],
            Applicability::Unsafe,
            &settings,
        );
        let written = &after[1].1;
        assert!(!written.contains("recreate=\"always\""), "{written}");
        assert!(!written.contains("insert_after"), "{written}");
        assert!(
            written.contains("with op.batch_alter_table(\"t\") as batch_op:"),
            "{written}"
        );
        // The upgrade's own mode is kept.
        assert!(
            written
                .contains("with op.batch_alter_table(\"child\", recreate=\"never\") as batch_op:"),
            "{written}"
        );
    }
}

/// The fixes are written by the linter's replay, on the part of the schema before each revision
/// that its operations name: that part holds all its inverses read (here the table a re-created
/// foreign key refers to, untouched by the revision, and enum types), across a branch, a merge and
/// a rename.
#[test]
fn fixes_read_on_the_part_of_the_schema_a_revision_names_lack_nothing() {
    let header = |id: &str, parent: &str| {
        format!(
            "revision = \"{id}\"\ndown_revision = {parent}\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n"
        )
    };
    let files = [
        (
            "a.py".to_owned(),
            header("a", "None")
                + "def upgrade():\n    op.create_table(\"users\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n    op.create_table(\n        \"posts\",\n        sa.Column(\"id\", sa.Integer(), primary_key=True),\n        sa.Column(\"user_id\", sa.Integer(), sa.ForeignKey(\"users.id\"), nullable=True),\n        sa.Column(\"state\", sa.Enum(\"new\", \"done\", name=\"post_state\"), nullable=True),\n    )\n\n\ndef downgrade():\n    op.drop_table(\"posts\")\n    op.drop_table(\"users\")\n",
        ),
        (
            "b.py".to_owned(),
            header("b", "\"a\"") + "def upgrade():\n    op.drop_table(\"posts\")\n",
        ),
        (
            "c.py".to_owned(),
            header("c", "\"a\"")
                + "def upgrade():\n    op.add_column(\"users\", sa.Column(\"mood\", sa.Enum(\"ok\", name=\"mood\"), nullable=True))\n\n\ndef downgrade():\n    pass\n",
        ),
        (
            "d.py".to_owned(),
            header("d", "(\"b\", \"c\")")
                + "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n",
        ),
        (
            "e.py".to_owned(),
            header("e", "\"d\"")
                + "def upgrade():\n    op.rename_table(\"users\", \"people\")\n    op.drop_column(\"people\", \"mood\")\n\n\ndef downgrade():\n    op.add_column(\"people\", sa.Column(\"mood\", sa.Text(), nullable=True))\n",
        ),
    ];
    let project = Project::from_sources(
        files
            .iter()
            .map(|(name, text)| SourceFile::new(name.as_str(), text.as_str())),
    );
    let from_replay = fixes(&project, &Settings::default());
    let posts_again = from_replay
        .iter()
        .find(|fix| project.migrations[fix.migration].path().ends_with("b.py"))
        .expect("b.py has no downgrade: it gets one");
    assert!(
        posts_again.fix.edits[0].replacement.contains("users.id"),
        "the foreign key is re-created to the table it referred to: {:?}",
        posts_again.fix.edits[0].replacement
    );
    assert!(
        posts_again.fix.edits[0].replacement.contains("post_state"),
        "the enum column comes back with its type: {:?}",
        posts_again.fix.edits[0].replacement
    );
    for fixed in ["c.py", "e.py"] {
        assert!(
            from_replay
                .iter()
                .any(|fix| project.migrations[fix.migration].path().ends_with(fixed)),
            "{fixed} has a fix"
        );
    }
}
