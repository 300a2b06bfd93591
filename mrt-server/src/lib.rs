//! `mrt-server`: the language server of `mrt` (`mrt server`), on `lsp-server` and `lsp-types`,
//! synchronous. It lints migration files as they are edited, against the revision graph of their
//! directory with the open buffers laid over the files on disk, and offers the fixes of `mrt fix`
//! ([`mrt_fix`]) as code actions. It holds no linting or fixing logic of its own: what the linter
//! is and which findings are reported (selection, `per-file-ignores`, skipped revisions) comes
//! from a [`Policy`], which `mrt-cli` implements exactly as `mrt check` does.
//!
//! [`Session`] turns client messages into server messages without any I/O (the tests and the
//! bench drive it directly); [`run`] serves it over standard input and output.

mod position;
mod session;
mod transport;

pub use session::{Session, StandardPolicy, capabilities};

use mrt_core::config::Config;
use mrt_core::{Diagnostic, Linter, Project};

/// What the server asks its embedder: how to lint under a configuration, and which findings to
/// report. `mrt-cli` answers as `mrt check` would with no command-line options.
pub trait Policy {
    /// The linter for files governed by `config` (`None`: no configuration file).
    fn linter(&self, config: Option<&Config>) -> Result<Linter, String>;

    /// The findings to report among those the linter found (configuration that is not the
    /// linter's: skipped revisions, `per-file-ignores`).
    fn report(
        &self,
        found: Vec<Diagnostic>,
        config: Option<&Config>,
        project: &Project,
    ) -> Vec<Diagnostic>;
}

/// Serves the language server protocol over standard input and output until the client sends
/// `shutdown` and `exit` (or closes the input). Standard error is the log.
pub fn run(policy: impl Policy) -> Result<(), String> {
    let (connection, threads) =
        transport::stdio().map_err(|error| format!("cannot start the server: {error}"))?;
    let result = session::serve(&connection, policy);
    // Dropping the connection closes the writer's channel: it flushes what is left and ends.
    drop(connection);
    threads.join();
    result
}
