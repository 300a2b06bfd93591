//! PostgreSQL: the catalogue from `pg_catalog`, rows as text, and databases copied from a template
//! (`CREATE DATABASE ... TEMPLATE`), which is how one revision is tried without touching the rest.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use postgres::{Client, NoTls};

use crate::catalog::{Catalog, Column, Constraint, ConstraintKind, Table};
use crate::url::PgUrl;

/// Schemas that belong to PostgreSQL itself.
const SYSTEM_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'";

/// How long the connection may take, handshake included: the client's connect timeout covers
/// only the socket, and a server that accepts it and never speaks would be waited for forever.
const CONNECT_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

pub(crate) fn connect(url: &PgUrl) -> Result<Client, String> {
    connect_within(url, CONNECT_WAIT)
}

/// Connects on a thread of its own, given up after `wait` (the thread is left to end when the
/// server does; the run stops with the error).
fn connect_within(url: &PgUrl, wait: std::time::Duration) -> Result<Client, String> {
    let config = url.client_config();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(config.connect(NoTls).map_err(|error| describe(&error)));
    });
    receiver.recv_timeout(wait).unwrap_or_else(|_| {
        Err(format!(
            "the server did not complete the connection within {} s",
            wait.as_secs()
        ))
    })
}

/// The error with PostgreSQL's own message and detail, which `Display` of the client hides.
pub(crate) fn describe(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        };
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// `schema.name`, or `name` in `public`.
fn qualified(schema: &str, name: &str) -> String {
    if schema == "public" {
        name.to_owned()
    } else {
        format!("{schema}.{name}")
    }
}

/// A quoted identifier, schema-qualified where the name says so.
pub(crate) fn quote_table(name: &str) -> String {
    match name.split_once('.') {
        Some((schema, table)) => format!("{}.{}", quote(schema), quote(table)),
        None => quote(name),
    }
}

pub(crate) fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// Runs SQL and returns every cell as text: the Rust client's simple-query protocol and the
/// worker's connection give the same rows, so one catalogue reader serves both.
pub(crate) trait Sql {
    /// Rows of a query, each cell as its text form (NULL as `None`).
    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, String>;
    /// Runs statements.
    fn execute(&mut self, sql: &str) -> Result<(), String>;
}

impl Sql for Client {
    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
        let messages = self.simple_query(sql).map_err(|e| describe(&e))?;
        Ok(messages
            .iter()
            .filter_map(|message| match message {
                postgres::SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|at| row.get(at).map(str::to_owned))
                        .collect(),
                ),
                _ => None,
            })
            .collect())
    }

    fn execute(&mut self, sql: &str) -> Result<(), String> {
        self.batch_execute(sql).map_err(|e| describe(&e))
    }
}

fn text(row: &[Option<String>], at: usize) -> String {
    row.get(at).cloned().flatten().unwrap_or_default()
}

fn optional(row: &[Option<String>], at: usize) -> Option<String> {
    row.get(at).cloned().flatten()
}

fn flag(row: &[Option<String>], at: usize) -> bool {
    matches!(text(row, at).as_str(), "t" | "true")
}

/// A `json_agg`/`array_to_json` cell as a list of strings.
fn list(row: &[Option<String>], at: usize) -> Vec<String> {
    serde_json::from_str(&text(row, at)).unwrap_or_default()
}

