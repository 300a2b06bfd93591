//! `mrt-fix`: fixes for the findings of `mrt`. It writes the downgrade a migration needs from the
//! schema the chain itself defines: for each upgrade operation its inverse, read from the schema
//! just before it ([`mrt_core::schema`]), in reverse order, emitted as Alembic code in the file's
//! own style. Fixes are ruff-shaped ([`Edit`], [`Fix`], [`Applicability`]); [`apply_fixes`] skips
//! overlapping edits and [`write_fixed`] never leaves a half-written file, nor overwrites one changed
//! since it was read.
//! [`fix_until_settled`] is `mrt fix`'s loop: fix what the caller's findings ask, re-lint, repeat.
//!
//! ```no_run
//! use mrt_core::{Project, Settings};
//!
//! let (project, _errors) = Project::load(&["migrations/versions".into()]);
//! for found in mrt_fix::fixes(&project, &Settings::default()) {
//!     let migration = &project.migrations[found.migration];
//!     println!("{}: {} ({})", migration.path().display(), found.fix.title, found.code);
//! }
//! ```

mod complete;
mod diff;
mod edit;
mod emit;
mod fixes;
mod inverse;
mod settle;
mod style;
mod write;

use std::path::PathBuf;

pub use diff::unified_diff;
pub use edit::{Applicability, Applied, Edit, Fix, apply_fixes};
pub use fixes::{AlembicFixer, MigrationFix, fixer, fixes};
pub use settle::{Refused, RefusedReason, Settled, fix_until_settled};
pub use style::Style;
pub use write::{remove_stale_temp_files, write_fixed};

/// What can go wrong while fixing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be written.
    #[error("{}: cannot write the fixed file: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file changed after it was read: the fix of the old text was not written over it.
    #[error("{}: changed since it was read; not written (run `mrt fix` again)", path.display())]
    Changed {
        /// The file.
        path: PathBuf,
    },
}
