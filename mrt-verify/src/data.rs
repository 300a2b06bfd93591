//! The data half of the comparison: the rows of a table before the revision against its rows after
//! upgrade and downgrade, matched by primary key where both sides have the same one, else as a
//! multiset of rows; values compared column by column in their text form.

use std::collections::{BTreeMap, HashMap};

use crate::catalog::Table;
use crate::report::{Failure, FailureKind};
use crate::seed::describe_row;

/// The rows of one table, with the columns they were read with.
#[derive(Debug, Clone)]
pub struct Rows {
    /// Column names, in the order of each row's values.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Option<String>>>,
}

/// What was lost or changed in `table` between `before` and `after` (`None`: the table is gone).
pub fn compare(
    table: &str,
    before_table: &Table,
    before: &Rows,
    after_table: Option<&Table>,
    after: Option<&Rows>,
) -> Vec<Failure> {
    let failure = |object: String, message: String| Failure {
        kind: FailureKind::Data,
        object: Some(object),
        message,
        codes: Vec::new(),
        table: Some(table.to_owned()),
    };
    if before.rows.is_empty() {
        return Vec::new();
    }
    let (Some(after_table), Some(after)) = (after_table, after) else {
        return vec![failure(
            table.to_owned(),
            format!(
                "{} rows of `{table}` lost with the table",
                before.rows.len()
            ),
        )];
    };
    let mut found = Vec::new();
    // Columns the downgrade did not give back: their values are gone with them.
    for (at, column) in before.columns.iter().enumerate() {
        if after.columns.contains(column) {
            continue;
        }
        let values = before.rows.iter().filter(|row| row[at].is_some()).count();
        if values > 0 {
            found.push(failure(
                format!("{table}.{column}"),
                format!("{values} values of `{table}.{column}` lost with the column"),
            ));
        }
    }
    let shared: Vec<(usize, usize, &String)> = before
        .columns
        .iter()
        .enumerate()
        .filter_map(|(at, column)| {
            let there = after.columns.iter().position(|other| other == column)?;
            Some((at, there, column))
        })
        .collect();
    let key: Option<Vec<(usize, usize)>> =
        match (before_table.primary_key(), after_table.primary_key()) {
            (Some(old), Some(new)) if old == new => old
                .iter()
                .map(|column| {
                    shared
                        .iter()
                        .find(|(_, _, name)| *name == column)
                        .map(|(a, b, _)| (*a, *b))
                })
                .collect(),
            _ => None,
        };
    match key {
        Some(key) => by_key(table, before, after, &shared, &key, &mut found, &failure),
        None => as_multiset(table, before, after, &shared, &mut found, &failure),
    }
    found
}

fn by_key(
    table: &str,
    before: &Rows,
    after: &Rows,
    shared: &[(usize, usize, &String)],
    key: &[(usize, usize)],
    found: &mut Vec<Failure>,
    failure: &dyn Fn(String, String) -> Failure,
) {
    let after_by_key: HashMap<Vec<&Option<String>>, &Vec<Option<String>>> = after
        .rows
        .iter()
        .map(|row| (key.iter().map(|(_, b)| &row[*b]).collect(), row))
        .collect();
    let mut lost = Vec::new();
    // column -> (changed, to NULL, first example)
    let mut changed: BTreeMap<&String, (usize, usize, String)> = BTreeMap::new();
    let mut matched = 0;
    for row in &before.rows {
        let id: Vec<&Option<String>> = key.iter().map(|(a, _)| &row[*a]).collect();
        let Some(other) = after_by_key.get(&id) else {
            lost.push(row);
            continue;
        };
        matched += 1;
        for (a, b, column) in shared {
            if row[*a] == other[*b] {
                continue;
            }
            let entry = changed.entry(column).or_insert_with(|| {
                (
                    0,
                    0,
                    format!(
                        "{} -> {}",
                        shown(row[*a].as_deref()),
                        shown(other[*b].as_deref())
                    ),
                )
            });
            entry.0 += 1;
            if other[*b].is_none() {
                entry.1 += 1;
            }
        }
    }
    if !lost.is_empty() {
        found.push(failure(
            table.to_owned(),
            format!(
                "{} of {} rows of `{table}` lost, e.g. {}",
                lost.len(),
                before.rows.len(),
                describe_row(&before.columns, lost[0])
            ),
        ));
    }
    let added = after.rows.len().saturating_sub(matched);
    if added > 0 {
        found.push(failure(
            table.to_owned(),
            format!("{added} rows of `{table}` that were not there before"),
        ));
    }
    for (column, (count, nulled, example)) in changed {
        let what = if count == nulled {
            "lost (now NULL)"
        } else {
            "changed"
        };
        found.push(failure(
            format!("{table}.{column}"),
            format!("{count} of {matched} values of `{table}.{column}` {what}, e.g. {example}"),
        ));
    }
}

