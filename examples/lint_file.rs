//! Lints one migration file with the built-in rules, the way an editor integration would.
//!
//! ```text
//! cargo run --example lint_file -- examples/alembic/versions/0002_drop_legacy_columns.py
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let path = std::env::args_os().nth(1).map_or_else(
        || mrt_examples::example_versions_dir().join("0002_drop_legacy_columns.py"),
        std::path::PathBuf::from,
    );
    let diagnostics = match mrt_examples::lint_file(&path) {
        Ok(diagnostics) => diagnostics,
        Err(errors) => {
            for error in &errors {
                eprintln!("{error}");
            }
            return ExitCode::from(2);
        }
    };
    for diagnostic in &diagnostics {
        let start = diagnostic.start();
        println!(
            "{}:{}:{}: {} {}",
            diagnostic.path().display(),
            start.line,
            start.column,
            diagnostic.code(),
            diagnostic.message
        );
    }
    println!("{} finding(s)", diagnostics.len());
    ExitCode::SUCCESS
}
