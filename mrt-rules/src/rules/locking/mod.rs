//! Operations that lock or rewrite a table that already holds rows, or that fail on the rows it
//! holds.

mod add_column_volatile_default;
mod add_column_with_default;
mod add_constraint_without_not_valid;
mod add_not_null_column_without_default;
mod add_unique_or_primary_key_constraint;
mod column_type_change;
mod concurrent_index_in_transaction;
mod create_index_non_concurrently;
mod drop_index_non_concurrently;
mod missing_lock_timeout;
mod on_delete_cascade;
mod set_not_null_on_existing_column;
mod unique_constraint_on_existing_data;

use mrt_core::MigrationContext;
use mrt_core::ir::{ColumnDef, Name, OpKind, Operation, Spanned};

use crate::helpers::{is_new_table, server_default};

/// Functions whose value differs per row: a column default calling one makes PostgreSQL fill
/// every existing row, rewriting the table on every version.
const VOLATILE_FUNCTIONS: &[&str] = &[
    "random(",
    "clock_timestamp(",
    "timeofday(",
    "gen_random_uuid(",
    "uuid_generate_v1(",
    "uuid_generate_v1mc(",
    "uuid_generate_v4(",
    "nextval(",
];

/// A column added to a table that already holds rows, with a server default that fills them.
struct DefaultedAddition<'a> {
    op: &'a Operation,
    table: &'a Name,
    column: &'a ColumnDef,
    default: &'a Spanned<Option<String>>,
    /// The default calls a volatile function (MRT404's case, not MRT405's).
    volatile: bool,
}

/// The columns an upgrade adds with a server default to tables that are not new.
fn defaulted_additions<'a>(cx: &MigrationContext<'a>) -> Vec<DefaultedAddition<'a>> {
    let Some(upgrade) = &cx.migration.upgrade else {
        return Vec::new();
    };
    let new_objects = cx.facts.new_objects();
    upgrade
        .ops
        .iter()
        .enumerate()
        .filter_map(|(index, op)| {
            let OpKind::AddColumn { table, column } = &op.kind else {
                return None;
            };
            let default = server_default(column)?;
            if is_new_table(new_objects, table, index) {
                return None;
            }
            Some(DefaultedAddition {
                op,
                table,
                column,
                default,
                volatile: default.value.as_deref().is_some_and(is_volatile),
            })
        })
        .collect()
}

/// Whether a server default's SQL calls a volatile function.
fn is_volatile(default_sql: &str) -> bool {
    let sql = default_sql.to_ascii_lowercase().replace(' ', "");
    VOLATILE_FUNCTIONS
        .iter()
        .any(|function| sql.contains(function))
}
