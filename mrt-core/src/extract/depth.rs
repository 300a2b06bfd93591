//! A nesting guard: a syntax tree nested deeper than Python itself accepts is reported as a syntax
//! error instead of being lowered.
//!
//! The parser grows its own stack, but everything after it recurses once per level: the lowering
//! here, and the drop glue of the tree. A hostile file (100,000 `+` terms, 30,000 nested lists)
//! would overflow a 2 MiB worker stack and abort the process. CPython rejects such files too
//! (`RecursionError` during AST construction, "too many nested parentheses"), so they are
//! MRT902, and only their shallow top-level statements are lowered.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, InterpolatedStringElement, Pattern, Stmt};
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange};

use crate::ir::SyntaxError;

/// The deepest nesting of statements, expressions and patterns that is lowered. CPython 3.11
/// accepts about 2,000 nested binary operators and fails before 5,000; migrations nest a few
/// levels. At this depth the lowering fits in a 2 MiB stack even in a debug build (tested).
pub(crate) const MAX_NESTING: usize = 1_000;

/// Stack reserved per token to drop a tree deeper than [`MAX_NESTING`]: the drop glue takes
/// about three frames per level, well under 1 KiB even unoptimized, and a level spends at least
/// one token. Reserved, not committed: only the pages the drop touches are used.
const DROP_STACK_PER_TOKEN: usize = 1024;

/// The largest stack spawned to drop a deep tree; a deeper one (over a million tokens and nested
/// beyond anything Python compiles) is leaked instead of aborting the process.
const MAX_DROP_STACK: usize = 1 << 30;

/// The top-level statements nested no deeper than [`MAX_NESTING`], and the error for the first
/// one that is, or `None` when the whole file is shallow enough (the common case, decided
/// without a walk when the file has fewer tokens than levels allowed).
pub(crate) fn too_deep(suite: &[Stmt], tokens: usize) -> Option<(Vec<usize>, SyntaxError)> {
    if tokens <= MAX_NESTING {
        return None;
    }
    let mut shallow = Vec::with_capacity(suite.len());
    let mut first = None;
    for (index, stmt) in suite.iter().enumerate() {
        let mut guard = Guard::default();
        guard.visit_stmt(stmt);
        match guard.exceeded {
            None => shallow.push(index),
            Some(range) => {
                first.get_or_insert(range);
            }
        }
    }
    let range = first?;
    Some((
        shallow,
        SyntaxError {
            message: format!(
                "nested more than {MAX_NESTING} levels deep (Python rejects such code too); \
                 this statement is not read"
            ),
            range,
        },
    ))
}

/// Drops a tree that [`too_deep`] rejected, on a thread whose stack is sized for it.
pub(crate) fn drop_deep<T: Send + 'static>(parsed: Parsed<T>, tokens: usize) {
    let size = tokens.saturating_mul(DROP_STACK_PER_TOKEN);
    if size > MAX_DROP_STACK {
        std::mem::forget(parsed);
        return;
    }
    // The tree goes over a channel so that it stays ours when no thread can be spawned (out of
    // threads or memory): then it is leaked, never dropped on this stack.
    let (send, receive) = std::sync::mpsc::channel::<Parsed<T>>();
    let dropper = std::thread::Builder::new()
        .name("mrt-drop-deep".to_owned())
        .stack_size(size)
        .spawn(move || drop(receive.recv()));
    match dropper {
        Ok(handle) => {
            if let Err(unsent) = send.send(parsed) {
                std::mem::forget(unsent.0);
            }
            let _ = handle.join();
        }
        Err(_) => std::mem::forget(parsed),
    }
}

/// Walks at most [`MAX_NESTING`] levels deep and remembers where it had to stop.
#[derive(Default)]
struct Guard {
    depth: usize,
    exceeded: Option<TextRange>,
}

impl Guard {
    /// Enters one level; false (and the range remembered) when that goes too deep.
    fn enter(&mut self, range: TextRange) -> bool {
        if self.exceeded.is_some() {
            return false;
        }
        if self.depth >= MAX_NESTING {
            self.exceeded = Some(range);
            return false;
        }
        self.depth += 1;
        true
    }
}

impl<'a> Visitor<'a> for Guard {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.enter(stmt.range()) {
            visitor::walk_stmt(self, stmt);
            self.depth -= 1;
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.enter(expr.range()) {
            visitor::walk_expr(self, expr);
            self.depth -= 1;
        }
    }

    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        if self.enter(pattern.range()) {
            visitor::walk_pattern(self, pattern);
            self.depth -= 1;
        }
    }

    fn visit_interpolated_string_element(&mut self, element: &'a InterpolatedStringElement) {
        if self.enter(element.range()) {
            visitor::walk_interpolated_string_element(self, element);
            self.depth -= 1;
        }
    }
}
