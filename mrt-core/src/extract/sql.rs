//! Lowering of raw SQL into the same IR operations as the Python calls it mirrors.
//!
//! The text is split into statements with `sqlparser`'s tokenizer (so `;` inside strings, comments
//! and `$$` bodies never splits), each statement is parsed (PostgreSQL dialect, then generic), and its
//! AST is lowered: `ALTER TABLE t DROP COLUMN c` becomes a [`OpKind::DropColumn`]. A statement
//! `sqlparser` cannot parse is classified from its tokens, so keywords inside comments and string
//! literals never count.
//!
//! The text is tokenized once: when the PostgreSQL tokenizer reads it, each statement's tokens go to
//! the PostgreSQL parser as they are (re-tokenizing every statement was a quarter of extraction's
//! time on the airflow-core migrations).

use std::ops::Range;

use ruff_text_size::TextRange;
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, AlterTypeOperation, ColumnOption, FromTable,
    ObjectName, ObjectType, RenameTableNameKind, Statement, TableConstraint, TableFactor,
    TableObject, UserDefinedTypeRepresentation,
};
use sqlparser::dialect::{Dialect, GenericDialect, PostgreSqlDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use crate::ir::{
    AlterColumn, ColumnDef, ConstraintDef, ConstraintKind, ForeignKey, Name, OpKind, Spanned,
};

/// What a SQL text does.
#[derive(Debug, Default)]
pub(crate) struct LoweredSql {
    /// Operations, each with the range of the statement it came from.
    pub(crate) ops: Vec<(OpKind, TextRange)>,
    /// Every statement only reads.
    pub(crate) read_only: bool,
}

/// One statement: its byte range in the text and its significant tokens.
struct Piece {
    range: Range<usize>,
    tokens: Vec<Token>,
    /// Every token from the first significant one to the last (whitespace and comments included),
    /// as the PostgreSQL tokenizer read them: what `Parser::parse_sql` would tokenize from the
    /// statement's text. `None` when the text was read by the generic tokenizer.
    postgres: Option<Vec<TokenWithSpan>>,
}

/// Statements with this many significant tokens or more are classified from their first tokens
/// (this many and one) instead of parsed: DDL is a few hundred tokens, and a statement of millions
/// (a data dump in one literal) cost `sqlparser` seconds and gigabytes, twice over when the
/// generic dialect tried again.
const MAX_PARSED_TOKENS: usize = 50_000;

/// Lowers `sql`; `place` maps a byte range of the text to a range of the file.
pub(crate) fn lower(sql: &str, place: &dyn Fn(Range<usize>) -> TextRange) -> LoweredSql {
    let mut pieces = split(sql).peekable();
    let mut lowered = LoweredSql {
        ops: Vec::new(),
        read_only: pieces.peek().is_some(),
    };
    for piece in pieces {
        let range = place(piece.range.clone());
        let text = &sql[piece.range.clone()];
        if let Some(ops) = plain_dml(&piece.tokens, range) {
            lowered.read_only = false;
            lowered.ops.extend(ops.into_iter().map(|op| (op, range)));
            continue;
        }
        let parsed = if piece.tokens.len() >= MAX_PARSED_TOKENS {
            None
        } else {
            let postgres = match piece.postgres {
                Some(tokens) => parse_tokens(tokens, &PostgreSqlDialect {}),
                None => parse_one(text, &PostgreSqlDialect {}),
            };
            postgres.or_else(|| parse_one(text, &GenericDialect {}))
        };
        let mut ops = match &parsed {
            Some(Statement::Query(_)) => dml_in_query(&piece.tokens, range),
            Some(statement) => lower_statement(statement, &piece.tokens, text, range),
            None => classify_tokens(&piece.tokens, text, range),
        };
        let reads_only = matches!(parsed, Some(Statement::Query(_))) || is_select(&piece.tokens);
        if let Some(sequence) = setval(&piece.tokens, range) {
            ops.push(sequence);
        }
        if !(reads_only && ops.is_empty()) {
            lowered.read_only = false;
        }
        lowered.ops.extend(ops.into_iter().map(|op| (op, range)));
    }
    lowered
}

fn parse_one(text: &str, dialect: &dyn Dialect) -> Option<Statement> {
    let mut statements = Parser::parse_sql(dialect, text).ok()?;
    (statements.len() == 1).then(|| statements.remove(0))
}

/// Like [`parse_one`] on tokens already read (with the same tokenizer settings as `parse_sql`'s).
fn parse_tokens(tokens: Vec<TokenWithSpan>, dialect: &dyn Dialect) -> Option<Statement> {
    let mut statements = Parser::new(dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .ok()?;
    (statements.len() == 1).then(|| statements.remove(0))
}

/// Splits on `;` tokens. Text the tokenizer cannot read (an unterminated quote) is one statement
/// with no tokens. Statements are made as they are asked for, so that only one at a time is held
/// besides the tokenizer's buffer (a literal of 600,000 statements held them all at once).
fn split(sql: &str) -> Box<dyn Iterator<Item = Piece> + '_> {
    // Sized for the text up front: growing a vector of tokens one doubling at a time copied it
    // over and over.
    let mut tokens = Vec::with_capacity(sql.len() / 2 + 8);
    let postgres = if Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location_into_buf(&mut tokens)
        .is_ok()
    {
        true
    } else {
        tokens.clear();
        if Tokenizer::new(&GenericDialect {}, sql)
            .tokenize_with_location_into_buf(&mut tokens)
            .is_err()
        {
            let trimmed = sql.trim();
            if trimmed.is_empty() {
                return Box::new(std::iter::empty());
            }
            let start = sql.len() - sql.trim_start().len();
            return Box::new(std::iter::once(Piece {
                range: start..start + trimmed.len(),
                tokens: Vec::new(),
                postgres: None,
            }));
        }
        false
    };
    // Each statement's first and last significant tokens (indices into `tokens`).
    let mut bounds: Vec<(usize, usize)> = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    for (index, token) in tokens.iter().enumerate() {
        match token.token {
            Token::Whitespace(_) => {}
            Token::SemiColon | Token::EOF => bounds.extend(current.take()),
            _ => {
                current = Some(match current {
                    Some((first, _)) => (first, index),
                    None => (index, index),
                });
            }
        }
    }
    bounds.extend(current);

    let mut offsets = LineOffsets::new(sql);
    let mut rest = tokens.into_iter();
    let mut consumed = 0;
    Box::new(bounds.into_iter().filter_map(move |(first, last)| {
        // Tokens are moved out of the tokenizer's buffer, not copied: a statement of millions of
        // tokens (a data dump in one literal) was held three times over.
        let statement = rest.by_ref().skip(first - consumed).take(last + 1 - first);
        consumed = last + 1;
        let mut span: Option<(Location, Location, Location)> = None;
        let mut significant = Vec::new();
        // Every token from the first significant one to the last, whitespace and comments
        // included: what `Parser::parse_sql` would tokenize from the statement's text; dropped
        // once the statement is too long to be parsed.
        let mut all = postgres.then(Vec::new);
        for token in statement {
            span = Some(match span {
                None => (token.span.start, token.span.start, token.span.end),
                Some((start, _, _)) => (start, token.span.start, token.span.end),
            });
            let is_significant = !matches!(token.token, Token::Whitespace(_));
            if significant.len() >= MAX_PARSED_TOKENS {
                all = None;
            }
            if significant.len() > MAX_PARSED_TOKENS {
                // Classified from its first tokens only (see `MAX_PARSED_TOKENS`).
                continue;
            }
            match all.as_mut() {
                Some(all) => {
                    if is_significant {
                        significant.push(token.token.clone());
                    }
                    all.push(token);
                }
                None if is_significant => significant.push(token.token),
                None => {}
            }
        }
        let (first_start, last_start, last_end) = span?;
        // The range runs from the first significant token's start to the last one's end (or
        // start, whichever is later), as the tokenizer's locations give them.
        let start = offsets.offset(first_start);
        let last_start = offsets.offset(last_start);
        let end = offsets.offset(last_end).max(last_start);
        Some(Piece {
            range: start..end,
            tokens: significant,
            postgres: all,
        })
    }))
}

/// Converts the tokenizer's one-based line/column locations to byte offsets. Locations are asked
/// for in increasing order, so each line is walked from where the previous location on it ended
/// rather than from its start (walking from the start made long one-line statements quadratic).
struct LineOffsets<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The last location found: line, column, byte offset.
    last: Option<(usize, usize, usize)>,
}