pub(crate) fn catalog(sql: &mut dyn Sql) -> Result<Catalog, String> {
    let mut catalog = Catalog::default();
    let enums = sql.query(&format!(
        "SELECT n.nspname, t.typname, array_to_json(array_agg(e.enumlabel::text ORDER BY e.enumsortorder))::text
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
         JOIN pg_namespace n ON n.oid = t.typnamespace WHERE {SYSTEM_SCHEMAS}
         GROUP BY n.nspname, t.typname"
    ))?;
    for row in enums {
        let name = qualified(&text(&row, 0), &text(&row, 1));
        catalog.enums.insert(name, list(&row, 2));
    }
    let columns = sql.query(&format!(
        "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                (NOT a.attnotnull)::text, pg_get_expr(d.adbin, d.adrelid),
                (a.attidentity <> '' OR a.attgenerated <> '')::text, tn.nspname, t.typname, t.typtype::text
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
         WHERE c.relkind IN ('r', 'p') AND {SYSTEM_SCHEMAS}
         ORDER BY n.nspname, c.relname, a.attnum"
    ))?;
    for row in columns {
        let table = qualified(&text(&row, 0), &text(&row, 1));
        let default = optional(&row, 5);
        let sequence_default = default
            .as_deref()
            .is_some_and(|default| default.starts_with("nextval("));
        let enum_labels = (text(&row, 9) == "e")
            .then(|| {
                catalog
                    .enums
                    .get(&qualified(&text(&row, 7), &text(&row, 8)))
                    .cloned()
            })
            .flatten();
        catalog
            .tables
            .entry(table)
            .or_default()
            .columns
            .push(Column {
                name: text(&row, 2),
                data_type: text(&row, 3),
                nullable: flag(&row, 4),
                default,
                generated: flag(&row, 6) || sequence_default,
                enum_labels,
            });
    }
    let constraints = sql.query(&format!(
        "SELECT n.nspname, c.relname, con.conname, con.contype::text, pg_get_constraintdef(con.oid),
                array_to_json(ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord))::text,
                fn.nspname, fc.relname,
                array_to_json(ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord))::text
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_class fc ON fc.oid = con.confrelid
         LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
         WHERE con.contype IN ('p', 'f', 'u', 'c', 'x') AND {SYSTEM_SCHEMAS}"
    ))?;
    for row in constraints {
        let table = qualified(&text(&row, 0), &text(&row, 1));
        let kind = match text(&row, 3).as_str() {
            "p" => ConstraintKind::PrimaryKey,
            "f" => ConstraintKind::ForeignKey,
            "u" => ConstraintKind::Unique,
            "c" => ConstraintKind::Check,
            _ => ConstraintKind::Exclusion,
        };
        let references = match (optional(&row, 6), optional(&row, 7)) {
            (Some(schema), Some(name)) => Some((qualified(&schema, &name), list(&row, 8))),
            _ => None,
        };
        if let Some(entry) = catalog.tables.get_mut(&table) {
            entry.constraints.insert(
                text(&row, 2),
                Constraint {
                    kind,
                    columns: list(&row, 5),
                    definition: text(&row, 4),
                    references,
                },
            );
        }
    }
    let indexes = sql.query(&format!(
        "SELECT n.nspname, t.relname, i.relname, pg_get_indexdef(ix.indexrelid)
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE {SYSTEM_SCHEMAS}
           AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x'))"
    ))?;
    for row in indexes {
        let table = qualified(&text(&row, 0), &text(&row, 1));
        if let Some(entry) = catalog.tables.get_mut(&table) {
            entry.indexes.insert(text(&row, 2), text(&row, 3));
        }
    }
    let views = sql.query(&format!(
        "SELECT n.nspname, c.relname, pg_get_viewdef(c.oid)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('v', 'm') AND {SYSTEM_SCHEMAS}"
    ))?;
    for row in views {
        catalog
            .views
            .insert(qualified(&text(&row, 0), &text(&row, 1)), text(&row, 2));
    }
    let sequences = sql.query(&format!(
        "SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL)
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {SYSTEM_SCHEMAS}"
    ))?;
    for row in sequences {
        let name = text(&row, 1);
        // The migration tools' own tables' sequences are theirs too.
        if crate::catalog::BOOKKEEPING_TABLES
            .iter()
            .any(|table| name.starts_with(table))
        {
            continue;
        }
        catalog
            .sequences
            .insert(qualified(&text(&row, 0), &name), text(&row, 2));
    }
    let triggers = sql.query(&format!(
        "SELECT n.nspname, c.relname, tg.tgname, pg_get_triggerdef(tg.oid)
         FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE NOT tg.tgisinternal AND {SYSTEM_SCHEMAS}"
    ))?;
    for row in triggers {
        let name = format!(
            "{}.{}",
            qualified(&text(&row, 0), &text(&row, 1)),
            text(&row, 2)
        );
        catalog.triggers.insert(name, text(&row, 3));
    }
    Ok(catalog)
}

/// Every row of a table, each column as its text form (NULL as `None`).
pub(crate) fn rows(
    sql: &mut dyn Sql,
    table: &str,
    columns: &[String],
) -> Result<Vec<Vec<Option<String>>>, String> {
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let select: Vec<String> = columns
        .iter()
        .map(|column| format!("{}::text", quote(column)))
        .collect();
    sql.query(&format!(
        "SELECT {} FROM {}",
        select.join(", "),
        quote_table(table)
    ))
}

