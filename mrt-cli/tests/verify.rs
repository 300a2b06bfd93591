//! `mrt verify`, `mrt migrate` and `mrt db` as a user runs them: exit codes, messages, formats.
//! The runs on a real database need a Python with Alembic and SQLAlchemy (`MRT_TEST_PYTHON`, else
//! `python3`); without one they say so and pass, except under CI, where they fail.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mrt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mrt"))
        .args(args)
        .env_remove("MRT_DATABASE_URL")
        .output()
        .expect("the mrt binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn python() -> Option<String> {
    mrt_verify::testing::python_with(&["alembic", "sqlalchemy"]).map(|p| p.display().to_string())
}

/// A Python with psycopg2 as well, where `initdb` and `pg_ctl` are (an embedded cluster
/// can be started); `None` elsewhere, except under CI, where this fails.
fn python_with_postgres() -> Option<String> {
    let python = python()?;
    let has_driver = Command::new(&python)
        .args(["-c", "import psycopg2"])
        .status()
        .is_ok_and(|status| status.success());
    if !has_driver || mrt_verify::db::embedded::find_bindir().is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI has psycopg2 and PostgreSQL"
        );
        return None;
    }
    Some(python)
}

/// `mrt verify DIR --python PYTHON --database-url URL --output-format json EXTRA...`: its exit
/// code and report (`null` when it printed none).
fn verify_json(
    dir: &Path,
    url: &str,
    python: &str,
    extra: &[&str],
) -> (Option<i32>, serde_json::Value) {
    let mut args = vec![
        "verify",
        path(dir),
        "--python",
        python,
        "--output-format",
        "json",
    ];
    if !url.is_empty() {
        args.extend(["--database-url", url]);
    }
    args.extend(extra);
    let output = mrt(&args);
    let report = serde_json::from_slice(&output.stdout).unwrap_or_default();
    (output.status.code(), report)
}

const HEADER: &str =
    "from alembic import op\nimport sqlalchemy as sa\n\nbranch_labels = None\ndepends_on = None\n";

/// A revision's text: `parent` is the Python expression of `down_revision`, `up` and `down` the
/// bodies of `upgrade()` and `downgrade()`.
fn revision(id: &str, parent: &str, up: &str, down: &str) -> String {
    format!(
        "{HEADER}\nrevision = \"{id}\"\ndown_revision = {parent}\n\n\ndef upgrade():\n    {up}\n\n\ndef downgrade():\n    {down}\n"
    )
}

/// A chain's `versions` directory, removed with its parent when the test is done.
struct Chain(PathBuf);

