//! Lowering of Alembic revision files into the Migration IR.
//!
//! Nothing is imported or run. The extractor resolves what a reader of the file would: how `op` was
//! imported, `batch_alter_table` blocks, module-level string constants, simple local assignments, and
//! module-level helper functions called from `upgrade()` / `downgrade()` (their operations count at
//! the call, with string arguments bound to the helper's parameters).
//!
//! This module walks the bodies (control flow, dialect guards, helpers, bindings); the `op`
//! catalogue and the lowering of its calls are in [`catalogue`], tables and columns in `tables`,
//! argument values in `values`, and SQLAlchemy Core / ORM statements in `dml`.

use std::collections::{BTreeMap, BTreeSet};

use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef, StmtWith};
use ruff_text_size::{Ranged, TextRange};

use super::python::{
    Scope, as_call, assigned_name, body_shape, callee, evaluate_string, keyword, string_list,
    string_literal,
};
use crate::ir::{
    Batch, Body, DialectGuard, OpContext, OpKind, Operation, Spanned, SqlText, SqlVia,
};

mod catalogue;
mod dml;
mod tables;
mod values;

use catalogue::OpArguments;
use dml::CoreStatement;

/// How deep helper calls and name resolution may nest before the extractor gives up on a value.
const MAX_DEPTH: usize = 8;

/// Loops over longer literals are walked once, not unrolled.
const MAX_UNROLL: usize = 64;

/// Names conventionally bound to a database connection in migrations (`conn = op.get_bind()`).
const CONNECTION_NAMES: &[&str] = &["conn", "connection", "bind", "session", "db"];

/// The revision metadata and bodies read from a module.
#[derive(Debug, Default)]
pub(crate) struct AlembicModule {
    pub(crate) revision: Option<Spanned<String>>,
    pub(crate) parents: Vec<Spanned<String>>,
    pub(crate) parents_range: Option<TextRange>,
    pub(crate) branch_labels: Vec<Spanned<String>>,
    pub(crate) depends_on: Vec<Spanned<String>>,
    pub(crate) upgrade: Option<Body>,
    pub(crate) downgrade: Option<Body>,
}

/// Whether a module is an Alembic revision: a module-level `revision` and a `def upgrade`.
pub(crate) fn is_revision_module(suite: &[Stmt]) -> bool {
    let has_revision = suite
        .iter()
        .any(|stmt| assigned_name(stmt).is_some_and(|(name, _)| name == "revision"));
    has_revision && function(suite, "upgrade").is_some()
}

/// Lowers an Alembic revision module.
pub(crate) fn lower(suite: &[Stmt], source: &str) -> AlembicModule {
    let module = Module::scan(suite, source);
    let mut lowered = AlembicModule::default();
    for stmt in suite {
        let Some((name, value)) = assigned_name(stmt) else {
            continue;
        };
        let Some(value) = value else { continue };
        match name {
            "revision" => {
                lowered.revision =
                    string_literal(value).map(|id| Spanned::new(id.to_owned(), value.range()));
            }
            "down_revision" => {
                lowered.parents = string_list(value).unwrap_or_default();
                lowered.parents_range = Some(stmt.range());
            }
            "branch_labels" => lowered.branch_labels = module.branch_labels(value),
            "depends_on" => lowered.depends_on = string_list(value).unwrap_or_default(),
            _ => {}
        }
    }
    lowered.upgrade = function(suite, "upgrade").map(|def| module.lower_body(def));
    lowered.downgrade = function(suite, "downgrade").map(|def| module.lower_body(def));
    lowered
}

fn function<'a>(suite: &'a [Stmt], name: &str) -> Option<&'a StmtFunctionDef> {
    suite.iter().rev().find_map(|stmt| match stmt {
        Stmt::FunctionDef(def) if def.name.as_str() == name => Some(def),
        _ => None,
    })
}

/// What the module binds at its top level.
struct Module<'a> {
    source: &'a str,
    /// Names bound to the `alembic.op` module (`op`, `from alembic import op as o`).
    op_modules: BTreeSet<&'a str>,
    /// Names bound to the `alembic` package (`import alembic`: `alembic.op.x(...)`).
    alembic_packages: BTreeSet<&'a str>,
    /// Functions imported from `alembic.op`: local name -> `op` function.
    op_functions: BTreeMap<&'a str, &'a str>,
    /// Module-level functions other than `upgrade` / `downgrade`.
    helpers: BTreeMap<&'a str, &'a StmtFunctionDef>,
    /// Module-level assignments, for constants such as `TABLE = "users"`.
    constants: BTreeMap<&'a str, &'a Expr>,
    /// Every name the module binds at its top level (imports, assignments, definitions).
    bound: BTreeSet<&'a str>,
    /// ORM models defined in the module: class name -> its `__tablename__`.
    models: BTreeMap<&'a str, &'a Expr>,
    /// `op` is used without being bound: a snippet, a docs example or a copy-paste that left its
    /// imports behind. In a revision file the name means only one thing, Alembic's `op`.
    implicit_op: bool,
}

