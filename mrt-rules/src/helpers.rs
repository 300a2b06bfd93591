//! Facts about a body that several rules ask for.

use std::collections::HashMap;

use mrt_core::ir::{Body, OpKind, Spanned};

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
