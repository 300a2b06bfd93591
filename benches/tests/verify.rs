//! `mrt verify` on real databases: an executable chain with every kind of planted rollback fault,
//! run with real Alembic on PostgreSQL (a throwaway cluster the engine starts itself) and on SQLite.
//! Every planted fault must be found with its kind and joined to a static finding; every correct
//! revision must pass.
//!
//! Needs a Python with Alembic, SQLAlchemy and psycopg2: `MRT_TEST_PYTHON`, else `python3`. Where
//! it has none the tests say so and pass, except under CI (`CI` set), where they fail.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mrt_benches::{Expected, executable_chain};
use mrt_core::{Linter, Project, Settings};
use mrt_verify::{DatabaseUrl, Options, Report, Source, Status};

fn python() -> Option<PathBuf> {
    mrt_verify::testing::python_with(&["alembic", "sqlalchemy", "psycopg2"])
}

fn chain(dir: &Path, n: usize) -> Vec<Expected> {
    let (files, expected) = executable_chain(n, true);
    std::fs::create_dir_all(dir).unwrap();
    for file in files {
        std::fs::write(dir.join(file.name), file.text).unwrap();
    }
    expected
}

fn run(python: PathBuf, dir: &Path, database_url: Option<DatabaseUrl>) -> Report {
    let (project, errors) = Project::load(&[dir.to_path_buf()]);
    assert!(errors.is_empty(), "{errors:?}");
    let rules = mrt_rules::registry().select(&[], &[], &[]).unwrap();
    let findings = Linter::new(rules, Settings::default()).check(&project);
    let options = Options {
        source: Source::Alembic {
            ini: None,
            versions: vec![dir.to_path_buf()],
        },
        database_url,
        python: Some(python),
        timeout: Duration::from_mins(1),
        seed: 7,
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

/// Every verdict as expected: planted faults failed with their kind (and a static code joined to
/// it), correct revisions passed.
fn check(report: &Report, expected: &[Expected]) {
    assert_eq!(
        report.revisions.len(),
        expected.len(),
        "every revision gets a verdict"
    );
    let mut problems = Vec::new();
    let mut kinds_seen = std::collections::BTreeSet::new();
    for (verdict, expected) in report.revisions.iter().zip(expected) {
        assert_eq!(verdict.revision, expected.revision);
        let describe = || {
            format!(
                "{} ({}): {:?} {:?}",
                verdict.revision,
                expected.what,
                verdict.status,
                verdict
                    .failures
                    .iter()
                    .map(|f| format!("{}: {} <- {:?}", f.kind.name(), f.message, f.codes))
                    .collect::<Vec<_>>()
            )
        };
        match expected.kind {
            None if verdict.status != Status::Passed => {
                problems.push(format!("should pass: {}", describe()));
            }
            None => {}
            Some(kind) => {
                let matching = verdict.failures.iter().find(|f| f.kind.name() == kind);
                match matching {
                    None => problems.push(format!("should fail with {kind}: {}", describe())),
                    Some(failure) if failure.codes.is_empty() => {
                        problems.push(format!("no static finding joined: {}", describe()));
                    }
                    Some(_) => {
                        kinds_seen.insert(expected.what);
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        kinds_seen.len(),
        9,
        "every kind of fault is planted and found: {kinds_seen:?}"
    );
}

#[test]
fn planted_faults_are_found_on_sqlite() {
    let Some(python) = python() else { return };
    let dir = std::env::temp_dir().join(format!("mrt-verify-test-sqlite-{}", std::process::id()));
    let expected = chain(&dir.join("versions"), 60);
    let scratch = dir.join("scratch.db");
    let url = DatabaseUrl::parse(&format!("sqlite:///{}", scratch.display())).unwrap();
    let report = run(python, &dir.join("versions"), Some(url));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(report.database.backend, "sqlite");
    check(&report, &expected);
    assert!(!scratch.exists(), "the given SQLite file is never written");
}

#[test]
fn planted_faults_are_found_on_an_embedded_postgresql() {
    let Some(python) = python() else { return };
    if mrt_verify::db::embedded::find_bindir().is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have PostgreSQL's initdb and pg_ctl"
        );
        eprintln!("skipped: no initdb/pg_ctl on this machine");
        return;
    }
    let dir = std::env::temp_dir().join(format!("mrt-verify-test-pg-{}", std::process::id()));
    let expected = chain(&dir.join("versions"), 60);
    let report = run(python, &dir.join("versions"), None);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(report.database.backend, "postgresql");
    assert!(report.database.embedded);
    check(&report, &expected);
    // The cluster is gone: no directory of it is left.
    let left = mrt_verify::testing::left_in_temp(&format!("mrt-verify-pg-{}-", std::process::id()));
    assert!(
        left.is_empty(),
        "the embedded cluster was not removed: {left:?}"
    );
}
