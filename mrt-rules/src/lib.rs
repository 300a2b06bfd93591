//! The built-in rules of `mrt`, one per file under `rules/<category>/`, each registered through
//! `inventory` by [`mrt_core::declare_rule!`].
//!
//! Reach them through [`registry`]: `inventory` drops the registrations of a crate that nothing
//! names, and calling a function of this crate is what links them in.

pub mod docs;
mod helpers;
pub mod reverse;
mod rules;

use std::sync::OnceLock;

use mrt_core::Registry;

/// Every rule linked into this program: the built-in ones, and any house rule another crate
/// declared with [`mrt_core::declare_rule!`].
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::from_inventory)
}

/// Whether a rule code belongs to a built-in rule (house rules may use other prefixes).
pub fn is_builtin(code: &str) -> bool {
    rules::BUILTIN_CODES.contains(&code)
}
