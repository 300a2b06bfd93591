//! Downgrades that are missing or do not reverse their upgrade.

mod data_update_without_reverse;
mod drop_view_without_reverse;
mod enum_add_value;
mod missing_downgrade;
mod noop_downgrade;
mod sequence_change;
