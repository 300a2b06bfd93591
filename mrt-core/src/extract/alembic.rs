//! Lowering of Alembic revision files into the Migration IR.
//!
//! Nothing is imported or run. The extractor resolves what a reader of the file would: how `op` was
//! imported, `batch_alter_table` blocks, module-level string constants, simple local assignments, and
//! module-level helper functions called from `upgrade()` / `downgrade()` (their operations count at
//! the call, with string arguments bound to the helper's parameters).

use std::collections::{HashMap, HashSet};

use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef, StmtWith};
use ruff_text_size::{Ranged, TextRange};

use super::python::{
    Scope, argument, as_call, assigned_name, body_shape, bool_literal, callee, evaluate_string,
    keyword, known_prefix, string_list, string_literal,
};
use crate::ir::{
    AlterColumn, Batch, Body, ColumnDef, ConstraintDef, ConstraintKind, DialectGuard, ForeignKey,
    Name, OpContext, OpKind, Operation, Spanned, SqlReach, SqlText, SqlVia,
};

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
    op_modules: HashSet<&'a str>,
    /// Names bound to the `alembic` package (`import alembic`: `alembic.op.x(...)`).
    alembic_packages: HashSet<&'a str>,
    /// Functions imported from `alembic.op`: local name -> `op` function.
    op_functions: HashMap<&'a str, &'a str>,
    /// Module-level functions other than `upgrade` / `downgrade`.
    helpers: HashMap<&'a str, &'a StmtFunctionDef>,
    /// Module-level assignments, for constants such as `TABLE = "users"`.
    constants: HashMap<&'a str, &'a Expr>,
    /// Every name the module binds at its top level (imports, assignments, definitions).
    bound: HashSet<&'a str>,
    /// ORM models defined in the module: class name -> its `__tablename__`.
    models: HashMap<&'a str, &'a Expr>,
    /// `op` is used without being bound: a snippet, a docs example or a copy-paste that left its
    /// imports behind. In a revision file the name means only one thing, Alembic's `op`.
    implicit_op: bool,
}

impl<'a> Module<'a> {
    fn scan(suite: &'a [Stmt], source: &'a str) -> Self {
        let mut module = Module {
            source,
            op_modules: HashSet::new(),
            alembic_packages: HashSet::new(),
            op_functions: HashMap::new(),
            helpers: HashMap::new(),
            constants: HashMap::new(),
            bound: HashSet::new(),
            models: HashMap::new(),
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
        Body {
            range: def.range,
            name_range: def.name.range(),
            ops: walker.ops,
            is_noop,
            only_raises,
        }
    }
}

/// What a function body binds as it runs, as far as the extractor follows it.
#[derive(Debug, Clone, Default)]
struct Frame<'a> {
    /// Simple local assignments (`table = "users"`, `t = sa.table(...)`).
    locals: HashMap<&'a str, &'a Expr>,
    /// Parameters of a helper bound to strings at the call.
    strings: HashMap<&'a str, Spanned<String>>,
    /// Names bound to a batch block (`as batch_op`, or a helper parameter given one).
    batches: HashMap<&'a str, Batch>,
    /// Names bound to a connection (`conn = op.get_bind()`).
    connections: HashSet<&'a str>,
    /// Parameters of a helper bound to the `op` module.
    op_modules: HashSet<&'a str>,
    /// Names bound to the dialect's name (`dialect = bind.dialect.name`).
    dialect_names: HashSet<&'a str>,
    /// Functions defined inside the body (`def _inner(): ...`), walked where they are called.
    functions: HashMap<&'a str, &'a StmtFunctionDef>,
    /// ORM models defined inside the body: class name -> its `__tablename__`.
    models: HashMap<&'a str, &'a Expr>,
    /// A helper's `*args` parameter: the extra positional arguments of the call.
    varargs: HashMap<&'a str, Vec<&'a Expr>>,
}

