//! Lints one migration file with the built-in rules, the way an editor integration would.
//!
//! ```text
//! cargo run --example lint_file -- examples/alembic/versions/0002_drop_legacy_columns.py
//! ```

use std::process::ExitCode;

use mrt_core::{Linter, Settings};

fn main() -> ExitCode {
    let path = std::env::args_os().nth(1).map_or_else(
        || mrt_examples::example_versions_dir().join("0002_drop_legacy_columns.py"),
        std::path::PathBuf::from,
    );
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{}: {error}", path.display());
            return ExitCode::from(2);
        }
    };
    let rules = match mrt_rules::registry().select(&[], &[], &[]) {
        Ok(rules) => rules,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let linter = Linter::new(rules, Settings::default());
    let diagnostics = linter.check_source(&path, text);
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
