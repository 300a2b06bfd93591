//! The binary the pre-commit hook runs (`.pre-commit-hooks.yaml`, `language: rust`).
//!
//! pre-commit installs a Rust hook with `cargo install --path .` at the repository root, which
//! needs a package there; this one is that package, and runs the same command line as `mrt`.

fn main() -> std::process::ExitCode {
    mrt_cli::main()
}
