//! `mrt verify` on a small Django project (two apps, a cross-app dependency, a squashed
//! migration) with planted outcomes, run with Django's own executor on SQLite and on an embedded
//! PostgreSQL: every verdict as `expected.txt` says, static findings joined, and the project's
//! configured database never touched.
//!
//! Needs a Python with Django and psycopg2: `MRT_TEST_PYTHON`, else `python3`. Where it has none
//! the tests say so and pass, except under CI (`CI` set), where they fail.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mrt_core::{Linter, Project, Settings};
use mrt_verify::{DatabaseUrl, Options, Report, Source, Status};

fn python() -> Option<PathBuf> {
    mrt_verify::testing::python_with(&["django", "psycopg2"])
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "__pycache__" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The project copied to a private directory (Python writes bytecode next to the sources).
fn project(name: &str) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/django_project");
    let root =
        std::env::temp_dir().join(format!("mrt-verify-django-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    copy_dir(&fixture, &root);
    root
}

fn run(python: PathBuf, root: &Path, database_url: Option<DatabaseUrl>) -> Report {
    let (project, errors) = Project::load(&[root.to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    let rules = mrt_rules::registry().select(&[], &[], &[]).unwrap();
    let findings = Linter::new(rules, Settings::default()).check(&project);
    let options = Options {
        source: Source::Django {
            root: root.to_path_buf(),
            settings: "proj.settings".into(),
            apps: Vec::new(),
        },
        database_url,
        python: Some(python),
        timeout: Duration::from_mins(1),
        seed: 3,
        allow_nonempty: false,
        only: None,
        since: None,
        min_revision: None,
        skip: BTreeMap::default(),
        isolation: mrt_verify::Isolation::default(),
        interrupt: mrt_verify::Interrupt::default(),
    };
    mrt_verify::verify(&options, &project, &findings).unwrap()
}

fn check(report: &Report, root: &Path) {
    let expected: Vec<Vec<String>> = std::fs::read_to_string(root.join("expected.txt"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| line.split_whitespace().map(str::to_owned).collect())
        .collect();
    let verdicts: BTreeMap<&str, _> = report
        .revisions
        .iter()
        .map(|verdict| (verdict.revision.as_str(), verdict))
        .collect();
    assert_eq!(verdicts.len(), expected.len(), "{:#?}", report.revisions);
    for line in &expected {
        let verdict = verdicts
            .get(line[0].as_str())
            .unwrap_or_else(|| panic!("no verdict on {}", line[0]));
        let kinds: Vec<&str> = verdict.failures.iter().map(|f| f.kind.name()).collect();
        if line[1] == "passed" {
            assert_eq!(verdict.status, Status::Passed, "{verdict:#?}");
        } else {
            assert_eq!(verdict.status, Status::Failed, "{verdict:#?}");
            assert!(kinds.contains(&line[2].as_str()), "{verdict:#?}");
        }
    }
    let codes = |revision: &str| -> Vec<String> {
        verdicts[revision]
            .failures
            .iter()
            .flat_map(|f| f.codes.clone())
            .collect()
    };
    assert_eq!(codes("shop.0004_remove_product_sku"), ["MRT201"]);
    assert_eq!(codes("billing.0006_delete_legacy"), ["MRT202"]);
    assert_eq!(codes("billing.0004_touch_invoices"), ["MRT107"]);
    assert!(
        !root.join("proj/production.sqlite3").exists(),
        "the project's configured database was touched"
    );
}

#[test]
fn django_verdicts_on_sqlite() {
    let Some(python) = python() else { return };
    let root = project("sqlite");
    let url = DatabaseUrl::parse(&format!("sqlite:///{}/scratch.db", root.display())).unwrap();
    let report = run(python, &root, Some(url));
    check(&report, &root);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn django_verdicts_on_an_embedded_postgresql() {
    let Some(python) = python() else { return };
    if mrt_verify::db::embedded::find_bindir().is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have PostgreSQL's initdb and pg_ctl"
        );
        eprintln!("skipped: no initdb/pg_ctl on this machine");
        return;
    }
    let root = project("pg");
    let report = run(python, &root, None);
    assert_eq!(report.database.backend, "postgresql");
    check(&report, &root);
    let _ = std::fs::remove_dir_all(&root);
}
