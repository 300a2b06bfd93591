//! Built-in rules by the risk they describe. One rule per file.

mod data_loss;
mod graph;
mod locking;
mod reversibility;
mod rolling_deploy;
mod suppression;
mod syntax;

/// The codes of the rules declared in this crate, checked against the registry by a test.
pub(crate) const BUILTIN_CODES: &[&str] = &[
    "MRT101", "MRT102", "MRT103", "MRT104", "MRT106", "MRT107", "MRT108", "MRT109", "MRT110",
    "MRT111", "MRT201", "MRT202", "MRT203", "MRT204", "MRT205", "MRT206", "MRT207", "MRT208",
    "MRT213", "MRT301", "MRT302", "MRT303", "MRT305", "MRT304", "MRT401", "MRT402", "MRT403",
    "MRT404", "MRT405", "MRT406", "MRT407", "MRT408", "MRT409", "MRT410", "MRT414", "MRT415",
    "MRT416", "MRT417", "MRT418", "MRT501", "MRT502", "MRT503", "MRT601", "MRT602", "MRT701",
    "MRT702", "MRT703", "MRT704", "MRT705", "MRT801", "MRT802", "MRT803", "MRT804", "MRT805",
    "MRT901", "MRT902", "MRT903", "MRT904", "MRT905", "MRT906",
];
