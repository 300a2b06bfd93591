//! The revision graph: heads, cycles, missing parents, duplicates, merges.

mod duplicate_revision;
mod missing_parent;
mod multiple_heads;
mod redundant_merge;
mod revision_cycle;