impl<'a> Module<'a> {
    fn scan(suite: &'a [Stmt], source: &'a str) -> Self {
        let mut module = Module {
            source,
            op_modules: BTreeSet::new(),
            alembic_packages: BTreeSet::new(),
            op_functions: BTreeMap::new(),
            helpers: BTreeMap::new(),
            constants: BTreeMap::new(),
            bound: BTreeSet::new(),
            models: BTreeMap::new(),
            implicit_op: false,
        };
        for stmt in suite {
            module.scan_statement(stmt);
        }
        module.implicit_op = !module.bound.contains("op");
        module
    }

    fn scan_statement(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::ImportFrom(import) => {
                let from = import
                    .module
                    .as_ref()
                    .map(ruff_python_ast::Identifier::as_str);
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    self.bound.insert(bound);
                    match (from, alias.name.as_str()) {
                        (Some("alembic"), "op") => {
                            self.op_modules.insert(bound);
                        }
                        (Some("alembic.op"), function) => {
                            self.op_functions.insert(bound, function);
                        }
                        _ => {}
                    }
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    // `import a.b` binds `a`.
                    let bound = alias.asname.as_ref().map_or_else(
                        || alias.name.split('.').next().unwrap_or_default(),
                        ruff_python_ast::Identifier::as_str,
                    );
                    self.bound.insert(bound);
                    match (alias.name.as_str(), &alias.asname) {
                        ("alembic.op", Some(asname)) => {
                            self.op_modules.insert(asname.as_str());
                        }
                        ("alembic" | "alembic.op", None) => {
                            self.alembic_packages.insert("alembic");
                        }
                        _ => {}
                    }
                }
            }
            Stmt::FunctionDef(def) => {
                self.bound.insert(def.name.as_str());
                self.helpers.insert(def.name.as_str(), def);
            }
            Stmt::ClassDef(class) => {
                self.bound.insert(class.name.as_str());
                if let Some(table) = table_name_of_model(class) {
                    self.models.insert(class.name.as_str(), table);
                }
            }
            Stmt::If(if_stmt) => {
                // `if TYPE_CHECKING:` and version checks around imports.
                for stmt in &if_stmt.body {
                    self.scan_statement(stmt);
                }
            }
            Stmt::Try(try_stmt) => {
                for stmt in &try_stmt.body {
                    self.scan_statement(stmt);
                }
            }
            _ => {
                if let Some((name, value)) = assigned_name(stmt) {
                    self.bound.insert(name);
                    if let Some(value) = value {
                        self.constants.insert(name, value);
                    }
                }
            }
        }
    }

    fn walker(&self) -> Walker<'_, 'a> {
        Walker {
            module: self,
            ops: Vec::new(),
            helper_stack: Vec::new(),
            call_site: None,
            helper_ranges: Vec::new(),
            column_helpers: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// `branch_labels`: each label read as a string where it can be (a literal, a constant, an
    /// f-string of constants), else named by its source text. A label set from something the
    /// extractor cannot evaluate (`branch_labels = (BRANCH,)` with `BRANCH` imported) is a label all
    /// the same: the branch is deliberate, and two expressions of the same text name one branch.
    fn branch_labels(&self, value: &'a Expr) -> Vec<Spanned<String>> {
        let walker = self.walker();
        let frame = Frame::default();
        let value = match value {
            Expr::Name(name) => self
                .constants
                .get(name.id.as_str())
                .copied()
                .unwrap_or(value),
            other => other,
        };
        let items: &[Expr] = match value {
            Expr::NoneLiteral(_) => return Vec::new(),
            Expr::Tuple(tuple) => &tuple.elts,
            Expr::List(list) => &list.elts,
            Expr::Set(set) => &set.elts,
            single => std::slice::from_ref(single),
        };
        items
            .iter()
            .map(|item| {
                let label = walker
                    .string(item, &frame, 0)
                    .unwrap_or_else(|| self.source[item.range()].to_owned());
                Spanned::new(label, item.range())
            })
            .collect()
    }

    fn lower_body(&self, def: &'a StmtFunctionDef) -> Body {
        let mut walker = self.walker();
        let mut frame = Frame::default();
        walker.walk(&def.body, &mut frame, &OpContext::default());
        let (is_noop, only_raises) = body_shape(&def.body);
        let statements = match def.body.split_first() {
            Some((first, rest)) if ruff_python_ast::helpers::is_docstring_stmt(first) => rest,
            _ => &def.body[..],
        };
        Body {
            range: def.range,
            name_range: def.name.range(),
            ops: walker.ops,
            is_noop,
            only_raises,
            statements: statements.iter().map(Ranged::range).collect(),
        }
    }
}

/// What a function body binds as it runs, as far as the extractor follows it.
#[derive(Debug, Clone, Default)]
struct Frame<'a> {
    /// Simple local assignments (`table = "users"`, `t = sa.table(...)`).
    locals: BTreeMap<&'a str, &'a Expr>,
    /// Parameters of a helper bound to strings at the call.
    strings: BTreeMap<&'a str, Spanned<String>>,
    /// Names bound to a batch block (`as batch_op`, or a helper parameter given one).
    batches: BTreeMap<&'a str, Batch>,
    /// Names bound to a connection (`conn = op.get_bind()`).
    connections: BTreeSet<&'a str>,
    /// Parameters of a helper bound to the `op` module.
    op_modules: BTreeSet<&'a str>,
    /// Names bound to the dialect's name (`dialect = bind.dialect.name`).
    dialect_names: BTreeSet<&'a str>,
    /// Names bound to the database URL as text (`url = str(bind.engine.url)`).
    database_urls: BTreeSet<&'a str>,
    /// Functions defined inside the body (`def _inner(): ...`), walked where they are called.
    functions: BTreeMap<&'a str, &'a StmtFunctionDef>,
    /// ORM models defined inside the body: class name -> its `__tablename__`.
    models: BTreeMap<&'a str, &'a Expr>,
    /// A helper's `*args` parameter: the extra positional arguments of the call.
    varargs: BTreeMap<&'a str, Vec<&'a Expr>>,
}

