//! `mrt`: checks database migrations for rollback risks. The binary is `src/main.rs`; this library
//! holds the command line so that other binaries (the pre-commit hook's) can run it too, and the
//! output formats ([`output`]) so that a program embedding the linter prints what `mrt check`
//! prints.

mod alembic_ini;
mod args;
mod check;
mod fix;
mod graph;
mod init;
mod migrate;
pub mod output;
mod rules;
mod schema;
mod server;
mod show;
mod signals;
mod verify;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::args::{Cli, Command};

/// Exit codes: 0 nothing fails, 1 findings fail the check, 2 usage, configuration or I/O error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Success,
    Failure,
    Error,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        match status {
            Status::Success => ExitCode::SUCCESS,
            Status::Failure => ExitCode::from(1),
            Status::Error => ExitCode::from(2),
        }
    }
}

/// Runs the command line with the process's arguments and returns its exit code, for a binary's
/// `main` to return: `mrt check` leaves what it read to the end of the process rather than freeing
/// it, so calling this in a process that goes on holds that memory.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Two linked rules claiming one code is a defect of the build (a house rule reusing a built-in
    // code): say so as an error, before any command reads the registry.
    if let Err(error) = mrt_rules::try_registry() {
        let _ = writeln!(std::io::stderr(), "mrt: error: {error}");
        return Status::Error.into();
    }
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Fix(args) => fix::run(&args),
        Command::Rule(args) => rules::explain(&args),
        Command::Rules(args) => rules::list(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Migrate(args) => migrate::run(&args),
        Command::Db(args) => migrate::db(&args),
        Command::Init(args) => init::run(&args),
        Command::Server(args) => server::run(&args),
    };
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "mrt: error: {error}");
            Status::Error.into()
        }
    }
}

/// Reads the migrations under `paths` (default: the locations `./alembic.ini` names, else the
/// current directory), printing each file that cannot be read; the errors are returned too, for
/// the exit code.
pub(crate) fn load_project(
    paths: &[std::path::PathBuf],
) -> Result<(mrt_core::Project, Vec<mrt_core::Error>), String> {
    let paths = if paths.is_empty() {
        alembic_ini::default_paths()?
    } else {
        paths.to_vec()
    };
    let (project, errors) = mrt_core::Project::load(&paths);
    for error in &errors {
        eprintln!("mrt: error: {error}");
    }
    Ok((project, errors))
}

/// Writes to standard output; a closed pipe (`mrt rules | head`) is not an error of ours.
pub(crate) fn write_stdout(text: &str) -> Result<Status, String> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(Status::Success),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(Status::Success),
        Err(error) => Err(format!("cannot write to standard output: {error}")),
    }
}