fn as_multiset(
    table: &str,
    before: &Rows,
    after: &Rows,
    shared: &[(usize, usize, &String)],
    found: &mut Vec<Failure>,
    failure: &dyn Fn(String, String) -> Failure,
) {
    let mut remaining: HashMap<Vec<&Option<String>>, usize> = HashMap::new();
    for row in &after.rows {
        *remaining
            .entry(shared.iter().map(|(_, b, _)| &row[*b]).collect())
            .or_default() += 1;
    }
    let mut missing = Vec::new();
    for row in &before.rows {
        let projected: Vec<&Option<String>> = shared.iter().map(|(a, _, _)| &row[*a]).collect();
        match remaining.get_mut(&projected) {
            Some(count) if *count > 0 => *count -= 1,
            _ => missing.push(row),
        }
    }
    if !missing.is_empty() {
        found.push(failure(
            table.to_owned(),
            format!(
                "{} of {} rows of `{table}` lost or changed, e.g. {}",
                missing.len(),
                before.rows.len(),
                describe_row(&before.columns, missing[0])
            ),
        ));
    }
}

fn shown(value: Option<&str>) -> String {
    match value {
        Some(value) => {
            let short: String = value.chars().take(24).collect();
            format!("{short:?}")
        }
        None => "NULL".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Constraint, ConstraintKind};

    fn keyed() -> Table {
        let mut table = Table::default();
        table.constraints.insert(
            "pk".into(),
            Constraint {
                kind: ConstraintKind::PrimaryKey,
                columns: vec!["id".into()],
                definition: "PRIMARY KEY (id)".into(),
                references: None,
            },
        );
        table
    }

    fn rows(columns: &[&str], rows: &[&[Option<&str>]]) -> Rows {
        Rows {
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: rows
                .iter()
                .map(|row| row.iter().map(|v| v.map(str::to_owned)).collect())
                .collect(),
        }
    }

    #[test]
    fn values_set_to_null_by_a_re_added_column_are_lost() {
        let before = rows(
            &["id", "phone"],
            &[&[Some("1"), Some("555")], &[Some("2"), None]],
        );
        let after = rows(&["id", "phone"], &[&[Some("1"), None], &[Some("2"), None]]);
        let found = compare("users", &keyed(), &before, Some(&keyed()), Some(&after));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].object.as_deref(), Some("users.phone"));
        assert!(
            found[0].message.contains("1 of 2 values"),
            "{}",
            found[0].message
        );
        assert!(found[0].message.contains("lost (now NULL)"));
        assert!(compare("users", &keyed(), &before, Some(&keyed()), Some(&before)).is_empty());
    }

    #[test]
    fn lost_rows_and_columns_without_a_key() {
        let before = rows(&["a", "b"], &[&[Some("x"), Some("1")], &[Some("y"), None]]);
        let after = rows(&["a"], &[&[Some("x")]]);
        let found = compare(
            "t",
            &Table::default(),
            &before,
            Some(&Table::default()),
            Some(&after),
        );
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("1 values of `t.b` lost with the column"));
        assert!(messages[1].contains("1 of 2 rows of `t` lost or changed"));
        let gone = compare("t", &Table::default(), &before, None, None);
        assert!(
            gone[0]
                .message
                .contains("2 rows of `t` lost with the table")
        );
    }
}
