//! `Project::load_cached`: a lowering is read back from the cache directory exactly as it was
//! made, and only while everything lowering read is unchanged; a damaged, foreign or unwritable
//! cache costs speed, never a wrong answer or an error.

// A test that cannot write its scratch files should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use mrt_core::cache::CacheDir;
use mrt_core::{Project, SourceFile};

struct Scratch(PathBuf);

impl Scratch {
    /// `name` keeps tests that run at once apart.
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("mrt-disk-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn cache(&self) -> CacheDir {
        CacheDir::new(self.0.join("cache"), "test build")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn alembic(revision: &str, parent: &str, column: &str) -> String {
    format!(
        "revision = \"{revision}\"\ndown_revision = {parent}\n\nfrom alembic import op\n\n\ndef upgrade():\n    op.drop_column(\"t\", \"{column}\")\n"
    )
}

/// What a project's lowering says, for comparing one load with another: each migration's path,
/// text and IR (the source's line index, built when a finding is placed, left out).
fn lowered(project: &Project) -> Vec<String> {
    project
        .migrations
        .iter()
        .map(|migration| {
            let mut ir = migration.clone();
            ir.source = std::sync::Arc::new(SourceFile::new("", ""));
            format!(
                "{} {:?}\n{ir:?}",
                migration.path().display(),
                migration.source.text
            )
        })
        .collect()
}

/// The first difference of two loads, short enough to read.
fn assert_same(left: &[String], right: &[String]) {
    assert_eq!(left.len(), right.len());
    for (left, right) in left.iter().zip(right) {
        assert!(left == right, "\n{left}\n!=\n{right}");
    }
}

fn load(dir: &Path, cache: &CacheDir) -> (Project, mrt_core::CacheUse) {
    let (project, errors, used) = Project::load_cached(&[dir.to_path_buf()], &|_| false, cache);
    assert!(errors.is_empty(), "{errors:?}");
    (project, used)
}

fn counts(used: &mrt_core::CacheUse) -> (usize, usize) {
    (used.reused, used.lowered)
}

#[test]
fn every_fixture_and_example_reads_back_as_it_was_lowered() {
    let scratch = Scratch::new("fixtures");
    let cache = scratch.cache();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let paths = [
        root.join("mrt-rules/resources/fixtures"),
        root.join("examples"),
        root.join("mrt-core/tests/replay_chains"),
    ];
    let (fresh, errors) = Project::load_excluding(&paths, &|_| false);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(fresh.migrations.len() > 200, "{}", fresh.migrations.len());
    let (first, errors, used) = Project::load_cached(&paths, &|_| false, &cache);
    assert!(
        errors.is_empty() && used.reused == 0 && used.written,
        "{used:?}"
    );
    let (second, _, used) = Project::load_cached(&paths, &|_| false, &cache);
    assert_eq!(used.lowered, 0, "{used:?}");
    // Nothing changed, so nothing is written, unless files changed just before the first load
    // have since settled, and were opened to store their stamps.
    assert!(
        !used.written || used.unopened < used.reused,
        "nothing changed, nothing is written: {used:?}"
    );
    let fresh = lowered(&fresh);
    assert_same(&fresh, &lowered(&first));
    assert_same(&fresh, &lowered(&second));
}

#[test]
fn a_changed_file_alone_is_lowered_again() {
    let scratch = Scratch::new("changed");
    let cache = scratch.cache();
    let versions = scratch.0.join("versions");
    scratch.write("versions/0001.py", &alembic("0001", "None", "a"));
    scratch.write("versions/0002.py", &alembic("0002", "\"0001\"", "b"));
    assert_eq!(counts(&load(&versions, &cache).1), (0, 2));
    assert_eq!(counts(&load(&versions, &cache).1), (2, 0));
    scratch.write("versions/0002.py", &alembic("0002", "\"0001\"", "c"));
    let (project, used) = load(&versions, &cache);
    assert_eq!(counts(&used), (1, 1));
    let dropped = format!("{:?}", project.migrations[1].upgrade);
    assert!(
        dropped.contains("\"c\"") && !dropped.contains("\"b\""),
        "{dropped}"
    );
}

#[test]
fn a_sql_up_file_is_lowered_again_when_its_down_file_changes_or_goes() {
    let scratch = Scratch::new("sql");
    let cache = scratch.cache();
    let sql = scratch.0.join("sql");
    scratch.write("sql/001_t.up.sql", "ALTER TABLE t DROP COLUMN c;\n");
    let down = scratch.write("sql/001_t.down.sql", "ALTER TABLE t ADD COLUMN c int;\n");
    let (first, _) = load(&sql, &cache);
    assert!(first.migrations[0].downgrade.is_some());
    // The down file is read as a file of its own too.
    assert_eq!(counts(&load(&sql, &cache).1), (2, 0));
    std::fs::write(&down, "ALTER TABLE t ADD COLUMN c bigint;\n").unwrap();
    assert_eq!(counts(&load(&sql, &cache).1), (0, 2));
    std::fs::remove_file(&down).unwrap();
    let (without, used) = load(&sql, &cache);
    assert_eq!(counts(&used), (0, 1));
    assert!(without.migrations[0].downgrade.is_none());
}

#[test]
fn a_django_migration_is_lowered_again_when_its_app_label_changes() {
    let scratch = Scratch::new("django");
    let cache = scratch.cache();
    let migration = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n        migrations.RemoveField(model_name=\"book\", name=\"title\"),\n    ]\n";
    scratch.write("shop/migrations/0001_initial.py", migration);
    let apps = "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = \"shop\"\n    label = \"store\"\n";
    let apps_py = scratch.write("shop/apps.py", apps);
    let (first, _) = load(&scratch.0.join("shop"), &cache);
    assert_eq!(
        first.migrations[0].revision_id(),
        Some("store.0001_initial")
    );
    // `apps.py` is read as a file of its own too.
    assert_eq!(counts(&load(&scratch.0.join("shop"), &cache).1), (2, 0));
    std::fs::write(&apps_py, apps.replace("store", "market")).unwrap();
    let (relabelled, used) = load(&scratch.0.join("shop"), &cache);
    assert_eq!(counts(&used), (0, 2));
    assert_eq!(
        relabelled.migrations[0].revision_id(),
        Some("market.0001_initial")
    );
}

#[test]
fn a_damaged_or_foreign_cache_is_read_as_empty_and_replaced() {
    let scratch = Scratch::new("damaged");
    let cache = scratch.cache();
    let versions = scratch.0.join("versions");
    scratch.write("versions/0001.py", &alembic("0001", "None", "a"));
    scratch.write("versions/0002.py", &alembic("0002", "\"0001\"", "b"));
    let (fresh, _) = load(&versions, &cache);
    let file = cache.dir().join("lowered");
    let whole = std::fs::read(&file).unwrap();
    let damages: [Vec<u8>; 4] = [
        whole[..whole.len() / 2].to_vec(),
        whole[..whole.len() - 1].to_vec(),
        b"not a cache at all".to_vec(),
        whole.iter().map(|byte| byte ^ 0x5a).collect(),
    ];
    for damaged in damages {
        std::fs::write(&file, &damaged).unwrap();
        let (project, used) = load(&versions, &cache);
        assert_eq!(counts(&used), (0, 2));
        assert!(used.written);
        assert_same(&lowered(&project), &lowered(&fresh));
        assert_eq!(counts(&load(&versions, &cache).1), (2, 0));
    }
    // Another build's cache is not read, and is replaced by this one's.
    let other = CacheDir::new(cache.dir(), "another build");
    assert_eq!(counts(&load(&versions, &other).1), (0, 2));
    assert_eq!(counts(&load(&versions, &cache).1), (0, 2));
}

#[test]
fn a_cache_that_cannot_be_written_is_said_and_the_load_goes_on() {
    let scratch = Scratch::new("unwritable");
    let versions = scratch.0.join("versions");
    scratch.write("versions/0001.py", &alembic("0001", "None", "a"));
    // The cache directory's place is taken by a file.
    let blocked = scratch.write("blocked", "");
    let cache = CacheDir::new(&blocked, "test build");
    let (project, used) = load(&versions, &cache);
    assert_eq!(project.migrations.len(), 1);
    assert!(!used.written);
    let error = used.write_error.expect("the failure is said");
    assert!(error.contains("blocked"), "{error}");
}

#[test]
fn runs_over_other_directories_keep_each_others_entries_while_their_files_exist() {
    let scratch = Scratch::new("directories");
    let cache = scratch.cache();
    let (a, b) = (scratch.0.join("a"), scratch.0.join("b"));
    scratch.write("a/0001.py", &alembic("0001", "None", "a"));
    let gone = scratch.write("b/0001.py", &alembic("0001", "None", "b"));
    assert_eq!(counts(&load(&a, &cache).1), (0, 1));
    assert_eq!(counts(&load(&b, &cache).1), (0, 1));
    assert_eq!(counts(&load(&a, &cache).1), (1, 0));
    assert_eq!(counts(&load(&b, &cache).1), (1, 0));
    // A file that is gone leaves the cache at the next write.
    std::fs::remove_file(&gone).unwrap();
    scratch.write("a/0002.py", &alembic("0002", "\"0001\"", "c"));
    assert_eq!(counts(&load(&a, &cache).1), (1, 1));
    std::fs::write(&gone, alembic("0001", "None", "b")).unwrap();
    assert_eq!(counts(&load(&b, &cache).1), (0, 1));
}

#[test]
fn a_file_left_alone_is_known_by_its_stamp_and_a_write_to_it_is_seen() {
    let scratch = Scratch::new("stamps");
    let cache = scratch.cache();
    let versions = scratch.0.join("versions");
    scratch.write("versions/0001.py", &alembic("0001", "None", "a"));
    let second = scratch.write("versions/0002.py", &alembic("0002", "\"0001\"", "b"));
    // A stamp is stored once a file has not changed for two seconds (whole ones).
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let (fresh, used) = load(&versions, &cache);
    assert_eq!((counts(&used), used.unopened), ((0, 2), 0));
    let (stamped, used) = load(&versions, &cache);
    assert_eq!((counts(&used), used.unopened), ((2, 0), 2));
    assert!(!used.written);
    assert_same(&lowered(&fresh), &lowered(&stamped));
    // A write of the same length, its modification time set back as it was: the write changed
    // the file's change time, which no program sets, so it is read again.
    let modified = std::fs::metadata(&second).unwrap().modified().unwrap();
    std::fs::write(&second, alembic("0002", "\"0001\"", "c")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&second)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let (project, used) = load(&versions, &cache);
    assert_eq!((counts(&used), used.unopened), ((1, 1), 1));
    let dropped = format!("{:?}", project.migrations[1].upgrade);
    assert!(
        dropped.contains("\"c\"") && !dropped.contains("\"b\""),
        "{dropped}"
    );
    // A file renamed over it, with the text it had before: another file, opened, and its stored
    // lowering reused for the same text.
    let replacement = scratch.write("0002.py", &alembic("0002", "\"0001\"", "c"));
    std::fs::rename(&replacement, &second).unwrap();
    let (_, used) = load(&versions, &cache);
    assert_eq!((counts(&used), used.unopened), ((2, 0), 1));
}
