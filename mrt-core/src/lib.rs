//! `mrt-core`: the Migration IR and what each operation does ([`effect`]), the frontends that lower
//! migration files to it (Alembic and Django in Python, plain-SQL directories), the per-migration
//! [`facts`] rules share, the [`Rule`] trait and its registry, suppression comments, the schema
//! model, and the [`Linter`].
//!
//! ```no_run
//! use mrt_core::{Linter, Project, Registry, Settings};
//!
//! let (project, errors) = Project::load(&["migrations/versions".into()]);
//! # let registry = Registry::from_rules([]).expect("no rules, no duplicates");
//! let rules = registry.select(&[], &[], &[]).expect("no selectors to resolve");
//! for diagnostic in Linter::new(rules, Settings::default()).check(&project) {
//!     println!("{}: {}", diagnostic.code(), diagnostic.message);
//! }
//! ```
//!
//! Built-in rules live in `mrt-rules`; use `mrt_rules::registry()` to get them.

pub mod cache;
pub mod config;
pub mod diagnostic;
mod discover;
pub mod effect;
pub mod error;
pub mod extract;
pub mod facts;
pub mod fix;
pub mod ir;
pub mod linter;
pub mod noqa;
pub mod project;
pub mod read;
pub mod rule;
pub mod schema;
pub mod settings;
pub mod source;

pub use diagnostic::Diagnostic;
pub use error::Error;
pub use ir::{Framework, Migration};
pub use linter::Linter;
pub use project::{CacheUse, LoweringCache, Project};
pub use rule::{
    Finding, FixAvailability, MigrationContext, ProjectContext, ProjectFinding, Registry, Rule,
    RuleInfo, RuleMeta, RuleRegistration, Severity,
};
pub use settings::{DEFAULT_POSTGRES_VERSION, Dialect, Settings};
pub use source::{Location, SourceFile};

/// Byte offsets and ranges, re-exported so users need no ruff crate.
pub use ruff_text_size::{Ranged, TextRange, TextSize};

#[doc(hidden)]
pub use inventory;

/// The revision graph crate, re-exported so users need no direct dependency.
pub use mrt_graph as graph;
