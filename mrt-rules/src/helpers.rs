//! Facts about a body that several rules ask for.

use std::collections::HashMap;

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
