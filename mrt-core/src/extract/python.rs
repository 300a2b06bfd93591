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

/// `NAME = value` or `NAME: annotation = value` at the top of a statement.
pub(crate) fn assigned_name(stmt: &Stmt) -> Option<(&str, Option<&Expr>)> {
    match stmt {
        Stmt::Assign(assign) => match assign.targets.as_slice() {
            [Expr::Name(target)] => Some((target.id.as_str(), Some(&*assign.value))),
            _ => None,
        },
        Stmt::AnnAssign(assign) => match &*assign.target {
            Expr::Name(target) => Some((target.id.as_str(), assign.value.as_deref())),
            _ => None,
        },
        _ => None,
    }
}

/// A module's top-level constants (`SQL = "..."`, `MAX_LEN = 36`), as a scope: a frontend that
/// knows nothing more about names reads them where a statement uses them.
pub(crate) struct ModuleConstants<'a> {
    values: std::collections::HashMap<&'a str, &'a Expr>,
}

impl<'a> ModuleConstants<'a> {
    pub(crate) fn of(suite: &'a [Stmt]) -> Self {
        let values = suite
            .iter()
            .filter_map(assigned_name)
            .filter_map(|(name, value)| Some((name, value?)))
            .collect();
        Self { values }
    }
}

impl Scope for ModuleConstants<'_> {
    fn name(&self, name: &str, depth: usize) -> Option<String> {
        evaluate_string(self.values.get(name)?, self, depth)
    }

    fn number(&self, name: &str) -> Option<String> {
        int_literal(self.values.get(name)?)
    }
}

// ----- evaluation of strings ---------------------------------------------------------------------

/// How deep the evaluation of one value may nest (names bound to names, concatenations of
/// concatenations) before it gives up on the value.
pub(crate) const MAX_EVAL_DEPTH: usize = 8;

/// What a frontend knows about names and calls where an expression is evaluated: the one thing
/// that differs between Alembic's helpers and locals and Django's module. Everything else about
/// reading a string statically is [`evaluate_string`].
pub(crate) trait Scope {
    /// The string a name holds, if it is known; `depth` is passed on to [`evaluate_string`].
    fn name(&self, name: &str, depth: usize) -> Option<String>;

    /// The string a call returns, for the calls the frontend knows (Alembic's `op.f("...")`).
    fn call(&self, _call: &ExprCall, _depth: usize) -> Option<String> {
        None
    }

    /// The integer a name holds (`MAX_LEN = 36`), as text, for interpolations.
    fn number(&self, _name: &str) -> Option<String> {
        None
    }
}

/// A string known without running anything: a literal, a name the scope knows, a call it knows, a
/// `+` of those, an f-string, `%`-formatting or `.format(...)` whose every part is known. Numbers
/// count as their text inside an interpolation (`f"VARCHAR({MAX_LEN})"`).
pub(crate) fn evaluate_string(expr: &Expr, scope: &dyn Scope, depth: usize) -> Option<String> {
    if depth > MAX_EVAL_DEPTH {
        return None;
    }
    let next = depth + 1;
    match expr {
        Expr::StringLiteral(literal) => Some(literal.value.to_str().to_owned()),
        Expr::Name(name) => scope.name(name.id.as_str(), next),
        Expr::BinOp(binop) => match binop.op {
            ruff_python_ast::Operator::Add => {
                let mut left = evaluate_string(&binop.left, scope, next)?;
                left.push_str(&evaluate_string(&binop.right, scope, next)?);
                Some(left)
            }
            ruff_python_ast::Operator::Mod => {
                let template = evaluate_string(&binop.left, scope, next)?;
                let values: Vec<String> = match &*binop.right {
                    Expr::Tuple(tuple) => tuple
                        .elts
                        .iter()
                        .map(|value| interpolated(value, scope, next))
                        .collect::<Option<_>>()?,
                    single => vec![interpolated(single, scope, next)?],
                };
                percent_format(&template, &values)
            }
            _ => None,
        },
        Expr::FString(fstring) => match fstring_text(fstring, scope, next) {
            (text, true) => Some(text),
            (_, false) => None,
        },
        Expr::Call(call) => {
            if let Expr::Attribute(attribute) = &*call.func
                && attribute.attr.as_str() == "format"
            {
                let template = evaluate_string(&attribute.value, scope, next)?;
                let positional: Vec<String> = call
                    .arguments
                    .args
                    .iter()
                    .map(|value| interpolated(value, scope, next))
                    .collect::<Option<_>>()?;
                let mut named = Vec::new();
                for keyword in &call.arguments.keywords {
                    // `**kwargs`: which names it holds is not known.
                    let name = keyword.arg.as_ref()?;
                    named.push((name.as_str(), interpolated(&keyword.value, scope, next)?));
                }
                return brace_format(&template, &positional, &named);
            }
            if let Some(text) = string_method(call, scope, next) {
                return Some(text);
            }
            scope.call(call, next)
        }
        _ => None,
    }
}

