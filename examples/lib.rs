//! Example programs using `mrt-core` and `mrt-rules` as dependencies: see `lint_file.rs` and
//! `house_rule.rs`, run with `cargo run --example NAME`. The Alembic project in `alembic/versions/`
//! is what the README's first command checks.

/// The example migrations shipped with the repository.
pub fn example_versions_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("alembic/versions")
}
