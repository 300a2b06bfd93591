//! `mrt fix`: applies the fixes of the findings `mrt check` would report, until nothing changes.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use mrt_core::{Project, SourceFile};
use mrt_fix::{Applicability, apply_fixes};

use crate::Status;
use crate::args::FixArgs;
use crate::check::{apply_config, config_groups, linter};

/// Rounds of fix, re-lint, fix again before giving up on reaching a fixed point.
const MAX_ROUNDS: usize = 10;

/// What fixing one group of files found.
#[derive(Debug, Default)]
struct Outcome {
    /// Fixed text of each changed file, with its original.
    changed: BTreeMap<PathBuf, (String, String)>,
    /// Fixes applied.
    applied: usize,
    /// Fixes left because they are unsafe (without `--unsafe-fixes`).
    unsafe_left: usize,
    /// Titles of display-only fixes, with their file.
    display_only: Vec<(PathBuf, String, &'static str)>,
}

pub(crate) fn run(args: &FixArgs) -> Result<Status, String> {
    let check_args = args.as_check_args();
    let at_least = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let mut outcome = Outcome::default();
    let mut errors = Vec::new();
    for (config, paths) in config_groups(&check_args)? {
        let linter = linter(&check_args, config.as_ref())?;
        let excluded = |path: &Path| config.as_ref().is_some_and(|c| c.excludes(path));
        let (project, load_errors) = Project::load_excluding(&paths, &excluded);
        errors.extend(load_errors.iter().map(ToString::to_string));
        let in_scope: HashSet<PathBuf> = (0..project.migrations.len())
            .filter(|index| project.is_in_scope(*index))
            .map(|index| &project.migrations[index])
            .filter(|migration| {
                // Fixes are written as UTF-8: a file in another encoding (PEP 263) would be
                // corrupted, so it is checked but not fixed.
                let Some(encoding) = migration.source.encoding() else {
                    return true;
                };
                eprintln!(
                    "mrt: warning: {}: not fixed: it is stored as {}, and `mrt fix` writes UTF-8",
                    migration.path().display(),
                    encoding.name()
                );
                false
            })
            .map(|migration| migration.path().to_path_buf())
            .collect();
        let originals: Vec<(PathBuf, String)> = project
            .migrations
            .iter()
            .map(|m| (m.path().to_path_buf(), m.source.text.clone()))
            .collect();
        let mut texts = originals.clone();
        let mut project = project;
        // What the last round left: fixes not applied, and display-only ones.
        let mut unsafe_left = 0;
        let mut display_only = Vec::new();
        // Findings whose fix was applied: a fix that did not make its finding go away is not
        // applied again (it would only repeat itself).
        let mut attempted: HashSet<(PathBuf, &'static str, String)> = HashSet::new();
        for _ in 0..MAX_ROUNDS {
            let found = match &args.since {
                Some(since) => linter
                    .check_since(&project, since)
                    .map_err(|error| format!("--since: {error}"))?,
                None => linter.check(&project),
            };
            let (kept, _) = apply_config(found, config.as_ref(), &project);
            let fixable: HashSet<&Path> = kept
                .iter()
                .filter(|d| d.rule.fix != mrt_core::FixAvailability::None)
                .map(mrt_core::Diagnostic::path)
                .collect();
            let found = mrt_fix::fixes_for(&project, linter.settings(), |at| {
                fixable.contains(project.migrations[at].path())
            });
            let mut round_applied = 0;
            unsafe_left = 0;
            display_only.clear();
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
                            display_only.push((
                                path.to_path_buf(),
                                fix.fix.title.clone(),
                                fix.code,
                            ));
                        }
                        Applicability::Unsafe if at_least == Applicability::Safe => {
                            unsafe_left += 1;
                        }
                        _ => {}
                    }
                }
                let chosen: Vec<_> = offered
                    .iter()
                    .filter(|(f, _)| f.fix.applicability >= at_least)
                    .collect();
                let applied =
                    apply_fixes(&migration.source.text, chosen.iter().map(|(f, _)| &f.fix));
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
            outcome.applied += round_applied;
            project = Project::from_sources(
                texts
                    .iter()
                    .map(|(path, text)| SourceFile::new(path.clone(), text.clone())),
            );
        }
        outcome.unsafe_left += unsafe_left;
        outcome.display_only.append(&mut display_only);
        for ((path, original), (_, text)) in originals.into_iter().zip(texts) {
            if original != text {
                outcome.changed.insert(path, (original, text));
            }
        }
    }
    for error in &errors {
        eprintln!("mrt: error: {error}");
    }
    let status = if args.diff {
        let mut out = String::new();
        for (path, (original, text)) in &outcome.changed {
            out.push_str(&mrt_fix::unified_diff(&diff_path(path), original, text));
        }
        crate::write_stdout(&out)?;
        if outcome.changed.is_empty() {
            Status::Success
        } else {
            Status::Failure
        }
    } else {
        for (path, (_, text)) in &outcome.changed {
            if let Err(error) = mrt_fix::write_atomic(path, text) {
                errors.push(error.to_string());
                eprintln!("mrt: error: {error}");
            }
        }
        if !outcome.changed.is_empty() {
            eprintln!(
                "Fixed {} finding{} in {} file{}.",
                outcome.applied,
                plural(outcome.applied),
                outcome.changed.len(),
                plural(outcome.changed.len())
            );
        }
        Status::Success
    };
    if outcome.unsafe_left > 0 {
        eprintln!(
            "{} unsafe fix{} available with --unsafe-fixes (steps left as `# TODO(mrt):` to review).",
            outcome.unsafe_left,
            if outcome.unsafe_left == 1 {
                " is"
            } else {
                "es are"
            }
        );
    }
    for (path, title, code) in &outcome.display_only {
        eprintln!(
            "{}: {code}: no fix applied: nothing of it can be written automatically ({title} by hand).",
            path.display()
        );
    }
    if outcome.changed.is_empty() && !args.diff && errors.is_empty() {
        eprintln!("Nothing to fix.");
    }
    Ok(if errors.is_empty() {
        status
    } else {
        Status::Error
    })
}

/// The path as `git apply` reads it: relative to the current directory, with `/` separators.
fn diff_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    relative
        .components()
        .filter_map(|part| match part {
            std::path::Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => Some("..".to_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
