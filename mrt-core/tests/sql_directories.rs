//! The plain-SQL frontend reads migration directories from disk: golang-migrate / sqlx up and down
//! pairs, dbmate sections, and orders versions as numbers into one chain.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;

use mrt_core::ir::FrameworkMeta;
use mrt_core::{Framework, Project};

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = std::env::temp_dir().join(format!("mrt-sql-dir-{}", std::process::id()));
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
    let scratch = Scratch::new(&[
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
    ]);
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
