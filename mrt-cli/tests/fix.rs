//! `mrt fix` as a user runs it: in place, `--diff`, unsafe fixes, selection, errors.

// A test that cannot build its own fixtures should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const BASE: &str = r#"revision = "0001"
down_revision = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("legacy", sa.Text(), nullable=True),
    )


def downgrade():
    op.drop_table("users")
"#;

const NO_DOWNGRADE: &str = r#"revision = "0002"
down_revision = "0001"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(50)))
    op.drop_column("users", "legacy")
"#;

const NOOP_UNSAFE: &str = r#"revision = "0003"
down_revision = "0002"

from alembic import op


def upgrade():
    op.execute("DELETE FROM users WHERE nickname IS NULL")
    op.create_index("ix_users_nickname", "users", ["nickname"])


def downgrade():
    pass
"#;

/// A fresh directory under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mrt-fix-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(dir.join("versions")).expect("temp dir");
        for (name, text) in [
            ("0001_base.py", BASE),
            ("0002_no_downgrade.py", NO_DOWNGRADE),
            ("0003_noop.py", NOOP_UNSAFE),
        ] {
            std::fs::write(dir.join("versions").join(name), text).expect("write fixture");
        }
        Self(dir)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.0.join("versions").join(name)).unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn mrt(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mrt"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the mrt binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn fix_writes_a_downgrade_that_parses_and_clears_the_finding() {
    let scratch = Scratch::new();
    let fixed = mrt(&scratch.0, &["fix", "versions"]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stderr));
    assert!(text(&fixed.stderr).contains("Fixed 1 finding in 1 file."));
    let written = scratch.read("0002_no_downgrade.py");
    assert!(
        written.ends_with(
            "\n\n\ndef downgrade():\n    op.add_column(\"users\", sa.Column(\"legacy\", sa.Text(), nullable=True))\n    op.drop_column(\"users\", \"nickname\")\n"
        ),
        "{written}"
    );
    // The unsafe fix was left alone, and said so.
    assert_eq!(scratch.read("0003_noop.py"), NOOP_UNSAFE);
    assert!(text(&fixed.stderr).contains("--unsafe-fixes"));
    // The fixed file parses (no MRT902) and MRT101 is gone; MRT102 stays.
    let check = mrt(
        &scratch.0,
        &[
            "check",
            "versions",
            "--select",
            "MRT101,MRT102,MRT902",
            "--output-format",
            "concise",
        ],
    );
    let report = text(&check.stdout);
    assert!(
        !report.contains("MRT101") && !report.contains("MRT902"),
        "{report}"
    );
    assert!(report.contains("0003_noop.py:12:5: MRT102"), "{report}");
    // A second run changes nothing.
    let again = mrt(&scratch.0, &["fix", "--diff", "versions"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(text(&again.stdout), "");
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(scratch.0.join("versions"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn unsafe_fixes_write_todo_steps_and_reach_a_fixed_point() {
    let scratch = Scratch::new();
    let fixed = mrt(&scratch.0, &["fix", "--unsafe-fixes", "versions"]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stderr));
    let written = scratch.read("0003_noop.py");
    assert!(
        written.ends_with(
            "def downgrade():\n    op.drop_index(\"ix_users_nickname\", table_name=\"users\")\n    # TODO(mrt): rows deleted from `users` by upgrade() cannot be restored: restore them from a backup\n"
        ),
        "{written}"
    );
    let check = mrt(
        &scratch.0,
        &["check", "versions", "--select", "MRT101,MRT102,MRT902"],
    );
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
    let again = mrt(&scratch.0, &["fix", "--unsafe-fixes", "--diff", "versions"]);
    assert_eq!(
        (again.status.code(), text(&again.stdout)),
        (Some(0), String::new())
    );
}

#[test]
fn diff_writes_nothing_exits_1_and_applies_with_git() {
    let scratch = Scratch::new();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(&scratch.0)
            .output()
            .expect("git runs")
    };
    assert!(git(&["init", "-q"]).status.success());
    let diff = mrt(&scratch.0, &["fix", "--diff", "--unsafe-fixes", "versions"]);
    assert_eq!(diff.status.code(), Some(1), "{}", text(&diff.stderr));
    assert_eq!(scratch.read("0002_no_downgrade.py"), NO_DOWNGRADE);
    assert_eq!(scratch.read("0003_noop.py"), NOOP_UNSAFE);
    let patch = text(&diff.stdout);
    assert!(
        patch.starts_with(
            "--- a/versions/0002_no_downgrade.py\n+++ b/versions/0002_no_downgrade.py\n@@"
        ),
        "{patch}"
    );
    assert!(patch.contains("--- a/versions/0003_noop.py\n"), "{patch}");
    std::fs::write(scratch.0.join("fix.patch"), &patch).unwrap();
    let check = git(&["apply", "--check", "fix.patch"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    // Applied, the patch gives what `mrt fix` writes.
    assert!(git(&["apply", "fix.patch"]).status.success());
    let patched = scratch.read("0003_noop.py");
    let again = mrt(&scratch.0, &["fix", "--diff", "--unsafe-fixes", "versions"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
    assert!(patched.contains("# TODO(mrt): rows deleted"));
}

#[test]
fn ignored_rules_are_not_fixed() {
    let scratch = Scratch::new();
    let diff = mrt(
        &scratch.0,
        &["fix", "--diff", "--ignore", "MRT101", "versions"],
    );
    assert_eq!(
        (diff.status.code(), text(&diff.stdout)),
        (Some(0), String::new())
    );
    let selected = mrt(
        &scratch.0,
        &["fix", "--diff", "--select", "MRT101", "versions"],
    );
    assert_eq!(selected.status.code(), Some(1));
    assert!(text(&selected.stdout).contains("0002_no_downgrade.py"));
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let scratch = Scratch::new();
    let output = mrt(&scratch.0, &["fix", "no-such-dir"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("no-such-dir"),
        "{}",
        text(&output.stderr)
    );
}

const DROP_INDEX: &str = r#"revision = "0004"
down_revision = "0003"

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.drop_index("ix_users_nickname", table_name="users")
    op.add_column("users", sa.Column("bio", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("users", "bio")
"#;

#[test]
fn check_marks_the_findings_mrt_fix_fixes() {
    let scratch = Scratch::new();
    std::fs::write(scratch.0.join("versions/0004_drop_index.py"), DROP_INDEX).unwrap();
    let select = ["--select", "MRT101,MRT102,MRT408"];
    let concise = mrt(
        &scratch.0,
        &[
            &["check", "versions", "--output-format", "concise"][..],
            &select,
        ]
        .concat(),
    );
    let report = text(&concise.stdout);
    assert!(
        report.contains("0002_no_downgrade.py:8:5: MRT101 [*] [error]"),
        "{report}"
    );
    // Unsafe: no marker, counted apart.
    assert!(
        report.contains("0003_noop.py:12:5: MRT102 [error]"),
        "{report}"
    );
    assert!(
        report.contains("0004_drop_index.py:9:19: MRT408 [*] [warning]"),
        "{report}"
    );
    assert!(
        report.ends_with("[*] 2 fixable with `mrt fix` (1 more with `mrt fix --unsafe-fixes`).\n"),
        "{report}"
    );
    let full = mrt(&scratch.0, &[&["check", "versions"][..], &select].concat());
    let report = text(&full.stdout);
    assert!(
        report.contains("= fix (`mrt fix`): Re-create the index in `downgrade()`"),
        "{report}"
    );
    assert!(
        report.contains("= fix (`mrt fix --unsafe-fixes`): Replace the no-op `downgrade()`"),
        "{report}"
    );
    let json = mrt(
        &scratch.0,
        &[
            &["check", "versions", "--output-format", "json"][..],
            &select,
        ]
        .concat(),
    );
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let fixes: Vec<(String, serde_json::Value)> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_owned(), f["fix"].clone()))
        .collect();
    assert_eq!(
        fixes,
        vec![
            (
                "MRT101".to_owned(),
                serde_json::json!({"title": "Write a `downgrade()` that reverses `upgrade()`", "applicability": "safe"})
            ),
            (
                "MRT102".to_owned(),
                serde_json::json!({"title": "Replace the no-op `downgrade()` with the reverse of `upgrade()`", "applicability": "unsafe"})
            ),
            (
                "MRT408".to_owned(),
                serde_json::json!({"title": "Re-create the index in `downgrade()`", "applicability": "safe"})
            ),
        ]
    );
    assert_eq!(value["summary"]["fixable"], 2);
    assert_eq!(value["summary"]["unsafe_fixable"], 1);
    // `mrt fix` fixes what was marked; the marks go with the findings.
    let fixed = mrt(&scratch.0, &["fix", "versions"]);
    assert!(
        text(&fixed.stderr).contains("Fixed 2 findings in 2 files."),
        "{}",
        text(&fixed.stderr)
    );
    assert!(
        scratch
            .read("0004_drop_index.py")
            .ends_with("    op.drop_column(\"users\", \"bio\")\n    op.create_index(\"ix_users_nickname\", \"users\", [\"nickname\"])\n"),
        "{}",
        scratch.read("0004_drop_index.py")
    );
    let after = mrt(
        &scratch.0,
        &[
            &["check", "versions", "--output-format", "concise"][..],
            &select,
        ]
        .concat(),
    );
    let report = text(&after.stdout);
    assert!(!report.contains("[*]"), "{report}");
    assert!(
        report.ends_with("1 fixable with `mrt fix --unsafe-fixes`.\n"),
        "{report}"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_migration_stays_a_symlink_with_its_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let scratch = Scratch::new();
    let real = scratch.0.join("real.py");
    let link = scratch.0.join("versions/0002_no_downgrade.py");
    std::fs::rename(&link, &real).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("../real.py", &link).unwrap();
    let fixed = mrt(&scratch.0, &["fix", "versions"]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stderr));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("def downgrade")
    );
    let mode = std::fs::metadata(&real).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn temporary_files_of_killed_runs_are_removed() {
    let scratch = Scratch::new();
    // Linux process ids stop at 4194304: no process has this one.
    let stale = scratch
        .0
        .join("versions/.0002_no_downgrade.py.mrt-fix-4294967.tmp");
    std::fs::write(&stale, "half a file").unwrap();
    let fixed = mrt(&scratch.0, &["fix", "versions"]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stderr));
    if cfg!(target_os = "linux") {
        assert!(!stale.exists());
    }
}

#[test]
fn diffs_of_odd_file_names_apply_with_git() {
    let scratch = Scratch::new();
    let odd = "0002 no\tdowngrade \u{e9}\".py";
    std::fs::rename(
        scratch.0.join("versions/0002_no_downgrade.py"),
        scratch.0.join("versions").join(odd),
    )
    .unwrap();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(&scratch.0)
            .output()
            .expect("git runs")
    };
    assert!(git(&["init", "-q"]).status.success());
    let diff = mrt(
        &scratch.0,
        &["fix", "--diff", "--select", "MRT101", "versions"],
    );
    assert_eq!(diff.status.code(), Some(1), "{}", text(&diff.stderr));
    let patch = text(&diff.stdout);
    assert!(
        patch.starts_with("--- \"a/versions/0002 no\\tdowngrade \\303\\251\\\".py\"\n"),
        "{patch}"
    );
    std::fs::write(scratch.0.join("fix.patch"), &patch).unwrap();
    let applied = git(&["apply", "fix.patch"]);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    let written = std::fs::read_to_string(scratch.0.join("versions").join(odd)).unwrap();
    assert!(written.contains("def downgrade"), "{written}");
}

#[cfg(unix)]
#[test]
fn a_file_that_cannot_be_written_is_an_error_and_not_counted() {
    use std::os::unix::fs::PermissionsExt as _;
    let scratch = Scratch::new();
    let path = scratch.0.join("versions/0002_no_downgrade.py");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    // A user who may write any file (root) cannot see this fault.
    if std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
        return;
    }
    let fixed = mrt(&scratch.0, &["fix", "--select", "MRT101", "versions"]);
    let stderr = text(&fixed.stderr);
    assert_eq!(fixed.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("0002_no_downgrade.py"), "{stderr}");
    assert!(!stderr.contains("Fixed"), "{stderr}");
    assert_eq!(scratch.read("0002_no_downgrade.py"), NO_DOWNGRADE);
}
