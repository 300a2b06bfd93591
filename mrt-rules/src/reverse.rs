//! Name-matched reverses, read as the reverse rules read them (MRT301, MRT302, MRT402, MRT408,
//! ...), for code that completes a downgrade (`mrt-fix` places the one missing inverse after the
//! statements that reverse later operations).

use mrt_core::ir::{Migration, OpKind, Operation};

use crate::helpers;

/// Whether `downgrade` undoes `upgrade_op`, matched by the names of the objects it touches (never
/// by "any operation of that kind"). Kinds without a schema inverse (data changes, unknown SQL)
/// are never reversed.
pub fn reverses(upgrade_op: &OpKind, downgrade: &[Operation]) -> bool {
    helpers::reverses(upgrade_op, downgrade)
}

/// The downgrade operations the reverse rules look in, or `None` when another rule owns the fact
/// that the downgrade reverses nothing: no downgrade (MRT101), a no-op one (MRT102), one that only
/// raises (MRT804), or a file with syntax errors (MRT902).
pub fn reversing_downgrade(migration: &Migration) -> Option<&[Operation]> {
    helpers::reversing_downgrade(migration)
}