/// The first non-NULL value of these columns in a table, as text (for foreign keys of seeds).
pub(crate) fn some_row(
    sql: &mut dyn Sql,
    table: &str,
    columns: &[String],
) -> Result<Option<Vec<String>>, String> {
    let select: Vec<String> = columns
        .iter()
        .map(|column| format!("{}::text", quote(column)))
        .collect();
    let filter: Vec<String> = columns
        .iter()
        .map(|column| format!("{} IS NOT NULL", quote(column)))
        .collect();
    let found = sql.query(&format!(
        "SELECT {} FROM {} WHERE {} LIMIT 1",
        select.join(", "),
        quote_table(table),
        filter.join(" AND ")
    ))?;
    Ok(found
        .first()
        .map(|row| (0..columns.len()).map(|at| text(row, at)).collect()))
}

/// The revisions in a version table, if it exists.
pub(crate) fn versions(sql: &mut dyn Sql, table: &str) -> Result<Vec<String>, String> {
    let literal = quote_table(table).replace('\'', "''");
    let exists = sql.query(&format!(
        "SELECT (to_regclass('{literal}') IS NOT NULL)::text"
    ))?;
    if !exists.first().is_some_and(|row| flag(row, 0)) {
        return Ok(Vec::new());
    }
    let found = sql.query(&format!(
        "SELECT {} FROM {}",
        version_column(table),
        quote_table(table)
    ))?;
    Ok(found.iter().map(|row| text(row, 0)).collect())
}

/// What names an applied migration in a version table: Alembic's revision, Django's
/// `app.name`.
pub(crate) fn version_column(table: &str) -> &'static str {
    if table == "django_migrations" {
        "(app || '.' || name)::text"
    } else {
        "version_num::text"
    }
}

/// Names of the user tables and types of the database, to refuse a non-empty scratch database.
pub(crate) fn existing_objects(sql: &mut dyn Sql) -> Result<Vec<String>, String> {
    let found = sql.query(&format!(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND {SYSTEM_SCHEMAS}
         UNION ALL
         SELECT t.typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE t.typtype = 'e' AND {SYSTEM_SCHEMAS}
         ORDER BY 1 LIMIT 20"
    ))?;
    Ok(found.iter().map(|row| text(row, 0)).collect())
}

/// Removes every user schema object: what `--allow-nonempty` and the final clean-up do to a scratch
/// database.
pub(crate) fn wipe(sql: &mut dyn Sql) -> Result<(), String> {
    let schemas = sql.query(&format!(
        "SELECT n.nspname::text FROM pg_namespace n WHERE {SYSTEM_SCHEMAS}
         AND n.nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
         AND n.nspname <> 'public'"
    ))?;
    let mut statements = String::new();
    for row in schemas {
        let _ = write!(
            statements,
            "DROP SCHEMA IF EXISTS {} CASCADE;",
            quote(&text(&row, 0))
        );
    }
    statements.push_str("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
    sql.execute(&statements)
}

/// Empties every user table (not the version table): a revision whose upgrade fails on the seeded
/// rows is tried again on empty tables.
pub(crate) fn truncate(sql: &mut dyn Sql, tables: &BTreeMap<String, Table>) -> Result<(), String> {
    let names: Vec<String> = tables
        .keys()
        .filter(|name| !crate::catalog::BOOKKEEPING_TABLES.contains(&name.as_str()))
        .map(|name| quote_table(name))
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    sql.execute(&format!("TRUNCATE {} CASCADE", names.join(", ")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;

    /// A server that accepts the connection and never answers (a proxy in front of nothing, a
    /// wrong port): the connection is given up, not waited for.
    #[test]
    fn a_server_that_never_answers_is_given_up() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let port = listener.local_addr().expect("its address").port();
        let holder = std::thread::spawn(move || listener.accept().map(|(stream, _)| stream));
        let url = match crate::DatabaseUrl::parse(&format!("postgresql://u@127.0.0.1:{port}/db")) {
            Ok(crate::DatabaseUrl::Postgres(url)) => url,
            other => panic!("{other:?}"),
        };
        let error = connect_within(&url, std::time::Duration::from_secs(1))
            .err()
            .expect("no connection");
        assert!(
            error.contains("did not complete the connection within 1 s"),
            "{error}"
        );
        drop(holder);
    }
}
