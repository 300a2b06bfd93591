//! Facts about one migration that many rules ask for, computed once by the [`crate::Linter`] and
//! handed to every rule in its [`crate::MigrationContext`].
//!
//! Two questions look alike and must not be mixed up:
//!
//! - *does the object hold production rows?* (data loss, locking, rolling deploys): a table created
//!   earlier in the upgrade holds none, and neither does a table an earlier revision created after
//!   the release boundary (`--since`) — [`MigrationFacts::new_objects`];
//! - *does this migration's own downgrade remove the object?* (the reverse rules): only what the
//!   upgrade itself created — [`MigrationFacts::created_in_upgrade`].

use std::collections::HashMap;

use crate::ir::{Body, Migration, OpKind};
use crate::schema::{RevisionReplay, key};

/// Where tables and columns are created in a body, so a rule can ask whether an object was new
/// when an operation ran on it (it then holds no rows, and losing it loses nothing).
///
/// Names compare case-insensitively: SQL folds unquoted identifiers, and a migration mixing
/// `op.create_table("Users")` with SQL `users` means the same table.
#[derive(Debug, Default, Clone)]
pub struct NewObjects {
    /// Table -> position of its first creation (operation index + 1, so that 0 is "before the
    /// body": the tables new from the start).
    tables: HashMap<String, usize>,
    columns: HashMap<(String, String), usize>,
}

impl NewObjects {
    /// The tables and columns `body` creates, each at its first creation.
    pub fn of(body: &Body) -> Self {
        let mut objects = Self::default();
        for (index, op) in body.ops.iter().enumerate() {
            let position = index + 1;
            match &op.kind {
                OpKind::CreateTable {
                    table: Some(table), ..
                } => {
                    objects.tables.entry(key(&table.value)).or_insert(position);
                }
                OpKind::AddColumn {
                    table: Some(table),
                    column,
                } => {
                    if let Some(name) = &column.name {
                        objects
                            .columns
                            .entry((key(&table.value), key(&name.value)))
                            .or_insert(position);
                    }
                }
                _ => {}
            }
        }
        objects
    }

    /// Counts `tables` as new from before the body's first operation.
    fn with_tables_new_from_start<'a>(mut self, tables: impl IntoIterator<Item = &'a str>) -> Self {
        for table in tables {
            self.tables.insert(key(table), 0);
        }
        self
    }

    /// Whether `table` was new before the operation at `index` (created by an earlier operation,
    /// or new from the start).
    pub fn table_before(&self, table: &str, index: usize) -> bool {
        self.tables
            .get(&key(table))
            .is_some_and(|&created| created <= index)
    }

    /// Whether `table.column` was added (or its table new) before the operation at `index`.
    pub fn column_before(&self, table: &str, column: &str, index: usize) -> bool {
        self.table_before(table, index)
            || self
                .columns
                .get(&(key(table), key(column)))
                .is_some_and(|&added| added <= index)
    }
}

/// What the rules ask about one migration, computed once per migration (as it runs on the
/// configured dialect) instead of once per rule.
#[derive(Debug, Default, Clone)]
pub struct MigrationFacts {
    new_objects: NewObjects,
    created_in_upgrade: NewObjects,
    created_in_downgrade: NewObjects,
}

impl MigrationFacts {
    /// The facts of `migration`; `replay` (when the chain was replayed) says which tables earlier
    /// revisions created after the release boundary.
    pub fn new(migration: &Migration, replay: Option<&RevisionReplay>) -> Self {
        let created_in_upgrade = migration
            .upgrade
            .as_ref()
            .map(NewObjects::of)
            .unwrap_or_default();
        let unreleased = replay.map_or(&[][..], |replay| replay.unreleased_tables.as_slice());
        Self {
            new_objects: created_in_upgrade
                .clone()
                .with_tables_new_from_start(unreleased.iter().map(String::as_str)),
            created_in_upgrade,
            created_in_downgrade: migration
                .downgrade
                .as_ref()
                .map(NewObjects::of)
                .unwrap_or_default(),
        }
    }

    /// The objects that hold no production rows when an upgrade operation runs: created earlier in
    /// the upgrade, or (under `--since`) tables earlier revisions created after the boundary.
    pub fn new_objects(&self) -> &NewObjects {
        &self.new_objects
    }

    /// The objects the upgrade itself creates: what its own downgrade would remove.
    pub fn created_in_upgrade(&self) -> &NewObjects {
        &self.created_in_upgrade
    }

    /// The objects the downgrade itself creates.
    pub fn created_in_downgrade(&self) -> &NewObjects {
        &self.created_in_downgrade
    }
}
