//! Built-in rules by the risk they describe. One rule per file.

mod data_loss;
mod graph;
mod locking;
mod reversibility;
mod syntax;

/// The codes of the rules declared in this crate, checked against the registry by a test.
pub(crate) const BUILTIN_CODES: &[&str] = &[
    "MRT101", "MRT102", "MRT201", "MRT204", "MRT206", "MRT303", "MRT401", "MRT405", "MRT406",
    "MRT407", "MRT901", "MRT902", "MRT903", "MRT904", "MRT905", "MRT906",
];
