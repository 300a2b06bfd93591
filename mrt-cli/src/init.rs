//! `mrt init`: sets a Python project up for `mrt` and its pytest fixture. It detects Alembic or
//! Django, adds a `[tool.mrt]` section to `pyproject.toml` and writes `tests/test_migrations.py`,
//! and says what it did. It never overwrites: a file or section that is already there is left
//! alone, and the output says so.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::Status;
use crate::args::InitArgs;

/// What the project uses, as far as its files tell.
#[derive(Debug, Default, PartialEq, Eq)]
struct Detected {
    /// `alembic.ini` in the project directory.
    alembic_ini: bool,
    /// A `versions` directory holding Alembic revision files (when there is no `alembic.ini`).
    versions_dir: Option<PathBuf>,
    /// `manage.py` in the project directory.
    django: bool,
    /// The settings module `manage.py` sets, when it says so literally.
    django_settings: Option<String>,
}

impl Detected {
    fn alembic(&self) -> bool {
        self.alembic_ini || self.versions_dir.is_some()
    }

    fn describe(&self, root: &Path) -> String {
        let mut found = Vec::new();
        if self.alembic_ini {
            found.push("Alembic (alembic.ini)".to_owned());
        } else if let Some(dir) = &self.versions_dir {
            found.push(format!("Alembic ({})", relative(dir, root).display()));
        }
        if self.django {
            found.push("Django (manage.py)".to_owned());
        }
        found.join(" and ")
    }
}

/// Directories never searched for a `versions` directory: environments, caches and build output
/// hold other packages' migrations (Alembic's own templates among them).
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "site-packages",
    "venv",
    "env",
    "target",
    "build",
    "dist",
    "__pycache__",
];

/// How deep below the project directory a `versions` directory is looked for.
const MAX_DEPTH: usize = 4;

pub(crate) fn run(args: &InitArgs) -> Result<Status, String> {
    let root = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    if !root.is_dir() {
        return Err(format!("{}: not a directory", root.display()));
    }
    let detected = detect(&root)?;
    if !detected.alembic() && !detected.django {
        return Err(format!(
            "{}: found no alembic.ini, manage.py or Alembic `versions` directory; run `mrt init` in the project's root directory (or give it as `mrt init DIR`)",
            root.display()
        ));
    }
    let mut report = format!(
        "mrt init: {} project in {}\n",
        detected.describe(&root),
        root.display()
    );
    report.push_str(&write_config(&root, &detected)?);
    report.push_str(&write_tests(&root)?);
    report.push_str(
        "next: pip install mrt-rollback pytest, then `pytest tests/test_migrations.py` (one test per revision; `pytest -k REV` runs one)\n",
    );
    crate::write_stdout(&report)
}

fn detect(root: &Path) -> Result<Detected, String> {
    let mut detected = Detected {
        alembic_ini: root.join("alembic.ini").is_file(),
        ..Detected::default()
    };
    let manage = root.join("manage.py");
    if manage.is_file() {
        detected.django = true;
        let text = std::fs::read_to_string(&manage)
            .map_err(|error| format!("{}: {error}", manage.display()))?;
        detected.django_settings = settings_module(&text);
    }
    if !detected.alembic_ini {
        detected.versions_dir = find_versions_dir(root, 0);
    }
    Ok(detected)
}

/// The module of `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")`, as
/// `django-admin startproject` writes it.
fn settings_module(manage_py: &str) -> Option<String> {
    let after =
        &manage_py[manage_py.find("DJANGO_SETTINGS_MODULE")? + "DJANGO_SETTINGS_MODULE".len()..];
    let after = after.trim_start_matches(['"', '\'']).trim_start();
    let after = after.strip_prefix(',')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    let module = &value[..value.find(quote)?];
    let valid = !module.is_empty()
        && module
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    valid.then(|| module.to_owned())
}

fn find_versions_dir(dir: &Path, depth: usize) -> Option<PathBuf> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    // Sorted, so that the same tree always gives the same answer.
    entries.sort();
    for path in &entries {
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        if name == "versions" && has_revision_file(path) {
            return Some(path.clone());
        }
    }
    entries.into_iter().find_map(|path| {
        let name = path.file_name()?.to_str()?;
        if name.starts_with('.') || SKIPPED_DIRS.contains(&name) {
            return None;
        }
        find_versions_dir(&path, depth + 1)
    })
}

/// A Python file with a module-level `revision` and a `def upgrade`, as `mrt check` reads them.
fn has_revision_file(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let path = entry.path();
        path.extension().is_some_and(|ext| ext == "py")
            && std::fs::read_to_string(&path).is_ok_and(|text| {
                text.contains("def upgrade")
                    && text.lines().any(|line| {
                        line.strip_prefix("revision")
                            .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
                    })
            })
    })
}