/// A known string's `.replace(old, new)`, `.lower()` or `.upper()` (a table's name made from a
/// column's: `column.replace("_", ".")`), when the string and the arguments are known.
fn string_method(call: &ExprCall, scope: &dyn Scope, depth: usize) -> Option<String> {
    let Expr::Attribute(attribute) = &*call.func else {
        return None;
    };
    if !call.arguments.keywords.is_empty() {
        return None;
    }
    let method = attribute.attr.as_str();
    if !matches!(method, "replace" | "lower" | "upper") {
        return None;
    }
    let text = evaluate_string(&attribute.value, scope, depth)?;
    match (method, &*call.arguments.args) {
        ("replace", [old, new]) => Some(text.replace(
            &evaluate_string(old, scope, depth)?,
            &evaluate_string(new, scope, depth)?,
        )),
        ("lower", []) => Some(text.to_lowercase()),
        ("upper", []) => Some(text.to_uppercase()),
        _ => None,
    }
}

/// The beginning of a string that cannot be read whole, as far as it is known: the literal text
/// of an f-string up to its first unknown value, a `%` or `.format` template up to its first
/// field, the known left side of a `+`. Empty when nothing at its start is known. What SQL built
/// at run time can touch is judged from it (`crate::ir::SqlReach::of_prefix`).
pub(crate) fn known_prefix(expr: &Expr, scope: &dyn Scope, depth: usize) -> String {
    if depth > MAX_EVAL_DEPTH {
        return String::new();
    }
    let next = depth + 1;
    if let Some(whole) = evaluate_string(expr, scope, next) {
        return whole;
    }
    match expr {
        Expr::BinOp(binop) => match binop.op {
            ruff_python_ast::Operator::Add => match evaluate_string(&binop.left, scope, next) {
                Some(mut left) => {
                    left.push_str(&known_prefix(&binop.right, scope, next));
                    left
                }
                None => known_prefix(&binop.left, scope, next),
            },
            ruff_python_ast::Operator::Mod => evaluate_string(&binop.left, scope, next)
                .map(|template| up_to(&template, '%'))
                .unwrap_or_default(),
            _ => String::new(),
        },
        Expr::FString(fstring) => fstring_text(fstring, scope, next).0,
        Expr::Call(call) => match &*call.func {
            Expr::Attribute(attribute) if attribute.attr.as_str() == "format" => {
                evaluate_string(&attribute.value, scope, next)
                    .map(|template| up_to(&template, '{'))
                    .unwrap_or_default()
            }
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// The text of an f-string as far as its values are known, and whether all of them were: literal
/// parts, and interpolations the scope knows. Conversions and format specs change the text: a
/// value with one is not followed, and the text stops before it.
fn fstring_text(
    fstring: &ruff_python_ast::ExprFString,
    scope: &dyn Scope,
    depth: usize,
) -> (String, bool) {
    let (text, read) = read_fstring(fstring, scope, depth, &|_| false);
    (text, read == FStringRead::Whole)
}

/// The SQL of an f-string whose unknown values all fall inside SQL string literals
/// (`f"UPDATE users SET created = '{now}'"`): what it does is known, only the values are not.
/// Each such value reads as an empty literal. `None` when a value that cannot be read stands
/// anywhere else (a table's name), or the f-string has none (it is then read whole elsewhere).
pub(crate) fn sql_with_unknown_literals(
    fstring: &ruff_python_ast::ExprFString,
    scope: &dyn Scope,
    depth: usize,
) -> Option<String> {
    // Inside a literal: an odd number of quotes so far (a doubled quote within one counts twice).
    let in_literal = |so_far: &str| so_far.matches('\'').count() % 2 == 1;
    let (text, read) = read_fstring(fstring, scope, depth, &in_literal);
    (read == FStringRead::Skipped).then_some(text)
}

/// How much of an f-string [`read_fstring`] read.
#[derive(PartialEq)]
enum FStringRead {
    /// Every value.
    Whole,
    /// All but values it was allowed to skip.
    Skipped,
    /// Up to a value it could not read nor skip.
    Stopped,
}

/// The text of an f-string with its known values in place. A value that cannot be read (or has
/// a conversion or a format spec, which change the text) is left out when `skip` allows it, given
/// the text before it; else the text stops there.
fn read_fstring(
    fstring: &ruff_python_ast::ExprFString,
    scope: &dyn Scope,
    depth: usize,
    skip: &dyn Fn(&str) -> bool,
) -> (String, FStringRead) {
    let mut text = String::new();
    let mut read = FStringRead::Whole;
    for part in &fstring.value {
        match part {
            ruff_python_ast::FStringPart::Literal(literal) => text.push_str(&literal.value),
            ruff_python_ast::FStringPart::FString(fstring) => {
                for element in &fstring.elements {
                    match element {
                        ruff_python_ast::InterpolatedStringElement::Literal(literal) => {
                            text.push_str(&literal.value);
                        }
                        ruff_python_ast::InterpolatedStringElement::Interpolation(element) => {
                            let plain = element.format_spec.is_none()
                                && element.debug_text.is_none()
                                && element.conversion == ruff_python_ast::ConversionFlag::None;
                            match plain
                                .then(|| interpolated(&element.expression, scope, depth))
                                .flatten()
                            {
                                Some(value) => text.push_str(&value),
                                None if skip(&text) => read = FStringRead::Skipped,
                                None => return (text, FStringRead::Stopped),
                            }
                        }
                    }
                }
            }
        }
    }
    (text, read)
}

/// `text` up to the first `field` character (the first `%` or `{` of a template).
fn up_to(text: &str, field: char) -> String {
    text.split(field).next().unwrap_or_default().to_owned()
}

/// A value placed into a template: a known string, or an integer literal's text.
fn interpolated(expr: &Expr, scope: &dyn Scope, depth: usize) -> Option<String> {
    match expr {
        Expr::NumberLiteral(_) => int_literal(expr),
        Expr::Name(name) => scope
            .name(name.id.as_str(), depth)
            .or_else(|| scope.number(name.id.as_str())),
        other => evaluate_string(other, scope, depth),
    }
}

/// The text of an integer literal (`36`).
pub(crate) fn int_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::NumberLiteral(ruff_python_ast::ExprNumberLiteral {
            value: ruff_python_ast::Number::Int(int),
            ..
        }) => Some(int.to_string()),
        _ => None,
    }
}

/// `template % values` for `%s` / `%d` / `%i` / `%r`-free templates; `None` for anything else
/// (named or padded conversions, too few or too many values).
fn percent_format(template: &str, values: &[String]) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut values = values.iter();
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'd' | 'i' => out.push_str(values.next()?),
            _ => return None,
        }
    }
    values.next().is_none().then_some(out)
}

