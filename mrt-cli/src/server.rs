//! `mrt server`: the language server of `mrt-server`, linting as `mrt check` does with no
//! command-line options (the configuration file's selection, `per-file-ignores`, skips).

use mrt_core::config::Config;
use mrt_core::{Diagnostic, Linter, Project};

use crate::Status;
use crate::args::{CheckArgs, ServerArgs};

/// `mrt check`'s choices, without a command line.
struct CheckPolicy {
    args: CheckArgs,
}

impl mrt_server::Policy for CheckPolicy {
    fn linter(&self, config: Option<&Config>) -> Result<Linter, String> {
        crate::check::linter(&self.args, config)
    }

    fn report(
        &self,
        found: Vec<Diagnostic>,
        config: Option<&Config>,
        project: &Project,
    ) -> Vec<Diagnostic> {
        crate::check::apply_config(found, config, project).0
    }
}

pub(crate) fn run(_args: &ServerArgs) -> Result<Status, String> {
    let args = CheckArgs::defaults(Vec::new());
    mrt_server::run(CheckPolicy { args })?;
    Ok(Status::Success)
}