/// The parameters each `op` function the extractor reads takes, in Alembic's positional order:
/// one table of signatures instead of a position written at every argument. The batch form of a
/// call (`batch_op.drop_column("c")`) has no table parameter: the block gives it, and the
/// parameters after it move one position to the left.
const OP_SIGNATURES: &[(&str, &[&str])] = &[
    ("create_table", &["table_name"]),
    ("drop_table", &["table_name"]),
    ("rename_table", &["old_table_name", "new_table_name"]),
    ("add_column", &["table_name", "column"]),
    ("drop_column", &["table_name", "column_name"]),
    ("alter_column", &["table_name", "column_name"]),
    ("create_index", &["index_name", "table_name", "columns"]),
    ("drop_index", &["index_name", "table_name"]),
    (
        "create_unique_constraint",
        &["constraint_name", "table_name", "columns"],
    ),
    (
        "create_primary_key",
        &["constraint_name", "table_name", "columns"],
    ),
    (
        "create_check_constraint",
        &["constraint_name", "table_name", "condition"],
    ),
    (
        "create_foreign_key",
        &[
            "constraint_name",
            "source_table",
            "referent_table",
            "local_cols",
            "remote_cols",
        ],
    ),
    (
        "drop_constraint",
        &["constraint_name", "table_name", "type_"],
    ),
    ("bulk_insert", &["table", "rows"]),
    ("execute", &["sqltext"]),
];

/// The parameters of a table that a batch block gives.
const TABLE_PARAMETERS: &[&str] = &["table_name", "source_table"];

/// The arguments of one `op` call, read by parameter name through [`OP_SIGNATURES`].
struct OpArguments<'c> {
    call: &'c ExprCall,
    parameters: Vec<&'static str>,
}

impl<'c> OpArguments<'c> {
    fn of(function: &str, call: &'c ExprCall, batch: bool) -> Self {
        let signature = OP_SIGNATURES
            .iter()
            .find(|(name, _)| *name == function)
            .map_or(&[][..], |(_, parameters)| *parameters);
        let parameters = signature
            .iter()
            .copied()
            .filter(|parameter| !(batch && TABLE_PARAMETERS.contains(parameter)))
            .collect();
        Self { call, parameters }
    }

    /// The argument given for `parameter`, by keyword or at its position; `None` when the call
    /// does not give it or the function has no such parameter.
    fn get(&self, parameter: &str) -> Option<&'c Expr> {
        let position = self.parameters.iter().position(|name| *name == parameter)?;
        argument(self.call, parameter, position)
    }
}

/// A SQLAlchemy Core statement an `execute` call runs.
enum CoreStatement {
    /// It writes rows of one table: the data operation.
    Writes(Box<OpKind>),
    /// It only reads.
    Reads,
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
            Expr::Compare(compare) => {
                let ([operator], [right]) = (&*compare.ops, &*compare.comparators) else {
                    return None;
                };
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

    /// `….dialect.name`, `….engine.name`, or a name bound to one.
    fn is_dialect_name(expr: &Expr, frame: &Frame<'a>) -> bool {
        match expr {
            Expr::Attribute(attribute) => {
                attribute.attr.as_str() == "name"
                    && matches!(last_of(&attribute.value), Some("dialect" | "engine"))
            }
            Expr::Name(name) => frame.dialect_names.contains(name.id.as_str()),
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
    /// its target bound to each element's strings; any other loop body is walked once.
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
                (Expr::Name(target), value) => self.bind_string(target, value, &mut inner),
                (Expr::Tuple(targets), Expr::Tuple(values))
                    if targets.elts.len() == values.elts.len() =>
                {
                    for (target, value) in targets.elts.iter().zip(&values.elts) {
                        if let Expr::Name(target) = target {
                            self.bind_string(target, value, &mut inner);
                        }
                    }
                }
                _ => {}
            }
            self.walk(&for_stmt.body, &mut inner, context);
        }
    }

    fn bind_string(
        &self,
        target: &'a ruff_python_ast::ExprName,
        value: &Expr,
        frame: &mut Frame<'a>,
    ) {
        if let Some(text) = self.string(value, frame, 0) {
            frame.strings.insert(
                target.id.as_str(),
                Spanned::new(text, self.at(value.range())),
            );
        }
    }

