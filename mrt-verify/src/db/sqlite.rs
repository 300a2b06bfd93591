//! SQLite: the catalogue from `sqlite_master` and the `pragma_*` functions, rows as text; a
//! database is copied as a file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use crate::catalog::{Catalog, Column, Constraint, ConstraintKind, Table};

pub(crate) fn describe(error: &rusqlite::Error) -> String {
    error.to_string()
}

pub(crate) fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn strings(
    connection: &Connection,
    sql: &str,
    arg: &str,
) -> Result<Vec<Vec<Option<String>>>, String> {
    let mut statement = connection.prepare(sql).map_err(|e| describe(&e))?;
    let width = statement.column_count();
    let rows = statement
        .query_map([arg], |row| {
            (0..width)
                .map(|at| row.get_ref(at).map(text))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| describe(&e))?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(|e| describe(&e))
}

/// A value's text form, as PostgreSQL's `::text` would give it for the same data.
fn text(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Null => None,
        ValueRef::Integer(number) => Some(number.to_string()),
        ValueRef::Real(number) => Some(number.to_string()),
        ValueRef::Text(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        ValueRef::Blob(bytes) => Some(bytes.iter().fold(String::new(), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })),
    }
}

fn cell(row: &[Option<String>], at: usize) -> String {
    row.get(at).cloned().flatten().unwrap_or_default()
}

pub(crate) fn catalog(connection: &Connection) -> Result<Catalog, String> {
    let mut catalog = Catalog::default();
    let objects = strings(
        connection,
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND ?1 = ?1 ORDER BY name",
        "",
    )?;
    for object in &objects {
        let (kind, name, sql) = (cell(object, 0), cell(object, 1), cell(object, 3));
        match kind.as_str() {
            "table" => {
                catalog
                    .tables
                    .insert(name.clone(), table(connection, &name, &sql)?);
            }
            "view" => {
                catalog.views.insert(name, sql);
            }
            "trigger" => {
                catalog
                    .triggers
                    .insert(format!("{}.{name}", cell(object, 2)), sql);
            }
            _ => {}
        }
    }
    Ok(catalog)
}

fn table(connection: &Connection, name: &str, sql: &str) -> Result<Table, String> {
    let mut table = Table::default();
    let mut primary: Vec<(i64, String)> = Vec::new();
    for column in strings(
        connection,
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1)",
        name,
    )? {
        let pk: i64 = cell(&column, 4).parse().unwrap_or(0);
        let data_type = cell(&column, 1);
        if pk > 0 {
            primary.push((pk, cell(&column, 0)));
        }
        table.columns.push(Column {
            name: cell(&column, 0),
            // SQLite keeps the type as declared; compare it case-insensitively.
            data_type: data_type.to_ascii_uppercase(),
            nullable: cell(&column, 2) != "1",
            default: column.get(3).cloned().flatten(),
            // An INTEGER PRIMARY KEY is the rowid: SQLite numbers it itself.
            generated: false,
            enum_labels: None,
        });
    }
    primary.sort();
    if primary.len() == 1 {
        let column = &primary[0].1;
        if let Some(entry) = table.columns.iter_mut().find(|c| &c.name == column)
            && entry.data_type == "INTEGER"
        {
            entry.generated = true;
        }
    }
    if !primary.is_empty() {
        let columns: Vec<String> = primary.into_iter().map(|(_, column)| column).collect();
        table.constraints.insert(
            "primary key".to_owned(),
            Constraint {
                kind: ConstraintKind::PrimaryKey,
                definition: format!("PRIMARY KEY ({})", columns.join(", ")),
                columns,
                references: None,
            },
        );
    }
    let mut foreign: BTreeMap<String, (String, Vec<String>, Vec<String>, String)> = BTreeMap::new();
    for key in strings(
        connection,
        "SELECT id, \"table\", \"from\", \"to\", on_delete, on_update FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        name,
    )? {
        let entry = foreign.entry(cell(&key, 0)).or_insert_with(|| {
            (
                cell(&key, 1),
                Vec::new(),
                Vec::new(),
                format!(" ON DELETE {} ON UPDATE {}", cell(&key, 4), cell(&key, 5)),
            )
        });
        entry.1.push(cell(&key, 2));
        entry.2.push(cell(&key, 3));
    }
    for (target, from, to, actions) in foreign.into_values() {
        let definition = format!(
            "FOREIGN KEY ({}) REFERENCES {target}({}){actions}",
            from.join(", "),
            to.join(", ")
        );
        table.constraints.insert(
            definition.clone(),
            Constraint {
                kind: ConstraintKind::ForeignKey,
                columns: from,
                definition,
                references: Some((target, to)),
            },
        );
    }
    for index in strings(
        connection,
        "SELECT name, \"unique\", origin FROM pragma_index_list(?1)",
        name,
    )? {
        let index_name = cell(&index, 0);
        let columns: Vec<String> = strings(
            connection,
            "SELECT name FROM pragma_index_info(?1) ORDER BY seqno",
            &index_name,
        )?
        .iter()
        .map(|row| cell(row, 0))
        .collect();
        match cell(&index, 2).as_str() {
            "u" => {
                let definition = format!("UNIQUE ({})", columns.join(", "));
                table.constraints.insert(
                    definition.clone(),
                    Constraint {
                        kind: ConstraintKind::Unique,
                        columns,
                        definition,
                        references: None,
                    },
                );
            }
            "pk" => {}
            _ => {
                let unique = if cell(&index, 1) == "1" {
                    "UNIQUE "
                } else {
                    ""
                };
                table.indexes.insert(
                    index_name,
                    format!("{unique}INDEX ON {name} ({})", columns.join(", ")),
                );
            }
        }
    }
    for check in checks(sql) {
        table.constraints.insert(
            check.clone(),
            Constraint {
                kind: ConstraintKind::Check,
                columns: Vec::new(),
                definition: check,
                references: None,
            },
        );
    }
    Ok(table)
}

