//! The remedies the reverse rules attach to their findings ([`mrt_core::fix`]): which inverse of
//! an upgrade operation the downgrade lacks, read once here for every rule that reports one.

use mrt_core::fix::{InversePart, MissingInverse, Remedy};
use mrt_core::ir::{AlterColumn, Migration, OpKind, Operation};

use crate::helpers::{alter_parts_reversed, reverses, reversing_downgrade};

/// The remedy of a finding about upgrade operation `index` of `migration` (as rules see it): the
/// inverse its downgrade lacks. `None` when the downgrade undoes it already, when another rule
/// owns the fact that the downgrade reverses nothing (it is missing, a no-op, only raises), or when
/// the operation has no inverse a downgrade could add.
pub(crate) fn missing_inverse(migration: &Migration, index: usize) -> Option<Remedy> {
    let ops = &migration.upgrade.as_ref()?.ops;
    let op = ops.get(index)?;
    let down_ops = reversing_downgrade(migration)?;
    let part = match &op.kind {
        OpKind::RenameTable { .. }
        | OpKind::DropIndex { .. }
        | OpKind::DropConstraint { .. }
        | OpKind::DropView { .. }
        | OpKind::CreateTrigger { .. }
        | OpKind::CreateType { .. } => {
            (!reverses(&op.kind, down_ops)).then_some(InversePart::Whole)?
        }
        OpKind::AlterColumn(alter) => unreversed_changes(alter, down_ops)?,
        // An enum type a column creates implicitly is dropped after the table or column that uses
        // it: only once the downgrade drops those (else their own inverse comes first).
        OpKind::CreateTable { .. } | OpKind::AddColumn { .. } => {
            (reverses(&op.kind, down_ops)).then_some(InversePart::EnumTypes)?
        }
        _ => return None,
    };
    Some(Remedy::AddInverse(MissingInverse { op: index, part }))
}

/// The remedy of a schema residue (MRT801) caused by upgrade operation `index`: its inverse, or
/// the changes of an `alter_column` the downgrade does not undo. `None` when the downgrade undoes
/// the operation (the residue is then the downgrade's own doing) or there is no downgrade to add
/// to.
pub(crate) fn residue_inverse(migration: &Migration, index: usize) -> Option<Remedy> {
    let op = migration.upgrade.as_ref()?.ops.get(index)?;
    let down_ops = reversing_downgrade(migration)?;
    let part = match &op.kind {
        OpKind::AlterColumn(alter) => unreversed_changes(alter, down_ops)?,
        kind if reverses(kind, down_ops) => return None,
        _ => InversePart::Whole,
    };
    Some(Remedy::AddInverse(MissingInverse { op: index, part }))
}

/// What of an `alter_column` the downgrade does not undo: all of it, or the changes it leaves
/// (each matched on the column by its old or new name); `None` when it undoes every change.
fn unreversed_changes(alter: &AlterColumn, down_ops: &[Operation]) -> Option<InversePart> {
    let [rename, nullable, server_default, type_] = alter_parts_reversed(alter, down_ops);
    if rename && nullable && server_default && type_ {
        return None;
    }
    let untouched = [
        alter.new_name.is_none() || !rename,
        alter.nullable.is_none() || !nullable,
        alter.server_default.is_none() || !server_default,
        alter.type_text.is_none() || !type_,
    ];
    if untouched.iter().all(|missing| *missing) {
        return Some(InversePart::Whole);
    }
    let mut left = alter.clone();
    if rename {
        // The downgrade renames the column back: what is left runs after that, on the old name.
        left.new_name = None;
    }
    if nullable {
        left.nullable = None;
    }
    if server_default {
        left.server_default = None;
    }
    if type_ {
        left.type_text = None;
    }
    Some(InversePart::AlterChanges(Box::new(left)))
}