/// What a callee turned out to be.
enum Target<'a> {
    /// An `op` function, or a method of a batch block.
    Op { name: &'a str, batch: Option<Batch> },
    /// `.execute(...)` on a connection or context.
    Execute(SqlVia),
    /// A module-level helper function.
    Helper(&'a StmtFunctionDef),
}

struct Walker<'m, 'a> {
    module: &'m Module<'a>,
    ops: Vec<Operation>,
    /// Helpers being walked, to stop recursion.
    helper_stack: Vec<&'a str>,
    /// The call in the body that led into the helpers being walked: where their operations are.
    call_site: Option<TextRange>,
    /// The ranges of the helpers being walked.
    helper_ranges: Vec<TextRange>,
    /// Helpers that return a column, being read for a call that builds one: each helper's range
    /// and the call it is reported at. Read while `&self` is borrowed by the column's reading.
    column_helpers: std::cell::RefCell<Vec<(TextRange, TextRange)>>,
}

impl<'a> Walker<'_, 'a> {
    /// Where a range read inside a helper is reported: at the call of the helper in the body, so a
    /// helper called twice gives two findings on two lines, each suppressible there. Every range
    /// the walker reads goes through here, so what a helper wrote is placed as it is read, never
    /// moved afterwards.
    fn at(&self, range: TextRange) -> TextRange {
        let column_site = self
            .column_helpers
            .borrow()
            .iter()
            .rev()
            .find(|(helper, _)| helper.contains_range(range))
            .map(|(_, site)| *site);
        if let Some(site) = column_site {
            return site;
        }
        match self.call_site {
            Some(site)
                if self
                    .helper_ranges
                    .iter()
                    .any(|helper| helper.contains_range(range)) =>
            {
                site
            }
            _ => range,
        }
    }

    fn walk(&mut self, stmts: &'a [Stmt], frame: &mut Frame<'a>, context: &OpContext) {
        let mut context = context.clone();
        for stmt in stmts {
            self.statement(stmt, frame, &context);
            // `if dialect == "postgresql": return`: what follows runs on the other dialects.
            if let Stmt::If(if_stmt) = stmt
                && if_stmt.elif_else_clauses.is_empty()
                && matches!(if_stmt.body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)))
                && let Some(guard) = Self::dialect_guard(&if_stmt.test, frame)
            {
                context.dialects.push(guard.negated());
            }
        }
    }

    /// A test of the dialect name, if `test` is one.
    fn dialect_guard(test: &Expr, frame: &Frame<'a>) -> Option<DialectGuard> {
        match test {
            Expr::UnaryOp(unary) if unary.op == ruff_python_ast::UnaryOp::Not => {
                Self::dialect_guard(&unary.operand, frame).map(|guard| guard.negated())
            }
            Expr::BoolOp(bool_op) if bool_op.op == ruff_python_ast::BoolOp::Or => {
                let mut names = Vec::new();
                for value in &bool_op.values {
                    let guard = Self::dialect_guard(value, frame)?;
                    if guard.negated {
                        return None;
                    }
                    names.extend(guard.names);
                }
                Some(DialectGuard {
                    names,
                    negated: false,
                })
            }
            // `url.startswith("postgres")`: the URL begins with the dialect's name.
            Expr::Call(call) => {
                let Expr::Attribute(method) = &*call.func else {
                    return None;
                };
                let ([prefix], []) = (&*call.arguments.args, &*call.arguments.keywords) else {
                    return None;
                };
                if method.attr.as_str() != "startswith"
                    || !Self::is_database_url(&method.value, frame)
                {
                    return None;
                }
                let mut names = Vec::new();
                for prefix in dialect_literals(prefix)? {
                    names.extend(dialects_of_url_prefix(&prefix)?);
                }
                Some(DialectGuard {
                    names,
                    negated: false,
                })
            }
            Expr::Compare(compare) => {
                let ([operator], [right]) = (&*compare.ops, &*compare.comparators) else {
                    return None;
                };
                // `url.startswith("sqlite") is False`, `... == True`.
                if let Expr::BooleanLiteral(literal) = right
                    && let Some(guard) = Self::dialect_guard(&compare.left, frame)
                {
                    let negated = match operator {
                        ruff_python_ast::CmpOp::Is | ruff_python_ast::CmpOp::Eq => !literal.value,
                        ruff_python_ast::CmpOp::IsNot | ruff_python_ast::CmpOp::NotEq => {
                            literal.value
                        }
                        _ => return None,
                    };
                    return Some(if negated { guard.negated() } else { guard });
                }
                let names = if Self::is_dialect_name(&compare.left, frame) {
                    dialect_literals(right)?
                } else if Self::is_dialect_name(right, frame) {
                    dialect_literals(&compare.left)?
                } else {
                    return None;
                };
                let negated = match operator {
                    ruff_python_ast::CmpOp::Eq | ruff_python_ast::CmpOp::In => false,
                    ruff_python_ast::CmpOp::NotEq | ruff_python_ast::CmpOp::NotIn => true,
                    _ => return None,
                };
                Some(DialectGuard { names, negated })
            }
            _ => None,
        }
    }

    /// `….dialect.name`, `….engine.name`, `….url.get_backend_name()`, or a name bound to one.
    fn is_dialect_name(expr: &Expr, frame: &Frame<'a>) -> bool {
        match expr {
            Expr::Attribute(attribute) => {
                attribute.attr.as_str() == "name"
                    && matches!(last_of(&attribute.value), Some("dialect" | "engine"))
            }
            Expr::Call(call) => {
                call.arguments.is_empty()
                    && matches!(&*call.func, Expr::Attribute(method)
                        if method.attr.as_str() == "get_backend_name"
                            && last_of(&method.value) == Some("url"))
            }
            Expr::Name(name) => frame.dialect_names.contains(name.id.as_str()),
            _ => false,
        }
    }

    /// The database URL as text, which begins with the dialect's name (`postgresql+psycopg2://`):
    /// `str(….url)`, `….url.drivername`, or a name bound to one.
    fn is_database_url(expr: &Expr, frame: &Frame<'a>) -> bool {
        match expr {
            Expr::Call(call) => {
                matches!(&*call.func, Expr::Name(function) if function.id.as_str() == "str")
                    && call.arguments.keywords.is_empty()
                    && matches!(&*call.arguments.args, [Expr::Attribute(url)] if url.attr.as_str() == "url")
            }
            Expr::Attribute(attribute) => {
                attribute.attr.as_str() == "drivername"
                    && matches!(&*attribute.value, Expr::Attribute(url) if url.attr.as_str() == "url")
            }
            Expr::Name(name) => frame.database_urls.contains(name.id.as_str()),
            _ => false,
        }
    }

    fn statement(&mut self, stmt: &'a Stmt, frame: &mut Frame<'a>, context: &OpContext) {
        match stmt {
            Stmt::Expr(expr) => self.expression(&expr.value, frame, context),
            Stmt::Assign(assign) => {
                if let [Expr::Name(target)] = assign.targets.as_slice() {
                    self.bind_local(target.id.as_str(), &assign.value, frame);
                }
                self.expression(&assign.value, frame, context);
            }
            Stmt::AnnAssign(assign) => {
                if let (Expr::Name(target), Some(value)) = (&*assign.target, &assign.value) {
                    self.bind_local(target.id.as_str(), value, frame);
                    self.expression(value, frame, context);
                }
            }
            Stmt::Return(ret) => {
                if let Some(value) = &ret.value {
                    self.expression(value, frame, context);
                }
            }
            Stmt::With(with) => self.with_statement(with, frame, context),
            Stmt::If(if_stmt) => {
                // Each branch runs under its own test and the negation of the dialect tests
                // before it.
                let mut earlier: Vec<DialectGuard> = Vec::new();
                let clauses = std::iter::once((Some(&*if_stmt.test), &if_stmt.body)).chain(
                    if_stmt
                        .elif_else_clauses
                        .iter()
                        .map(|clause| (clause.test.as_ref(), &clause.body)),
                );
                for (test, body) in clauses {
                    let mut branch = context.clone();
                    branch
                        .dialects
                        .extend(earlier.iter().map(DialectGuard::negated));
                    if let Some(guard) = test.and_then(|test| Self::dialect_guard(test, frame)) {
                        branch.dialects.push(guard.clone());
                        earlier.push(guard);
                    }
                    self.walk(body, frame, &branch);
                }
            }
            Stmt::FunctionDef(def) => {
                frame.functions.insert(def.name.as_str(), def);
            }
            Stmt::ClassDef(class) => {
                if let Some(table) = table_name_of_model(class) {
                    frame.models.insert(class.name.as_str(), table);
                }
            }
            Stmt::For(for_stmt) => {
                self.for_statement(for_stmt, frame, context);
                self.walk(&for_stmt.orelse, frame, context);
            }
            Stmt::While(while_stmt) => {
                self.walk(&while_stmt.body, frame, context);
                self.walk(&while_stmt.orelse, frame, context);
            }
            Stmt::Try(try_stmt) => {
                self.walk(&try_stmt.body, frame, context);
                for handler in &try_stmt.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.walk(&handler.body, frame, context);
                }
                self.walk(&try_stmt.orelse, frame, context);
                self.walk(&try_stmt.finalbody, frame, context);
            }
            _ => {}
        }
    }

    /// A loop over a literal list or tuple (directly, or through a module constant) is unrolled,
    /// its target bound to each element (a string, or the element itself: a list of columns);
    /// any other loop body is walked once.
    fn for_statement(
        &mut self,
        for_stmt: &'a ruff_python_ast::StmtFor,
        frame: &mut Frame<'a>,
        context: &OpContext,
    ) {
        let items = match Self::resolve(&for_stmt.iter, frame) {
            Expr::Name(name) => self.module.constants.get(name.id.as_str()).copied(),
            other => Some(other),
        }
        .and_then(|iter| match iter {
            Expr::List(list) => Some(&list.elts[..]),
            Expr::Tuple(tuple) => Some(&tuple.elts[..]),
            _ => None,
        });
        let Some(items) = items.filter(|items| !items.is_empty() && items.len() <= MAX_UNROLL)
        else {
            self.walk(&for_stmt.body, frame, context);
            return;
        };
        for item in items {
            let mut inner = frame.clone();
            match (&*for_stmt.target, item) {
                (Expr::Name(target), value) => self.bind_element(target, value, &mut inner),
                (Expr::Tuple(targets), Expr::Tuple(values))
                    if targets.elts.len() == values.elts.len() =>
                {
                    for (target, value) in targets.elts.iter().zip(&values.elts) {
                        if let Expr::Name(target) = target {
                            self.bind_element(target, value, &mut inner);
                        }
                    }
                }
                _ => {}
            }
            self.walk(&for_stmt.body, &mut inner, context);
        }
    }

    /// Binds a loop's target to one element: its string when it is one, else the element itself
    /// (a list of columns), which the names in the body then resolve to.
    fn bind_element(
        &self,
        target: &'a ruff_python_ast::ExprName,
        value: &'a Expr,
        frame: &mut Frame<'a>,
    ) {
        // Each binding replaces whatever the name held before (an outer loop's element).
        let name = target.id.as_str();
        if let Some(text) = self.string(value, frame, 0) {
            frame.locals.remove(name);
            frame
                .strings
                .insert(name, Spanned::new(text, self.at(value.range())));
        } else {
            frame.strings.remove(name);
            frame.locals.insert(name, value);
        }
    }

    fn bind_local(&mut self, name: &'a str, value: &'a Expr, frame: &mut Frame<'a>) {
        if self.is_connection_source(value, frame) {
            frame.connections.insert(name);
        }
        if Self::is_dialect_name(value, frame) {
            frame.dialect_names.insert(name);
        }
        if Self::is_database_url(value, frame) {
            frame.database_urls.insert(name);
        }
        frame.locals.insert(name, value);
    }

    /// `op.get_bind()`, `op.get_context().bind`, `op.get_context().connection`, `conn.connect()`.
    fn is_connection_source(&self, value: &Expr, frame: &Frame<'a>) -> bool {
        match value {
            Expr::Call(call) => match &*call.func {
                Expr::Attribute(attribute) => {
                    (attribute.attr.as_str() == "get_bind"
                        && self.is_op_module(&attribute.value, frame))
                        || (attribute.attr.as_str() == "connect"
                            && self.is_connection(&attribute.value, frame))
                }
                _ => false,
            },
            Expr::Attribute(attribute) => {
                matches!(attribute.attr.as_str(), "bind" | "connection")
                    && as_call(&attribute.value)
                        .is_some_and(|call| self.is_get_context(call, frame))
            }
            _ => false,
        }
    }

    fn is_connection(&self, expr: &Expr, frame: &Frame<'a>) -> bool {
        match expr {
            Expr::Name(name) => {
                frame.connections.contains(name.id.as_str())
                    || CONNECTION_NAMES.contains(&name.id.as_str())
            }
            other => self.is_connection_source(other, frame),
        }
    }

    fn is_get_context(&self, call: &ExprCall, frame: &Frame<'a>) -> bool {
        matches!(&*call.func, Expr::Attribute(attribute)
            if attribute.attr.as_str() == "get_context" && self.is_op_module(&attribute.value, frame))
    }

    fn is_op_module(&self, expr: &Expr, frame: &Frame<'a>) -> bool {
        match expr {
            Expr::Name(name) => {
                let name = name.id.as_str();
                self.module.op_modules.contains(name)
                    || frame.op_modules.contains(name)
                    || (self.module.implicit_op
                        && name == "op"
                        && !frame.locals.contains_key(name)
                        && !frame.strings.contains_key(name))
            }
            Expr::Attribute(attribute) => {
                attribute.attr.as_str() == "op"
                    && matches!(&*attribute.value, Expr::Name(package)
                        if self.module.alembic_packages.contains(package.id.as_str()))
            }
            _ => false,
        }
    }

    fn expression(&mut self, expr: &'a Expr, frame: &Frame<'a>, context: &OpContext) {
        let expr = match expr {
            Expr::Await(awaited) => &*awaited.value,
            other => other,
        };
        let Some(call) = as_call(expr) else { return };
        if let Some(kind) = self.enum_type_call(call, frame) {
            self.push(kind, call.range(), context.clone());
            return;
        }
        if let Some(kind) = self.orm_bulk_query(call, frame) {
            self.push(kind, call.range(), context.clone());
            return;
        }
        match self.target(call, frame) {
            Some(Target::Op { name, batch }) => {
                let mut context = context.clone();
                if batch.is_some() {
                    context.batch = batch.map(Box::new);
                }
                if name == "execute" {
                    let statement = OpArguments::of(name, call, false).get("sqltext");
                    match statement.and_then(|expr| self.core_statement(expr, frame)) {
                        Some(CoreStatement::Writes(kind)) => {
                            self.push(*kind, call.range(), context);
                        }
                        Some(CoreStatement::Reads) => {}
                        None => self.push_sql(statement, SqlVia::Op, call, frame, &context),
                    }
                } else if let Some(kind) =
                    self.lower_op(name, call, frame, context.batch.as_deref())
                {
                    self.push(kind, call.range(), context);
                }
            }
            Some(Target::Execute(via)) => {
                let statement =
                    call.arguments.args.first().or_else(|| {
                        keyword(call, "statement").or_else(|| keyword(call, "sqltext"))
                    });
                match statement.and_then(|expr| self.core_statement(expr, frame)) {
                    Some(CoreStatement::Writes(kind)) => {
                        self.push(*kind, call.range(), context.clone());
                    }
                    // Reading changes nothing: no operation is kept.
                    Some(CoreStatement::Reads) => {}
                    None => self.push_sql(statement, via, call, frame, context),
                }
            }
            Some(Target::Helper(def)) => self.helper_call(def, call, frame, context),
            None => {}
        }
    }

    fn push(&mut self, kind: OpKind, range: TextRange, mut context: OpContext) {
        if let Some(helper) = self.helper_stack.first() {
            context.via_helper = Some((*helper).into());
        }
        self.ops.push(Operation {
            kind,
            range: self.call_site.unwrap_or(range),
            context,
        });
    }

    /// Pushes a raw SQL operation, then one operation per statement it lowers to.
    fn push_sql(
        &mut self,
        statement: Option<&'a Expr>,
        via: SqlVia,
        call: &'a ExprCall,
        frame: &Frame<'a>,
        context: &OpContext,
    ) {
        let text = self.sql_text(statement, frame, 0);
        let lowered = match &text {
            SqlText::Literal(sql) => {
                let place = self.sql_placement(statement, sql);
                super::sql::lower(sql, &place)
            }
            SqlText::Unreadable(_) => super::sql::LoweredSql::default(),
        };
        let read_only = matches!(text, SqlText::Literal(_)) && lowered.read_only;
        self.ops.reserve(lowered.ops.len() + 1);
        self.push(
            OpKind::Sql {
                text,
                via,
                lowered: lowered.ops.len(),
                read_only,
            },
            call.range(),
            context.clone(),
        );
        for (kind, range) in lowered.ops {
            let mut context = context.clone();
            context.from_sql = true;
            self.push(kind, range, context);
        }
    }

    /// Maps byte ranges of the SQL text to the file: exactly, when the SQL is one plain string
    /// literal whose text is its source (no escapes, no concatenation); else to the whole argument.
    fn sql_placement(
        &self,
        statement: Option<&'a Expr>,
        sql: &str,
    ) -> impl Fn(std::ops::Range<usize>) -> TextRange + use<'a> {
        let whole = statement.map_or_else(TextRange::default, |expr| self.at(expr.range()));
        let mut exact = None;
        if let Some(expr) = statement {
            let literal = match expr {
                Expr::Call(call) if call.arguments.args.len() == 1 => call.arguments.args.first(),
                other => Some(other),
            };
            if let Some(Expr::StringLiteral(literal)) = literal
                && let [part] = literal.value.as_slice()
                && self.module.source.get(part.content_range().to_std_range()) == Some(sql)
                && self.call_site.is_none()
            {
                exact = Some(part.content_range().start());
            }
        }
        move |range: std::ops::Range<usize>| match exact {
            Some(start) => {
                let offset =
                    |at: usize| start + ruff_text_size::TextSize::try_from(at).unwrap_or_default();
                TextRange::new(offset(range.start), offset(range.end))
            }
            None => whole,
        }
    }

    fn target(&self, call: &'a ExprCall, frame: &Frame<'a>) -> Option<Target<'a>> {
        match &*call.func {
            Expr::Attribute(attribute) => {
                let method = attribute.attr.as_str();
                if self.is_op_module(&attribute.value, frame) {
                    return Some(Target::Op {
                        name: method,
                        batch: None,
                    });
                }
                if let Expr::Name(receiver) = &*attribute.value
                    && let Some(batch) = frame.batches.get(receiver.id.as_str())
                {
                    return Some(Target::Op {
                        name: method,
                        batch: Some(batch.clone()),
                    });
                }
                if method != "execute" {
                    return None;
                }
                if self.is_connection(&attribute.value, frame) {
                    return Some(Target::Execute(SqlVia::Connection));
                }
                let is_context = match &*attribute.value {
                    Expr::Name(name) => name.id.as_str() == "context",
                    Expr::Call(inner) => self.is_get_context(inner, frame),
                    _ => false,
                };
                is_context.then_some(Target::Execute(SqlVia::Context))
            }
            Expr::Name(name) => {
                let name = name.id.as_str();
                if let Some(function) = self.module.op_functions.get(name) {
                    return Some(Target::Op {
                        name: function,
                        batch: None,
                    });
                }
                frame
                    .functions
                    .get(name)
                    .or_else(|| self.module.helpers.get(name))
                    .map(|def| Target::Helper(def))
            }
            _ => None,
        }
    }

    fn helper_call(
        &mut self,
        def: &'a StmtFunctionDef,
        call: &'a ExprCall,
        frame: &Frame<'a>,
        context: &OpContext,
    ) {
        let name = def.name.as_str();
        if matches!(name, "upgrade" | "downgrade")
            || self.helper_stack.contains(&name)
            || self.helper_stack.len() >= MAX_DEPTH
        {
            return;
        }
        let inner = self.bind_parameters(def, call, frame);
        let outermost = self.call_site.is_none();
        if outermost {
            self.call_site = Some(call.range());
        }
        self.helper_stack.push(name);
        self.helper_ranges.push(def.range);
        let mut inner = inner;
        self.walk(&def.body, &mut inner, context);
        self.helper_ranges.pop();
        self.helper_stack.pop();
        if outermost {
            self.call_site = None;
        }
    }

    /// A frame for a helper's body: its parameters bound to what the call passes, where that is a
    /// string, a batch block, a connection or the `op` module.
    fn bind_parameters(
        &self,
        def: &'a StmtFunctionDef,
        call: &'a ExprCall,
        caller: &Frame<'a>,
    ) -> Frame<'a> {
        let mut frame = Frame::default();
        let parameters = &def.parameters;
        if let Some(vararg) = &parameters.vararg {
            // `def _create(name, *columns)`: what the call passes after the named parameters.
            let named = parameters.posonlyargs.len() + parameters.args.len();
            let extra = call.arguments.args.iter().skip(named);
            frame.varargs.insert(
                vararg.name.as_str(),
                extra.flat_map(|item| self.spread(item, caller)).collect(),
            );
        }
        let positional = parameters.posonlyargs.iter().chain(&parameters.args);
        for (position, parameter) in positional.chain(&parameters.kwonlyargs).enumerate() {
            let name = parameter.parameter.name.as_str();
            let given = call
                .arguments
                .find_argument_value(name, position)
                .or(parameter.default.as_deref());
            let Some(given) = given else { continue };
            if self.is_op_module(given, caller) {
                frame.op_modules.insert(name);
            } else if let Expr::Name(passed) = given
                && let Some(batch) = caller.batches.get(passed.id.as_str())
            {
                frame.batches.insert(name, batch.clone());
            } else if self.is_connection(given, caller) {
                frame.connections.insert(name);
            } else if let Some(value) = self.string(given, caller, 0) {
                frame
                    .strings
                    .insert(name, Spanned::new(value, self.at(given.range())));
            } else if let literal @ (Expr::List(_) | Expr::Tuple(_) | Expr::BooleanLiteral(_)) =
                Self::resolve(given, caller)
            {
                // Column lists and flags passed to a helper (`columns=["dag_id"]`) read as if
                // written in its body.
                frame.locals.insert(name, literal);
            }
        }
        frame
    }

    fn with_statement(&mut self, with: &'a StmtWith, frame: &mut Frame<'a>, context: &OpContext) {
        let mut inner = context.clone();
        for item in &with.items {
            let Some(call) = as_call(&item.context_expr) else {
                continue;
            };
            if let Some(batch) = self.batch_block(call, frame, 0) {
                if let Some(Expr::Name(alias)) = item.optional_vars.as_deref() {
                    frame.batches.insert(alias.id.as_str(), batch.clone());
                }
                inner.batch = Some(Box::new(batch));
            } else if callee(call) == Some("autocommit_block") {
                inner.autocommit = true;
            }
        }
        self.walk(&with.body, frame, &inner);
    }

    /// `op.batch_alter_table(T)`, or a helper that returns one.
    fn batch_block(&self, call: &'a ExprCall, frame: &Frame<'a>, depth: usize) -> Option<Batch> {
        match self.target(call, frame)? {
            Target::Op {
                name: "batch_alter_table",
                batch: None,
            } => Some(Batch {
                table: self.name_arg(call, "table_name", 0, frame),
                range: self.at(call.range()),
            }),
            Target::Helper(def) if depth < MAX_DEPTH => {
                let returned = as_call(returned_expr(def)?)?;
                let inner = self.bind_parameters(def, call, frame);
                let mut batch = self.batch_block(returned, &inner, depth + 1)?;
                batch.range = self.at(call.range());
                Some(batch)
            }
            _ => None,
        }
    }
}

