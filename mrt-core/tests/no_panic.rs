//! Bad input never panics: every fixture and example migration, cut at many points (the way an
//! editor buffer looks mid-edit), is extracted and linted without a panic, and a file that stops
//! parsing still yields its syntax error.

// A test that cannot read its own fixtures should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use mrt_core::extract::extract;
use mrt_core::{Linter, Project, Settings, SourceFile};

fn python_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)
            .expect("readable directory")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "py") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn truncated_migrations_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = python_files(&root.join("mrt-rules/resources/fixtures"));
    files.extend(python_files(&root.join("examples/alembic")));
    assert!(files.len() > 50, "fixtures found: {}", files.len());
    // Every built-in rule would need mrt-rules; the linter with no rules still runs suppression
    // bookkeeping, and extraction is where malformed input goes.
    let linter = Linter::new(Vec::new(), Settings::default());
    let mut cuts = 0;
    let mut broken = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable fixture");
        let step = (text.len() / 23).max(1);
        for cut in (0..text.len()).step_by(step) {
            let Some(prefix) = text.get(..cut) else {
                continue;
            };
            cuts += 1;
            if let Some(migration) = extract(Arc::new(SourceFile::new(&path, prefix))) {
                broken += usize::from(!migration.syntax_errors.is_empty());
            }
        }
        let project = Project::from_sources([SourceFile::new(&path, text.replace(':', ""))]);
        let _ = linter.check(&project);
    }
    assert!(cuts > 1000, "{cuts} cuts");
    assert!(
        broken > 100,
        "cut files that stop parsing keep their syntax errors: {broken}"
    );
}
