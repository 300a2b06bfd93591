//! The fix loop `mrt fix` runs, for any embedder: apply the fixes of the findings the caller would
//! report, re-lint in memory, and again, until nothing changes.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use mrt_core::{Diagnostic, FixAvailability, Project, Settings, SourceFile};

use crate::edit::{Applicability, apply_fixes};

/// Rounds of fix, re-lint, fix again before giving up on reaching a fixed point.
const MAX_ROUNDS: usize = 10;

/// What fixing a project changed, and what it left.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[must_use]
pub struct Settled {
    /// Each changed file: its original text and its fixed text.
    pub changed: BTreeMap<PathBuf, (String, String)>,
    /// Fixes applied, over every round.
    pub applied: usize,
    /// Fixes of the last round not applied because they are less safe than asked.
    pub unsafe_left: usize,
    /// Display-only fixes of the last round: the file, the fix's title, the code it answers.
    pub display_only: Vec<(PathBuf, String, &'static str)>,
}

/// Applies the fixes (at least as safe as `at_least`) of the findings `lint` reports on `project`,
/// re-lints the fixed text in memory, and repeats until a round applies nothing (at most ten
/// rounds). `lint` gives the findings the caller reports (its selection, `# noqa`, configuration):
/// only their fixes are applied. Files read only as context are never changed. Nothing is
/// written: the fixed texts are in [`Settled::changed`] (see [`crate::write_atomic`]).
pub fn fix_until_settled(
    project: Project,
    settings: &Settings,
    at_least: Applicability,
    lint: impl Fn(&Project) -> Vec<Diagnostic>,
) -> Settled {
    let mut settled = Settled::default();
    // Fixed text is written as UTF-8, so a file stored in another encoding (PEP 263) is never
    // changed.
    let in_scope: HashSet<PathBuf> = (0..project.migrations.len())
        .filter(|index| project.is_in_scope(*index))
        .map(|index| &project.migrations[index])
        .filter(|migration| migration.source.encoding().is_none())
        .map(|migration| migration.path().to_path_buf())
        .collect();
    let originals: Vec<(PathBuf, String)> = project
        .migrations
        .iter()
        .map(|m| (m.path().to_path_buf(), m.source.text.clone()))
        .collect();
    let mut texts = originals.clone();
    let mut project = project;
    // Findings whose fix was applied: a fix that did not make its finding go away is not
    // applied again (it would only repeat itself).
    let mut attempted: HashSet<(PathBuf, &'static str, String)> = HashSet::new();
    for _ in 0..MAX_ROUNDS {
        let kept = lint(&project);
        let fixable: HashSet<&Path> = kept
            .iter()
            .filter(|d| d.rule.fix != FixAvailability::None)
            .map(Diagnostic::path)
            .collect();
        let found = crate::fixes_for(&project, settings, |at| {
            fixable.contains(project.migrations[at].path())
        });
        let mut round_applied = 0;
        settled.unsafe_left = 0;
        settled.display_only.clear();
        for (index, migration) in project.migrations.iter().enumerate() {
            let path = migration.path();
            if !in_scope.contains(path) {
                continue;
            }
            let offered: Vec<_> = found
                .iter()
                .filter(|f| f.migration == index)
                .filter_map(|f| {
                    let finding = kept
                        .iter()
                        .find(|d| d.path() == path && f.answers(d.code(), d.range))?;
                    let key = (path.to_path_buf(), f.code, finding.message.clone());
                    (!attempted.contains(&key)).then_some((f, key))
                })
                .collect();
            for (fix, _) in &offered {
                match fix.fix.applicability {
                    Applicability::DisplayOnly => {
                        settled.display_only.push((
                            path.to_path_buf(),
                            fix.fix.title.clone(),
                            fix.code,
                        ));
                    }
                    Applicability::Unsafe if at_least == Applicability::Safe => {
                        settled.unsafe_left += 1;
                    }
                    _ => {}
                }
            }
            let chosen: Vec<_> = offered
                .iter()
                .filter(|(f, _)| f.fix.applicability >= at_least)
                .collect();
            let applied = apply_fixes(&migration.source.text, chosen.iter().map(|(f, _)| &f.fix));
            attempted.extend(
                applied
                    .accepted
                    .iter()
                    .filter_map(|&position| chosen.get(position))
                    .map(|(_, key)| key.clone()),
            );
            if applied.applied > 0 && applied.text != migration.source.text {
                round_applied += applied.applied;
                if let Some(slot) = texts.iter_mut().find(|(p, _)| p == path) {
                    slot.1 = applied.text;
                }
            }
        }
        if round_applied == 0 {
            break;
        }
        settled.applied += round_applied;
        project = Project::from_sources(
            texts
                .iter()
                .map(|(path, text)| SourceFile::new(path.clone(), text.clone())),
        );
    }
    for ((path, original), (_, text)) in originals.into_iter().zip(texts) {
        if original != text {
            settled.changed.insert(path, (original, text));
        }
    }
    settled
}
