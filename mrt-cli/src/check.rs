//! `mrt check`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mrt_core::config::Config;
use mrt_core::fix::FixDetail;
use mrt_core::{Diagnostic, Error, Linter, Project, Settings, Severity};

use crate::Status;
use crate::args::{CheckArgs, ColorChoice};
use crate::output::{self, FixNote, Report, Skipped, Summary};

pub(crate) fn run(args: &CheckArgs) -> Result<Status, String> {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    let mut summary = Summary::default();
    let mut strict = args.strict;
    let stdin = read_stdin(args)?;
    let groups = config_groups(args)?;
    if args.show_settings {
        return crate::show::settings(args, &groups);
    }
    let mut shown_files = Vec::new();
    // Each group's findings come sorted; only several groups need sorting together.
    let several_groups = groups.len() > 1;
    let last_group = groups.len().saturating_sub(1);
    for (group, (config, paths)) in groups.into_iter().enumerate() {
        let options = config.as_ref().map(|config| &config.options);
        strict |= options.and_then(|options| options.strict).unwrap_or(false);
        let linter = linter(args, config.as_ref())?;
        let excluded = |path: &std::path::Path| config.as_ref().is_some_and(|c| c.excludes(path));
        // Standard input is checked without the cache: its text is no file's.
        let cache = stdin
            .is_none()
            .then(|| cache_dir(args, config.as_ref()))
            .flatten();
        let (project, load_errors) = match &stdin {
            Some(text) => Project::load_buffer(
                mrt_core::SourceFile::new(stdin_path(args), text.as_str()),
                &excluded,
            ),
            None => match &cache {
                Some(cache) => {
                    let (project, errors, used) = Project::load_cached(&paths, &excluded, cache);
                    if args.verbose {
                        eprintln!(
                            "mrt: cache {}: {} file{} reused ({} not opened), {} lowered{}",
                            cache.dir().display(),
                            used.reused,
                            if used.reused == 1 { "" } else { "s" },
                            used.unopened,
                            used.lowered,
                            used.write_error
                                .map(|error| format!("; not written: {error}"))
                                .unwrap_or_default(),
                        );
                    }
                    (project, errors)
                }
                None => Project::load_excluding(&paths, &excluded),
            },
        };
        if args.verbose {
            let governs = config.as_ref().map_or_else(
                || "no configuration".to_owned(),
                |c| c.path.display().to_string(),
            );
            eprintln!(
                "mrt: {governs}: {} file{} read under {}, {} migration{} checked",
                project.files_read,
                if project.files_read == 1 { "" } else { "s" },
                joined(&paths),
                project.checked_migrations(),
                if project.checked_migrations() == 1 {
                    ""
                } else {
                    "s"
                },
            );
        }
        if project.checked_migrations() == 0 && !args.quiet && load_errors.is_empty() {
            eprintln!(
                "mrt: warning: No migrations found under {} (a migration defines `revision` and \
                 `upgrade()`, or `class Migration(migrations.Migration)`)",
                joined(&paths)
            );
        }
        errors.extend(load_errors);
        if args.show_files {
            shown_files.extend(
                (0..project.migrations.len())
                    .filter(|&index| project.is_in_scope(index))
                    .map(|index| project.migrations[index].path().display().to_string()),
            );
            continue;
        }
        // The fixes that `[*]` marks are written by the replay the rules read; the report shows
        // what each does, never its code.
        let linter = linter
            .with_fixer(mrt_fix::fixer())
            .with_fix_detail(FixDetail::Outline);
        let found = match (&args.since, &cache) {
            (Some(since), _) => linter
                .check_since(&project, since)
                .map_err(|error| format!("--since: {error}"))?,
            (None, Some(cache)) => {
                let (found, used) = linter.check_cached(&project, cache);
                if args.verbose {
                    eprintln!(
                        "mrt: cache {}: findings of {} revision{} reused, {} judged{}",
                        cache.dir().display(),
                        used.reused,
                        if used.reused == 1 { "" } else { "s" },
                        used.judged,
                        used.write_error
                            .map(|error| format!("; not written: {error}"))
                            .unwrap_or_default(),
                    );
                }
                found
            }
            (None, None) => linter.check(&project),
        };
        summary.add(&project);
        let (kept, skips) = apply_config(found, config.as_ref(), &project);
        // One group's findings are kept in their vector rather than copied into another.
        if diagnostics.is_empty() {
            diagnostics = kept;
        } else {
            diagnostics.extend(kept);
        }
        skipped.extend(skips);
        if group == last_group {
            left_to_exit(project);
        }
    }
    if args.show_files {
        for error in &errors {
            eprintln!("mrt: error: {error}");
        }
        shown_files.sort();
        let mut text = shown_files.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        crate::write_stdout(&text)?;
        return Ok(if errors.is_empty() {
            Status::Success
        } else {
            Status::Error
        });
    }
    if several_groups {
        diagnostics.sort_by(Diagnostic::cmp_for_output);
    }
    let fixes = fix_notes(&diagnostics);
    for error in &errors {
        eprintln!("mrt: error: {error}");
    }
    summary.count(&diagnostics);
    summary.count_fixes(&fixes);
    let report = Report::new(&diagnostics, &summary)
        .with_fixes(&fixes)
        .with_errors(&errors)
        .with_skipped(&skipped)
        .strict(strict)
        .color(colour(args))
        .quiet(args.quiet);
    if args.statistics {
        let text = output::statistics(&report, args.output_format);
        match &args.output_file {
            Some(path) => std::fs::write(path, text)
                .map_err(|error| format!("{}: cannot write the output: {error}", path.display()))?,
            None => {
                crate::write_stdout(&text)?;
            }
        }
    } else {
        write_report(&report, args)?;
    }
    let status = if !errors.is_empty() {
        Status::Error
    } else if !args.exit_zero && diagnostics.iter().any(|d| fails(d, strict)) {
        Status::Failure
    } else {
        Status::Success
    };
    left_to_exit(diagnostics);
    Ok(status)
}