impl<'a> LineOffsets<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self {
            text,
            starts,
            last: None,
        }
    }

    /// The byte offset of the character at `location` (`column - 1` characters after the line's
    /// start, counting on past the line's end), or the text's length when there is none.
    fn offset(&mut self, location: Location) -> usize {
        let line = usize::try_from(location.line).unwrap_or(usize::MAX);
        let column = usize::try_from(location.column).unwrap_or(usize::MAX);
        let Some(&start) = line.checked_sub(1).and_then(|line| self.starts.get(line)) else {
            return self.text.len();
        };
        let skip = column.saturating_sub(1);
        let (from, skip) = match self.last {
            Some((last_line, last_column, at)) if last_line == line && last_column <= skip => {
                (at, skip - last_column)
            }
            _ => (start, skip),
        };
        match self.text[from..].char_indices().nth(skip) {
            Some((at, _)) => {
                self.last = Some((line, column.saturating_sub(1), from + at));
                from + at
            }
            None => self.text.len(),
        }
    }
}

// ----- AST ----------------------------------------------------------------------------------------

/// The last part of a possibly schema-qualified name, as written (quotes removed).
fn object_name(name: &ObjectName, range: TextRange) -> Name {
    let last = name.0.last()?.as_ident()?;
    Some(Spanned::new(last.value.clone(), range))
}

fn ident(value: &str, range: TextRange) -> Spanned<String> {
    Spanned::new(value.to_owned(), range)
}

/// Lowers a parsed statement; `tokens` are the statement's own, for what the parsed form does not
/// keep.
fn lower_statement(
    statement: &Statement,
    tokens: &[Token],
    text: &str,
    range: TextRange,
) -> Vec<OpKind> {
    match statement {
        Statement::AlterTable(alter) => {
            let table = object_name(&alter.name, range);
            alter
                .operations
                .iter()
                .flat_map(|operation| alter_table(operation, &table, range))
                .collect()
        }
        Statement::CreateIndex(index) => vec![OpKind::CreateIndex {
            name: index
                .name
                .as_ref()
                .and_then(|name| object_name(name, range)),
            table: object_name(&index.table_name, range),
            columns: index
                .columns
                .iter()
                .map(|c| c.column.expr.to_string())
                .collect(),
            unique: index.unique,
            concurrently: index.concurrently,
        }],
        Statement::Drop {
            object_type, names, ..
        } => names
            .iter()
            .map(|name| {
                let name = object_name(name, range);
                match object_type {
                    ObjectType::Table => OpKind::DropTable { table: name },
                    ObjectType::View => OpKind::DropView {
                        name,
                        materialized: false,
                    },
                    ObjectType::MaterializedView => OpKind::DropView {
                        name,
                        materialized: true,
                    },
                    ObjectType::Index => OpKind::DropIndex {
                        name,
                        table: None,
                        concurrently: drops_index_concurrently(tokens),
                    },
                    ObjectType::Type => OpKind::DropType { name },
                    other => OpKind::OtherSql {
                        keyword: format!("DROP {other}"),
                    },
                }
            })
            .collect(),
        Statement::CreateView(view) => vec![OpKind::CreateView {
            name: object_name(&view.name, range),
            materialized: view.materialized,
            definition: text.to_owned(),
        }],
        Statement::CreateType {
            name,
            representation,
        } => vec![OpKind::CreateType {
            name: object_name(name, range),
            enum_values: match representation {
                Some(UserDefinedTypeRepresentation::Enum { labels }) => {
                    labels.iter().map(|label| label.value.clone()).collect()
                }
                _ => Vec::new(),
            },
        }],
        Statement::AlterType(alter) => vec![match &alter.operation {
            AlterTypeOperation::AddValue(add) => OpKind::AddEnumValue {
                type_name: object_name(&alter.name, range),
                value: add.value.value.clone(),
            },
            _ => OpKind::OtherSql {
                keyword: "ALTER TYPE".to_owned(),
            },
        }],
        Statement::CreateTrigger(trigger) => vec![OpKind::CreateTrigger {
            name: object_name(&trigger.name, range),
            table: object_name(&trigger.table_name, range),
        }],
        Statement::DropTrigger(trigger) => vec![OpKind::DropTrigger {
            name: object_name(&trigger.trigger_name, range),
            table: trigger
                .table_name
                .as_ref()
                .and_then(|table| object_name(table, range)),
        }],
        Statement::Truncate(truncate) => truncate
            .table_names
            .iter()
            .map(|target| OpKind::Truncate {
                table: object_name(&target.name, range),
            })
            .collect(),
        Statement::Update(update) => vec![OpKind::UpdateRows {
            table: table_factor(&update.table.relation, range),
            has_where: update.selection.is_some(),
            columns: updated_columns(tokens, 0),
        }],
        Statement::Delete(delete) => {
            let from = match &delete.from {
                FromTable::WithFromKeyword(tables) | FromTable::WithoutKeyword(tables) => tables,
            };
            vec![OpKind::DeleteRows {
                table: from
                    .first()
                    .and_then(|table| table_factor(&table.relation, range)),
                has_where: delete.selection.is_some(),
            }]
        }
        Statement::Insert(insert) => vec![OpKind::InsertRows {
            table: match &insert.table {
                TableObject::TableName(name) => object_name(name, range),
                _ => None,
            },
        }],
        Statement::CreateTable(create) => {
            let table = object_name(&create.name, range);
            let mut constraints: Vec<ConstraintDef> = create
                .constraints
                .iter()
                .filter_map(|constraint| table_constraint(constraint, &table, range))
                .collect();
            let columns = create
                .columns
                .iter()
                .map(|column| column_def(column, range, &table, &mut constraints))
                .collect();
            vec![OpKind::CreateTable {
                table,
                columns,
                constraints,
            }]
        }
        Statement::Query(_) => Vec::new(),
        other => vec![OpKind::OtherSql {
            keyword: leading_keywords(&other.to_string()),
        }],
    }
}