/// The `CHECK (...)` clauses of a `CREATE TABLE` statement, whitespace folded (SQLite keeps no
/// catalogue of them, only the statement).
fn checks(sql: &str) -> Vec<String> {
    let mut found = Vec::new();
    let upper = sql.to_ascii_uppercase();
    let bytes = sql.as_bytes();
    let mut from = 0;
    while let Some(at) = upper[from..].find("CHECK") {
        let start = from + at;
        from = start + 5;
        let Some(open) = sql[from..].find('(').map(|offset| from + offset) else {
            break;
        };
        if !sql[from..open].trim().is_empty() {
            continue;
        }
        let mut depth = 0usize;
        let mut end = None;
        let mut quote: Option<u8> = None;
        for (offset, &byte) in bytes[open..].iter().enumerate() {
            match (quote, byte) {
                (Some(q), b) if b == q => quote = None,
                (None, b'\'' | b'"') => quote = Some(byte),
                (None, b'(') => depth += 1,
                (None, b')') => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(open + offset + 1);
                        break;
                    }
                }
                (_, _) => {}
            }
        }
        let Some(end) = end else { break };
        let text: Vec<&str> = sql[start..end].split_whitespace().collect();
        found.push(text.join(" "));
        from = end;
    }
    found
}

pub(crate) fn rows(
    connection: &Connection,
    table: &str,
    columns: &[String],
) -> Result<Vec<Vec<Option<String>>>, String> {
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let select: Vec<String> = columns.iter().map(|column| quote(column)).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE ?1 = ?1",
        select.join(", "),
        quote(table)
    );
    strings(connection, &sql, "")
}

pub(crate) fn some_row(
    connection: &Connection,
    table: &str,
    columns: &[String],
) -> Result<Option<Vec<String>>, String> {
    let select: Vec<String> = columns.iter().map(|column| quote(column)).collect();
    let filter: Vec<String> = columns
        .iter()
        .map(|column| format!("{} IS NOT NULL", quote(column)))
        .collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {} AND ?1 = ?1 LIMIT 1",
        select.join(", "),
        quote(table),
        filter.join(" AND ")
    );
    Ok(strings(connection, &sql, "")?
        .into_iter()
        .next()
        .map(|row| row.into_iter().map(Option::unwrap_or_default).collect()))
}

pub(crate) fn versions(connection: &Connection, table: &str) -> Result<Vec<String>, String> {
    let exists = strings(
        connection,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1",
        table,
    )?;
    if exists.is_empty() {
        return Ok(Vec::new());
    }
    let found = strings(
        connection,
        &format!(
            "SELECT {} FROM {} WHERE ?1 = ?1",
            super::postgres::version_column(table).trim_end_matches("::text"),
            quote(table)
        ),
        "",
    )?;
    Ok(found.iter().map(|row| cell(row, 0)).collect())
}

pub(crate) fn truncate(
    connection: &Connection,
    tables: &BTreeMap<String, Table>,
) -> Result<(), String> {
    let mut sql = String::from("PRAGMA foreign_keys = OFF;");
    for name in tables.keys() {
        if !crate::catalog::BOOKKEEPING_TABLES.contains(&name.as_str()) {
            let _ = write!(sql, "DELETE FROM {};", quote(name));
        }
    }
    connection.execute_batch(&sql).map_err(|e| describe(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_clauses_are_read_from_the_statement() {
        let sql = "CREATE TABLE t (a INTEGER CHECK (a > 0), b VARCHAR(3), CONSTRAINT ck CHECK (b IN ('x', ')')))";
        assert_eq!(checks(sql), ["CHECK (a > 0)", "CHECK (b IN ('x', ')'))"]);
    }
}
