//! Values of a call's arguments as a reader of the file knows them: strings, names, flags, types and
//! defaults, each placed where it is reported.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::{Ranged, TextRange};

use crate::extract::python::{
    Scope, argument, as_call, bool_literal, callee, evaluate_string, keyword, known_prefix,
    sql_with_unknown_literals,
};
use crate::ir::{Name, Spanned, SqlReach, SqlText};

use super::{Frame, MAX_DEPTH, Walker, WalkerScope};

impl<'a> Walker<'_, 'a> {
    /// A string known statically: a literal, `op.f("...")`, a bound parameter, a local or module
    /// constant, or what [`evaluate_string`] builds from those (`+`, f-strings, `%`, `.format`).
    pub(super) fn string(&self, expr: &Expr, frame: &Frame<'a>, depth: usize) -> Option<String> {
        evaluate_string(
            expr,
            &WalkerScope {
                walker: self,
                frame,
            },
            depth,
        )
    }

    /// The SQL an `execute` call sends: a string, `text(...)` of one, followed through local names
    /// and `.bindparams(...)` (parameters bound at run time leave the statement as written).
    pub(super) fn sql_text(
        &self,
        expr: Option<&'a Expr>,
        frame: &Frame<'a>,
        depth: usize,
    ) -> SqlText {
        let Some(expr) = expr else {
            return SqlText::Unreadable(SqlReach::Anything);
        };
        let expr = Self::resolve(expr, frame);
        if let Some(call) = as_call(expr)
            && depth < MAX_DEPTH
        {
            if matches!(callee(call), Some("text" | "dedent" | "literal_column"))
                && call.arguments.args.len() == 1
            {
                return self.sql_text(call.arguments.args.first(), frame, depth + 1);
            }
            if let Expr::Attribute(attribute) = &*call.func
                && matches!(
                    attribute.attr.as_str(),
                    "bindparams" | "execution_options" | "columns"
                )
                && as_call(Self::resolve(&attribute.value, frame))
                    .is_some_and(|inner| callee(inner) == Some("text"))
            {
                return self.sql_text(Some(&attribute.value), frame, depth + 1);
            }
        }
        if let Some(text) = self.string(expr, frame, depth) {
            return SqlText::Literal(text);
        }
        let scope = WalkerScope {
            walker: self,
            frame,
        };
        if let Expr::FString(fstring) = expr
            && let Some(text) = sql_with_unknown_literals(fstring, &scope, depth)
        {
            return SqlText::Literal(text);
        }
        SqlText::Unreadable(SqlReach::of_prefix(&known_prefix(expr, &scope, depth)))
    }

    pub(super) fn name_arg(
        &self,
        call: &ExprCall,
        keyword: &str,
        position: usize,
        frame: &Frame<'a>,
    ) -> Name {
        self.name_value(argument(call, keyword, position), frame)
    }

    /// A name given as `expr`: a string known statically, a helper's parameter bound to one, or
    /// the text of an attribute (`Model.__tablename__`).
    pub(super) fn name_value(&self, expr: Option<&Expr>, frame: &Frame<'a>) -> Name {
        let expr = expr?;
        if let Expr::Name(name) = expr
            && let Some(bound) = frame.strings.get(name.id.as_str())
        {
            // A helper's parameter: point at the argument the call passed.
            return Some(bound.clone());
        }
        let value = match self.string(expr, frame, 0) {
            Some(value) => value,
            // `SqlWebhook.__tablename__`: not readable, but the same text names the same table
            // everywhere in the file, which is what "created earlier in this upgrade" needs.
            None if matches!(expr, Expr::Attribute(_)) => {
                self.module.source[expr.range()].to_owned()
            }
            None => return None,
        };
        Some(Spanned::new(value, self.at(expr.range())))
    }

    pub(super) fn bool_arg(&self, call: &ExprCall, name: &str) -> Option<Spanned<bool>> {
        let expr = keyword(call, name)?;
        bool_literal(expr).map(|value| Spanned::new(value, self.at(expr.range())))
    }

    pub(super) fn text_of(&self, expr: &Expr) -> Spanned<String> {
        Spanned::new(
            self.module.source[expr.range()].to_owned(),
            self.at(expr.range()),
        )
    }

    pub(super) fn type_arg(
        &self,
        call: &ExprCall,
        name: &str,
        frame: &Frame<'a>,
    ) -> Option<Spanned<String>> {
        keyword(call, name).map(|expr| self.type_text(expr, frame))
    }

    /// A column type as written, with the constants among its arguments put in
    /// (`sa.String(MAX_LEN)` with `MAX_LEN = 36` reads `sa.String(36)`), so that the same type
    /// compares equal however it was spelled.
    pub(super) fn type_text(&self, expr: &Expr, frame: &Frame<'a>) -> Spanned<String> {
        let mut replacements = Vec::new();
        self.constant_arguments(expr, frame, 0, &mut replacements);
        let range = expr.range();
        let mut text = String::new();
        let mut at = range.start();
        for (inner, value) in replacements {
            text.push_str(&self.module.source[TextRange::new(at, inner.start())]);
            text.push_str(&value);
            at = inner.end();
        }
        text.push_str(&self.module.source[TextRange::new(at, range.end())]);
        Spanned::new(text, self.at(range))
    }

    /// The names among a type's call arguments (nested calls included) that hold an integer or a
    /// string known statically, with the literal that replaces each, in source order.
    pub(super) fn constant_arguments(
        &self,
        expr: &Expr,
        frame: &Frame<'a>,
        depth: usize,
        found: &mut Vec<(TextRange, String)>,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let Expr::Call(call) = expr else { return };
        // `sa.String(N).with_variant(...)`: the type the method is called on.
        if let Expr::Attribute(attribute) = &*call.func {
            self.constant_arguments(&attribute.value, frame, depth + 1, found);
        }
        let values = call
            .arguments
            .args
            .iter()
            .chain(call.arguments.keywords.iter().map(|keyword| &keyword.value));
        let mut values: Vec<&Expr> = values.collect();
        values.sort_by_key(Ranged::start);
        for value in values {
            match value {
                Expr::Name(name) => {
                    let scope = WalkerScope {
                        walker: self,
                        frame,
                    };
                    let literal = scope
                        .number(name.id.as_str())
                        .or_else(|| self.string(value, frame, 0).map(|text| format!("{text:?}")));
                    if let Some(literal) = literal {
                        found.push((value.range(), literal));
                    }
                }
                Expr::Call(_) => self.constant_arguments(value, frame, depth + 1, found),
                _ => {}
            }
        }
    }

    /// A `server_default=`-like value: `None` / `False` drop it; a string or `text("...")` gives its
    /// SQL; anything else its source text.
    pub(super) fn default_arg(
        &self,
        call: &ExprCall,
        name: &str,
        frame: &Frame<'a>,
    ) -> Option<Spanned<Option<String>>> {
        let expr = keyword(call, name)?;
        let value = match expr {
            Expr::NoneLiteral(_) | Expr::BooleanLiteral(_) if bool_literal(expr) != Some(true) => {
                None
            }
            _ => match self.sql_text(Some(expr), frame, 0) {
                SqlText::Literal(text) => Some(text),
                SqlText::Unreadable(_) => Some(self.module.source[expr.range()].to_owned()),
            },
        };
        Some(Spanned::new(value, self.at(expr.range())))
    }

    /// Follows a name to the expression assigned to it, and a helper call to what it returns.
    pub(super) fn resolve(expr: &'a Expr, frame: &Frame<'a>) -> &'a Expr {
        let mut expr = expr;
        for _ in 0..MAX_DEPTH {
            match expr {
                Expr::Name(name) => match frame.locals.get(name.id.as_str()) {
                    Some(value) => expr = value,
                    None => break,
                },
                _ => break,
            }
        }
        expr
    }

    /// What `expr` stands for, followed through local names, then a module constant (a table or
    /// an enum defined once at the top of the file); `expr` itself when it names neither.
    pub(super) fn resolve_value(&self, expr: &'a Expr, frame: &Frame<'a>) -> &'a Expr {
        match Self::resolve(expr, frame) {
            Expr::Name(name) => self
                .module
                .constants
                .get(name.id.as_str())
                .copied()
                .unwrap_or(expr),
            other => other,
        }
    }

    pub(super) fn strings_arg(&self, expr: Option<&'a Expr>, frame: &Frame<'a>) -> Vec<String> {
        let Some(expr) = expr else { return Vec::new() };
        let mut expr = self.resolve_value(expr, frame);
        // `list(columns)`, `tuple(columns)`: the same names.
        if let Expr::Call(call) = expr
            && let Expr::Name(function) = &*call.func
            && matches!(function.id.as_str(), "list" | "tuple")
            && let [only] = &*call.arguments.args
            && call.arguments.keywords.is_empty()
        {
            expr = self.resolve_value(only, frame);
        }
        let items: &[Expr] = match expr {
            Expr::List(list) => &list.elts,
            Expr::Tuple(tuple) => &tuple.elts,
            single => std::slice::from_ref(single),
        };
        items
            .iter()
            .map(|item| {
                self.string(item, frame, 0)
                    .unwrap_or_else(|| self.module.source[item.range()].to_owned())
            })
            .collect()
    }
}