fn table_factor(factor: &TableFactor, range: TextRange) -> Name {
    match factor {
        TableFactor::Table { name, .. } => object_name(name, range),
        _ => None,
    }
}

/// Whether the statement is `DROP INDEX CONCURRENTLY ...`. `Statement::Drop` has no field for
/// `CONCURRENTLY`, so both paths (parsed and token-classified) read it from the tokens, here.
fn drops_index_concurrently(tokens: &[Token]) -> bool {
    Words { tokens, at: 0 }.eat(&["DROP", "INDEX", "CONCURRENTLY"])
}

/// `CREATE FUNCTION` for `CREATE OR REPLACE FUNCTION f() ...`.
fn leading_keywords(text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .take(4)
        .map(str::to_ascii_uppercase)
        .collect();
    match words.as_slice() {
        [first, or, replace, object] if or == "OR" && replace == "REPLACE" => {
            format!("{first} {object}")
        }
        [first, second, ..] => format!("{first} {second}"),
        [first] => first.clone(),
        [] => String::new(),
    }
}

fn alter_table(operation: &AlterTableOperation, table: &Name, range: TextRange) -> Vec<OpKind> {
    if let AlterTableOperation::DropColumn { column_names, .. } = operation {
        return column_names
            .iter()
            .map(|column| OpKind::DropColumn {
                table: table.clone(),
                column: Some(ident(&column.value, range)),
            })
            .collect();
    }
    if let AlterTableOperation::AddColumn {
        column_def: def, ..
    } = operation
    {
        // `ADD COLUMN c int UNIQUE` adds a constraint too: it follows the column.
        let mut constraints = Vec::new();
        let column = column_def(def, range, table, &mut constraints);
        return std::iter::once(OpKind::AddColumn {
            table: table.clone(),
            column: Box::new(column),
        })
        .chain(
            constraints
                .into_iter()
                .map(|constraint| OpKind::CreateConstraint(Box::new(constraint))),
        )
        .collect();
    }
    vec![match operation {
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => OpKind::AlterColumn(Box::new(AlterColumn {
            table: table.clone(),
            column: Some(ident(&old_column_name.value, range)),
            new_name: Some(ident(&new_column_name.value, range)),
            ..AlterColumn::default()
        })),
        AlterTableOperation::RenameTable { table_name } => {
            let (RenameTableNameKind::As(new) | RenameTableNameKind::To(new)) = table_name;
            OpKind::RenameTable {
                old: table.clone(),
                new: object_name(new, range),
            }
        }
        AlterTableOperation::AlterColumn { column_name, op } => {
            let mut alter = AlterColumn {
                table: table.clone(),
                column: Some(ident(&column_name.value, range)),
                ..AlterColumn::default()
            };
            match op {
                AlterColumnOperation::SetNotNull => {
                    alter.nullable = Some(Spanned::new(false, range));
                }
                AlterColumnOperation::DropNotNull => {
                    alter.nullable = Some(Spanned::new(true, range));
                }
                AlterColumnOperation::SetDefault { value } => {
                    alter.server_default = Some(Spanned::new(Some(value.to_string()), range));
                }
                AlterColumnOperation::DropDefault => {
                    alter.server_default = Some(Spanned::new(None, range));
                }
                AlterColumnOperation::SetDataType { data_type, .. } => {
                    alter.type_text = Some(Spanned::new(data_type.to_string(), range));
                }
                AlterColumnOperation::AddGenerated { .. } => {}
            }
            OpKind::AlterColumn(Box::new(alter))
        }
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => match table_constraint(constraint, table, range) {
            Some(constraint) => OpKind::CreateConstraint(Box::new(ConstraintDef {
                not_valid: *not_valid,
                ..constraint
            })),
            None => OpKind::OtherSql {
                keyword: "ALTER TABLE".to_owned(),
            },
        },
        AlterTableOperation::DropConstraint { name, .. } => OpKind::DropConstraint {
            name: Some(ident(&name.value, range)),
            table: table.clone(),
            kind: None,
        },
        AlterTableOperation::DropForeignKey { name, .. } => OpKind::DropConstraint {
            name: Some(ident(&name.value, range)),
            table: table.clone(),
            kind: Some(ConstraintKind::ForeignKey),
        },
        _ => OpKind::OtherSql {
            keyword: "ALTER TABLE".to_owned(),
        },
    }]
}

