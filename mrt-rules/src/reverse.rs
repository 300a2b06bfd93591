//! Name-matched reverses, read as the reverse rules read them (MRT301, MRT302, MRT402, MRT408,
//! ...), for code that completes a downgrade (`mrt-fix` writes the one missing inverse).

use mrt_core::ir::{AlterColumn, ConstraintKind, Migration, Name, OpKind, Operation};

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

/// Which changes of an `alter_column` a downgrade undoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)]
pub struct AlterReversal {
    /// The rename is absent or undone.
    pub rename: bool,
    /// The nullability change is absent or undone.
    pub nullable: bool,
    /// The server default change is absent or undone.
    pub server_default: bool,
    /// The type change is absent or undone.
    pub type_: bool,
}

impl AlterReversal {
    /// Every change is undone (or absent).
    pub fn complete(self) -> bool {
        self.rename && self.nullable && self.server_default && self.type_
    }
}

/// Which changes of `alter` the `downgrade` undoes, each matched on the column by its old or new
/// name.
pub fn alter_reversal(alter: &AlterColumn, downgrade: &[Operation]) -> AlterReversal {
    let [rename, nullable, server_default, type_] = helpers::alter_parts_reversed(alter, downgrade);
    AlterReversal {
        rename,
        nullable,
        server_default,
        type_,
    }
}

/// Whether a dropped constraint is a foreign key (MRT205's) rather than another constraint
/// (MRT409's, MRT410's in a batch block): its kind, or, when not given, its name.
pub fn is_foreign_key(kind: Option<ConstraintKind>, name: &Name) -> bool {
    helpers::is_foreign_key(kind, name)
}
