//! Facts about a body that several rules ask for.

use std::collections::{HashMap, HashSet};

use mrt_core::TextRange;
use mrt_core::ir::{Body, Migration, Name, OpKind, Operation, Spanned};

/// Where tables and columns are created in a body, so a rule can ask whether an object was new
/// when an operation ran on it (it then holds no rows, and losing it loses nothing).
///
/// Names compare case-insensitively: SQL folds unquoted identifiers, and a migration mixing
/// `op.create_table("Users")` with SQL `users` means the same table.
#[derive(Debug, Default)]
pub(crate) struct NewObjects {
    tables: HashMap<String, usize>,
    columns: HashMap<(String, String), usize>,
}

impl NewObjects {
    pub(crate) fn of(body: &Body) -> Self {
        let mut objects = Self::default();
        for (index, op) in body.ops.iter().enumerate() {
            match &op.kind {
                OpKind::CreateTable {
                    table: Some(table), ..
                } => {
                    objects
                        .tables
                        .entry(table.value.to_lowercase())
                        .or_insert(index);
                }
                OpKind::AddColumn {
                    table: Some(table),
                    column,
                } => {
                    if let Some(name) = &column.name {
                        objects
                            .columns
                            .entry((table.value.to_lowercase(), name.value.to_lowercase()))
                            .or_insert(index);
                    }
                }
                _ => {}
            }
        }
        objects
    }

    /// Whether `table` was created by an operation before the one at `index`.
    pub(crate) fn table_before(&self, table: &str, index: usize) -> bool {
        self.tables
            .get(&table.to_lowercase())
            .is_some_and(|&created| created < index)
    }

    /// Whether `table.column` was added (or its table created) before the operation at `index`.
    pub(crate) fn column_before(&self, table: &str, column: &str, index: usize) -> bool {
        self.table_before(table, index)
            || self
                .columns
                .get(&(table.to_lowercase(), column.to_lowercase()))
                .is_some_and(|&added| added < index)
    }
}

/// How a message names a column: `` `table.column` ``, `` `column` ``, or "a column" when neither
/// name could be read statically.
pub(crate) fn column_label(
    table: Option<&Spanned<String>>,
    column: Option<&Spanned<String>>,
) -> String {
    match (table, column) {
        (Some(table), Some(column)) => format!("`{}.{}`", table.value, column.value),
        (None, Some(column)) => format!("`{}`", column.value),
        _ => "a column".to_owned(),
    }
}

/// The value of a name read statically, if it was.
pub(crate) fn name_of(name: &Name) -> Option<&str> {
    name.as_ref().map(|name| name.value.as_str())
}

/// Whether a name read statically equals `other`, ignoring case (SQL folds unquoted identifiers).
pub(crate) fn same_name(name: &Name, other: &str) -> bool {
    name_of(name).is_some_and(|name| name.eq_ignore_ascii_case(other))
}

/// Whether two names were both read and are equal, ignoring case.
pub(crate) fn both_same(a: &Name, b: &Name) -> bool {
    name_of(b).is_some_and(|b| same_name(a, b))
}

/// How a message names an object: `` `name` ``, or `fallback` when the name could not be read.
pub(crate) fn label(name: &Name, fallback: &str) -> String {
    name_of(name).map_or_else(|| fallback.to_owned(), |name| format!("`{name}`"))
}

/// The operations of an optional body (an absent body has none).
pub(crate) fn ops_of(body: Option<&Body>) -> &[Operation] {
    body.map_or(&[], |body| body.ops.as_slice())
}

/// Whether the downgrade of a migration has an operation matching `reverses`.
pub(crate) fn downgrade_has(migration: &Migration, reverses: impl Fn(&OpKind) -> bool) -> bool {
    ops_of(migration.downgrade.as_ref())
        .iter()
        .any(|op| reverses(&op.kind))
}

/// The range a finding about a name points at: the name's, else the operation's.
pub(crate) fn name_range(name: &Name, op: &Operation) -> TextRange {
    name.as_ref().map_or(op.range, |name| name.range)
}

/// The range a finding's suppression comments may sit on: the call. An operation lowered from SQL
/// has the statement as its range; it is widened to the call that ran the SQL, so a `# noqa` on the
/// first or last line of a multi-line `op.execute("""...""")` covers it.
pub(crate) fn operation_range(ops: &[Operation], index: usize) -> TextRange {
    let Some(op) = ops.get(index) else {
        return TextRange::default();
    };
    if !op.context.from_sql {
        return op.range;
    }
    ops[..index]
        .iter()
        .rev()
        .enumerate()
        .find_map(|(distance, earlier)| match earlier.kind {
            OpKind::Sql { lowered, .. } if lowered > distance => Some(earlier.range),
            _ => None,
        })
        .unwrap_or(op.range)
}

/// One add/update/drop sequence on a table (MRT208): a column is added to the table, the table is
/// rewritten with `UPDATE`, then a column of it that held data is dropped. Indexes into the
/// upgrade's operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MultiStep {
    /// The first `add_column` on the table.
    pub(crate) add: usize,
    /// The first `UPDATE` of the table after that add.
    pub(crate) update: usize,
    /// The drop that ends the sequence.
    pub(crate) drop: usize,
}

/// The multi-step destructive sequences of an upgrade. MRT208 reports each at its drop; MRT201 and
/// MRT206 stay quiet on those drops, and MRT103 on the `UPDATE`s inside a sequence, so the fact is
/// reported once.
#[derive(Debug, Default)]
pub(crate) struct MultiSteps {
    steps: Vec<MultiStep>,
    rewrites: HashSet<usize>,
}

impl MultiSteps {
    /// Finds, for every drop of a column that held data (not new in this upgrade), an `add_column`
    /// on the same table followed by an `UPDATE` of it, both before the drop. Steps on different
    /// tables, or in another order, are no sequence.
    pub(crate) fn of(upgrade: &Body) -> Self {
        let new_objects = NewObjects::of(upgrade);
        let ops = &upgrade.ops;
        let on =
            |op: &Operation, table: &str| op.table().is_some_and(|t| t.eq_ignore_ascii_case(table));
        let mut found = Self::default();
        for (drop, op) in ops.iter().enumerate() {
            let OpKind::DropColumn {
                table: Some(table),
                column: Some(column),
            } = &op.kind
            else {
                continue;
            };
            let table = table.value.as_str();
            if new_objects.column_before(table, &column.value, drop) {
                continue;
            }
            let before = &ops[..drop];
            let Some(add) = before
                .iter()
                .position(|op| matches!(op.kind, OpKind::AddColumn { .. }) && on(op, table))
            else {
                continue;
            };
            let updates: Vec<usize> = (add + 1..drop)
                .filter(|&index| {
                    matches!(ops[index].kind, OpKind::UpdateRows { .. }) && on(&ops[index], table)
                })
                .collect();
            let Some(&update) = updates.first() else {
                continue;
            };
            found.rewrites.extend(updates);
            found.steps.push(MultiStep { add, update, drop });
        }
        found
    }

    /// The sequence the drop at `index` ends, if it ends one.
    pub(crate) fn ending_at(&self, index: usize) -> Option<&MultiStep> {
        self.steps.iter().find(|step| step.drop == index)
    }

    /// Whether the `UPDATE` at `index` rewrites a table inside a sequence.
    pub(crate) fn rewrites_at(&self, index: usize) -> bool {
        self.rewrites.contains(&index)
    }
}
