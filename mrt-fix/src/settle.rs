//! The fix loop `mrt fix` runs, for any embedder: apply the fixes of the findings the caller would
//! report, re-lint in memory, and again, until nothing changes. Each round is proved by the next
//! lint: a fix whose finding stays, or after which the file has a finding of a code it did not
//! have, is taken back and not offered again, so what the loop returns is a fixed point (a second
//! run changes nothing) and never trades one finding for another.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use mrt_core::{Diagnostic, Project, SourceFile};

use crate::edit::{Applicability, Fix, apply_fixes};

/// Rounds of fix, re-lint, fix again before giving up on reaching a fixed point.
const MAX_ROUNDS: usize = 10;

/// What fixing a project changed, and what it left.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[must_use]
pub struct Settled {
    /// Each changed file: its original text and its fixed text.
    pub changed: BTreeMap<PathBuf, (String, String)>,
    /// Fixes applied (and kept), over every round.
    pub applied: usize,
    /// Fixes applied (and kept) in each changed file.
    pub applied_in: BTreeMap<PathBuf, usize>,
    /// Fixes of the last round not applied because they are less safe than asked.
    pub unsafe_left: usize,
    /// Display-only fixes of the last round: the file, the fix's title, the code it answers.
    pub display_only: Vec<(PathBuf, String, &'static str)>,
    /// Fixes applied and taken back, and why.
    pub refused: Vec<Refused>,
}

/// A fix the loop applied, then took back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The file.
    pub path: PathBuf,
    /// The code of the finding the fix answered.
    pub code: &'static str,
    /// Why it was taken back.
    pub reason: RefusedReason,
}

/// Why a fix was taken back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusedReason {
    /// The fixed file does not parse.
    Unparsable,
    /// Its finding is still reported on the fixed text.
    NotCleared,
    /// The fixed file has a finding of this code, which it did not have.
    NewFinding(&'static str),
}

/// Warnings about what any faithful downgrade costs: re-imposing NOT NULL (MRT109), re-adding a
/// unique or primary key (MRT110), casting a column back (MRT111). The inverse a fix writes is such
/// a downgrade, so these come with it by design, for the user to weigh; they do not mean the fix
/// went wrong, and do not take it back.
const HAZARDS_OF_AN_INVERSE: &[&str] = &["MRT109", "MRT110", "MRT111"];

