//! The plain-SQL frontend reads migration directories from disk: golang-migrate / sqlx up and down
//! pairs, dbmate sections, and orders versions as numbers into one chain.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;

use mrt_core::ir::FrameworkMeta;
use mrt_core::{Framework, Project};

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    /// `name` keeps tests that run at once apart.
    fn new(name: &str, files: &[(&str, &str)]) -> Self {
        let dir = std::env::temp_dir().join(format!("mrt-sql-dir-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn pairs_sections_and_numeric_versions() {
    let scratch = Scratch::new(
        "numeric",
        &[
            (
                "001_users.up.sql",
                "CREATE TABLE users (id int PRIMARY KEY);\n",
            ),
            ("001_users.down.sql", "DROP TABLE users;\n"),
            (
                "2_nickname.up.sql",
                "ALTER TABLE users ADD COLUMN nickname text;\n",
            ),
            (
                "10_email.sql",
                "-- migrate:up\nALTER TABLE users ADD COLUMN email text;\n-- migrate:down\nALTER TABLE users DROP COLUMN email;\n",
            ),
            ("seed.sql", "INSERT INTO users VALUES (1);\n"),
            // Versioned, but without dbmate's sections: SQL a Python migration may load.
            (
                "3_function.sql",
                "CREATE FUNCTION f() RETURNS int AS 'SELECT 1' LANGUAGE sql;\n",
            ),
        ],
    );
    let (project, errors) = Project::load(std::slice::from_ref(&scratch.0));
    assert!(errors.is_empty(), "{errors:?}");
    let summary: Vec<(String, Vec<String>, bool, bool)> = project
        .migrations
        .iter()
        .map(|migration| {
            assert_eq!(migration.framework, Framework::Sql);
            let FrameworkMeta::Sql(meta) = &migration.meta else {
                panic!("{:?}", migration.meta)
            };
            (
                meta.version.clone(),
                migration
                    .parents
                    .iter()
                    .map(|parent| parent.value.clone())
                    .collect(),
                migration.downgrade.is_some(),
                meta.down_file.is_some(),
            )
        })
        .collect();
    // Sorted by path: `001_…`, `10_…`, `2_…`; chained by version: 001 -> 2 -> 10. The down file
    // `seed.sql` (no version) and `3_function.sql` (no sections) are no migrations of their own.
    assert_eq!(
        summary,
        vec![
            ("001".to_owned(), vec![], true, true),
            ("10".to_owned(), vec!["2".to_owned()], true, false),
            ("2".to_owned(), vec!["001".to_owned()], false, false),
        ]
    );
    let heads: Vec<&str> = project
        .graph
        .heads()
        .into_iter()
        .filter_map(|at| project.migration_at(at).revision_id())
        .collect();
    assert_eq!(heads, ["10"]);
}

#[test]
fn several_directories_are_chains_of_their_own() {
    let scratch = Scratch::new("services", &[]);
    for service in ["billing", "users"] {
        let dir = scratch.0.join(service);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("001_init.up.sql"), "CREATE TABLE t (id int);\n").unwrap();
        std::fs::write(dir.join("001_init.down.sql"), "DROP TABLE t;\n").unwrap();
        std::fs::write(
            dir.join("002_more.up.sql"),
            "ALTER TABLE t ADD COLUMN c int;\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("002_more.down.sql"),
            "ALTER TABLE t DROP COLUMN c;\n",
        )
        .unwrap();
    }
    let (project, errors) = Project::load(std::slice::from_ref(&scratch.0));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(project.migrations.len(), 4);
    // The same versions in two directories are distinct revisions, each chain with one head.
    assert!(project.graph.duplicates().is_empty());
    let mut heads: Vec<String> = project
        .graph
        .heads()
        .into_iter()
        .filter_map(|at| project.migration_at(at).revision_id().map(str::to_owned))
        .collect();
    heads.sort();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(heads.iter().all(|head| head.ends_with("/002")), "{heads:?}");
}