/// Leaves `value` to the end of the process, which follows the report: the operating system takes
/// its memory back at once, where freeing it piece by piece (10,000 migrations' IR and 50,000
/// findings) took 18 ms of the main thread after the work was done.
fn left_to_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Writes the report to `--output-file` or standard output through a buffer, as it is rendered.
fn write_report(report: &Report<'_>, args: &CheckArgs) -> Result<(), String> {
    use std::io::Write as _;
    if let Some(path) = &args.output_file {
        let cannot =
            |error: std::io::Error| format!("{}: cannot write the output: {error}", path.display());
        let file = std::fs::File::create(path).map_err(cannot)?;
        let mut out = std::io::BufWriter::new(file);
        return output::write(report, args.output_format, &mut out)
            .and_then(|()| out.flush())
            .map_err(cannot);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match output::write(report, args.output_format, &mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A reader that stopped reading (`mrt check | head`) is not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(format!("cannot write to standard output: {error}")),
    }
}

/// Whether the text formats are coloured: `--color`, else on a terminal unless `NO_COLOR` is set
/// (to anything but the empty string, as no-color.org asks).
fn colour(args: &CheckArgs) -> bool {
    use std::io::IsTerminal as _;
    colour_for(
        args.color,
        args.output_file.is_some(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::io::stdout().is_terminal(),
    )
}

/// [`colour`] without the process: `--color always` wins over `NO_COLOR`, as the convention
/// asks of command-line options.
fn colour_for(
    choice: ColorChoice,
    to_file: bool,
    no_color: Option<&std::ffi::OsStr>,
    terminal: bool,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !to_file && no_color.is_none_or(std::ffi::OsStr::is_empty) && terminal,
    }
}

/// The text of standard input when the only path is `-`.
fn read_stdin(args: &CheckArgs) -> Result<Option<String>, String> {
    use std::io::Read as _;
    if args.paths.len() != 1 || args.paths[0] != Path::new("-") {
        if args.paths.iter().any(|path| path == Path::new("-")) {
            return Err("`-` (standard input) must be the only path".to_owned());
        }
        return Ok(None);
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|error| format!("cannot read standard input: {error}"))?;
    Ok(Some(text))
}

/// The name standard input is checked under: `--stdin-filename`, else `-`.
fn stdin_path(args: &CheckArgs) -> PathBuf {
    args.stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("-"))
}

