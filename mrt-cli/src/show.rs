//! `mrt check --show-settings`: the resolved settings of each group of paths, and where each
//! value came from (the command line, a configuration file, or the default).

use std::fmt::Write as _;

use mrt_core::config::Config;

use crate::Status;
use crate::args::CheckArgs;
use crate::check::{ConfigGroup, linter};

/// Prints the settings of every configuration group.
pub(crate) fn settings(args: &CheckArgs, groups: &[ConfigGroup]) -> Result<Status, String> {
    let mut out = String::new();
    for (config, paths) in groups {
        let linter = linter(args, config.as_ref())?;
        let options = config.as_ref().map(|config| &config.options);
        let from_config = config
            .as_ref()
            .map(|config| config.path.display().to_string());
        // The source of a value the command line overrides and the configuration may give.
        let source = |on_command_line: bool, in_config: bool| -> String {
            match (&from_config, on_command_line, in_config) {
                (_, true, _) => "command line".to_owned(),
                (Some(path), false, true) => path.clone(),
                _ => "default".to_owned(),
            }
        };
        // Lists the configuration and the command line add up.
        let added = |on_command_line: bool, in_config: bool| -> String {
            match (&from_config, on_command_line, in_config) {
                (Some(path), true, true) => format!("{path} + command line"),
                _ => source(on_command_line, in_config),
            }
        };
        let paths: Vec<String> = paths
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        let _ = writeln!(out, "paths = {paths:?}");
        let _ = writeln!(
            out,
            "configuration = {}",
            from_config.as_deref().unwrap_or("none")
        );
        let list = |values: Option<&Vec<String>>, extra: &[String]| -> Vec<String> {
            values.into_iter().flatten().chain(extra).cloned().collect()
        };
        let select = if args.select.is_empty() {
            list(options.and_then(|o| o.select.as_ref()), &[])
        } else {
            args.select.clone()
        };
        let _ = writeln!(
            out,
            "select = {select:?}  # {}",
            source(
                !args.select.is_empty(),
                options.is_some_and(|o| o.select.is_some())
            )
        );
        let extend = list(
            options.and_then(|o| o.extend_select.as_ref()),
            &args.extend_select,
        );
        let _ = writeln!(
            out,
            "extend-select = {extend:?}  # {}",
            added(
                !args.extend_select.is_empty(),
                options.is_some_and(|o| o.extend_select.is_some())
            )
        );
        let ignore = list(options.and_then(|o| o.ignore.as_ref()), &args.ignore);
        let _ = writeln!(
            out,
            "ignore = {ignore:?}  # {}",
            added(
                !args.ignore.is_empty(),
                options.is_some_and(|o| o.ignore.is_some())
            )
        );
        let settings = linter.settings();
        let _ = writeln!(
            out,
            "strict = {}  # {}",
            settings.strict,
            source(args.strict, options.is_some_and(|o| o.strict.is_some()))
        );
        let _ = writeln!(
            out,
            "dialect = {:?}  # {}",
            format!("{:?}", settings.dialect).to_ascii_lowercase(),
            source(
                args.dialect.is_some(),
                options.is_some_and(|o| o.dialect.is_some())
            )
        );
        let _ = writeln!(
            out,
            "postgres-version = {}  # {}",
            settings.target_postgres_version(),
            if settings.postgres_version.is_some() {
                source(
                    args.postgres_version.is_some(),
                    options.is_some_and(|o| o.postgres_version.is_some()),
                )
            } else {
                "default: the oldest PostgreSQL still supported upstream".to_owned()
            }
        );
        write_config_only(&mut out, config.as_ref());
        let (cache, said) = crate::check::cache_location(args, config.as_ref());
        let cache = cache.map_or_else(
            || "none".to_owned(),
            |dir| format!("{:?}", dir.display().to_string()),
        );
        let _ = writeln!(out, "cache-dir = {cache}  # {said}");
        let codes: Vec<&str> = linter.rules().iter().map(|rule| rule.meta().code).collect();
        let _ = writeln!(out, "rules = {codes:?}  # the selection resolved");
        out.push('\n');
    }
    crate::write_stdout(out.trim_end_matches('\n'))?;
    crate::write_stdout("\n")
}

/// The options only a configuration file gives; globs are relative to its directory.
fn write_config_only(out: &mut String, config: Option<&Config>) {
    let Some(config) = config else {
        let _ = writeln!(out, "exclude = []  # default");
        let _ = writeln!(out, "per-file-ignores = {{}}  # default");
        let _ = writeln!(out, "skip = {{}}  # default");
        return;
    };
    let path = config.path.display();
    let root = config.root().display();
    let options = &config.options;
    let exclude = options.exclude.clone().unwrap_or_default();
    let _ = writeln!(
        out,
        "exclude = {exclude:?}  # {path} (globs relative to {root})"
    );
    let ignores = options.per_file_ignores.clone().unwrap_or_default();
    let _ = writeln!(
        out,
        "per-file-ignores = {ignores:?}  # {path} (globs relative to {root})"
    );
    let skip: Vec<&String> = options.skip.iter().flatten().map(|(id, _)| id).collect();
    let _ = writeln!(out, "skip = {skip:?}  # {path}");
}
