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
