//! Why `mrt verify` could not run (exit 2). A migration that fails is a verdict, not an error.

use std::path::PathBuf;

/// An error that stops the whole run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The options do not make sense together, or name something that is not there.
    #[error("{0}")]
    Usage(String),
    /// The database could not be reached, created, read or written.
    #[error("database {url}: {message}")]
    Database {
        /// The database, password hidden.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The Python worker could not be started, or lacks Alembic, Django or the database driver.
    #[error("python worker ({python}): {message}")]
    Worker {
        /// The interpreter.
        python: String,
        /// What went wrong.
        message: String,
    },
    /// The throwaway PostgreSQL cluster could not be started.
    #[error("embedded PostgreSQL: {0}")]
    Embedded(String),
    /// The run was asked to stop (a signal); what it started is stopped and removed.
    #[error("interrupted: what it had started was stopped and removed")]
    Interrupted,
    /// A file or directory could not be read or written.
    #[error("{}: {message}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, error: &std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            message: error.to_string(),
        }
    }
}