impl std::ops::Deref for Chain {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Three revisions: a table, a nullable column dropped and re-added empty (its values are lost),
/// and a clean column addition.
fn chain(name: &str) -> Chain {
    let dir = std::env::temp_dir().join(format!("mrt-cli-verify-{name}-{}", std::process::id()));
    let versions = dir.join("versions");
    std::fs::create_dir_all(&versions).unwrap();
    let files = [
        (
            "a1",
            "None",
            "op.create_table(\"users\", sa.Column(\"id\", sa.Integer(), primary_key=True), sa.Column(\"phone\", sa.String(20), nullable=True))",
            "op.drop_table(\"users\")",
        ),
        (
            "b2",
            "\"a1\"",
            "op.drop_column(\"users\", \"phone\")",
            "op.add_column(\"users\", sa.Column(\"phone\", sa.String(20), nullable=True))",
        ),
        (
            "c3",
            "\"b2\"",
            "op.add_column(\"users\", sa.Column(\"email\", sa.String(50), nullable=True))",
            "op.drop_column(\"users\", \"email\")",
        ),
    ];
    for (id, parent, up, down) in files {
        std::fs::write(
            versions.join(format!("{id}.py")),
            revision(id, parent, up, down),
        )
        .unwrap();
    }
    Chain(versions)
}

fn path(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

#[test]
fn an_unreachable_database_is_an_error_naming_it() {
    let versions = chain("unreachable");
    let output = mrt(&[
        "verify",
        path(&versions),
        "--database-url",
        "postgresql://nobody:secret@127.0.0.1:1/scratch",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("postgresql://nobody:***@127.0.0.1:1/scratch"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"), "{stderr}");
}

#[test]
fn bad_urls_and_interpreters_are_errors() {
    let versions = chain("bad");
    let output = mrt(&[
        "verify",
        path(&versions),
        "--database-url",
        "mysql://x@h/db",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("not supported"),
        "{}",
        text(&output.stderr)
    );

    let scratch = versions.with_file_name("scratch.db");
    let url = format!("sqlite:///{}", scratch.display());
    let output = mrt(&[
        "verify",
        path(&versions),
        "--database-url",
        &url,
        "--python",
        "/nonexistent/python3",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("/nonexistent/python3"),
        "{}",
        text(&output.stderr)
    );

    let output = mrt(&["migrate", "current", path(&versions)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("name the database"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn verdicts_in_every_format_and_the_loss_is_named() {
    let Some(python) = python() else { return };
    let versions = chain("formats");
    let scratch = versions.with_file_name("scratch.db");
    let url = format!("sqlite:///{}", scratch.display());
    let run = |format: &str| {
        mrt(&[
            "verify",
            path(&versions),
            "--database-url",
            &url,
            "--python",
            &python,
            "--output-format",
            format,
        ])
    };

    let (code, report) = verify_json(&versions, &url, &python, &[]);
    assert_eq!(code, Some(1), "{report}");
    let statuses: Vec<&str> = report["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["passed", "failed", "passed"]);
    let failure = &report["revisions"][1]["failures"][0];
    assert_eq!(failure["kind"], "data");
    assert_eq!(failure["object"], "users.phone");
    assert_eq!(failure["codes"], serde_json::json!(["MRT201"]));
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["database"]["backend"], "sqlite");
    assert_eq!(report["seed"], 1);

    let full = text(&run("full").stdout);
    assert!(
        full.contains("b2") && full.contains("FAILED") && full.contains("<- MRT201"),
        "{full}"
    );
    let junit = text(&run("junit").stdout);
    assert!(
        junit.contains("<testcase name=\"b2\"") && junit.contains("<failure type=\"data\""),
        "{junit}"
    );
    let github = text(&run("github").stdout);
    assert!(
        github.contains("::error file=") && github.contains("predicted by MRT201"),
        "{github}"
    );

    // Judging one revision only.
    let (code, report) = verify_json(&versions, &url, &python, &["--revision", "c3"]);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["revisions"].as_array().unwrap().len(), 1);
    assert!(!scratch.exists(), "the given SQLite file is never written");
}

#[test]
fn a_database_with_tables_is_refused() {
    let Some(python) = python() else { return };
    let versions = chain("nonempty");
    let scratch = versions.with_file_name("full.db");
    let status = Command::new(&python)
        .args([
            "-c",
            &format!(
                "import sqlite3; sqlite3.connect({:?}).execute('create table precious (x int)')",
                scratch.display().to_string()
            ),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let url = format!("sqlite:///{}", scratch.display());
    let output = mrt(&[
        "verify",
        path(&versions),
        "--database-url",
        &url,
        "--python",
        &python,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("not empty") && stderr.contains("precious"),
        "{stderr}"
    );
}

/// An Alembic project with `alembic.ini` and the given env.py around the three-revision chain
/// (the project's root, and the guard that removes it).
fn project_with_env(name: &str, env_py: &str) -> (PathBuf, Chain) {
    let versions = chain(name);
    let root = versions.parent().unwrap().to_path_buf();
    let script = root.join("migrations");
    std::fs::create_dir_all(&script).unwrap();
    std::fs::rename(&*versions, script.join("versions")).unwrap();
    std::fs::write(script.join("env.py"), env_py).unwrap();
    std::fs::write(
        root.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = postgresql://prod.invalid/app\n",
    )
    .unwrap();
    (root, versions)
}

#[test]
fn an_env_py_that_ignores_the_given_connection_is_tried_on_copies() {
    let Some(python) = python_with_postgres() else {
        return;
    };
    // The template env.py of `alembic init`: it builds its own engine from sqlalchemy.url.
    let (root, _removed_after) = project_with_env(
        "template-env",
        "from alembic import context\nfrom sqlalchemy import engine_from_config, pool\n\nconfig = context.config\n\nconnectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix=\"sqlalchemy.\", poolclass=pool.NullPool)\nwith connectable.connect() as connection:\n    context.configure(connection=connection)\n    with context.begin_transaction():\n        context.run_migrations()\n",
    );
    let (code, report) = verify_json(&root, "", &python, &[]);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(report["revisions"][1]["failures"][0]["kind"], "data");
    assert!(
        report["notes"].to_string().contains("tried on a copy"),
        "{}",
        report["notes"]
    );
}

#[test]
fn an_env_py_that_runs_elsewhere_is_refused() {
    let Some(python) = python() else { return };
    let elsewhere = std::env::temp_dir().join(format!("mrt-elsewhere-{}.db", std::process::id()));
    let (root, _removed_after) = project_with_env(
        "elsewhere-env",
        &format!(
            "from alembic import context\nfrom sqlalchemy import create_engine\n\nwith create_engine('sqlite:///{}').connect() as connection:\n    context.configure(connection=connection)\n    with context.begin_transaction():\n        context.run_migrations()\n",
            elsewhere.display()
        ),
    );
    let scratch = root.join("scratch.db");
    let url = format!("sqlite:///{}", scratch.display());
    let output = mrt(&[
        "verify",
        path(&root),
        "--python",
        &python,
        "--database-url",
        &url,
    ]);
    let _ = std::fs::remove_file(&elsewhere);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stdout));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("did not change mrt's scratch database"),
        "{stderr}"
    );
}

/// A downgrade that hangs gets a `timeout` verdict: the worker is killed and started again, and the
/// walk goes on to judge the revisions after it.
#[test]
fn a_hung_migration_is_stopped_and_the_walk_goes_on() {
    let Some(python) = python() else { return };
    let versions = chain("timeout");
    let hung = "import time\n    time.sleep(60)";
    std::fs::write(
        versions.join("d4.py"),
        revision("d4", "\"c3\"", "pass", hung),
    )
    .unwrap();
    std::fs::write(
        versions.join("e5.py"),
        revision("e5", "\"d4\"", "pass", "pass"),
    )
    .unwrap();
    let scratch = versions.with_file_name("scratch.db");
    let sqlite = format!("sqlite:///{}", scratch.display());
    let mut databases = vec![sqlite.as_str()];
    // On the embedded PostgreSQL the revisions are tried in the worker's transaction: the new
    // worker opens it again.
    if mrt_verify::db::embedded::find_bindir().is_some()
        && mrt_verify::testing::python_with(&["psycopg2"]).is_some()
    {
        databases.push("");
    }
    for url in databases {
        let (code, report) = verify_json(&versions, url, &python, &["--timeout", "2"]);
        assert_eq!(code, Some(1), "{report}");
        let verdict = |id: &str| {
            report["revisions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["revision"] == id)
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(verdict("d4")["failures"][0]["kind"], "timeout", "{report}");
        // The worker stuck in the downgrade was replaced; the next revision is judged.
        assert_eq!(verdict("e5")["status"], "passed", "{report}");
        assert_eq!(verdict("c3")["status"], "passed", "{report}");
    }
}

/// What a process left in the temporary directory under `prefix` (`mrt-verify-pg-` for its
/// embedded cluster, `mrt-worker-` for its worker's directory).
fn left_by(pid: u32, prefix: &str) -> Vec<PathBuf> {
    mrt_verify::testing::left_in_temp(&format!("{prefix}{pid}-"))
}

/// Ctrl-C, or a CI job cancelled (SIGINT, SIGTERM) while a migration runs: the walk stops at once,
/// and the embedded PostgreSQL cluster and the worker's directory are gone when `mrt` exits (2).
#[test]
fn a_signal_stops_the_walk_and_removes_what_it_started() {
    let Some(python) = python_with_postgres() else {
        return;
    };
    let versions = chain("signal");
    // Runs far longer than the test waits: only the signal can end it in time.
    std::fs::write(
        versions.join("d4.py"),
        revision("d4", "\"c3\"", "import time\n    time.sleep(600)", "pass"),
    )
    .unwrap();
    for signal in ["INT", "TERM"] {
        let started = std::time::Instant::now();
        let child = Command::new(env!("CARGO_BIN_EXE_mrt"))
            .args(["verify", path(&versions), "--python", &python])
            .env_remove("MRT_DATABASE_URL")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        // The cluster is up, then the worker's directory made: the walk has begun.
        while left_by(pid, "mrt-worker-").is_empty() {
            assert!(
                started.elapsed() < std::time::Duration::from_mins(2),
                "the walk did not begin"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(!left_by(pid, "mrt-verify-pg-").is_empty());
        // Into the revisions (c3's judging is well under this; d4 sleeps).
        std::thread::sleep(std::time::Duration::from_secs(3));
        let sent = Command::new("kill")
            .args(["-s", signal, &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let output = child.wait_with_output().unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "SIG{signal}: {stderr}");
        assert!(stderr.contains("interrupted"), "SIG{signal}: {stderr}");
        assert!(
            started.elapsed() < std::time::Duration::from_mins(5),
            "SIG{signal}: the walk waited for the migration"
        );
        assert_eq!(
            left_by(pid, "mrt-verify-pg-"),
            Vec::<PathBuf>::new(),
            "SIG{signal}"
        );
        assert_eq!(
            left_by(pid, "mrt-worker-"),
            Vec::<PathBuf>::new(),
            "SIG{signal}"
        );
    }
}

/// A migration whose top-level code blocks when imported: loading the project is bounded by the
/// step timeout, and the run ends with an error naming it (exit 2) instead of waiting forever.
#[test]
fn a_migration_that_blocks_when_imported_is_an_error_not_a_hang() {
    let Some(python) = python() else { return };
    let versions = chain("import-hang");
    std::fs::write(
        versions.join("d4.py"),
        format!(
            "import time\ntime.sleep(600)\n{}",
            revision("d4", "\"c3\"", "pass", "pass")
        ),
    )
    .unwrap();
    let scratch = versions.with_file_name("scratch.db");
    let output = mrt(&[
        "verify",
        path(&versions),
        "--python",
        &python,
        "--database-url",
        &format!("sqlite:///{}", scratch.display()),
        "--timeout",
        "2",
    ]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("loading the migrations took longer than 2 s"),
        "{stderr}"
    );
}
