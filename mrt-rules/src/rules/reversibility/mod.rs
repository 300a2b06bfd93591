//! Downgrades that are missing or do not reverse their upgrade.

mod missing_downgrade;
mod noop_downgrade;
