//! Operations that lock or rewrite a table that already holds rows, or that fail on the rows it
//! holds.

mod add_column_volatile_default;
mod add_column_with_default;
mod add_not_null_column_without_default;
mod column_type_change;
mod concurrent_index_in_transaction;
mod create_index_non_concurrently;
mod on_delete_cascade;
mod set_not_null_on_existing_column;
mod unique_constraint_on_existing_data;

use mrt_core::ir::{ColumnDef, Name, Spanned};

use crate::helpers::{NewObjects, name_of};

/// Whether `table` was created earlier in the upgrade than the operation at `index`: it holds no
/// rows yet, so nothing is locked for long and no existing row can violate anything. An unread
/// table name is taken as an existing table.
fn is_new_table(new_objects: &NewObjects, table: &Name, index: usize) -> bool {
    name_of(table).is_some_and(|table| new_objects.table_before(table, index))
}

/// The column's server default, when it gives one: not absent, not an explicit `None`, and not
/// SQL `DEFAULT NULL` (which fills nothing).
fn server_default(column: &ColumnDef) -> Option<&Spanned<Option<String>>> {
    column.server_default.as_ref().filter(|default| {
        default
            .value
            .as_deref()
            .is_some_and(|text| !text.trim().eq_ignore_ascii_case("NULL"))
    })
}

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

/// Whether a server default's SQL calls a volatile function.
fn is_volatile(default_sql: &str) -> bool {
    let sql = default_sql.to_ascii_lowercase().replace(' ', "");
    VOLATILE_FUNCTIONS
        .iter()
        .any(|function| sql.contains(function))
}
