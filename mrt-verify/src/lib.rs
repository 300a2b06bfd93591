//! `mrt-verify`: the dynamic half of mrt. It runs every migration up and down against a real
//! database with rows seeded in every table, and shows exactly what each rollback loses: rows,
//! values, columns, indexes, constraints, types.
//!
//! The Rust side owns the walk, the seeding, the catalogue snapshots and the comparison; a small
//! Python worker, shipped inside the binary and run with the project's interpreter, only runs the
//! migrations, one step at a time, on the database it is told ([`worker`]). Each revision is tried
//! on a copy of the main database ([`db`]), so one broken downgrade never stops the walk.
//!
//! ```no_run
//! use std::time::Duration;
//! use mrt_verify::{Options, Source, verify};
//!
//! let (project, _errors) = mrt_core::Project::load(&["migrations/versions".into()]);
//! let options = Options {
//!     source: Source::Alembic { ini: None, versions: vec!["migrations/versions".into()] },
//!     database_url: None,
//!     python: None,
//!     timeout: Duration::from_secs(300),
//!     seed: 1,
//!     allow_nonempty: false,
//!     only: None,
//!     since: None,
//!     min_revision: None,
//!     skip: Default::default(),
//!     isolation: mrt_verify::Isolation::Auto,
//!     interrupt: mrt_verify::Interrupt::new(),
//! };
//! let report = verify(&options, &project, &[])?;
//! print!("{}", report.render_full());
//! # Ok::<(), mrt_verify::Error>(())
//! ```

pub mod catalog;
pub mod data;
pub mod db;
mod error;
mod interrupt;
pub mod migrate;
mod private_dir;
pub mod report;
pub mod seed;
pub mod statics;
#[doc(hidden)]
pub mod testing;
pub mod url;
mod walk;
pub mod worker;

pub use error::Error;
pub use interrupt::Interrupt;
pub use report::{Failure, FailureKind, Report, Status, Verdict};
pub use url::DatabaseUrl;
pub use walk::{Isolation, Options, Source, verify};