/// A finding a fix was applied for: its file, code and message.
type Key = (PathBuf, &'static str, String);

/// The fixes one round applied to one file, to be proved by the next lint.
struct Round {
    before: String,
    keys: Vec<Key>,
}

/// Applies the fixes (at least as safe as `at_least`) of the findings `lint` reports on `project`,
/// re-lints the fixed text in memory, and repeats until a round applies nothing (at most ten
/// rounds). `lint` gives the findings the caller reports (its selection, `# noqa`, configuration)
/// with their fixes (from a linter given [`crate::fixer`]): only those fixes are applied. A fixed text that does not parse is never kept; a round's fixes
/// to a file are taken back when the next lint still reports one of their findings or reports a
/// code the file did not have ([`Settled::refused`]). Files read only as context are never
/// changed. Nothing is written: the fixed texts are in [`Settled::changed`] (see
/// [`crate::write_fixed`]).
pub fn fix_until_settled(
    project: Project,
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
    // Findings whose fix was applied: a fix is applied once per finding (again, it would only
    // repeat itself), unless it was taken back with others of its round for no fault of its own.
    let mut attempted: HashSet<Key> = HashSet::new();
    let mut original_codes: Option<HashMap<PathBuf, HashSet<&'static str>>> = None;
    let mut last: BTreeMap<PathBuf, Round> = BTreeMap::new();
    for round in 0..=MAX_ROUNDS {
        let kept = lint(&project);
        let originally = original_codes.get_or_insert_with(|| {
            let mut codes: HashMap<PathBuf, HashSet<&'static str>> = HashMap::new();
            for finding in &kept {
                codes
                    .entry(finding.path().to_path_buf())
                    .or_default()
                    .insert(finding.code());
            }
            codes
        });
        let mut reverted = false;
        for (path, done) in std::mem::take(&mut last) {
            let now: Vec<&Diagnostic> = kept.iter().filter(|d| d.path() == path).collect();
            let stays = |(_, code, message): &Key| {
                now.iter()
                    .any(|d| d.code() == *code && d.message == *message)
            };
            // A finding on the upgrade is the upgrade's, which the fix did not touch (a warning
            // about its SQL that MRT102 stood for until the downgrade did something).
            let upgrade = project
                .migrations
                .iter()
                .find(|m| m.path() == path)
                .and_then(|m| m.upgrade.as_ref())
                .map(|body| body.range);
            let new_code = now
                .iter()
                .filter(|d| !upgrade.is_some_and(|range| range.contains_range(d.range)))
                .filter(|d| !HAZARDS_OF_AN_INVERSE.contains(&d.code()))
                .map(|d| d.code())
                .find(|code| !originally.get(&path).is_some_and(|had| had.contains(code)));
            if new_code.is_none() && !done.keys.iter().any(stays) {
                *settled.applied_in.entry(path).or_default() += done.keys.len();
                settled.applied += done.keys.len();
                continue;
            }
            reverted = true;
            for key in done.keys {
                let reason = match new_code {
                    Some(code) => RefusedReason::NewFinding(code),
                    None if stays(&key) => RefusedReason::NotCleared,
                    None => {
                        // It cleared its finding: it may go in again without the one that did not.
                        attempted.remove(&key);
                        continue;
                    }
                };
                settled.refused.push(Refused {
                    path: path.clone(),
                    code: key.1,
                    reason,
                });
            }
            if let Some(slot) = texts.iter_mut().find(|(p, _)| *p == path) {
                slot.1 = done.before;
            }
        }
        if reverted {
            project = reread(&texts);
            continue;
        }
        if round == MAX_ROUNDS {
            break;
        }
        settled.unsafe_left = 0;
        settled.display_only.clear();
        for migration in &project.migrations {
            let path = migration.path();
            if !in_scope.contains(path) {
                continue;
            }
            // The fixes of the findings the caller reports, in output order.
            let offered: Vec<_> = kept
                .iter()
                .filter(|d| d.path() == path)
                .filter_map(|d| {
                    let fix: &Fix = d.fix.as_deref()?;
                    let key = (path.to_path_buf(), d.code(), d.message.clone());
                    (!attempted.contains(&key)).then_some((fix, key))
                })
                .collect();
            for (fix, (_, code, _)) in &offered {
                match fix.applicability {
                    Applicability::DisplayOnly => {
                        settled
                            .display_only
                            .push((path.to_path_buf(), fix.title.clone(), code));
                    }
                    Applicability::Unsafe if at_least == Applicability::Safe => {
                        settled.unsafe_left += 1;
                    }
                    _ => {}
                }
            }
            let chosen: Vec<_> = offered
                .iter()
                .filter(|(fix, _)| fix.applicability >= at_least)
                .collect();
            let applied = apply_fixes(&migration.source.text, chosen.iter().map(|(fix, _)| *fix));
            let keys: Vec<Key> = applied
                .accepted
                .iter()
                .filter_map(|&position| chosen.get(position))
                .map(|(_, key)| key.clone())
                .collect();
            attempted.extend(keys.iter().cloned());
            if applied.applied == 0 || applied.text == migration.source.text {
                continue;
            }
            if ruff_python_parser::parse_module(&applied.text).is_err() {
                settled
                    .refused
                    .extend(keys.into_iter().map(|(path, code, _)| Refused {
                        path,
                        code,
                        reason: RefusedReason::Unparsable,
                    }));
                continue;
            }
            last.insert(
                path.to_path_buf(),
                Round {
                    before: migration.source.text.clone(),
                    keys,
                },
            );
            if let Some(slot) = texts.iter_mut().find(|(p, _)| p == path) {
                slot.1 = applied.text;
            }
        }
        if last.is_empty() {
            break;
        }
        project = reread(&texts);
    }
    for ((path, original), (_, text)) in originals.into_iter().zip(texts) {
        if original != text {
            settled.changed.insert(path, (original, text));
        }
    }
    settled
}

/// The project of the current texts.
fn reread(texts: &[(PathBuf, String)]) -> Project {
    Project::from_sources(
        texts
            .iter()
            .map(|(path, text)| SourceFile::new(path.clone(), text.clone())),
    )
}
