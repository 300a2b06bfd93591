//! `mrt init` as a user runs it in a project: what it detects, what it writes, what it leaves alone,
//! and that the configuration it writes is one `mrt check` accepts.

// A test that cannot run the binary or write its scratch files should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const REVISION: &str = "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'a1'\ndown_revision = None\n\n\ndef upgrade():\n    op.add_column('users', sa.Column('bio', sa.Text(), nullable=True))\n\n\ndef downgrade():\n    op.drop_column('users', 'bio')\n";
const ALEMBIC_INI: &str = "[alembic]\nscript_location = migrations\n";
const MANAGE_PY: &str = "import os\nimport sys\n\n\ndef main():\n    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"shop.settings\")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n";

/// A scratch project directory with the given files (parent directories created).
struct Project(PathBuf);

impl Project {
    fn new(files: &[(&str, &str)]) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mrt-init-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Self(dir)
    }

    fn mrt(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_mrt"))
            .args(args)
            .current_dir(&self.0)
            .output()
            .expect("mrt runs")
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap()
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
fn alembic_project_gets_a_pyproject_and_a_test_file() {
    let project = Project::new(&[
        ("alembic.ini", ALEMBIC_INI),
        ("migrations/versions/a1_bio.py", REVISION),
    ]);
    let output = project.mrt(&["init"]);
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    let printed = out(&output);
    assert!(printed.contains("Alembic (alembic.ini)"), "{printed}");
    assert!(printed.contains("pyproject.toml: created"), "{printed}");
    assert!(
        printed.contains("tests/test_migrations.py: written"),
        "{printed}"
    );

    let pyproject = project.read("pyproject.toml");
    assert!(pyproject.starts_with("[tool.mrt]\n"), "{pyproject}");
    let tests = project.read("tests/test_migrations.py");
    assert!(tests.contains("mrt_rollback.revisions("), "{tests}");
    assert!(tests.contains("mrt.assert_reversible(revision)"), "{tests}");

    // The section is one `mrt check` reads without complaint (exit 0: the revision is clean).
    let check = project.mrt(&["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        out(&check),
        err(&check)
    );
}

#[test]
fn an_existing_pyproject_gets_the_section_appended_and_keeps_its_text() {
    let original = "[project]\nname = \"shop\"\nversion = \"1.0\"";
    let project = Project::new(&[
        ("alembic.ini", ALEMBIC_INI),
        ("migrations/versions/a1_bio.py", REVISION),
        ("pyproject.toml", original),
    ]);
    let output = project.mrt(&["init"]);
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert!(out(&output).contains("pyproject.toml: appended"));
    let pyproject = project.read("pyproject.toml");
    assert!(
        pyproject.starts_with(&format!("{original}\n\n[tool.mrt]\n")),
        "{pyproject}"
    );
    let parsed: toml::Table = toml::from_str(&pyproject).expect("still valid TOML");
    assert_eq!(parsed["project"]["name"].as_str(), Some("shop"));
}

#[test]
fn nothing_is_overwritten_on_a_second_run_or_when_already_there() {
    let own_config = "[tool.mrt]\nignore = [\"MRT405\"]\n";
    let own_tests = "def test_mine():\n    pass\n";
    let project = Project::new(&[
        ("alembic.ini", ALEMBIC_INI),
        ("migrations/versions/a1_bio.py", REVISION),
        ("pyproject.toml", own_config),
        ("tests/test_migrations.py", own_tests),
    ]);
    let output = project.mrt(&["init"]);
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    let printed = out(&output);
    assert!(
        printed.contains("pyproject.toml: left alone (it already has a [tool.mrt] section)"),
        "{printed}"
    );
    assert!(
        printed.contains("tests/test_migrations.py: left alone"),
        "{printed}"
    );
    assert_eq!(project.read("pyproject.toml"), own_config);
    assert_eq!(project.read("tests/test_migrations.py"), own_tests);

    // A subtable of tool.mrt counts as the section being there.
    let project = Project::new(&[
        ("alembic.ini", ALEMBIC_INI),
        ("migrations/versions/a1_bio.py", REVISION),
        ("pyproject.toml", "[tool.mrt.skip]\na1 = \"reviewed\"\n"),
    ]);
    let output = project.mrt(&["init"]);
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert!(out(&output).contains("pyproject.toml: left alone"));
    assert_eq!(
        project.read("pyproject.toml"),
        "[tool.mrt.skip]\na1 = \"reviewed\"\n"
    );

    // Twice in a row: the second run writes nothing.
    let project = Project::new(&[("alembic.ini", ALEMBIC_INI)]);
    let first = project.mrt(&["init"]);
    assert_eq!(first.status.code(), Some(0), "{}", err(&first));
    let pyproject = project.read("pyproject.toml");
    let second = project.mrt(&["init"]);
    assert_eq!(second.status.code(), Some(0), "{}", err(&second));
    assert_eq!(
        out(&second).matches("left alone").count(),
        2,
        "{}",
        out(&second)
    );
    assert_eq!(project.read("pyproject.toml"), pyproject);
}

#[test]
fn django_is_detected_from_manage_py_and_its_settings_named() {
    let project = Project::new(&[("manage.py", MANAGE_PY)]);
    let output = project.mrt(&["init", project.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert!(
        out(&output).contains("Django (manage.py)"),
        "{}",
        out(&output)
    );
    let pyproject = project.read("pyproject.toml");
    let parsed: toml::Table = toml::from_str(&pyproject).expect("valid TOML");
    assert_eq!(
        parsed["tool"]["mrt"]["verify"]["django-settings"].as_str(),
        Some("shop.settings"),
        "{pyproject}"
    );
    assert!(project.path().join("tests/test_migrations.py").is_file());
    // mrt's own configuration reader accepts what was written.
    let check = project.mrt(&["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        out(&check),
        err(&check)
    );
}

#[test]
fn a_versions_directory_without_alembic_ini_is_alembic() {
    let project = Project::new(&[("app/db/versions/a1_bio.py", REVISION)]);
    let output = project.mrt(&["init"]);
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    let printed = out(&output);
    assert!(printed.contains("Alembic (app/db/versions)"), "{printed}");
}

#[test]
fn mrt_toml_is_left_to_its_owner() {
    let project = Project::new(&[
        ("alembic.ini", ALEMBIC_INI),
        ("mrt.toml", "strict = true\n"),
    ]);
    let output = project.mrt(&["init"]);
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert!(out(&output).contains("mrt.toml: left alone"));
    assert!(!project.path().join("pyproject.toml").exists());
}

#[test]
fn errors_exit_2_with_the_reason_and_write_nothing() {
    // No framework to detect.
    let project = Project::new(&[("README.md", "hello\n")]);
    let output = project.mrt(&["init"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        err(&output).contains("found no alembic.ini, manage.py or Alembic `versions` directory"),
        "{}",
        err(&output)
    );
    assert!(!project.path().join("pyproject.toml").exists());
    assert!(!project.path().join("tests").exists());

    // A pyproject.toml that is not TOML is not touched.
    let broken = "[project\nname = 1\n";
    let project = Project::new(&[("alembic.ini", ALEMBIC_INI), ("pyproject.toml", broken)]);
    let output = project.mrt(&["init"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        err(&output).contains("pyproject.toml: not valid TOML"),
        "{}",
        err(&output)
    );
    assert_eq!(project.read("pyproject.toml"), broken);

    // Not a directory.
    let output = project.mrt(&["init", "no/such/dir"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(err(&output).contains("no/such/dir: not a directory"));
}