    fn bind_local(&mut self, name: &'a str, value: &'a Expr, frame: &mut Frame<'a>) {
        if self.is_connection_source(value, frame) {
            frame.connections.insert(name);
        }
        if Self::is_dialect_name(value, frame) {
            frame.dialect_names.insert(name);
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
                    context.batch = batch;
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
                } else if let Some(kind) = self.lower_op(name, call, frame, context.batch.as_ref())
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

    /// A SQLAlchemy Core statement executed instead of SQL text. One on a table object
    /// (`t = sa.table("t", ...)`): `t.update()`, `t.insert()`, `t.delete()`, `sa.update(t)`,
    /// `sa.insert(t)`, `sa.delete(t)`, with `.where(...)`, `.values(...)` and the like chained,
    /// writes rows of that table and nothing else, whatever values it binds at run time. A
    /// `select(...)`, or a chain with a method only a select has (`.limit(...)`, `.order_by(...)`),
    /// only reads.
    fn core_statement(&self, expr: &'a Expr, frame: &Frame<'a>) -> Option<CoreStatement> {
        let mut reads = false;
        let writes = self.core_dml(expr, frame, &mut reads);
        match writes {
            Some(kind) => Some(CoreStatement::Writes(Box::new(kind))),
            None => reads.then_some(CoreStatement::Reads),
        }
    }

    /// The data operation of a Core statement, walking its method chain down to the call that
    /// names the table; `reads` is set when a select-only method is passed on the way.
    fn core_dml(&self, expr: &'a Expr, frame: &Frame<'a>, reads: &mut bool) -> Option<OpKind> {
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
    fn orm_bulk_query(&self, call: &'a ExprCall, frame: &Frame<'a>) -> Option<OpKind> {
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

    fn push(&mut self, kind: OpKind, range: TextRange, mut context: OpContext) {
        if let Some(helper) = self.helper_stack.first() {
            context.via_helper = Some((*helper).to_owned());
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
                inner.batch = Some(batch);
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

    // ----- values -------------------------------------------------------------------------------

    /// A string known statically: a literal, `op.f("...")`, a bound parameter, a local or module
    /// constant, or what [`evaluate_string`] builds from those (`+`, f-strings, `%`, `.format`).
    fn string(&self, expr: &Expr, frame: &Frame<'a>, depth: usize) -> Option<String> {
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
    fn sql_text(&self, expr: Option<&'a Expr>, frame: &Frame<'a>, depth: usize) -> SqlText {
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
        SqlText::Unreadable(SqlReach::of_prefix(&known_prefix(expr, &scope, depth)))
    }

    fn name_arg(&self, call: &ExprCall, keyword: &str, position: usize, frame: &Frame<'a>) -> Name {
        self.name_value(argument(call, keyword, position), frame)
    }

    /// A name given as `expr`: a string known statically, a helper's parameter bound to one, or
    /// the text of an attribute (`Model.__tablename__`).
    fn name_value(&self, expr: Option<&Expr>, frame: &Frame<'a>) -> Name {
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

    fn bool_arg(&self, call: &ExprCall, name: &str) -> Option<Spanned<bool>> {
        let expr = keyword(call, name)?;
        bool_literal(expr).map(|value| Spanned::new(value, self.at(expr.range())))
    }

    fn text_of(&self, expr: &Expr) -> Spanned<String> {
        Spanned::new(
            self.module.source[expr.range()].to_owned(),
            self.at(expr.range()),
        )
    }

    fn type_arg(&self, call: &ExprCall, name: &str, frame: &Frame<'a>) -> Option<Spanned<String>> {
        keyword(call, name).map(|expr| self.type_text(expr, frame))
    }

    /// A column type as written, with the constants among its arguments put in
    /// (`sa.String(MAX_LEN)` with `MAX_LEN = 36` reads `sa.String(36)`), so that the same type
    /// compares equal however it was spelled.
    fn type_text(&self, expr: &Expr, frame: &Frame<'a>) -> Spanned<String> {
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
    fn constant_arguments(
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
    fn default_arg(
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
    fn resolve(expr: &'a Expr, frame: &Frame<'a>) -> &'a Expr {
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

    fn strings_arg(&self, expr: Option<&'a Expr>, frame: &Frame<'a>) -> Vec<String> {
        let Some(expr) = expr else { return Vec::new() };
        let items: &[Expr] = match Self::resolve(expr, frame) {
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

    // ----- operations ---------------------------------------------------------------------------

    /// Lowers a call of the `op` function `name` (or of a batch method, when `batch` is given).
    fn lower_op(
        &self,
        name: &'a str,
        call: &'a ExprCall,
        frame: &Frame<'a>,
        batch: Option<&Batch>,
    ) -> Option<OpKind> {
        // Calls that return a value or configure are no operation (the catalogue of `op`
        // functions is `effect::op_function_effect`).
        if crate::effect::op_function_effect(name) == crate::effect::Effect::Nothing {
            return None;
        }
        let args = OpArguments::of(name, call, batch.is_some());
        let name_of = |parameter: &str| self.name_value(args.get(parameter), frame);
        // A batch method takes its table from the block.
        let table = |parameter: &str| match batch {
            Some(batch) => batch.table.clone(),
            None => name_of(parameter),
        };
        let kind = match name {
            "create_table" => self.create_table(call, frame),
            "drop_table" => OpKind::DropTable {
                table: name_of("table_name"),
            },
            "rename_table" => OpKind::RenameTable {
                old: name_of("old_table_name"),
                new: name_of("new_table_name"),
            },
            "add_column" => {
                let column = self.column(args.get("column")?, frame, 0)?;
                OpKind::AddColumn {
                    table: table("table_name"),
                    column,
                }
            }
            "drop_column" => OpKind::DropColumn {
                table: table("table_name"),
                column: name_of("column_name"),
            },
            "alter_column" => OpKind::AlterColumn(AlterColumn {
                table: table("table_name"),
                column: name_of("column_name"),
                nullable: self.bool_arg(call, "nullable"),
                type_text: self.type_arg(call, "type_", frame),
                new_name: keyword(call, "new_column_name").and_then(|expr| {
                    self.string(expr, frame, 0)
                        .map(|value| Spanned::new(value, self.at(expr.range())))
                }),
                server_default: self.default_arg(call, "server_default", frame),
                existing_type: self.type_arg(call, "existing_type", frame),
                existing_nullable: self.bool_arg(call, "existing_nullable"),
                existing_server_default: self.default_arg(call, "existing_server_default", frame),
            }),
            "create_index" => OpKind::CreateIndex {
                name: name_of("index_name"),
                table: table("table_name"),
                columns: self.strings_arg(args.get("columns"), frame),
                // `unique=unique` in a helper reads the flag its caller passed.
                unique: keyword(call, "unique")
                    .and_then(|flag| bool_literal(Self::resolve(flag, frame)))
                    .unwrap_or(false),
                concurrently: self
                    .bool_arg(call, "postgresql_concurrently")
                    .is_some_and(|concurrently| concurrently.value),
            },
            "drop_index" => OpKind::DropIndex {
                name: name_of("index_name"),
                table: table("table_name"),
                concurrently: self
                    .bool_arg(call, "postgresql_concurrently")
                    .is_some_and(|concurrently| concurrently.value),
            },
            "create_unique_constraint" | "create_primary_key" | "create_check_constraint" => {
                let kind = match name {
                    "create_unique_constraint" => ConstraintKind::Unique,
                    "create_primary_key" => ConstraintKind::PrimaryKey,
                    _ => ConstraintKind::Check,
                };
                // A check constraint has a condition where the others have columns.
                let columns = self.strings_arg(args.get("columns"), frame);
                let condition = args
                    .get("condition")
                    .map(|expr| self.module.source[expr.range()].to_owned());
                OpKind::CreateConstraint(ConstraintDef {
                    kind,
                    name: name_of("constraint_name"),
                    table: table("table_name"),
                    columns,
                    foreign_key: None,
                    condition,
                    not_valid: self
                        .bool_arg(call, "postgresql_not_valid")
                        .is_some_and(|not_valid| not_valid.value),
                    range: self.at(call.range()),
                })
            }
            "create_foreign_key" => OpKind::CreateConstraint(ConstraintDef {
                kind: ConstraintKind::ForeignKey,
                name: name_of("constraint_name"),
                table: table("source_table"),
                columns: self.strings_arg(args.get("local_cols"), frame),
                foreign_key: Some(ForeignKey {
                    name: None,
                    target: args
                        .get("referent_table")
                        .and_then(|expr| self.string(expr, frame, 0))
                        .unwrap_or_default(),
                    ondelete: self.ondelete(call, frame),
                    range: self.at(call.range()),
                }),
                condition: None,
                not_valid: self
                    .bool_arg(call, "postgresql_not_valid")
                    .is_some_and(|not_valid| not_valid.value),
                range: self.at(call.range()),
            }),
            "drop_constraint" => OpKind::DropConstraint {
                name: name_of("constraint_name"),
                table: table("table_name"),
                kind: args
                    .get("type_")
                    .and_then(|expr| self.string(expr, frame, 0))
                    .and_then(|kind| ConstraintKind::from_alembic_type(&kind)),
            },
            "bulk_insert" => OpKind::BulkInsert {
                table: args
                    .get("table")
                    .and_then(|expr| self.table_object(expr, frame)),
            },
            other => OpKind::Other {
                name: other.to_owned(),
            },
        };
        Some(kind)
    }

    fn ondelete(&self, call: &ExprCall, frame: &Frame<'a>) -> Option<Spanned<String>> {
        let expr = keyword(call, "ondelete")?;
        let value = self.string(expr, frame, 0)?;
        Some(Spanned::new(
            value.to_ascii_uppercase(),
            self.at(expr.range()),
        ))
    }

    /// The table name of `sa.table("t", ...)`, `sa.Table("t", ...)` or `op.create_table("t", ...)`,
    /// followed through local names.
    fn table_object(&self, expr: &'a Expr, frame: &Frame<'a>) -> Name {
        let resolved = match Self::resolve(expr, frame) {
            Expr::Name(name) => self
                .module
                .constants
                .get(name.id.as_str())
                .copied()
                .unwrap_or(expr),
            other => other,
        };
        let call = as_call(resolved)?;
        if !matches!(callee(call), Some("table" | "Table" | "create_table")) {
            return None;
        }
        let name = call.arguments.args.first()?;
        let value = self.string(name, frame, 0)?;
        Some(Spanned::new(value, self.at(expr.range())))
    }

    fn create_table(&self, call: &'a ExprCall, frame: &Frame<'a>) -> OpKind {
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
    fn spread(&self, item: &'a Expr, frame: &Frame<'a>) -> Vec<&'a Expr> {
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
    fn column(&self, expr: &'a Expr, frame: &Frame<'a>, depth: usize) -> Option<ColumnDef> {
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
    fn implicit_enum(&self, expr: &'a Expr, frame: &Frame<'a>) -> Name {
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
    fn enum_call(&self, expr: &'a Expr, frame: &Frame<'a>) -> Option<&'a ExprCall> {
        let resolved = match Self::resolve(expr, frame) {
            Expr::Name(name) => self
                .module
                .constants
                .get(name.id.as_str())
                .copied()
                .unwrap_or(expr),
            other => other,
        };
        as_call(resolved).filter(|call| matches!(callee(call), Some("Enum" | "ENUM")))
    }

    /// `enum.create(bind)` / `enum.drop(bind)` on an enum type: the type created or dropped.
    fn enum_type_call(&self, call: &'a ExprCall, frame: &Frame<'a>) -> Option<OpKind> {
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
    fn table_constraint(
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
