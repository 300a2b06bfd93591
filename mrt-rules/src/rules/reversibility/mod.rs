//! Downgrades that are missing or do not reverse their upgrade.

mod bulk_insert_without_reverse;
mod create_trigger_without_drop;
mod create_type_without_drop;
mod data_update_without_reverse;
mod downgrade_does_not_restore_schema;
mod drop_constraint_in_batch;
mod drop_constraint_without_recreate;
mod drop_foreign_key_without_restore;
mod drop_index_without_recreate;
mod drop_view_without_reverse;
mod enum_add_value;
mod irreversible_downgrade;
mod missing_downgrade;
mod noop_downgrade;
mod not_null_without_restoring_nullable;
mod raw_sql_without_reverse;
mod rename_column_without_reverse;
mod rename_table_without_reverse;
mod run_python_without_reverse;
mod run_sql_without_reverse;
mod sequence_change;
mod set_not_null_sql_without_reverse;
mod squashed_missing_replaces;
mod squashed_run_python_without_reverse;
mod unanalysable_sql;
