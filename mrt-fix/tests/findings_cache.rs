//! `Linter::check_cached`: findings read back from the findings cache are the findings a check
//! without it gives (fixes included), on every rule fixture and example; an edit to a revision
//! reaches the findings of the revisions after it; a linter with other settings or rules is never
//! served another's findings; a cut short or foreign file costs speed, never a wrong answer or an error.

// A test that cannot write its scratch files should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};

use mrt_core::cache::CacheDir;
use mrt_core::fix::FixDetail;
use mrt_core::linter::FindingsUse;
use mrt_core::settings::Dialect;
use mrt_core::{Diagnostic, Linter, Project, Settings, SourceFile};

struct Scratch(PathBuf);

impl Scratch {
    /// `name` keeps tests that run at once apart.
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("mrt-findings-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn cache(&self) -> CacheDir {
        CacheDir::new(&self.0, "test build")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Everything a diagnostic says, fix edits included.
fn rendered(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {} {:?} {:?} {:?} {:?} {:?}",
                d.path().display(),
                d.code(),
                d.range,
                d.message,
                d.help,
                d.revision,
                d.fix
            )
        })
        .collect()
}

fn linter(settings: Settings, detail: FixDetail) -> Linter {
    let rules = mrt_rules::registry().select(&[], &[], &[]).unwrap();
    Linter::new(rules, settings)
        .with_fixer(mrt_fix::fixer())
        .with_fix_detail(detail)
}

#[test]
fn findings_read_back_are_the_findings_a_check_gives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut reused = 0;
    for detail in [FixDetail::Edits, FixDetail::Outline] {
        let linter = linter(Settings::default(), detail);
        let scratch = Scratch::new(&format!("corpus-{detail:?}"));
        let cache = scratch.cache();
        for corpus in ["mrt-rules/resources/fixtures", "examples/alembic"] {
            for dir in support::directories(&root.join(corpus)) {
                let (project, errors) = Project::load(std::slice::from_ref(&dir));
                assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
                let expected = rendered(&linter.check(&project));
                let (first, judging) = linter.check_cached(&project, &cache);
                assert_eq!(rendered(&first), expected, "{}", dir.display());
                let (second, reading) = linter.check_cached(&project, &cache);
                assert_eq!(rendered(&second), expected, "{} read back", dir.display());
                // Every revision the first run judged or read back (a directory's files were
                // read with its parent's) is read back by the second.
                assert_eq!(
                    reading.reused,
                    judging.judged + judging.reused,
                    "{}",
                    dir.display()
                );
                assert_eq!(reading.judged, 0, "{}", dir.display());
                reused += reading.reused;
            }
        }
    }
    assert!(reused > 200, "{reused} revisions read back");
}

const PARENT: &str = r#"revision = "a1"
down_revision = None

from alembic import op
import sqlalchemy as sa

def upgrade():
    op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("c", sa.String(20), nullable=False))

def downgrade():
    op.drop_table("t")
"#;

/// Its downgrade puts back `t.c` as an integer that may be null: not what the parent made.
const CHILD: &str = r#"revision = "b2"
down_revision = "a1"

from alembic import op
import sqlalchemy as sa

def upgrade():
    op.drop_column("t", "c")

def downgrade():
    op.add_column("t", sa.Column("c", sa.Integer(), nullable=True))
"#;

fn chain(parent: &str) -> Project {
    Project::from_sources([
        SourceFile::new("versions/a1.py", parent),
        SourceFile::new("versions/b2.py", CHILD),
    ])
}

fn codes_in(diagnostics: &[Diagnostic], file: &str) -> Vec<&'static str> {
    diagnostics
        .iter()
        .filter(|d| d.path().ends_with(file))
        .map(Diagnostic::code)
        .collect()
}

fn used(reused: usize, judged: usize) -> FindingsUse {
    let mut used = FindingsUse::default();
    used.reused = reused;
    used.judged = judged;
    used.written = judged > 0;
    used
}

#[test]
fn an_edit_to_a_revision_reaches_the_findings_after_it() {
    let scratch = Scratch::new("edit");
    let cache = scratch.cache();
    let linter = linter(Settings::default(), FixDetail::Outline);
    let before = chain(PARENT);
    let (found, first) = linter.check_cached(&before, &cache);
    assert_eq!(first, used(0, 2));
    // The child's downgrade leaves `t.c` of another type and nullability than the parent made.
    assert!(codes_in(&found, "b2.py").contains(&"MRT801"), "{found:?}");
    assert_eq!(linter.check_cached(&before, &cache).1, used(2, 0));

    // The parent now makes `t.c` as the child's downgrade puts it back: the child is unchanged,
    // and its finding goes.
    let after = chain(&PARENT.replace(
        "sa.String(20), nullable=False",
        "sa.Integer(), nullable=True",
    ));
    let (found, edited) = linter.check_cached(&after, &cache);
    assert_eq!(edited, used(0, 2));
    assert!(!codes_in(&found, "b2.py").contains(&"MRT801"), "{found:?}");
    assert_eq!(rendered(&found), rendered(&linter.check(&after)));
    assert_eq!(linter.check_cached(&after, &cache).1, used(2, 0));

    // Going back finds the entries of the chain as it was.
    let (found, back) = linter.check_cached(&before, &cache);
    assert_eq!(back, used(2, 0));
    assert_eq!(rendered(&found), rendered(&linter.check(&before)));

    // An edit to the child leaves the parent's key: both are judged (the walk reaches the
    // child through the parent), and the next run finds both entries.
    let child_edited = Project::from_sources([
        SourceFile::new("versions/a1.py", PARENT),
        SourceFile::new(
            "versions/b2.py",
            CHILD.replace("sa.Integer()", "sa.String(20)"),
        ),
    ]);
    assert_eq!(linter.check_cached(&child_edited, &cache).1, used(0, 2));
    let (found, again) = linter.check_cached(&child_edited, &cache);
    assert_eq!(again, used(2, 0));
    assert_eq!(rendered(&found), rendered(&linter.check(&child_edited)));
}

