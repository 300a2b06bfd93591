//! Errors of `mrt-core`: configuration and I/O. A migration that does not parse is not an error but a
//! finding (MRT902).

use std::path::PathBuf;

/// What went wrong reading paths or resolving settings.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A path given on the command line or in configuration does not exist.
    #[error("{}: no such file or directory", path.display())]
    PathNotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is not UTF-8 text.
    #[error("{}: not valid UTF-8 text", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// A path is a FIFO, a device or a socket (perhaps behind a symbolic link): it is not read.
    #[error("{}: not a regular file (FIFOs, devices and sockets are not read)", path.display())]
    NotARegularFile {
        /// The path.
        path: PathBuf,
    },
    /// A file is larger than the size limit.
    #[error("{}: larger than {} MiB, the limit for a migration file; not read", path.display(), limit / (1024 * 1024))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// A Python file's coding comment names an encoding that is not supported.
    #[error("{}: unsupported source encoding `{encoding}` (PEP 263 coding comment)", path.display())]
    UnknownEncoding {
        /// The file.
        path: PathBuf,
        /// The encoding as named.
        encoding: String,
    },
    /// A revision named on the command line (`--since`) is not in the graph.
    #[error("unknown revision `{revision}`: no migration under the checked paths declares it")]
    UnknownRevision {
        /// The revision as given.
        revision: String,
    },
    /// A revision prefix names more than one revision.
    #[error("revision prefix `{revision}` is ambiguous: it starts {}", candidates.join(", "))]
    AmbiguousRevision {
        /// The prefix as given.
        revision: String,
        /// The revisions it starts.
        candidates: Vec<String>,
    },
    /// A configuration file is not valid TOML or holds an invalid option.
    #[error("{}: {message}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A rule selector (`--select`, `--ignore`) names no rule, alias or prefix.
    #[error("unknown rule selector `{selector}`: not a rule code, alias, name or code prefix")]
    UnknownSelector {
        /// The selector as given.
        selector: String,
    },
    /// Two rules linked into one program claim the same code, alias or name (a house rule reusing a
    /// built-in code): `# noqa: CODE` and `--select CODE` would not know which one is meant.
    #[error(
        "rules `{first}` and `{second}` both answer to `{key}`: give the house rule a code and name of its own"
    )]
    DuplicateRule {
        /// The code, alias or name both rules claim.
        key: String,
        /// The code of the rule registered first (the lower code).
        first: &'static str,
        /// The code of the other rule.
        second: &'static str,
    },
}

impl Error {
    /// The path the error is about, if any.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Error::PathNotFound { path }
            | Error::Io { path, .. }
            | Error::NotUtf8 { path }
            | Error::NotARegularFile { path }
            | Error::TooLarge { path, .. }
            | Error::UnknownEncoding { path, .. }
            | Error::Config { path, .. } => Some(path),
            Error::UnknownSelector { .. }
            | Error::DuplicateRule { .. }
            | Error::UnknownRevision { .. }
            | Error::AmbiguousRevision { .. } => None,
        }
    }
}
