//! The built-in rules of `mrt`, one per file under `rules/<category>/`, each registered through
//! `inventory` by [`mrt_core::declare_rule!`].
//!
//! Reach them through [`registry`]: `inventory` drops the registrations of a crate that nothing
//! names, and calling a function of this crate is what links them in.
//!
//! Checking a directory of migrations, with every default rule (the README's snippet; a test keeps
//! the two the same):
//!
//! ```no_run
//! use mrt_core::{Linter, Project, Settings};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let (project, errors) = Project::load(&["migrations/versions".into()]);
//!     for error in &errors {
//!         eprintln!("cannot read {error}");
//!     }
//!     let rules = mrt_rules::registry().select(&[], &[], &[])?;
//!     for diagnostic in Linter::new(rules, Settings::default()).check(&project) {
//!         let at = diagnostic.start();
//!         let path = diagnostic.path().display();
//!         println!("{path}:{}:{} {} {}", at.line, at.column, diagnostic.code(), diagnostic.message);
//!     }
//!     if errors.is_empty() {
//!         Ok(())
//!     } else {
//!         Err(format!("{} path(s) could not be read", errors.len()).into())
//!     }
//! }
//! ```

pub mod docs;
mod helpers;
mod remedy;
pub mod reverse;
mod rules;

use std::sync::OnceLock;

use mrt_core::Registry;

/// Every rule linked into this program: the built-in ones, and any house rule another crate
/// declared with [`mrt_core::declare_rule!`].
///
/// # Panics
///
/// When two linked rules answer to one code, alias or name (a house rule reusing a built-in code):
/// that is a defect of the program as built, not of any input, and no registry would be right. A
/// program that links house rules and wants the error as a value calls [`try_registry`] first.
pub fn registry() -> &'static Registry {
    match try_registry() {
        Ok(registry) => registry,
        Err(error) => panic!("mrt: {error}"),
    }
}

/// Every rule linked into this program, or why they cannot form a registry (two rules answer to one
/// code, alias or name). The result is computed once.
pub fn try_registry() -> Result<&'static Registry, &'static mrt_core::Error> {
    static REGISTRY: OnceLock<Result<Registry, mrt_core::Error>> = OnceLock::new();
    REGISTRY.get_or_init(Registry::from_inventory).as_ref()
}

/// Whether a rule code belongs to a built-in rule (house rules may use other prefixes).
pub fn is_builtin(code: &str) -> bool {
    rules::BUILTIN_CODES.contains(&code)
}
