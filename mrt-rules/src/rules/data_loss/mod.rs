//! Operations that destroy data a downgrade cannot bring back.

mod delete_without_where;
mod drop_column;
mod drop_column_in_batch;
mod drop_table;
mod multi_step_destructive;
mod rename_model_with_data_loss;
mod truncate;
