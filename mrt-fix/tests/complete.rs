//! Fixes that complete an existing downgrade with the one inverse it lacks: applied as `mrt fix`
//! applies them (only fixes of reported findings, round after round), the fixed file parses, the
//! finding is gone, a second run changes nothing, and the fixed source is snapshotted.

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
        sa.Column("email", sa.String(255), nullable=True),
        sa.Column("mail", sa.String(255), nullable=True, server_default="x"),
        sa.Column("code", sa.String(20), nullable=True),
    )
    op.create_index("ix_users_email", "users", ["email"], unique=True)
    op.create_unique_constraint("uq_users_code", "users", ["code"])


def downgrade():
    op.drop_constraint("uq_users_code", "users", type_="unique")
    op.drop_index("ix_users_email", table_name="users")
    op.drop_table("users")
"#;

fn rules() -> Vec<&'static dyn mrt_core::Rule> {
    mrt_rules::registry().select(&[], &[], &[]).unwrap()
}

fn project(files: &[(&str, &str)]) -> Project {
    Project::from_sources(
        files
            .iter()
            .map(|(name, text)| SourceFile::new(*name, *text)),
    )
}

/// `(code, line)` of every finding in the second file.
fn findings(files: &[(&str, &str)]) -> Vec<(String, usize)> {
    let project = project(files);
    Linter::new(rules(), Settings::default())
        .check(&project)
        .into_iter()
        .filter(|d| d.path().to_string_lossy() == files[1].0)
        .map(|d| (d.code().to_owned(), d.start().line))
        .collect()
}

/// One round of `mrt fix`: the fixes of reported findings at or above `at_least`, applied to the
/// second file. Returns the new text and how many fixes were applied.
fn round(files: &[(&str, &str)], at_least: Applicability) -> (String, usize) {
    let project = project(files);
    let offered = fixes(&project, &Settings::default());
    let chosen = offered
        .iter()
        .filter(|f| f.migration == 1 && f.fix.applicability >= at_least);
    let applied = apply_fixes(files[1].1, chosen.map(|f| &f.fix));
    (applied.text, applied.applied)
}

/// `mrt fix` on the second file until nothing changes.
fn fix(revision: &str, at_least: Applicability) -> String {
    let mut text = revision.to_owned();
    for _ in 0..10 {
        let (fixed, applied) = round(&[("0001_base.py", BASE), ("0002_rev.py", &text)], at_least);
        if applied == 0 {
            return text;
        }
        assert_ne!(fixed, text, "an applied fix changes the text");
        text = fixed;
    }
    panic!("no fixed point after 10 rounds:\n{text}");
}

/// Fixes `revision`, checks the findings of `codes` are reported before and gone after, that
/// the fixed file parses and that a second run changes nothing; returns the fixed text.
fn fixed_without(revision: &str, codes: &[&str]) -> String {
    let before = findings(&[("0001_base.py", BASE), ("0002_rev.py", revision)]);
    for code in codes {
        assert!(
            before.iter().any(|(found, _)| found == code),
            "{code} is not reported before the fix: {before:?}"
        );
    }
    let text = fix(revision, Applicability::Safe);
    let files = [("0001_base.py", BASE), ("0002_rev.py", text.as_str())];
    let reparsed = project(&files);
    assert!(
        reparsed.migrations[1].syntax_errors.is_empty(),
        "{:?}\n{text}",
        reparsed.migrations[1].syntax_errors
    );
    let after = findings(&files);
    for code in codes {
        assert!(
            !after.iter().any(|(found, _)| found == code),
            "{code} is still reported after the fix: {after:?}\n{text}"
        );
    }
    // A second run finds nothing to fix.
    assert_eq!(round(&files, Applicability::Unsafe).1, 0, "{text}");
    // And the downgrade now restores the schema.
    let replay = mrt_core::schema::replay(&reparsed, &Settings::default(), None);
    assert_eq!(
        replay.revision(1).unwrap().residue,
        Vec::new(),
        "residue after the fix:\n{text}"
    );
    text
}

#[test]
fn mrt408_the_index_comes_back_after_the_reverse_of_later_operations() {
    let revision = r#"revision = "0002"
down_revision = "0001"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.drop_index("ix_users_email", table_name="users")
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    # Undo the new column.
    op.drop_column("users", "nickname")
"#;
    let text = fixed_without(revision, &["MRT408"]);
    insta::assert_snapshot!("mrt408_fixed", text);
}

#[test]
fn mrt302_a_batch_rename_is_undone_in_a_batch_block() {
    let revision = r#"revision = "0002"
down_revision = "0001"

from alembic import op
import sqlalchemy as sa


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("mail", new_column_name="contact")
    op.create_index("ix_users_code", "users", ["code"])


def downgrade():
  op.drop_index("ix_users_code", table_name="users")
"#;
    let text = fixed_without(revision, &["MRT302"]);
    insta::assert_snapshot!("mrt302_fixed", text);
}