fn column_def(
    def: &sqlparser::ast::ColumnDef,
    range: TextRange,
    table: &Name,
    constraints: &mut Vec<ConstraintDef>,
) -> ColumnDef {
    let mut column = ColumnDef {
        name: Some(ident(&def.name.value, range)),
        type_text: Some(Spanned::new(def.data_type.to_string(), range)),
        nullable: None,
        server_default: None,
        default: None,
        primary_key: false,
        foreign_keys: Vec::new(),
        unique: false,
        index: false,
        generated: is_serial(&def.data_type.to_string()),
        enum_type: None,
        range,
    };
    for option in &def.options {
        match &option.option {
            ColumnOption::NotNull => column.nullable = Some(Spanned::new(false, range)),
            ColumnOption::Null => column.nullable = Some(Spanned::new(true, range)),
            ColumnOption::Default(expr) => {
                column.server_default = Some(Spanned::new(Some(expr.to_string()), range));
            }
            ColumnOption::PrimaryKey(_) => column.primary_key = true,
            ColumnOption::Generated { .. } | ColumnOption::Identity(_) => column.generated = true,
            ColumnOption::ForeignKey(key) => column.foreign_keys.push(ForeignKey {
                name: option.name.as_ref().map(|name| ident(&name.value, range)),
                target: key.foreign_table.to_string(),
                ondelete: key
                    .on_delete
                    .map(|action| Spanned::new(action.to_string().to_ascii_uppercase(), range)),
                range,
            }),
            ColumnOption::Unique(_) => {
                column.unique = true;
                constraints.push(ConstraintDef {
                    kind: ConstraintKind::Unique,
                    name: option.name.as_ref().map(|name| ident(&name.value, range)),
                    table: table.clone(),
                    columns: vec![def.name.value.clone()],
                    foreign_key: None,
                    condition: None,
                    not_valid: false,
                    range,
                });
            }
            _ => {}
        }
    }
    column
}

/// `serial`, `bigserial`, `smallserial` (and `serial2/4/8`): a sequence fills the column.
fn is_serial(type_text: &str) -> bool {
    matches!(
        type_text.trim().to_ascii_lowercase().as_str(),
        "serial" | "bigserial" | "smallserial" | "serial2" | "serial4" | "serial8"
    )
}

fn table_constraint(
    constraint: &TableConstraint,
    table: &Name,
    range: TextRange,
) -> Option<ConstraintDef> {
    let name_of =
        |name: &Option<sqlparser::ast::Ident>| name.as_ref().map(|n| ident(&n.value, range));
    let (kind, name, columns, foreign_key) = match constraint {
        TableConstraint::ForeignKey(key) => (
            ConstraintKind::ForeignKey,
            name_of(&key.name),
            key.columns.iter().map(|c| c.value.clone()).collect(),
            Some(ForeignKey {
                name: None,
                target: key.foreign_table.to_string(),
                ondelete: key
                    .on_delete
                    .map(|action| Spanned::new(action.to_string().to_ascii_uppercase(), range)),
                range,
            }),
        ),
        TableConstraint::Unique(unique) => (
            ConstraintKind::Unique,
            name_of(&unique.name),
            unique
                .columns
                .iter()
                .map(|c| c.column.expr.to_string())
                .collect(),
            None,
        ),
        TableConstraint::PrimaryKey(key) => (
            ConstraintKind::PrimaryKey,
            name_of(&key.name),
            key.columns
                .iter()
                .map(|c| c.column.expr.to_string())
                .collect(),
            None,
        ),
        TableConstraint::Check(check) => (
            ConstraintKind::Check,
            name_of(&check.name),
            Vec::new(),
            None,
        ),
        _ => return None,
    };
    let condition = match constraint {
        TableConstraint::Check(check) => Some(check.expr.to_string()),
        _ => None,
    };
    Some(ConstraintDef {
        kind,
        name,
        table: table.clone(),
        columns,
        foreign_key,
        condition,
        not_valid: false,
        range,
    })
}

// ----- tokens -------------------------------------------------------------------------------------

/// A cursor over a statement's words, for statements `sqlparser` cannot parse.
struct Words<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl<'a> Words<'a> {
    /// The unquoted word at `index`, as written.
    fn word(&self, index: usize) -> Option<&'a str> {
        match self.tokens.get(index)? {
            Token::Word(word) if word.quote_style.is_none() => Some(&word.value),
            _ => None,
        }
    }

    fn keyword(&self, index: usize) -> Option<String> {
        self.word(index).map(str::to_ascii_uppercase)
    }

    /// Whether the token at `index` is the keyword given (in upper case), in any case, without
    /// allocating the upper-cased word.
    fn is(&self, index: usize, keyword: &str) -> bool {
        self.word(index)
            .is_some_and(|word| word.eq_ignore_ascii_case(keyword))
    }

    /// Consumes the keywords given, in order, if they come next.
    fn eat(&mut self, keywords: &[&str]) -> bool {
        let matches = keywords
            .iter()
            .enumerate()
            .all(|(offset, keyword)| self.is(self.at + offset, keyword));
        if matches {
            self.at += keywords.len();
        }
        matches
    }

    /// Consumes an optional run of keywords.
    fn skip(&mut self, keywords: &[&str]) {
        self.eat(keywords);
    }

    /// A possibly qualified name (`a.b."c"`): its last part.
    fn name(&mut self) -> Option<String> {
        let mut last = None;
        loop {
            match self.tokens.get(self.at) {
                Some(Token::Word(word)) => {
                    last = Some(word.value.clone());
                    self.at += 1;
                }
                _ => return last,
            }
            if matches!(self.tokens.get(self.at), Some(Token::Period)) {
                self.at += 1;
            } else {
                return last;
            }
        }
    }

    fn contains_keyword(&self, keyword: &str) -> bool {
        (self.at..self.tokens.len()).any(|index| self.is(index, keyword))
    }

    fn string(&mut self) -> Option<String> {
        while let Some(token) = self.tokens.get(self.at) {
            self.at += 1;
            if let Token::SingleQuotedString(value) = token {
                return Some(value.clone());
            }
        }
        None
    }
}

