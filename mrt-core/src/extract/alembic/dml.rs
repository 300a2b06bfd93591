//! SQLAlchemy Core and ORM statements an upgrade executes instead of SQL text: which table's rows
//! they write, or that they only read.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use crate::extract::python::{as_call, keyword};
use crate::ir::{OpKind, Spanned};

use super::{Frame, MAX_DEPTH, Walker};

/// A SQLAlchemy Core statement an `execute` call runs.
pub(super) enum CoreStatement {
    /// It writes rows of one table: the data operation.
    Writes(Box<OpKind>),
    /// It only reads.
    Reads,
}

impl<'a> Walker<'_, 'a> {
    /// A SQLAlchemy Core statement executed instead of SQL text. One on a table object
    /// (`t = sa.table("t", ...)`): `t.update()`, `t.insert()`, `t.delete()`, `sa.update(t)`,
    /// `sa.insert(t)`, `sa.delete(t)`, with `.where(...)`, `.values(...)` and the like chained,
    /// writes rows of that table and nothing else, whatever values it binds at run time. A
    /// `select(...)`, or a chain with a method only a select has (`.limit(...)`, `.order_by(...)`),
    /// only reads.
    pub(super) fn core_statement(
        &self,
        expr: &'a Expr,
        frame: &Frame<'a>,
    ) -> Option<CoreStatement> {
        let mut reads = false;
        let writes = self.core_dml(expr, frame, &mut reads);
        match writes {
            Some(kind) => Some(CoreStatement::Writes(Box::new(kind))),
            None => reads.then_some(CoreStatement::Reads),
        }
    }

    /// The data operation of a Core statement, walking its method chain down to the call that
    /// names the table; `reads` is set when a select-only method is passed on the way.
    pub(super) fn core_dml(
        &self,
        expr: &'a Expr,
        frame: &Frame<'a>,
        reads: &mut bool,
    ) -> Option<OpKind> {
        let mut expr = Self::resolve(expr, frame);
        let mut has_where = false;
        // A statement reassigned from itself (`stmt = stmt.where(...)`) resolves in a circle: the
        // walk stops after a bounded number of steps.
        for _ in 0..MAX_DEPTH {
            let call = as_call(expr)?;
            let (verb, receiver) = match &*call.func {
                Expr::Attribute(attribute) => (attribute.attr.as_str(), Some(&*attribute.value)),
                // `from sqlalchemy import update`.
                Expr::Name(name) => (name.id.as_str(), None),
                _ => return None,
            };
            match verb {
                "where" | "filter" | "filter_by" => has_where = true,
                "values"
                | "ordered_values"
                | "returning"
                | "return_defaults"
                | "inline"
                | "execution_options"
                | "prefix_with"
                | "with_dialect_options" => {}
                "select" | "limit" | "offset" | "order_by" | "group_by" | "having"
                | "select_from" | "distinct" | "with_only_columns" | "add_columns" => {
                    *reads = true;
                    if verb == "select" {
                        return None;
                    }
                }
                "update" | "insert" | "delete" => {
                    // `t.update(whereclause)` (SQLAlchemy 1.x) or `sa.update(t)`.
                    let (table, legacy_where) =
                        match receiver.and_then(|receiver| self.table_object(receiver, frame)) {
                            Some(table) => (table, !call.arguments.args.is_empty()),
                            None => (
                                self.table_object(call.arguments.args.first()?, frame)?,
                                call.arguments.args.len() > 1,
                            ),
                        };
                    *reads = false;
                    let has_where =
                        has_where || legacy_where || keyword(call, "whereclause").is_some();
                    let table = Some(table);
                    return Some(match verb {
                        // Which columns `.values(...)` assigns is not read: empty means unknown.
                        "update" => OpKind::UpdateRows {
                            table,
                            has_where,
                            columns: Vec::new(),
                        },
                        "delete" => OpKind::DeleteRows { table, has_where },
                        _ => OpKind::InsertRows { table },
                    });
                }
                _ => return None,
            }
            expr = Self::resolve(receiver?, frame);
        }
        None
    }

    /// An ORM bulk statement, `session.query(Model).filter(...).delete()` or `.update({...})`, on a
    /// model the file defines with a `__tablename__`: rows of that table are written.
    pub(super) fn orm_bulk_query(&self, call: &'a ExprCall, frame: &Frame<'a>) -> Option<OpKind> {
        let Expr::Attribute(attribute) = &*call.func else {
            return None;
        };
        let verb = attribute.attr.as_str();
        if !matches!(verb, "delete" | "update") {
            return None;
        }
        let mut has_where = false;
        let mut receiver = Self::resolve(&attribute.value, frame);
        for _ in 0..MAX_DEPTH {
            let inner = as_call(receiver)?;
            let Expr::Attribute(method) = &*inner.func else {
                return None;
            };
            match method.attr.as_str() {
                "filter" | "filter_by" | "where" => has_where = true,
                "execution_options" | "with_for_update" => {}
                "query" => {
                    let [Expr::Name(model)] = inner.arguments.args.as_ref() else {
                        return None;
                    };
                    let tablename = frame
                        .models
                        .get(model.id.as_str())
                        .or_else(|| self.module.models.get(model.id.as_str()))?;
                    let value = self.string(tablename, frame, 0)?;
                    let table = Some(Spanned::new(value, self.at(model.range())));
                    return Some(if verb == "delete" {
                        OpKind::DeleteRows { table, has_where }
                    } else {
                        OpKind::UpdateRows {
                            table,
                            has_where,
                            columns: Vec::new(),
                        }
                    });
                }
                _ => return None,
            }
            receiver = Self::resolve(&method.value, frame);
        }
        None
    }
}