#[test]
fn entries_no_write_uses_go_after_sixteen_writes() {
    let scratch = Scratch::new("evict");
    let cache = scratch.cache();
    let linter = linter(Settings::default(), FixDetail::Outline);
    let edited = |width: usize| chain(&PARENT.replace("String(20)", &format!("String({width})")));
    assert_eq!(linter.check_cached(&chain(PARENT), &cache).1, used(0, 2));
    // Fifteen writes of other chains later, the first chain's entries are still there (a run that
    // reads them back writes nothing); the sixteenth write after the one that used them drops
    // them.
    for width in 1..=15 {
        assert_eq!(linter.check_cached(&edited(width), &cache).1, used(0, 2));
    }
    assert_eq!(linter.check_cached(&chain(PARENT), &cache).1, used(2, 0));
    assert_eq!(linter.check_cached(&edited(16), &cache).1, used(0, 2));
    assert_eq!(linter.check_cached(&chain(PARENT), &cache).1, used(0, 2));
}

#[test]
fn other_settings_rules_or_fixes_are_not_served_another_linters_findings() {
    let scratch = Scratch::new("salt");
    let cache = scratch.cache();
    let project = chain(PARENT);
    let postgres = linter(Settings::default(), FixDetail::Outline);
    let mut settings = Settings::default();
    settings.dialect = Dialect::Sqlite;
    let sqlite = linter(settings, FixDetail::Outline);
    let edits = linter(Settings::default(), FixDetail::Edits);
    let fewer = Linter::new(
        mrt_rules::registry()
            .select(&["MRT2".to_owned()], &[], &[])
            .unwrap(),
        Settings::default(),
    );
    assert_eq!(postgres.check_cached(&project, &cache).1, used(0, 2));
    for other in [&sqlite, &edits] {
        let (found, first) = other.check_cached(&project, &cache);
        assert_eq!(first, used(0, 2));
        assert_eq!(rendered(&found), rendered(&other.check(&project)));
    }
    // A linter whose rules read no schema and write no fixes replays nothing: nothing is kept.
    assert_eq!(fewer.check_cached(&project, &cache).1, used(0, 0));
    // Each linter's entries stay beside the others'.
    for linter in [&postgres, &sqlite, &edits] {
        let (found, again) = linter.check_cached(&project, &cache);
        assert_eq!(again, used(2, 0));
        assert_eq!(rendered(&found), rendered(&linter.check(&project)));
    }
}

#[test]
fn a_cut_or_foreign_findings_file_costs_speed_not_a_wrong_answer() {
    let scratch = Scratch::new("damaged");
    let cache = scratch.cache();
    let linter = linter(Settings::default(), FixDetail::Edits);
    let project = chain(PARENT);
    let expected = rendered(&linter.check(&project));
    assert!(linter.check_cached(&project, &cache).1.written);
    let file = scratch.0.join("findings");
    let whole = std::fs::read(&file).unwrap();
    let damaged: Vec<Vec<u8>> = vec![
        whole[..whole.len() / 2].to_vec(),
        whole[..whole.len() - 1].to_vec(),
        [whole.as_slice(), b"more"].concat(),
        whole.iter().map(|byte| byte ^ 0x5a).collect(),
        Vec::new(),
    ];
    for bytes in damaged {
        std::fs::write(&file, &bytes).unwrap();
        let (found, _) = linter.check_cached(&project, &cache);
        assert_eq!(rendered(&found), expected);
    }
}

#[test]
fn an_entry_that_does_not_read_back_is_judged_and_written_anew() {
    let scratch = Scratch::new("unreadable");
    let cache = scratch.cache();
    let linter = linter(Settings::default(), FixDetail::Outline);
    let project = chain(PARENT);
    let expected = rendered(&linter.check(&project));
    assert_eq!(linter.check_cached(&project, &cache).1, used(0, 2));
    // The length before one of the child's messages made far longer than its entry: the file's
    // entries still index, the child's no longer decodes.
    let file = scratch.0.join("findings");
    let mut bytes = std::fs::read(&file).unwrap();
    let message = b"nullability of column";
    let at = bytes
        .windows(message.len())
        .position(|window| window == message)
        .unwrap();
    bytes[at - 1] = 0xff;
    std::fs::write(&file, &bytes).unwrap();
    let (found, judging) = linter.check_cached(&project, &cache);
    assert_eq!(judging, used(0, 2));
    assert_eq!(rendered(&found), expected);
    let (found, reading) = linter.check_cached(&project, &cache);
    assert_eq!(reading, used(2, 0));
    assert_eq!(rendered(&found), expected);
}
