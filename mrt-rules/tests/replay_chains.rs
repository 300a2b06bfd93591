//! The chains the SQLite harness runs through real Alembic (`mrt-core/tests/replay_chains/`) have
//! correct downgrades: the replay must find no residue in them, on SQLite or PostgreSQL.

use mrt_core::{Dialect, Linter, Project, Settings};

#[test]
fn chains_with_correct_downgrades_have_no_residue() {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../mrt-core/tests/replay_chains");
    let mut chains: Vec<_> = std::fs::read_dir(&root)
        .expect("the replay chains exist")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    chains.sort();
    assert!(chains.len() >= 4, "{chains:?}");
    let rules = mrt_rules::registry()
        .select(&["MRT801".to_owned()], &[], &[])
        .expect("MRT801 exists");
    for dialect in [Dialect::Sqlite, Dialect::Postgresql] {
        let mut settings = Settings::default();
        settings.dialect = dialect;
        let linter = Linter::new(rules.clone(), settings);
        for chain in &chains {
            let (project, errors) = Project::load(std::slice::from_ref(chain));
            assert!(errors.is_empty(), "{errors:?}");
            assert!(project.migrations.len() >= 4, "{}", chain.display());
            let found: Vec<String> = linter
                .check(&project)
                .iter()
                .map(|diagnostic| {
                    format!("{}: {}", diagnostic.path().display(), diagnostic.message)
                })
                .collect();
            assert!(
                found.is_empty(),
                "{dialect:?} {}:\n{}",
                chain.display(),
                found.join("\n")
            );
        }
    }
}