#[test]
fn mrt402_nullable_again_at_the_top_when_nothing_later_is_reversed() {
    let revision = r#"revision = "0002"
down_revision = "0001"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_index("ix_users_code", "users", ["code"])
    op.alter_column("users", "email", nullable=False, existing_type=sa.String(255))


def downgrade():
    """Drop the index again."""
    op.drop_index("ix_users_code", table_name="users")
"#;
    let text = fixed_without(revision, &["MRT402"]);
    insta::assert_snapshot!("mrt402_fixed", text);
}

#[test]
fn mrt402_only_the_missing_part_of_an_alter_is_added_after_the_rename_back() {
    let revision = r#"revision = "0002"
down_revision = "0001"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.alter_column("users", "mail", new_column_name="contact", nullable=False)


def downgrade():
    op.alter_column("users", "contact", new_column_name="mail")
"#;
    let text = fixed_without(revision, &["MRT402"]);
    assert_eq!(
        text.matches("new_column_name").count(),
        2,
        "the rename back is not repeated:\n{text}"
    );
    insta::assert_snapshot!("mrt402_partial_fixed", text);
}

#[test]
fn mrt801_the_missing_inverses_of_a_created_table_and_a_type_change() {
    let revision = r#"revision = "0002"
down_revision = "0001"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table("tags", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))
    op.alter_column("users", "code", type_=sa.String(40), existing_type=sa.String(20))


def downgrade():
    op.drop_column("users", "nickname")
"#;
    let text = fixed_without(revision, &["MRT801"]);
    let table = text.find("drop_table(\"tags\")").unwrap();
    let column = text.find("drop_column(\"users\", \"nickname\")").unwrap();
    let alter = text.find("type_=sa.String(20)").unwrap();
    assert!(alter < column && column < table, "reverse order:\n{text}");
    insta::assert_snapshot!("mrt801_fixed", text);
}

#[test]
fn mrt801_a_residue_the_downgrade_causes_itself_has_no_fix() {
    // The downgrade re-creates the index on other columns: nothing is missing, it is wrong.
    let revision = r#"revision = "0002"
down_revision = "0001"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.drop_index("ix_users_email", table_name="users")


def downgrade():
    op.create_index("ix_users_email", "users", ["code"], unique=True)
"#;
    let files = [("0001_base.py", BASE), ("0002_rev.py", revision)];
    assert!(
        findings(&files)
            .iter()
            .any(|(code, line)| code == "MRT801" && *line == 9),
        "{:?}",
        findings(&files)
    );
    assert_eq!(round(&files, Applicability::DisplayOnly).1, 0);
}

#[test]
fn an_index_no_revision_defines_gets_a_display_only_fix() {
    let revision = r#"revision = "0002"
down_revision = "0001"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.drop_index("ix_unknown", table_name="users")
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    op.drop_column("users", "nickname")
"#;
    let project = project(&[("0001_base.py", BASE), ("0002_rev.py", revision)]);
    let found: Vec<_> = fixes(&project, &Settings::default())
        .into_iter()
        .filter(|f| f.code == "MRT408")
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].fix.applicability, Applicability::DisplayOnly);
    let shown = apply_fixes(revision, [&found[0].fix]).text;
    assert!(
        shown.contains("    # TODO(mrt): re-create index `ix_unknown`"),
        "{shown}"
    );
}

/// Operations a loop writes share one range; each finding on them gets the inverse of its own
/// operation, not the first one's (joining fixes to findings by range once gave every table the
/// first table's inverse).
#[test]
fn findings_sharing_one_range_get_the_inverse_of_their_own_operation() {
    let base = r#"revision = "0001"
down_revision = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    for table in ("cats", "dogs"):
        op.create_table(table, sa.Column("id", sa.Integer(), primary_key=True), sa.Column("tag", sa.String(10), nullable=True))


def downgrade():
    for table in ("dogs", "cats"):
        op.drop_table(table)
"#;
    let revision = r#"revision = "0002"
down_revision = "0001"

from alembic import op
import sqlalchemy as sa


def upgrade():
    for table in ("cats", "dogs"):
        op.alter_column(table, "tag", type_=sa.Text(), existing_type=sa.String(10))


def downgrade():
    op.create_index("ix_cats_id", "cats", ["id"])
"#;
    let project = project(&[("0001_base.py", base), ("0002_rev.py", revision)]);
    let found: Vec<_> = Linter::new(rules(), Settings::default())
        .with_fixer(mrt_fix::fixer())
        .check(&project)
        .into_iter()
        .filter(|d| d.code() == "MRT801" && d.message.contains("type of column"))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    for finding in &found {
        let table = if finding.message.contains("`cats.tag`") {
            "cats"
        } else {
            "dogs"
        };
        let fix = finding.fix.as_ref().expect("each finding has a fix");
        assert!(
            fix.edits[0]
                .replacement
                .contains(&format!("op.alter_column(\n        \"{table}\",")),
            "the fix of `{}` restores its own table: {:?}",
            finding.message,
            fix.edits[0].replacement
        );
    }
}