/// `UPDATE t ...`, `DELETE FROM t ...` and `INSERT INTO t ...` read from their tokens: all the IR
/// keeps of them is the table and whether a `WHERE` applies to the statement itself (not one in a
/// subquery), and parsing them was most of the SQL time on data migrations (airflow's). `None` for
/// anything else, a `WITH` query included, which the parser reads.
fn plain_dml(tokens: &[Token], range: TextRange) -> Option<Vec<OpKind>> {
    let mut words = Words { tokens, at: 0 };
    let kind = if words.eat(&["UPDATE"]) {
        "UPDATE"
    } else if words.eat(&["DELETE", "FROM"]) {
        "DELETE"
    } else if words.eat(&["INSERT", "INTO"]) {
        "INSERT"
    } else {
        return None;
    };
    words.skip(&["ONLY"]);
    let table = Some(ident(&words.name()?, range));
    let has_where = || {
        let mut depth = 0_usize;
        tokens[words.at..]
            .iter()
            .enumerate()
            .any(|(offset, token)| {
                match token {
                    Token::LParen => depth += 1,
                    Token::RParen => depth = depth.saturating_sub(1),
                    _ => {}
                }
                depth == 0 && words.is(words.at + offset, "WHERE")
            })
    };
    Some(vec![match kind {
        "UPDATE" => OpKind::UpdateRows {
            table,
            has_where: has_where(),
            columns: updated_columns(tokens, words.at),
        },
        "DELETE" => OpKind::DeleteRows {
            table,
            has_where: has_where(),
        },
        _ => OpKind::InsertRows { table },
    }])
}

/// The columns the `SET` of an `UPDATE` assigns, read from the tokens from `from` on (after the
/// table name): the target of each `=` at the list's own depth, by its last name part. Empty when
/// there is no `SET`, or when one target is not a plain name (`SET (a, b) = (...)`), so that an
/// empty list never means "no column".
fn updated_columns(tokens: &[Token], from: usize) -> Vec<String> {
    let words = Words { tokens, at: from };
    let Some(set) = (from..tokens.len()).find(|&index| words.is(index, "SET")) else {
        return Vec::new();
    };
    let mut columns = Vec::new();
    let mut at = set + 1;
    loop {
        let mut target = Words { tokens, at };
        let Some(column) = target.name() else {
            return Vec::new();
        };
        if !matches!(tokens.get(target.at), Some(Token::Eq)) {
            return Vec::new();
        }
        columns.push(column);
        // The value runs to the next comma at this depth, or to the end of the list.
        let mut depth = 0_usize;
        let mut next = None;
        for (index, token) in tokens.iter().enumerate().skip(target.at + 1) {
            match token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                Token::Comma if depth == 0 => {
                    next = Some(index + 1);
                    break;
                }
                _ if depth == 0
                    && ["WHERE", "FROM", "RETURNING"]
                        .iter()
                        .any(|keyword| words.is(index, keyword)) =>
                {
                    return columns;
                }
                _ => {}
            }
        }
        match next {
            Some(index) => at = index,
            None => return columns,
        }
    }
}

/// Classifies an unparsable statement from its leading keywords.
fn classify_tokens(tokens: &[Token], text: &str, range: TextRange) -> Vec<OpKind> {
    let mut words = Words { tokens, at: 0 };
    let name = |value: Option<String>| value.map(|value| ident(&value, range));
    if words.eat(&["ALTER", "TABLE"]) {
        words.skip(&["IF", "EXISTS"]);
        words.skip(&["ONLY"]);
        let table = name(words.name());
        return clauses(&tokens[words.at..])
            .into_iter()
            .map(|clause| alter_table_clause(clause, &table, range))
            .collect();
    }
    if words.eat(&["ALTER", "TYPE"]) {
        let type_name = name(words.name());
        if words.eat(&["ADD", "VALUE"]) {
            words.skip(&["IF", "NOT", "EXISTS"]);
            return vec![OpKind::AddEnumValue {
                type_name,
                value: words.string().unwrap_or_default(),
            }];
        }
    }
    if words.eat(&["ALTER", "SEQUENCE"]) {
        words.skip(&["IF", "EXISTS"]);
        return vec![OpKind::AlterSequence {
            name: name(words.name()),
        }];
    }
    if words.eat(&["CREATE"]) {
        words.skip(&["OR", "REPLACE"]);
        let unique = words.eat(&["UNIQUE"]);
        if words.eat(&["INDEX"]) {
            let concurrently = words.eat(&["CONCURRENTLY"]);
            words.skip(&["IF", "NOT", "EXISTS"]);
            let index = if words.is(words.at, "ON") {
                None
            } else {
                name(words.name())
            };
            words.eat(&["ON"]);
            words.skip(&["ONLY"]);
            return vec![OpKind::CreateIndex {
                name: index,
                table: name(words.name()),
                columns: Vec::new(),
                unique,
                concurrently,
            }];
        }
        words.skip(&["CONSTRAINT"]);
        if words.eat(&["TRIGGER"]) {
            let trigger = name(words.name());
            while words.at < tokens.len() && !words.is(words.at, "ON") {
                words.at += 1;
            }
            words.eat(&["ON"]);
            return vec![OpKind::CreateTrigger {
                name: trigger,
                table: name(words.name()),
            }];
        }
        let materialized = words.eat(&["MATERIALIZED"]);
        if words.eat(&["VIEW"]) {
            words.skip(&["IF", "NOT", "EXISTS"]);
            return vec![OpKind::CreateView {
                name: name(words.name()),
                materialized,
                definition: text.to_owned(),
            }];
        }
    }
    if words.eat(&["DROP"]) {
        if words.eat(&["INDEX"]) {
            let concurrently = drops_index_concurrently(tokens);
            words.skip(&["CONCURRENTLY"]);
            words.skip(&["IF", "EXISTS"]);
            return vec![OpKind::DropIndex {
                name: name(words.name()),
                table: None,
                concurrently,
            }];
        }
        if words.eat(&["TRIGGER"]) {
            words.skip(&["IF", "EXISTS"]);
            let trigger = name(words.name());
            words.eat(&["ON"]);
            return vec![OpKind::DropTrigger {
                name: trigger,
                table: name(words.name()),
            }];
        }
        let materialized = words.eat(&["MATERIALIZED"]);
        if words.eat(&["VIEW"]) {
            words.skip(&["IF", "EXISTS"]);
            return vec![OpKind::DropView {
                name: name(words.name()),
                materialized,
            }];
        }
        if words.eat(&["TABLE"]) {
            words.skip(&["IF", "EXISTS"]);
            return vec![OpKind::DropTable {
                table: name(words.name()),
            }];
        }
        if words.eat(&["TYPE"]) {
            words.skip(&["IF", "EXISTS"]);
            return vec![OpKind::DropType {
                name: name(words.name()),
            }];
        }
    }
    if words.eat(&["TRUNCATE"]) {
        words.skip(&["TABLE"]);
        words.skip(&["ONLY"]);
        return vec![OpKind::Truncate {
            table: name(words.name()),
        }];
    }
    if words.eat(&["UPDATE"]) {
        words.skip(&["ONLY"]);
        let table = name(words.name());
        return vec![OpKind::UpdateRows {
            table,
            has_where: words.contains_keyword("WHERE"),
            columns: updated_columns(tokens, words.at),
        }];
    }
    if words.eat(&["DELETE", "FROM"]) {
        words.skip(&["ONLY"]);
        let table = name(words.name());
        return vec![OpKind::DeleteRows {
            table,
            has_where: words.contains_keyword("WHERE"),
        }];
    }
    if words.eat(&["INSERT", "INTO"]) {
        return vec![OpKind::InsertRows {
            table: name(words.name()),
        }];
    }
    if is_select(tokens) {
        return dml_in_query(tokens, range);
    }
    let keyword = (0..2)
        .filter_map(|index| words.keyword(index))
        .collect::<Vec<_>>()
        .join(" ");
    vec![OpKind::OtherSql {
        keyword: if keyword.is_empty() {
            "SQL".to_owned()
        } else {
            keyword
        },
    }]
}

