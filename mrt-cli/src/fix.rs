//! `mrt fix`: applies the fixes of the findings `mrt check` would report, until nothing changes
//! (the loop is `mrt_fix::fix_until_settled`; here are arguments, output and writing).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use mrt_core::Project;
use mrt_fix::{Applicability, RefusedReason};

use crate::Status;
use crate::args::FixArgs;
use crate::check::{apply_config, config_groups, linter};

/// What fixing one group of files found.
#[derive(Debug, Default)]
struct Outcome {
    /// Fixed text of each changed file, with its original.
    changed: BTreeMap<PathBuf, (String, String)>,
    /// Fixes left because they are unsafe (without `--unsafe-fixes`).
    unsafe_left: usize,
    /// Titles of display-only fixes, with their file.
    display_only: Vec<(PathBuf, String, &'static str)>,
    /// Fixes applied in each changed file.
    applied_in: BTreeMap<PathBuf, usize>,
    /// Fixes taken back, and why.
    refused: Vec<mrt_fix::Refused>,
    /// Directories of the migrations read.
    dirs: BTreeSet<PathBuf>,
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
        let linter = linter(&check_args, config.as_ref())?.with_fixer(mrt_fix::fixer());
        let excluded = |path: &Path| config.as_ref().is_some_and(|c| c.excludes(path));
        let (project, load_errors) = Project::load_excluding(&paths, &excluded);
        errors.extend(load_errors.iter().map(ToString::to_string));
        for migration in &project.migrations {
            // Fixes are written as UTF-8: a file in another encoding (PEP 263) would be
            // corrupted, so it is checked but not fixed (mrt_fix leaves it alone).
            if let Some(encoding) = migration.source.encoding() {
                eprintln!(
                    "mrt: warning: {}: not fixed: it is stored as {}, and `mrt fix` writes UTF-8",
                    migration.path().display(),
                    encoding.name()
                );
            }
        }
        // `--since` names a revision: an unknown one is an error before anything is fixed.
        if let Some(since) = &args.since {
            linter
                .check_since(&project, since)
                .map_err(|error| format!("--since: {error}"))?;
        }
        let lint = |project: &Project| {
            let found = match &args.since {
                Some(since) => linter
                    .check_since(project, since)
                    .unwrap_or_else(|_| linter.check(project)),
                None => linter.check(project),
            };
            apply_config(found, config.as_ref(), project).0
        };
        outcome.dirs.extend(
            project
                .migrations
                .iter()
                .filter_map(|m| m.path().parent().map(Path::to_path_buf)),
        );
        let settled = mrt_fix::fix_until_settled(project, at_least, lint);
        outcome.unsafe_left += settled.unsafe_left;
        outcome.display_only.extend(settled.display_only);
        outcome.changed.extend(settled.changed);
        outcome.applied_in.extend(settled.applied_in);
        outcome.refused.extend(settled.refused);
    }
    for error in &errors {
        eprintln!("mrt: error: {error}");
    }
    for refused in &outcome.refused {
        let path = refused.path.display();
        let code = refused.code;
        match refused.reason {
            // A fix that would leave a file Python cannot read is a fault of mrt: the run fails.
            RefusedReason::Unparsable => {
                let error = format!(
                    "{path}: {code}: the fixed file would not parse; it was not changed (please report this)"
                );
                eprintln!("mrt: error: {error}");
                errors.push(error);
            }
            RefusedReason::NotCleared => eprintln!(
                "{path}: {code}: fix not applied: it does not clear its finding (fix it by hand)."
            ),
            RefusedReason::NewFinding(new) => eprintln!(
                "{path}: {code}: fix not applied: it would bring a new {new} finding (fix it by hand)."
            ),
            _ => eprintln!("{path}: {code}: fix not applied."),
        }
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
        // Temporary files of earlier runs that were killed while writing.
        for dir in &outcome.dirs {
            mrt_fix::remove_stale_temp_files(dir);
        }
        let (mut fixed, mut files) = (0, 0);
        for (path, (original, text)) in &outcome.changed {
            match mrt_fix::write_fixed(path, original, text) {
                Ok(()) => {
                    files += 1;
                    fixed += outcome.applied_in.get(path).copied().unwrap_or_default();
                }
                Err(error) => {
                    errors.push(error.to_string());
                    eprintln!("mrt: error: {error}");
                }
            }
        }
        // Only what was written counts.
        if files > 0 {
            eprintln!(
                "Fixed {fixed} finding{} in {files} file{}.",
                plural(fixed),
                plural(files)
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