/// Names as a walked body sees them: a helper's parameters, its locals, then the module's constants.
struct WalkerScope<'w, 'm, 'a> {
    walker: &'w Walker<'m, 'a>,
    frame: &'w Frame<'a>,
}

impl<'a> WalkerScope<'_, '_, 'a> {
    /// The expression a local or a module constant is bound to, with the frame it is read in.
    fn binding(&self, name: &str) -> Option<(&'a Expr, bool)> {
        if let Some(local) = self.frame.locals.get(name) {
            return Some((local, true));
        }
        self.walker
            .module
            .constants
            .get(name)
            .map(|constant| (*constant, false))
    }
}

impl Scope for WalkerScope<'_, '_, '_> {
    fn name(&self, name: &str, depth: usize) -> Option<String> {
        if let Some(bound) = self.frame.strings.get(name) {
            return Some(bound.value.clone());
        }
        let (value, local) = self.binding(name)?;
        if local {
            return evaluate_string(value, self, depth);
        }
        // A module constant is read where it is defined: no local of the body shadows its parts.
        let module_frame = Frame::default();
        evaluate_string(
            value,
            &WalkerScope {
                walker: self.walker,
                frame: &module_frame,
            },
            depth,
        )
    }

    /// `op.f("name")`: the name as given.
    fn call(&self, call: &ExprCall, depth: usize) -> Option<String> {
        match call.arguments.args.as_ref() {
            [name] if callee(call) == Some("f") => evaluate_string(name, self, depth),
            _ => None,
        }
    }

    fn number(&self, name: &str) -> Option<String> {
        self.binding(name)
            .and_then(|(value, _)| super::python::int_literal(value))
    }
}