/// The comma-separated clauses of an `ALTER TABLE` (commas inside parentheses do not separate).
fn clauses(tokens: &[Token]) -> Vec<&[Token]> {
    let mut clauses = Vec::new();
    let mut depth = 0_usize;
    let mut start = 0;
    for (index, token) in tokens.iter().enumerate() {
        match token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                clauses.push(&tokens[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    clauses.push(&tokens[start..]);
    clauses.retain(|clause| !clause.is_empty());
    clauses
}

/// One clause of an unparsable `ALTER TABLE`, read from its leading keywords.
fn alter_table_clause(tokens: &[Token], table: &Name, range: TextRange) -> OpKind {
    let mut words = Words { tokens, at: 0 };
    let name = |value: Option<String>| value.map(|value| ident(&value, range));
    let other = || OpKind::OtherSql {
        keyword: "ALTER TABLE".to_owned(),
    };
    if words.eat(&["DROP", "CONSTRAINT"]) {
        words.skip(&["IF", "EXISTS"]);
        return OpKind::DropConstraint {
            name: name(words.name()),
            table: table.clone(),
            kind: None,
        };
    }
    if words.eat(&["DROP"]) {
        words.skip(&["COLUMN"]);
        words.skip(&["IF", "EXISTS"]);
        return OpKind::DropColumn {
            table: table.clone(),
            column: name(words.name()),
        };
    }
    if words.eat(&["RENAME", "TO"]) {
        return OpKind::RenameTable {
            old: table.clone(),
            new: name(words.name()),
        };
    }
    if words.eat(&["RENAME"]) {
        if words.is(words.at, "CONSTRAINT") {
            return other();
        }
        words.skip(&["COLUMN"]);
        let column = name(words.name());
        words.eat(&["TO"]);
        return OpKind::AlterColumn(Box::new(AlterColumn {
            table: table.clone(),
            column,
            new_name: name(words.name()),
            ..AlterColumn::default()
        }));
    }
    if words.eat(&["ALTER"]) {
        words.skip(&["COLUMN"]);
        let mut alter = AlterColumn {
            table: table.clone(),
            column: name(words.name()),
            ..AlterColumn::default()
        };
        if words.eat(&["SET", "NOT", "NULL"]) {
            alter.nullable = Some(Spanned::new(false, range));
        } else if words.eat(&["DROP", "NOT", "NULL"]) {
            alter.nullable = Some(Spanned::new(true, range));
        } else if words.eat(&["DROP", "DEFAULT"]) {
            alter.server_default = Some(Spanned::new(None, range));
        } else if words.eat(&["SET", "DEFAULT"]) {
            alter.server_default = Some(Spanned::new(Some(rest_text(&tokens[words.at..])), range));
        } else if words.eat(&["TYPE"]) || words.eat(&["SET", "DATA", "TYPE"]) {
            alter.type_text = Some(Spanned::new(rest_text(&tokens[words.at..]), range));
        } else {
            return other();
        }
        return OpKind::AlterColumn(Box::new(alter));
    }
    other()
}

/// The tokens of a clause's tail as SQL text.
fn rest_text(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Data-changing statements inside a query (`WITH x AS (UPDATE t ...) SELECT ...`).
fn dml_in_query(tokens: &[Token], range: TextRange) -> Vec<OpKind> {
    let words = Words { tokens, at: 0 };
    let mut ops = Vec::new();
    for index in 0..tokens.len() {
        if words.word(index).is_none() {
            continue;
        }
        let mut at = Words {
            tokens,
            at: index + 1,
        };
        let name = |words: &mut Words<'_>| words.name().map(|value| ident(&value, range));
        if words.is(index, "UPDATE") {
            at.skip(&["ONLY"]);
            let table = name(&mut at);
            ops.push(OpKind::UpdateRows {
                table,
                has_where: at.contains_keyword("WHERE"),
                columns: updated_columns(tokens, at.at),
            });
        } else if words.is(index, "DELETE") && at.eat(&["FROM"]) {
            at.skip(&["ONLY"]);
            ops.push(OpKind::DeleteRows {
                table: name(&mut at),
                has_where: at.contains_keyword("WHERE"),
            });
        } else if words.is(index, "INSERT") && at.eat(&["INTO"]) {
            ops.push(OpKind::InsertRows {
                table: name(&mut at),
            });
        }
    }
    ops
}

/// A statement that starts like a query (`SELECT`, `WITH`, `SHOW`, `EXPLAIN`).
fn is_select(tokens: &[Token]) -> bool {
    let words = Words { tokens, at: 0 };
    ["SELECT", "SHOW", "EXPLAIN", "VALUES"]
        .iter()
        .any(|keyword| words.is(0, keyword))
        || (words.is(0, "WITH")
            && !["UPDATE", "DELETE", "INSERT"]
                .iter()
                .any(|k| words.contains_keyword(k)))
}

/// `setval('seq', ...)` anywhere in a statement.
fn setval(tokens: &[Token], range: TextRange) -> Option<OpKind> {
    let at = tokens.windows(2).position(|pair| {
        matches!(&pair[0], Token::Word(word) if word.value.eq_ignore_ascii_case("setval"))
            && pair[1] == Token::LParen
    })?;
    // The sequence is named only when the first argument is a literal, not an expression such as
    // `pg_get_serial_sequence('t', 'id')`.
    let name = match tokens.get(at + 2) {
        Some(Token::SingleQuotedString(sequence)) => Some(sequence.clone()),
        _ => None,
    };
    let name = name.map(|sequence| {
        let last = sequence
            .rsplit('.')
            .next()
            .unwrap_or(&sequence)
            .trim_matches('"')
            .to_owned();
        Spanned::new(last, range)
    });
    Some(OpKind::AlterSequence { name })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(sql: &str) -> Vec<OpKind> {
        lower(sql, &|_| TextRange::default())
            .ops
            .into_iter()
            .map(|(op, _)| op)
            .collect()
    }

    fn names(op: &OpKind) -> String {
        format!("{op:?}")
    }

    #[test]
    fn splits_on_semicolons_outside_strings_comments_and_bodies() {
        let sql = "UPDATE t SET a = ';' WHERE b; -- DROP TABLE x;\nCREATE FUNCTION f() RETURNS trigger AS $$ BEGIN DELETE FROM y; END $$ LANGUAGE plpgsql;";
        let lowered = ops(sql);
        assert_eq!(lowered.len(), 2, "{lowered:?}");
        assert!(
            matches!(&lowered[0], OpKind::UpdateRows { has_where: true, table: Some(t), .. } if t.value == "t")
        );
        assert!(
            matches!(&lowered[1], OpKind::OtherSql { .. }),
            "{:?}",
            lowered[1]
        );
    }

    #[test]
    fn statement_ranges_are_byte_offsets() {
        let sql = "SELECT 1;\n  ALTER TABLE t DROP COLUMN c";
        let lowered = lower(sql, &|range| {
            TextRange::new(
                u32::try_from(range.start).unwrap_or(0).into(),
                u32::try_from(range.end).unwrap_or(0).into(),
            )
        });
        assert_eq!(lowered.ops.len(), 1);
        let range = lowered.ops[0].1;
        assert_eq!(
            &sql[usize::from(range.start())..usize::from(range.end())],
            "ALTER TABLE t DROP COLUMN c"
        );
        assert!(!lowered.read_only);
    }

    #[test]
    fn alter_table_forms() {
        let lowered = ops(
            r#"ALTER TABLE IF EXISTS public."Users" ADD COLUMN age integer NOT NULL DEFAULT 0,
               ALTER COLUMN name TYPE text, ALTER COLUMN email SET NOT NULL,
               ALTER COLUMN email DROP DEFAULT, RENAME COLUMN a TO b,
               ADD CONSTRAINT fk_org FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE CASCADE,
               DROP CONSTRAINT uq_x, DROP COLUMN IF EXISTS legacy"#,
        );
        assert_eq!(lowered.len(), 8, "{lowered:?}");
        let OpKind::AddColumn { table, column } = &lowered[0] else {
            panic!("{:?}", lowered[0])
        };
        assert_eq!(table.as_ref().map(|t| t.value.as_str()), Some("Users"));
        assert!(column.is_not_null());
        assert_eq!(
            column
                .server_default
                .as_ref()
                .and_then(|d| d.value.as_deref()),
            Some("0")
        );
        assert!(names(&lowered[1]).contains("type_text: Some"));
        assert!(names(&lowered[2]).contains("value: false"));
        assert!(names(&lowered[3]).contains("server_default: Some(Spanned { value: None"));
        assert!(names(&lowered[4]).contains("new_name: Some(Spanned { value: \"b\""));
        let OpKind::CreateConstraint(fk) = &lowered[5] else {
            panic!()
        };
        assert_eq!(
            fk.foreign_key
                .as_ref()
                .and_then(|k| k.ondelete.as_ref())
                .map(|o| o.value.as_str()),
            Some("CASCADE")
        );
        assert!(
            matches!(&lowered[6], OpKind::DropConstraint { name: Some(n), .. } if n.value == "uq_x")
        );
        assert!(
            matches!(&lowered[7], OpKind::DropColumn { column: Some(c), .. } if c.value == "legacy")
        );
    }

    /// `sqlparser` keeps no `CONCURRENTLY` in `Statement::Drop` (and rejects it today, so the
    /// token path reads such a statement): a parsed `DROP INDEX` must still read it from the
    /// statement's tokens rather than assume a blocking drop.
    #[test]
    fn a_parsed_drop_index_reads_concurrently_from_its_tokens() {
        let lowered_with = |text: &str| {
            let statement = parse_one("DROP INDEX ix_b", &PostgreSqlDialect {}).expect("parses");
            let piece = split(text).next().expect("one statement");
            lower_statement(&statement, &piece.tokens, text, TextRange::default())
        };
        assert!(matches!(
            lowered_with("DROP INDEX CONCURRENTLY ix_b")[..],
            [OpKind::DropIndex {
                concurrently: true,
                ..
            }]
        ));
        assert!(matches!(
            lowered_with("DROP INDEX ix_b")[..],
            [OpKind::DropIndex {
                concurrently: false,
                ..
            }]
        ));
    }

    #[test]
    fn ddl_objects() {
        let lowered = ops(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_a ON a (x, lower(y));
             DROP INDEX CONCURRENTLY IF EXISTS ix_b;
             CREATE OR REPLACE MATERIALIZED VIEW v AS SELECT 1;
             DROP MATERIALIZED VIEW IF EXISTS v;
             CREATE TYPE mood AS ENUM ('sad', 'ok');
             ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' AFTER 'ok';
             DROP TYPE mood;
             CREATE OR REPLACE TRIGGER trg BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION f();
             DROP TRIGGER IF EXISTS trg ON accounts;
             TRUNCATE TABLE a, b;
             DELETE FROM c;
             INSERT INTO d (x) VALUES (1);
             ALTER SEQUENCE s RESTART WITH 10;
             SELECT setval('public.s2', 42);
             SELECT count(*) FROM e;
             CREATE TABLE f (id serial PRIMARY KEY, g_id int REFERENCES g (id) ON DELETE SET NULL);
             DROP TABLE IF EXISTS f",
        );
        let kinds: Vec<String> = lowered
            .iter()
            .map(|op| {
                names(op)
                    .split([' ', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                "CreateIndex",
                "DropIndex",
                "CreateView",
                "DropView",
                "CreateType",
                "AddEnumValue",
                "DropType",
                "CreateTrigger",
                "DropTrigger",
                "Truncate",
                "Truncate",
                "DeleteRows",
                "InsertRows",
                "AlterSequence",
                "AlterSequence",
                "CreateTable",
                "DropTable"
            ]
        );
        assert!(matches!(
            &lowered[0],
            OpKind::CreateIndex {
                unique: true,
                concurrently: true,
                ..
            }
        ));
        assert!(
            matches!(&lowered[1], OpKind::DropIndex { concurrently: true, name: Some(n), .. } if n.value == "ix_b")
        );
        assert!(matches!(&lowered[5], OpKind::AddEnumValue { value, .. } if value == "happy"));
        assert!(
            matches!(&lowered[8], OpKind::DropTrigger { table: Some(t), .. } if t.value == "accounts")
        );
        assert!(matches!(
            &lowered[11],
            OpKind::DeleteRows {
                has_where: false,
                ..
            }
        ));
        assert!(matches!(&lowered[14], OpKind::AlterSequence { name: Some(n) } if n.value == "s2"));
    }

    #[test]
    fn read_only_and_keywords_in_literals() {
        assert!(
            lower("SELECT 'DROP TABLE x' -- TRUNCATE y\n", &|_| {
                TextRange::default()
            })
            .read_only
        );
        assert!(ops("SELECT 'DROP TABLE x' /* TRUNCATE y */").is_empty());
        assert!(!lower("", &|_| TextRange::default()).read_only);
    }

    #[test]
    fn lowering_details() {
        let lowered = ops("WITH moved AS (UPDATE t SET a = 1 RETURNING id) SELECT * FROM moved");
        assert!(
            matches!(&lowered[0], OpKind::UpdateRows { table: Some(t), .. } if t.value == "t"),
            "{lowered:?}"
        );
        assert!(
            !lower("WITH x AS (DELETE FROM t) SELECT 1", &|_| {
                TextRange::default()
            })
            .read_only
        );
        let lowered = ops("SELECT pg_catalog.setval(pg_get_serial_sequence('t', 'id'), 1)");
        assert!(
            matches!(&lowered[0], OpKind::AlterSequence { name: None }),
            "{lowered:?}"
        );
        let lowered =
            ops("CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql");
        assert!(
            matches!(&lowered[0], OpKind::OtherSql { keyword } if keyword == "CREATE FUNCTION"),
            "{lowered:?}"
        );
        let lowered = ops(
            "ALTER TABLE t ADD COLUMN c int UNIQUE, ADD COLUMN id int GENERATED ALWAYS AS IDENTITY, ADD COLUMN s bigserial",
        );
        assert!(
            matches!(&lowered[0], OpKind::AddColumn { column, .. } if column.unique && !column.generated),
            "{lowered:?}"
        );
        assert!(
            matches!(&lowered[1], OpKind::CreateConstraint(c) if c.kind == ConstraintKind::Unique)
        );
        assert!(matches!(&lowered[2], OpKind::AddColumn { column, .. } if column.generated));
        assert!(matches!(&lowered[3], OpKind::AddColumn { column, .. } if column.generated));
    }

    #[test]
    fn unparsable_alter_table_is_read_clause_by_clause() {
        let lowered = ops(
            "ALTER TABLE users ALTER COLUMN email DROP NOT NULL, DROP COLUMN legacy, RENAME COLUMN a TO b, DROP CONSTRAINT uq NONSENSE ((",
        );
        assert_eq!(lowered.len(), 4, "{lowered:?}");
        assert!(
            matches!(&lowered[0], OpKind::AlterColumn(a) if a.nullable.as_ref().is_some_and(|n| n.value)),
            "{lowered:?}"
        );
        assert!(
            matches!(&lowered[1], OpKind::DropColumn { column: Some(c), .. } if c.value == "legacy")
        );
        assert!(
            matches!(&lowered[2], OpKind::AlterColumn(a) if a.new_name.as_ref().is_some_and(|n| n.value == "b"))
        );
        assert!(
            matches!(&lowered[3], OpKind::DropConstraint { name: Some(n), .. } if n.value == "uq")
        );
        let lowered = ops("ALTER TABLE accounts RENAME TO customers NONSENSE ((");
        assert!(
            matches!(&lowered[0], OpKind::RenameTable { new: Some(n), .. } if n.value == "customers"),
            "{lowered:?}"
        );
    }

    #[test]
    fn unparsable_statements_are_classified_by_tokens() {
        // Not valid SQL for either dialect, but the leading keywords are clear.
        let lowered = ops("ALTER TABLE users DROP COLUMN email CASCADE NONSENSE TOKENS HERE");
        assert!(
            matches!(&lowered[0], OpKind::DropColumn { column: Some(c), .. } if c.value == "email"),
            "{lowered:?}"
        );
        let lowered =
            ops("UPDATE users u SET status = coalesce(a, b), u.note = 'x, y' WHERE id = 1");
        assert!(
            matches!(&lowered[0], OpKind::UpdateRows { columns, .. } if columns == &["status", "note"]),
            "{lowered:?}"
        );
        let lowered = ops("UPDATE users SET (a, b) = (1, 2)");
        assert!(
            matches!(&lowered[0], OpKind::UpdateRows { columns, .. } if columns.is_empty()),
            "{lowered:?}"
        );
        let lowered = ops("UPDATE ONLY accounts SET x = 1 WHERE id = 1 RETURNING NONSENSE ((");
        assert!(
            matches!(
                &lowered[0],
                OpKind::UpdateRows {
                    has_where: true,
                    ..
                }
            ),
            "{lowered:?}"
        );
    }
}
