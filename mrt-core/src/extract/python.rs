//! Small readers of Python expressions shared by the framework extractors: literals, dotted names,
//! argument lookup. Nothing here knows Alembic or Django.

use ruff_python_ast::{Expr, ExprCall, Stmt};
use ruff_text_size::Ranged;

use crate::ir::Spanned;

/// The value of a plain string literal (implicit concatenation included, f-strings excluded).
pub(crate) fn string_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::StringLiteral(literal) => Some(literal.value.to_str()),
        _ => None,
    }
}

/// `True` / `False`.
pub(crate) fn bool_literal(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::BooleanLiteral(literal) => Some(literal.value),
        _ => None,
    }
}

/// The last segment of a callee: `Column` for `sa.Column`, `sa.schema.Column` and `Column`.
pub(crate) fn last_segment(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        _ => None,
    }
}

/// The called function's last segment.
pub(crate) fn callee(call: &ExprCall) -> Option<&str> {
    last_segment(&call.func)
}

/// A call expression, if `expr` is one.
pub(crate) fn as_call(expr: &Expr) -> Option<&ExprCall> {
    match expr {
        Expr::Call(call) => Some(call),
        _ => None,
    }
}

/// Reads an argument by keyword, or else by position.
pub(crate) fn argument<'a>(call: &'a ExprCall, keyword: &str, position: usize) -> Option<&'a Expr> {
    call.arguments.find_argument_value(keyword, position)
}

/// Reads a keyword argument.
pub(crate) fn keyword<'a>(call: &'a ExprCall, name: &str) -> Option<&'a Expr> {
    call.arguments
        .find_keyword(name)
        .map(|keyword| &keyword.value)
}

/// A revision-list value as Alembic templates write it: a string, `None`, or a tuple, list or set
/// of strings. `None` when the value is something else (a name, a call).
pub(crate) fn string_list(expr: &Expr) -> Option<Vec<Spanned<String>>> {
    let spanned = |expr: &Expr| {
        string_literal(expr).map(|value| Spanned::new(value.to_owned(), expr.range()))
    };
    match expr {
        Expr::NoneLiteral(_) => Some(Vec::new()),
        Expr::StringLiteral(_) => spanned(expr).map(|value| vec![value]),
        Expr::Tuple(tuple) => tuple.elts.iter().map(spanned).collect(),
        Expr::List(list) => list.elts.iter().map(spanned).collect(),
        Expr::Set(set) => set.elts.iter().map(spanned).collect(),
        _ => None,
    }
}

/// A statement that does nothing: `pass`, `...`, a docstring or another constant.
pub(crate) fn is_inert(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(expr) => matches!(
            *expr.value,
            Expr::StringLiteral(_)
                | Expr::EllipsisLiteral(_)
                | Expr::NumberLiteral(_)
                | Expr::BooleanLiteral(_)
                | Expr::NoneLiteral(_)
                | Expr::BytesLiteral(_)
        ),
        _ => false,
    }
}

/// A statement that leaves the database as it is: an inert one, a bare `return` (or `return
/// None`), or an `if` whose branches hold only such statements (the guarded early `return` of a
/// body that does its work only on some databases, and has none written).
fn changes_nothing(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Return(ret) => ret
            .value
            .as_deref()
            .is_none_or(|value| matches!(value, Expr::NoneLiteral(_))),
        Stmt::If(if_stmt) => {
            if_stmt.body.iter().all(changes_nothing)
                && if_stmt
                    .elif_else_clauses
                    .iter()
                    .all(|clause| clause.body.iter().all(changes_nothing))
        }
        _ => is_inert(stmt),
    }
}

/// `(is_noop, only_raises)` of a function body.
pub(crate) fn body_shape(body: &[Stmt]) -> (bool, bool) {
    let mut active = body.iter().filter(|stmt| !changes_nothing(stmt)).peekable();
    if active.peek().is_none() {
        return (true, false);
    }
    (false, active.all(|stmt| matches!(stmt, Stmt::Raise(_))))
}