/// Adds `[tool.mrt]` to `pyproject.toml`, creating the file if there is none; returns what it did.
fn write_config(root: &Path, detected: &Detected) -> Result<String, String> {
    // `mrt.toml` / `.mrt.toml` win over `pyproject.toml` in the same directory: a section added
    // there would be ignored.
    for name in [".mrt.toml", "mrt.toml"] {
        if root.join(name).is_file() {
            return Ok(format!(
                "  {name}: left alone (mrt's configuration is already there; pyproject.toml not touched)\n"
            ));
        }
    }
    let path = root.join("pyproject.toml");
    let section = config_section(detected);
    if !path.exists() {
        write_new(&path, &section)?;
        return Ok("  pyproject.toml: created, with a [tool.mrt] section\n".to_owned());
    }
    let text =
        std::fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))?;
    let table: toml::Table = toml::from_str(&text).map_err(|error| {
        format!(
            "{}: not valid TOML, left alone: {}",
            path.display(),
            error.message()
        )
    })?;
    if table.get("tool").and_then(|tool| tool.get("mrt")).is_some() {
        return Ok(
            "  pyproject.toml: left alone (it already has a [tool.mrt] section)\n".to_owned(),
        );
    }
    let mut updated = text;
    if !updated.is_empty() && !updated.ends_with('\n') {
        updated.push('\n');
    }
    if !updated.is_empty() {
        updated.push('\n');
    }
    updated.push_str(&section);
    replace(&path, &updated)?;
    Ok("  pyproject.toml: appended a [tool.mrt] section\n".to_owned())
}

fn config_section(detected: &Detected) -> String {
    let mut section = String::from(
        "[tool.mrt]\n\
         # Read by `mrt check`, `mrt verify` and the pytest fixture `mrt`; every key is optional.\n\
         # select = [\"ALL\"]        # rules to run: codes, names or prefixes (`mrt rules` lists them)\n\
         # ignore = [\"MRT405\"]     # rules not to run\n\
         # strict = true           # warnings fail `mrt check` too\n\
         # dialect = \"postgresql\"  # or mysql, sqlite, generic\n",
    );
    if !detected.alembic_ini
        && let Some(dir) = &detected.versions_dir
    {
        let _ = writeln!(
            section,
            "# The migrations: {} (no alembic.ini; give the directory to `mrt check`).",
            dir.display()
        );
    }
    section.push_str(
        "\n[tool.mrt.verify]\n\
         # How `mrt verify` and the fixture run the migrations; default: an embedded throwaway\n\
         # PostgreSQL (else SQLite) and the active virtual environment's Python.\n\
         # database-url = \"postgresql://user@localhost/scratch\"   # an empty scratch database\n\
         # timeout = 300                 # seconds one migration step may take\n",
    );
    if detected.django {
        match &detected.django_settings {
            Some(settings) => {
                let _ = writeln!(
                    section,
                    "django-settings = \"{settings}\"  # from manage.py"
                );
            }
            None => section.push_str("# django-settings = \"mysite.settings\"\n"),
        }
    }
    section
}

const TEST_FILE: &str = r#""""Rollback checks of this project's migrations, written by `mrt init`.

Each revision is its own test, so `pytest -k <revision>` runs one and pytest-xdist spreads them;
the fixture `mrt` comes with the mrt-rollback package and is configured by `[tool.mrt]` in
pyproject.toml. Edit freely: `mrt init` never overwrites this file.
"""

from pathlib import Path

import pytest

import mrt_rollback

PROJECT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("revision", mrt_rollback.revisions(cwd=PROJECT))
def test_revision_rolls_back(mrt, revision):
    """Upgrade, seed rows, downgrade, upgrade again: the schema and the rows come back."""
    mrt.assert_reversible(revision)


def test_no_static_errors(mrt):
    """`mrt check`: no finding that fails the check (errors; warnings too with `strict = true`)."""
    mrt.assert_no_static_errors()
"#;

fn write_tests(root: &Path) -> Result<String, String> {
    let dir = root.join("tests");
    let path = dir.join("test_migrations.py");
    if path.exists() {
        return Ok("  tests/test_migrations.py: left alone (it already exists)\n".to_owned());
    }
    std::fs::create_dir_all(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    write_new(&path, TEST_FILE)?;
    Ok(
        "  tests/test_migrations.py: written (one test per revision, and the static check)\n"
            .to_owned(),
    )
}

/// Creates `path`; fails if something appeared there meanwhile rather than overwrite it.
fn write_new(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|error| format!("{}: {error}", path.display()))
}

/// Replaces `path` whole, through a temporary file and a rename, so that a failure never leaves a
/// half-written `pyproject.toml`.
fn replace(path: &Path, text: &str) -> Result<(), String> {
    let temp = path.with_extension("toml.mrt-init");
    std::fs::write(&temp, text)
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|error| {
            let _ = std::fs::remove_file(&temp);
            format!("{}: {error}", path.display())
        })
}

fn relative<'a>(path: &'a Path, root: &Path) -> &'a Path {
    path.strip_prefix(root).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::settings_module;

    #[test]
    fn settings_module_is_read_from_manage_py() {
        let manage = "import os\n\ndef main():\n    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n";
        assert_eq!(settings_module(manage).as_deref(), Some("mysite.settings"));
        let manage = "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"a.b_c\")";
        assert_eq!(settings_module(manage).as_deref(), Some("a.b_c"));
        assert_eq!(
            settings_module("os.environ['DJANGO_SETTINGS_MODULE'] = get()"),
            None
        );
    }
}
