//! A file nested deeper than Python accepts is a syntax error (MRT902), not a stack overflow: the
//! lowering and the syntax tree's drop recurse once per level, on worker threads whose stacks are
//! 2 MiB. What Python does accept is lowered on such a stack, even in a debug build.

// A test that cannot build its own input should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use mrt_core::SourceFile;
use mrt_core::extract::extract;
use mrt_core::ir::Migration;

/// A revision whose `upgrade()` assigns `expression`.
fn revision(expression: &str) -> String {
    format!(
        "from alembic import op\nrevision = \"a1\"\ndown_revision = None\n\n\
         def upgrade():\n    x = {expression}\n    op.drop_column(\"t\", \"c\")\n\n\
         def downgrade():\n    pass\n"
    )
}

/// The deep shapes: binary operators, unary operators, attributes, calls, subscripts, lists.
fn shapes(levels: usize) -> Vec<(&'static str, String)> {
    vec![
        ("binary", vec!["1"; levels + 1].join(" + ")),
        ("unary", format!("{}1", "-".repeat(levels))),
        ("attribute", format!("a{}", ".b".repeat(levels))),
        ("call", format!("f{}", "()".repeat(levels))),
        ("subscript", format!("a{}", "[0]".repeat(levels))),
        (
            "list",
            format!("{}{}", "[".repeat(levels), "]".repeat(levels)),
        ),
    ]
}

/// Extracts on a thread with rayon's default worker stack (2 MiB), as `Project::load` does.
fn extract_on_small_stack(text: String) -> Migration {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || extract(Arc::new(SourceFile::new("deep.py", text))))
        .expect("spawn")
        .join()
        .expect("no stack overflow or panic")
        .expect("a revision file")
}

#[test]
fn nesting_python_accepts_is_lowered_on_a_small_stack() {
    for (shape, expression) in shapes(900) {
        let migration = extract_on_small_stack(revision(&expression));
        assert!(
            migration.syntax_errors.is_empty(),
            "{shape}: {:?}",
            migration.syntax_errors
        );
        let upgrade = migration.upgrade.expect("upgrade read");
        assert_eq!(upgrade.ops.len(), 1, "{shape}: the drop_column after it");
    }
}

#[test]
fn deeper_nesting_is_a_syntax_error_and_the_revision_is_still_read() {
    for (shape, expression) in shapes(100_000) {
        let migration = extract_on_small_stack(revision(&expression));
        let messages: Vec<&str> = migration
            .syntax_errors
            .iter()
            .map(|error| error.message.as_str())
            .collect();
        assert!(
            messages
                .iter()
                .any(|message| message.starts_with("nested more than 1000 levels deep")),
            "{shape}: {messages:?}"
        );
        assert_eq!(migration.revision_id(), Some("a1"), "{shape}");
    }
}