fn joined(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `mrt check` says of each finding's fix (same order): the fix its diagnostic carries, from
/// a linter given [`mrt_fix::fixer`].
pub fn fix_notes(diagnostics: &[Diagnostic]) -> Vec<Option<FixNote>> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            diagnostic.fix.as_ref().map(|fix| FixNote {
                title: fix.title.clone(),
                applicability: fix.applicability,
            })
        })
        .collect()
}

/// Paths checked under one configuration (or none).
pub(crate) type ConfigGroup = (Option<Config>, Vec<PathBuf>);

/// The cache of lowered migrations a check reads and writes, `None` when it is turned off.
fn cache_dir(args: &CheckArgs, config: Option<&Config>) -> Option<mrt_core::cache::CacheDir> {
    let (dir, _) = cache_location(args, config);
    Some(mrt_core::cache::CacheDir::new(dir?, &build_identity()?))
}

/// Where the cache of lowered migrations is, and what said so: `--no-cache` and `MRT_NO_CACHE`
/// turn it off; else `--cache-dir`, `MRT_CACHE_DIR`, the configuration's `cache-dir`, and by
/// default `.mrt_cache` beside the configuration, or in the current directory without one.
pub(crate) fn cache_location(
    args: &CheckArgs,
    config: Option<&Config>,
) -> (Option<PathBuf>, String) {
    let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    if args.no_cache {
        return (None, "command line".to_owned());
    }
    if set("MRT_NO_CACHE").is_some_and(|value| value != "0") {
        return (None, "MRT_NO_CACHE".to_owned());
    }
    if let Some(dir) = &args.cache_dir {
        return (Some(dir.clone()), "command line".to_owned());
    }
    if let Some(dir) = set("MRT_CACHE_DIR") {
        return (Some(PathBuf::from(dir)), "MRT_CACHE_DIR".to_owned());
    }
    match config {
        Some(config) => match &config.options.cache_dir {
            Some(dir) => (
                Some(config.root().join(dir)),
                config.path.display().to_string(),
            ),
            None => (
                Some(config.root().join(".mrt_cache")),
                "default: beside the configuration".to_owned(),
            ),
        },
        None => (
            Some(PathBuf::from(".mrt_cache")),
            "default: in the current directory".to_owned(),
        ),
    }
}

/// What tells this build of `mrt` from others of the same version: the executable's size and
/// modification time. Lowering may change with any build, and a cache written by another must
/// not be read; when the executable cannot be looked at, there is no cache.
fn build_identity() -> Option<String> {
    let metadata = std::env::current_exe().and_then(std::fs::metadata).ok()?;
    let modified = metadata
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{} {}", metadata.len(), modified.as_nanos()))
}

/// The paths grouped by the configuration that governs them: `--config`, or the nearest
/// `pyproject.toml` / `mrt.toml` above each path.
pub(crate) fn config_groups(args: &CheckArgs) -> Result<Vec<ConfigGroup>, String> {
    let paths = if args.paths.is_empty() {
        crate::alembic_ini::default_paths()?
    } else if args.paths == [Path::new("-")] {
        // Standard input is governed by the configuration of the path it is named after.
        vec![stdin_path(args)]
    } else {
        args.paths.clone()
    };
    if let Some(path) = &args.config {
        let config = Config::load(path)
            .map_err(|error| error.to_string())?
            .ok_or_else(|| format!("{}: no [tool.mrt] table", path.display()))?;
        return Ok(vec![(Some(config), paths)]);
    }
    let mut groups: Vec<ConfigGroup> = Vec::new();
    for path in &paths {
        let config = Config::discover(path).map_err(|error| error.to_string())?;
        match groups.iter_mut().find(|(other, _)| *other == config) {
            Some((_, paths)) => paths.push(path.clone()),
            None => groups.push((config, vec![path.clone()])),
        }
    }
    Ok(groups)
}

