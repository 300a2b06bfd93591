//! Fix outlines (`FixDetail::Outline`, what `mrt check` asks for) say what the full fixes say:
//! the same findings have a fix, with the same title and applicability; only the edits are left
//! out. Checked on every rule fixture and example migration, each directory read as one project
//! (fixes read the schema the chain defines before each revision) and each file alone.

// A test that cannot read its own corpus should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};

use mrt_core::fix::FixDetail;
use mrt_core::{Diagnostic, Linter, Project, Settings, SourceFile};
use mrt_fix::Applicability;

/// What a report shows of a finding's fix, by finding.
type Shown = Vec<(PathBuf, &'static str, u32, Option<(String, Applicability)>)>;

fn shown(diagnostics: &[Diagnostic]) -> Shown {
    diagnostics
        .iter()
        .map(|diagnostic| {
            (
                diagnostic.path().to_path_buf(),
                diagnostic.code(),
                diagnostic.range.start().to_u32(),
                diagnostic
                    .fix
                    .as_ref()
                    .map(|fix| (fix.title.clone(), fix.applicability)),
            )
        })
        .collect()
}

/// Checks `project` both ways; returns how many findings had a fix.
fn compare(edits: &Linter, outline: &Linter, project: &Project, what: &str) -> usize {
    let full = edits.check(project);
    let outlined = outline.check(project);
    assert_eq!(shown(&full), shown(&outlined), "{what}");
    for diagnostic in &outlined {
        if let Some(fix) = &diagnostic.fix {
            assert!(fix.edits.is_empty(), "{what}: an outline with edits");
        }
    }
    let fixed = full.iter().filter(|d| d.fix.is_some()).count();
    for diagnostic in full.iter().filter_map(|d| d.fix.as_ref()) {
        assert!(
            !diagnostic.edits.is_empty(),
            "{what}: a full fix without edits"
        );
    }
    fixed
}

#[test]
fn outlines_show_the_fixes_that_full_fixes_write() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let rules = || mrt_rules::registry().select(&[], &[], &[]).unwrap();
    let edits = Linter::new(rules(), Settings::default()).with_fixer(mrt_fix::fixer());
    let outline = Linter::new(rules(), Settings::default())
        .with_fixer(mrt_fix::fixer())
        .with_fix_detail(FixDetail::Outline);
    let mut fixed = 0;
    let mut files = 0;
    for corpus in ["mrt-rules/resources/fixtures", "examples/alembic"] {
        for dir in support::directories(&root.join(corpus)) {
            let (project, errors) = Project::load(std::slice::from_ref(&dir));
            assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
            fixed += compare(&edits, &outline, &project, &dir.display().to_string());
            for migration in &project.migrations {
                let alone = Project::from_sources([SourceFile::new(
                    migration.path(),
                    migration.source.text.as_str(),
                )]);
                fixed += compare(
                    &edits,
                    &outline,
                    &alone,
                    &migration.path().display().to_string(),
                );
                files += 1;
            }
        }
    }
    // Both kinds of fix (a whole downgrade, one inverse added to a downgrade) are among them.
    assert!(files > 100, "{files} files");
    assert!(fixed > 200, "{fixed} fixes");
}
