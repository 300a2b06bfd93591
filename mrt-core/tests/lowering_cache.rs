//! `Project::from_sources_cached`: lowered files are reused only while what they were lowered
//! from is unchanged.

use mrt_core::{LoweringCache, Project, SourceFile};

fn alembic(revision: &str, parent: &str) -> String {
    format!(
        "revision = \"{revision}\"\ndown_revision = {parent}\n\nfrom alembic import op\n\n\ndef upgrade():\n    op.drop_column(\"t\", \"c\")\n"
    )
}

#[test]
fn a_changed_text_is_lowered_again_and_scope_is_kept() {
    let mut cache = LoweringCache::default();
    let sources = |head: &str| {
        vec![
            (SourceFile::new("v/0001.py", alembic("0001", "None")), false),
            (
                SourceFile::new("v/0002.py", alembic(head, "\"0001\"")),
                true,
            ),
        ]
    };
    let first = Project::from_sources_cached(sources("0002"), &mut cache);
    assert_eq!(first.migrations[1].revision_id(), Some("0002"));
    assert!(!first.is_in_scope(0) && first.is_in_scope(1));
    let second = Project::from_sources_cached(sources("0003"), &mut cache);
    assert_eq!(second.migrations[1].revision_id(), Some("0003"));
    assert!(second.graph.position("0003").is_some());
}

#[test]
fn a_sql_up_file_is_lowered_again_when_its_down_file_goes() {
    let mut cache = LoweringCache::default();
    let up = || SourceFile::new("sql/001_t.up.sql", "ALTER TABLE t DROP COLUMN c;\n");
    let down = SourceFile::new("sql/001_t.down.sql", "ALTER TABLE t ADD COLUMN c int;\n");
    let with_down = Project::from_sources_cached([(up(), true), (down, true)], &mut cache);
    assert!(with_down.migrations[0].downgrade.is_some());
    let without = Project::from_sources_cached([(up(), true)], &mut cache);
    assert!(without.migrations[0].downgrade.is_none());
}