/// The linter for one group: command-line options over the configuration's.
pub(crate) fn linter(args: &CheckArgs, config: Option<&Config>) -> Result<Linter, String> {
    let registry = mrt_rules::registry();
    let options = config.map(|config| &config.options);
    let in_config = |error: Error| match config {
        Some(config) => format!("{}: {error}", config.path.display()),
        None => error.to_string(),
    };
    let select = if args.select.is_empty() {
        options.and_then(|o| o.select.clone()).unwrap_or_default()
    } else {
        args.select.clone()
    };
    let mut extend_select = options
        .and_then(|o| o.extend_select.clone())
        .unwrap_or_default();
    extend_select.extend(args.extend_select.iter().cloned());
    let mut ignore = options.and_then(|o| o.ignore.clone()).unwrap_or_default();
    ignore.extend(args.ignore.iter().cloned());
    // Codes in the configuration are checked against the registry like the command line's.
    let config_codes = options
        .and_then(|o| o.per_file_ignores.as_ref())
        .into_iter()
        .flat_map(|map| map.values().flatten());
    for code in config_codes {
        if registry.matching(code).is_empty() {
            return Err(in_config(Error::UnknownSelector {
                selector: code.clone(),
            }));
        }
    }
    let rules = registry
        .select(&select, &extend_select, &ignore)
        .map_err(in_config)?;
    let mut settings = Settings::default();
    settings.strict = args.strict || options.and_then(|o| o.strict).unwrap_or(false);
    settings.dialect = match (args.dialect, options.and_then(|o| o.dialect.as_deref())) {
        (Some(dialect), _) => dialect,
        (None, Some(name)) => mrt_core::Dialect::parse(name).unwrap_or_default(),
        (None, None) => mrt_core::Dialect::default(),
    };
    settings.postgres_version = args
        .postgres_version
        .or_else(|| options.and_then(|o| o.postgres_version));
    Ok(Linter::new(rules, settings))
}

/// Drops findings of skipped revisions and of `per-file-ignores`; lists the skipped revisions.
pub(crate) fn apply_config(
    diagnostics: Vec<Diagnostic>,
    config: Option<&Config>,
    project: &Project,
) -> (Vec<Diagnostic>, Vec<Skipped>) {
    let Some(config) = config else {
        return (diagnostics, Vec::new());
    };
    let skip: BTreeMap<&str, &str> = config
        .options
        .skip
        .iter()
        .flatten()
        .map(|(revision, reason)| (revision.as_str(), reason.as_str()))
        .collect();
    let mut skipped = Vec::new();
    for (revision, reason) in &skip {
        match project.graph.position(revision) {
            Some(position) => skipped.push(Skipped {
                revision: (*revision).to_owned(),
                path: project.migration_at(position).path().display().to_string(),
                reason: (*reason).to_owned(),
            }),
            None => eprintln!(
                "mrt: warning: {}: `skip.{revision}` names no revision under the checked paths",
                config.path.display()
            ),
        }
    }
    let kept = diagnostics
        .into_iter()
        .filter(|diagnostic| {
            !diagnostic
                .revision
                .as_deref()
                .is_some_and(|revision| skip.contains_key(revision))
        })
        .filter(|diagnostic| {
            !config.ignored_codes(diagnostic.path()).iter().any(|code| {
                diagnostic.rule.answers_to(code) || diagnostic.rule.code.starts_with(*code)
            })
        })
        .collect();
    (kept, skipped)
}

/// Whether a finding fails the check: errors always, warnings under `--strict`.
pub(crate) fn fails(diagnostic: &Diagnostic, strict: bool) -> bool {
    strict || diagnostic.severity() == Severity::Error
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use super::{ColorChoice, colour_for};

    #[test]
    fn colour_on_a_terminal_unless_no_color_or_a_file() {
        assert!(colour_for(ColorChoice::Auto, false, None, true));
        assert!(colour_for(
            ColorChoice::Auto,
            false,
            Some(OsStr::new("")),
            true
        ));
        assert!(!colour_for(
            ColorChoice::Auto,
            false,
            Some(OsStr::new("1")),
            true
        ));
        assert!(!colour_for(ColorChoice::Auto, false, None, false));
        assert!(!colour_for(ColorChoice::Auto, true, None, true));
        assert!(colour_for(
            ColorChoice::Always,
            true,
            Some(OsStr::new("1")),
            false
        ));
        assert!(!colour_for(ColorChoice::Never, false, None, true));
    }
}