/// `template.format(*positional, **named)` for `{}`, `{0}` and `{name}` fields; `None` for format
/// specs, conversions, attribute or index lookups, and fields with no value.
fn brace_format(template: &str, positional: &[String], named: &[(&str, String)]) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut automatic = 0;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        c => field.push(c),
                    }
                }
                let value = if field.is_empty() {
                    automatic += 1;
                    positional.get(automatic - 1)?
                } else if let Ok(index) = field.parse::<usize>() {
                    positional.get(index)?
                } else {
                    &named.iter().find(|(name, _)| *name == field)?.1
                };
                out.push_str(value);
            }
            '}' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scope that knows no names: only literals and what is built from them are read.
    struct NoNames;

    impl Scope for NoNames {
        fn name(&self, _name: &str, _depth: usize) -> Option<String> {
            None
        }
    }

    fn evaluated(source: &str) -> Option<String> {
        let parsed = ruff_python_parser::parse_expression(source).ok()?;
        evaluate_string(parsed.expr(), &NoNames, 0)
    }

    #[test]
    fn module_constants_are_read_where_they_are_used() {
        let parsed = ruff_python_parser::parse_module(
            "TABLE = 'users'\nWIDTH = 36\nSQL = f'ALTER TABLE {TABLE} ALTER name TYPE VARCHAR({WIDTH})'\n",
        )
        .expect("valid module");
        let constants = ModuleConstants::of(parsed.suite());
        let name = ruff_python_parser::parse_expression("SQL").expect("a name");
        assert_eq!(
            evaluate_string(name.expr(), &constants, 0).as_deref(),
            Some("ALTER TABLE users ALTER name TYPE VARCHAR(36)")
        );
        let unknown = ruff_python_parser::parse_expression("OTHER").expect("a name");
        assert_eq!(evaluate_string(unknown.expr(), &constants, 0), None);
    }

    #[test]
    fn templates_of_known_values_are_read() {
        assert_eq!(
            evaluated(r#""DROP TYPE %s" % "mood""#).as_deref(),
            Some("DROP TYPE mood")
        );
        assert_eq!(
            evaluated(r#""ALTER TABLE %s ALTER %s TYPE VARCHAR(%d)" % ("t", "c", 36)"#).as_deref(),
            Some("ALTER TABLE t ALTER c TYPE VARCHAR(36)")
        );
        assert_eq!(
            evaluated(r#""DROP {} {name} {{x}}".format("TYPE", name="mood")"#).as_deref(),
            Some("DROP TYPE mood {x}")
        );
        assert_eq!(evaluated(r#"f"ix_{'t'}_{3}""#).as_deref(), Some("ix_t_3"));
    }

    #[test]
    fn the_known_beginning_of_a_string_built_at_run_time() {
        let prefix = |source: &str| {
            let parsed = ruff_python_parser::parse_expression(source).expect("an expression");
            known_prefix(parsed.expr(), &NoNames, 0)
        };
        assert_eq!(
            prefix(r#"f"UPDATE users SET plan = '{plan}'""#),
            "UPDATE users SET plan = '"
        );
        assert_eq!(
            prefix(r#""ALTER TABLE users DROP %s" % column"#),
            "ALTER TABLE users DROP "
        );
        assert_eq!(
            prefix(r#""DELETE FROM {} WHERE id = {}".format(t, i)"#),
            "DELETE FROM "
        );
        assert_eq!(
            prefix(r#""ALTER TABLE t " + action + " x""#),
            "ALTER TABLE t "
        );
        assert_eq!(prefix(r#"f"{verb} TABLE t""#), "");
        assert_eq!(prefix("statement"), "");
        assert_eq!(prefix(r#""whole""#), "whole");
    }

    #[test]
    fn templates_with_unknown_parts_are_not_read() {
        // A name no scope knows, a named conversion, a format spec, a missing value.
        assert_eq!(evaluated(r#""DROP TYPE %s" % name"#), None);
        assert_eq!(evaluated(r#""%(t)s" % {"t": "x"}"#), None);
        assert_eq!(evaluated(r#""{:>4}".format("x")"#), None);
        assert_eq!(evaluated(r#""{} {}".format("x")"#), None);
        assert_eq!(evaluated(r#""%s %s" % ("x",)"#), None);
        assert_eq!(evaluated(r#"f"{x!r}""#), None);
    }
}