/// The `__tablename__ = "..."` an ORM model class declares in its body.
fn table_name_of_model(class: &ruff_python_ast::StmtClassDef) -> Option<&Expr> {
    class
        .body
        .iter()
        .find_map(|stmt| match assigned_name(stmt) {
            Some(("__tablename__", value)) => value,
            _ => None,
        })
}

/// The last segment of an attribute chain or call: `dialect` for `bind.dialect`, `get_bind` for
/// `op.get_bind()`.
fn last_of(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Call(call) => last_of(&call.func),
        other => super::python::last_segment(other),
    }
}

/// The SQLAlchemy dialects whose URLs begin with `prefix` (`postgres` -> `postgresql`; a URL is
/// `dialect[+driver]://...`); the prefix itself for a dialect not known here, which no configured
/// dialect runs. `None` for a prefix every URL has.
fn dialects_of_url_prefix(prefix: &str) -> Option<Vec<String>> {
    const KNOWN: [&str; 6] = [
        "postgresql",
        "mysql",
        "mariadb",
        "sqlite",
        "mssql",
        "oracle",
    ];
    let dialect = prefix.split(['+', ':']).next().unwrap_or_default();
    // SQLAlchemy before 1.4 read `postgres://` as PostgreSQL's.
    let dialect = if dialect == "postgres" {
        "postgresql"
    } else {
        dialect
    };
    if dialect.is_empty() {
        return None;
    }
    // A prefix that goes on past the dialect's name names it whole.
    let whole = dialect.len() < prefix.len();
    let names: Vec<String> = KNOWN
        .iter()
        .filter(|known| {
            if whole {
                **known == dialect
            } else {
                known.starts_with(dialect)
            }
        })
        .map(|known| (*known).to_owned())
        .collect();
    Some(if names.is_empty() {
        vec![dialect.to_owned()]
    } else {
        names
    })
}

/// Dialect names compared with: a string, or a tuple, list or set of strings (lower-cased).
fn dialect_literals(expr: &Expr) -> Option<Vec<String>> {
    let one = |expr: &Expr| string_literal(expr).map(str::to_ascii_lowercase);
    match expr {
        Expr::StringLiteral(_) => one(expr).map(|name| vec![name]),
        Expr::Tuple(tuple) => tuple.elts.iter().map(one).collect(),
        Expr::List(list) => list.elts.iter().map(one).collect(),
        Expr::Set(set) => set.elts.iter().map(one).collect(),
        _ => None,
    }
}

/// The expression a function returns, when its body ends in a single top-level `return`.
fn returned_expr(def: &StmtFunctionDef) -> Option<&Expr> {
    let mut returns = def.body.iter().filter_map(|stmt| match stmt {
        Stmt::Return(ret) => Some(ret.value.as_deref()),
        _ => None,
    });
    let value = returns.next()??;
    returns.next().is_none().then_some(value)
}
