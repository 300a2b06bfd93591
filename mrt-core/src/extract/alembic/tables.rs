//! Tables, columns, enum types and constraints as `create_table`, `add_column` and their helpers
//! build them.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use crate::extract::python::{as_call, callee, keyword};
use crate::ir::{ColumnDef, ConstraintDef, ConstraintKind, ForeignKey, Name, OpKind, Spanned};

use super::{Frame, MAX_DEPTH, Target, Walker, returned_expr};

impl<'a> Walker<'_, 'a> {
    pub(super) fn ondelete(&self, call: &ExprCall, frame: &Frame<'a>) -> Option<Spanned<String>> {
        let expr = keyword(call, "ondelete")?;
        let value = self.string(expr, frame, 0)?;
        Some(Spanned::new(
            value.to_ascii_uppercase(),
            self.at(expr.range()),
        ))
    }

    /// The table name of `sa.table("t", ...)`, `sa.Table("t", ...)` or `op.create_table("t", ...)`,
    /// followed through local names.
    pub(super) fn table_object(&self, expr: &'a Expr, frame: &Frame<'a>) -> Name {
        let resolved = self.resolve_value(expr, frame);
        let call = as_call(resolved)?;
        if !matches!(callee(call), Some("table" | "Table" | "create_table")) {
            return None;
        }
        let name = call.arguments.args.first()?;
        let value = self.string(name, frame, 0)?;
        Some(Spanned::new(value, self.at(expr.range())))
    }

    pub(super) fn create_table(&self, call: &'a ExprCall, frame: &Frame<'a>) -> OpKind {
        let table = self.name_arg(call, "table_name", 0, frame);
        let mut columns = Vec::new();
        let mut constraints = Vec::new();
        let items = call.arguments.args.iter().skip(1);
        for item in items.flat_map(|item| self.spread(item, frame)) {
            if let Some(column) = self.column(item, frame, 0) {
                columns.push(column);
            } else if let Some(constraint) = self.table_constraint(item, frame, &table) {
                constraints.push(constraint);
            }
        }
        OpKind::CreateTable {
            table,
            columns,
            constraints,
        }
    }

    /// The positional arguments an argument stands for: itself, or for `*columns` the elements of
    /// the list or tuple `columns` names (a local, a module constant, a helper's `*args`). A
    /// spread of something unknown stands for nothing.
    pub(super) fn spread(&self, item: &'a Expr, frame: &Frame<'a>) -> Vec<&'a Expr> {
        let Expr::Starred(starred) = item else {
            return vec![item];
        };
        if let Expr::Name(name) = &*starred.value
            && let Some(items) = frame.varargs.get(name.id.as_str())
        {
            return items.clone();
        }
        let resolved = match Self::resolve(&starred.value, frame) {
            Expr::Name(name) => self.module.constants.get(name.id.as_str()).copied(),
            other => Some(other),
        };
        match resolved {
            Some(Expr::List(list)) => list.elts.iter().collect(),
            Some(Expr::Tuple(tuple)) => tuple.elts.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// `sa.Column(...)`, followed through local names and helpers that return one.
    pub(super) fn column(
        &self,
        expr: &'a Expr,
        frame: &Frame<'a>,
        depth: usize,
    ) -> Option<ColumnDef> {
        let resolved = Self::resolve(expr, frame);
        let call = as_call(resolved)?;
        if callee(call) != Some("Column") {
            let Some(Target::Helper(def)) = self.target(call, frame) else {
                return None;
            };
            if depth >= MAX_DEPTH {
                return None;
            }
            let returned = returned_expr(def)?;
            let inner = self.bind_parameters(def, call, frame);
            // What the helper wrote is reported at the call that built this column.
            let site = self.at(expr.range());
            self.column_helpers.borrow_mut().push((def.range, site));
            let column = self.column(returned, &inner, depth + 1);
            self.column_helpers.borrow_mut().pop();
            return column;
        }
        let positional = &call.arguments.args;
        let (name, rest) = match positional.first() {
            Some(first) if self.string(first, frame, 0).is_some() => (
                self.string(first, frame, 0)
                    .map(|value| Spanned::new(value, self.at(first.range()))),
                &positional[1..],
            ),
            _ => (
                keyword(call, "name").and_then(|expr| {
                    self.string(expr, frame, 0)
                        .map(|value| Spanned::new(value, self.at(expr.range())))
                }),
                &positional[..],
            ),
        };
        let mut type_expr = keyword(call, "type_");
        let mut type_text = type_expr.map(|expr| self.type_text(expr, frame));
        let mut foreign_keys = Vec::new();
        let mut generated = false;
        for item in rest {
            match as_call(item).and_then(callee) {
                Some("ForeignKey") => {
                    let Some(key) = as_call(item) else { continue };
                    foreign_keys.push(ForeignKey {
                        name: self.name_arg(key, "name", usize::MAX, frame),
                        target: key
                            .arguments
                            .args
                            .first()
                            .and_then(|target| self.string(target, frame, 0))
                            .unwrap_or_default(),
                        ondelete: self.ondelete(key, frame),
                        range: self.at(item.range()),
                    });
                }
                Some("Computed" | "Identity") => generated = true,
                Some("Sequence" | "CheckConstraint") => {}
                _ if type_text.is_none() => {
                    type_text = Some(self.type_text(item, frame));
                    type_expr = Some(item);
                }
                _ => {}
            }
        }
        let flag = |name: &str| self.bool_arg(call, name).is_some_and(|flag| flag.value);
        Some(ColumnDef {
            name,
            type_text,
            nullable: self.bool_arg(call, "nullable"),
            server_default: self.default_arg(call, "server_default", frame),
            default: keyword(call, "default").map(|expr| self.text_of(expr)),
            primary_key: flag("primary_key"),
            foreign_keys,
            unique: flag("unique"),
            index: flag("index"),
            generated,
            enum_type: type_expr.and_then(|expr| self.implicit_enum(expr, frame)),
            range: self.at(expr.range()),
        })
    }

    /// The enum type a column type creates with its table: `sa.Enum(..., name="x")` or
    /// `postgresql.ENUM(..., name="x")`, directly or through a name, unless `create_type=False`
    /// (or a native enum is turned off).
    pub(super) fn implicit_enum(&self, expr: &'a Expr, frame: &Frame<'a>) -> Name {
        let call = self.enum_call(expr, frame)?;
        let off = |flag: &str| self.bool_arg(call, flag).is_some_and(|value| !value.value);
        if off("create_type") || off("native_enum") {
            return None;
        }
        let name = keyword(call, "name")?;
        let value = self.string(name, frame, 0)?;
        // An enum defined once and used by name is pointed at where this column uses it.
        let range = if matches!(expr, Expr::Name(_)) {
            expr.range()
        } else {
            name.range()
        };
        Some(Spanned::new(value, self.at(range)))
    }

    /// `sa.Enum(...)` / `postgresql.ENUM(...)`, followed through local and module names.
    pub(super) fn enum_call(&self, expr: &'a Expr, frame: &Frame<'a>) -> Option<&'a ExprCall> {
        let resolved = self.resolve_value(expr, frame);
        as_call(resolved).filter(|call| matches!(callee(call), Some("Enum" | "ENUM")))
    }

    /// `enum.create(bind)` / `enum.drop(bind)` on an enum type: the type created or dropped.
    pub(super) fn enum_type_call(&self, call: &'a ExprCall, frame: &Frame<'a>) -> Option<OpKind> {
        let Expr::Attribute(attribute) = &*call.func else {
            return None;
        };
        let method = attribute.attr.as_str();
        if !matches!(method, "create" | "drop") {
            return None;
        }
        let enum_call = self.enum_call(&attribute.value, frame)?;
        let name = keyword(enum_call, "name")?;
        let value = self.string(name, frame, 0)?;
        let name = Some(Spanned::new(value, self.at(call.range())));
        Some(if method == "drop" {
            OpKind::DropType { name }
        } else {
            OpKind::CreateType {
                name,
                enum_values: Vec::new(),
            }
        })
    }

    /// `PrimaryKeyConstraint`, `ForeignKeyConstraint`, `UniqueConstraint`, `CheckConstraint` given to
    /// `create_table`.
    pub(super) fn table_constraint(
        &self,
        expr: &'a Expr,
        frame: &Frame<'a>,
        table: &Name,
    ) -> Option<ConstraintDef> {
        let call = as_call(Self::resolve(expr, frame))?;
        let kind = match callee(call)? {
            "PrimaryKeyConstraint" => ConstraintKind::PrimaryKey,
            "ForeignKeyConstraint" => ConstraintKind::ForeignKey,
            "UniqueConstraint" => ConstraintKind::Unique,
            "CheckConstraint" => ConstraintKind::Check,
            _ => return None,
        };
        let name = keyword(call, "name").and_then(|expr| {
            self.string(expr, frame, 0)
                .map(|value| Spanned::new(value, self.at(expr.range())))
        });
        let (columns, foreign_key) = match kind {
            ConstraintKind::ForeignKey => {
                let referenced = self.strings_arg(call.arguments.args.get(1), frame);
                let target = referenced
                    .first()
                    .and_then(|column| column.rsplit_once('.'))
                    .map(|(table, _)| table.to_owned())
                    .unwrap_or_default();
                (
                    self.strings_arg(call.arguments.args.first(), frame),
                    Some(ForeignKey {
                        name: None,
                        target,
                        ondelete: self.ondelete(call, frame),
                        range: self.at(call.range()),
                    }),
                )
            }
            ConstraintKind::Check => (Vec::new(), None),
            ConstraintKind::PrimaryKey | ConstraintKind::Unique => (
                call.arguments
                    .args
                    .iter()
                    .filter_map(|column| self.string(column, frame, 0))
                    .collect(),
                None,
            ),
        };
        let condition = (kind == ConstraintKind::Check)
            .then(|| call.arguments.args.first())
            .flatten()
            .map(|condition| self.module.source[condition.range()].to_owned());
        Some(ConstraintDef {
            kind,
            name,
            table: table.clone(),
            columns,
            foreign_key,
            condition,
            not_valid: false,
            range: self.at(expr.range()),
        })
    }
}
