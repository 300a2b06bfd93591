//! `mrt check`.

use mrt_core::{Diagnostic, Linter, Project, Settings, Severity};

use crate::Status;
use crate::args::CheckArgs;
use crate::output;

pub(crate) fn run(args: &CheckArgs) -> Result<Status, String> {
    let registry = mrt_rules::registry();
    let rules = registry
        .select(&args.select, &args.extend_select, &args.ignore)
        .map_err(|error| error.to_string())?;
    let mut settings = Settings::default();
    settings.strict = args.strict;
    settings.dialect = args.dialect;
    settings.postgres_version = args.postgres_version;

    let (project, errors) = Project::load(&args.paths);
    let linter = Linter::new(rules, settings);
    let diagnostics = match &args.since {
        Some(since) => linter
            .check_since(&project, since)
            .map_err(|error| format!("--since: {error}"))?,
        None => linter.check(&project),
    };

    let report = output::Report {
        project: &project,
        diagnostics: &diagnostics,
        errors: &errors,
        strict: args.strict,
    };
    for error in &errors {
        eprintln!("mrt: error: {error}");
    }
    crate::write_stdout(&output::render(&report, args.output_format))?;

    Ok(if !errors.is_empty() {
        Status::Error
    } else if diagnostics.iter().any(|d| fails(d, args.strict)) {
        Status::Failure
    } else {
        Status::Success
    })
}

/// Whether a finding fails the check: errors always, warnings under `--strict`.
pub(crate) fn fails(diagnostic: &Diagnostic, strict: bool) -> bool {
    strict || diagnostic.severity() == Severity::Error
}
