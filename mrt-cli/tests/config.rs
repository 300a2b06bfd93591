//! Configuration as a user meets it: found above the checked path, merged with the command line,
//! and every mistake reported with the file and the key or code, exit 2.

// A test that cannot run the binary or write its scratch files should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const DROP: &str = "from alembic import op\nrevision = 'a1'\ndown_revision = None\n\ndef upgrade():\n    op.drop_column('users', 'email')\n\ndef downgrade():\n    op.execute('SELECT 1')\n";
const NOOP: &str = "from alembic import op\nrevision = 'b2'\ndown_revision = 'a1'\n\ndef upgrade():\n    op.create_index('ix', 'users', ['email'])\n\ndef downgrade():\n    pass\n";

/// A project directory: `versions/` with two migrations, plus the given files.
struct Project(PathBuf);

impl Project {
    fn new(files: &[(&str, &str)]) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mrt-config-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(dir.join("versions")).unwrap();
        std::fs::write(dir.join("versions/a1_drop.py"), DROP).unwrap();
        std::fs::write(dir.join("versions/b2_index.py"), NOOP).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        Self(dir)
    }

    fn mrt(&self, args: &[&str]) -> Output {
        self.mrt_with_env(args, &[])
    }

    /// `mrt` with environment variables set (and the caller's `MRT_*` cache variables removed).
    fn mrt_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_mrt"))
            .args(args)
            .current_dir(&self.0)
            .env_remove("MRT_NO_CACHE")
            .env_remove("MRT_CACHE_DIR")
            .envs(env.iter().copied())
            .output()
            .expect("mrt runs")
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn out(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn err(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn without_configuration_both_findings_fail() {
    let project = Project::new(&[]);
    let output = project.mrt(&["check", "versions", "--output-format", "concise"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(out(&output).contains("MRT201") && out(&output).contains("MRT102"));
}

#[test]
fn pyproject_ignore_and_select_apply_and_the_command_line_adds_to_them() {
    let project = Project::new(&[(
        "pyproject.toml",
        "[project]\nname = 'app'\n\n[tool.mrt]\nignore = ['MRT102']\n",
    )]);
    let output = project.mrt(&["check", "versions", "--output-format", "concise"]);
    assert!(!out(&output).contains("MRT102"), "{}", out(&output));
    assert!(out(&output).contains("MRT201"));
    let output = project.mrt(&[
        "check",
        "versions",
        "--ignore",
        "MRT201",
        "--output-format",
        "concise",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", out(&output));
}

#[test]
fn mrt_toml_is_found_from_a_subdirectory_and_per_file_ignores_match_globs() {
    let project = Project::new(&[(
        "mrt.toml",
        "[per-file-ignores]\n'versions/a1_*.py' = ['MRT209']\n",
    )]);
    let output = project.mrt(&["check", "versions/a1_drop.py", "--output-format", "concise"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "the alias MRT209 names MRT201: {}",
        out(&output)
    );
}

#[test]
fn skipped_revisions_are_listed_with_their_reason() {
    let project = Project::new(&[(
        "pyproject.toml",
        "[tool.mrt.skip]\na1 = \"users.email copied to contacts in 0099; reviewed by DBA (J. Doe), 2026-11-01; restore from the nightly backup\"\n",
    )]);
    let output = project.mrt(&["check", "versions", "--output-format", "concise"]);
    let text = out(&output);
    assert!(!text.contains("a1_drop.py:"), "{text}");
    assert!(text.contains("Skipped revision `a1`"), "{text}");
    assert!(text.contains("reviewed by DBA"), "{text}");
    let json = project.mrt(&["check", "versions", "--output-format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["skipped"][0]["revision"], "a1");
}

#[test]
fn exclude_leaves_files_out() {
    let project = Project::new(&[("mrt.toml", "exclude = ['versions/a1_*']\nstrict = true\n")]);
    let output = project.mrt(&["check", ".", "--output-format", "concise"]);
    let text = out(&output);
    assert!(!text.contains("a1_drop.py"), "{text}");
    assert!(text.contains("b2_index.py"), "{text}");
}

#[test]
fn configuration_mistakes_name_the_key_or_code_and_exit_2() {
    let cases = [
        (
            "pyproject.toml",
            "[tool.mrt]\nselekt = ['MRT201']\n",
            "selekt",
        ),
        (
            "pyproject.toml",
            "[tool.mrt]\nignore = ['MRT999']\n",
            "MRT999",
        ),
        ("pyproject.toml", "[tool.mrt]\nstrict = 'yes'\n", "strict"),
        (
            "pyproject.toml",
            "[tool.mrt]\ndialect = 'oracle'\n",
            "oracle",
        ),
        ("pyproject.toml", "[tool.mrt.skip]\na1 = ''\n", "skip.a1"),
        (
            "pyproject.toml",
            "[tool.mrt.per-file-ignores]\n'*.py' = ['NOPE1']\n",
            "NOPE1",
        ),
        ("mrt.toml", "select = ['MRT201'\n", "mrt.toml"),
    ];
    for (file, text, named) in cases {
        let project = Project::new(&[(file, text)]);
        let output = project.mrt(&["check", "versions"]);
        assert_eq!(output.status.code(), Some(2), "{file}: {text}");
        let message = err(&output);
        assert!(message.contains(named), "{text:?} gave {message:?}");
        assert!(
            message.contains(file),
            "the message names the file: {message}"
        );
    }
}

#[test]
fn explicit_config_statistics_output_file_and_exit_zero() {
    let project = Project::new(&[("custom.toml", "select = ['MRT2']\n")]);
    let output = project.mrt(&[
        "check",
        "versions",
        "--config",
        "custom.toml",
        "--statistics",
    ]);
    let text = out(&output);
    assert!(
        text.starts_with("1  MRT201  [error]  drop-column"),
        "{text}"
    );
    assert!(!text.contains("MRT102"));
    let report = project.path().join("report.json");
    let output = project.mrt(&[
        "check",
        "versions",
        "--output-format",
        "json",
        "--output-file",
        "report.json",
        "--exit-zero",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(out(&output).is_empty());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(written["summary"]["errors"], 2);
    let missing = project.mrt(&["check", "versions", "--config", "nowhere.toml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(err(&missing).contains("nowhere.toml"));
}

#[test]
fn the_cache_beside_the_configuration_changes_no_finding() {
    let project = Project::new(&[("pyproject.toml", "[tool.mrt]\nstrict = true\n")]);
    let check = ["check", "versions", "--output-format", "json", "-v"];
    let first = project.mrt_with_env(&check, &[]);
    assert!(
        err(&first).contains("0 files reused (0 not opened), 2 lowered"),
        "{}",
        err(&first)
    );
    assert!(
        err(&first).contains("findings of 0 revisions reused, 2 judged"),
        "{}",
        err(&first)
    );
    let cache = project.path().join(".mrt_cache");
    assert!(cache.join("lowered").is_file() && cache.join("CACHEDIR.TAG").is_file());
    assert!(cache.join("findings").is_file());
    assert_eq!(
        std::fs::read_to_string(cache.join(".gitignore")).unwrap(),
        "# Written by mrt.\n*\n"
    );
    let second = project.mrt_with_env(&check, &[]);
    assert!(
        // Files written this second are opened: whether two seconds have passed is up to the
        // machine.
        err(&second).contains("2 files reused (") && err(&second).contains("), 0 lowered"),
        "{}",
        err(&second)
    );
    assert!(
        err(&second).contains("findings of 2 revisions reused, 0 judged"),
        "{}",
        err(&second)
    );
    let uncached = project.mrt_with_env(
        &["check", "versions", "--output-format", "json", "--no-cache"],
        &[],
    );
    assert_eq!(out(&first), out(&second));
    assert_eq!(out(&first), out(&uncached));
    assert_eq!(second.status.code(), Some(1));
    // A changed file is read anew, and its findings are the new text's.
    std::fs::write(
        project.path().join("versions/a1_drop.py"),
        DROP.replace("'email'", "'phone'"),
    )
    .unwrap();
    let changed = project.mrt_with_env(&check, &[]);
    assert!(
        err(&changed).contains("1 file reused (") && err(&changed).contains("), 1 lowered"),
        "{}",
        err(&changed)
    );
    assert!(
        err(&changed).contains("findings of 0 revisions reused, 2 judged"),
        "{}",
        err(&changed)
    );
    assert!(out(&changed).contains("phone") && !out(&changed).contains("\"email\""));
}

#[test]
fn the_cache_goes_where_it_is_told_or_nowhere() {
    let project = Project::new(&[("mrt.toml", "cache-dir = \"build/mrt\"\n")]);
    let check = ["check", "versions", "--output-format", "concise"];
    project.mrt_with_env(&check, &[]);
    assert!(project.path().join("build/mrt/lowered").is_file());
    let settings = project.mrt_with_env(&["check", "versions", "--show-settings"], &[]);
    assert!(
        out(&settings).contains("/build/mrt\"  # "),
        "{}",
        out(&settings)
    );
    project.mrt_with_env(&[&check[..], &["--cache-dir", "elsewhere"]].concat(), &[]);
    assert!(project.path().join("elsewhere/lowered").is_file());
    project.mrt_with_env(&check, &[("MRT_CACHE_DIR", "from-env")]);
    assert!(project.path().join("from-env/lowered").is_file());
    std::fs::remove_dir_all(project.path().join("build")).unwrap();
    let off = project.mrt_with_env(&[&check[..], &["--no-cache"]].concat(), &[]);
    assert_eq!(off.status.code(), Some(1));
    project.mrt_with_env(&check, &[("MRT_NO_CACHE", "1")]);
    assert!(!project.path().join("build").exists());
    let settings =
        project.mrt_with_env(&["check", "versions", "--show-settings", "--no-cache"], &[]);
    assert!(
        out(&settings).contains("cache-dir = none  # command line"),
        "{}",
        out(&settings)
    );
}

#[test]
fn a_cache_that_cannot_be_written_does_not_fail_the_check() {
    let project = Project::new(&[("blocked", "a file where the cache directory would go")]);
    let check = [
        "check",
        "versions",
        "--output-format",
        "concise",
        "--cache-dir",
        "blocked",
        "-v",
    ];
    let output = project.mrt_with_env(&check, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(out(&output).contains("MRT201"));
    assert!(
        err(&output).contains("not written: blocked"),
        "{}",
        err(&output)
    );
}
