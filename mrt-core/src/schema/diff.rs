//! What a downgrade leaves different: the residue between the schema before a revision and the
//! schema after its upgrade and downgrade.

use std::sync::Arc;

use super::chunked::ChunkMap;
use super::types::{canonical_default, canonical_type, type_on};
use super::{Column, Constraint, ObjectKey, Schema, Table, key, same_elements};

use crate::ir::ConstraintKind;

/// How an object differs after the downgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResidueKind {
    /// It existed before and does not after the downgrade.
    Missing,
    /// It exists after the downgrade and did not before.
    Left,
    /// It exists on both sides with a different definition.
    Changed,
}

/// One difference between the schema before a revision and after its upgrade and downgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Residue {
    /// The object that differs.
    pub object: ObjectKey,
    /// How.
    pub kind: ResidueKind,
    /// What differs, in words (`` index `ix_a` is left after downgrade ``).
    pub message: String,
}

/// The residue of `after` against `before`. Objects either side holds as uncertain, and the
/// `unknown` ones (found missing by an operation of the revision), are left out.
pub(crate) fn residue(
    before: &Schema,
    after: &Schema,
    unknown: &std::collections::BTreeSet<ObjectKey>,
    dialect_names: &[&str],
) -> Vec<Residue> {
    let mut found = Differ {
        before,
        after,
        unknown,
        dialect_names,
        residue: Vec::new(),
    };
    let names: std::collections::BTreeSet<&String> =
        before.tables.keys().chain(after.tables.keys()).collect();
    for name in names {
        found.table(
            name,
            before.tables.get(name).map(AsRef::as_ref),
            after.tables.get(name).map(AsRef::as_ref),
        );
    }
    found.named(&before.types, &after.types, ObjectKey::Type, "enum type");
    found.named(&before.views, &after.views, ObjectKey::View, "view");
    found.residue
}

struct Differ<'a> {
    /// The configured dialect's names: types compare as that database sees them.
    dialect_names: &'a [&'a str],
    before: &'a Schema,
    after: &'a Schema,
    unknown: &'a std::collections::BTreeSet<ObjectKey>,
    residue: Vec<Residue>,
}

impl Differ<'_> {
    fn uncertain(&self, object: &ObjectKey) -> bool {
        let table = object
            .table()
            .map(|table| ObjectKey::Table(table.to_owned()));
        self.before.is_uncertain(object)
            || self.after.is_uncertain(object)
            || self.unknown.contains(object)
            || table.is_some_and(|table| self.unknown.contains(&table))
    }

    fn report(&mut self, object: ObjectKey, kind: ResidueKind, message: String) {
        if !self.uncertain(&object) {
            self.residue.push(Residue {
                object,
                kind,
                message,
            });
        }
    }

    fn table(&mut self, name: &str, before: Option<&Table>, after: Option<&Table>) {
        let object = ObjectKey::Table(name.to_owned());
        match (before, after) {
            (Some(table), None) => self.report(
                object,
                ResidueKind::Missing,
                format!("table `{}` is not restored by the downgrade", table.name),
            ),
            // A table the model knows only partly, absent before: it existed all along (the
            // upgrade could act on it), so only what was seen of it can be compared.
            (None, Some(table)) if table.partial => {
                let empty = Table::new(&table.name, true);
                self.table_contents(name, &empty, table);
            }
            (None, Some(table)) => self.report(
                object,
                ResidueKind::Left,
                format!("table `{}` is left after the downgrade", table.name),
            ),
            // Most tables a revision touches come back exactly as they were.
            (Some(before), Some(after)) if before == after => {}
            (Some(before), Some(after)) => self.table_contents(name, before, after),
            (None, None) => {}
        }
    }

    fn table_contents(&mut self, table_key: &str, before: &Table, after: &Table) {
        // Most downgrades undo an upgrade by removing what it added: the elements left are the
        // very ones the table had before, and lists of them need no comparing.
        if !same_elements(&before.columns, &after.columns) {
            self.columns(table_key, before, after);
        }
        if !same_elements(&before.indexes, &after.indexes) {
            self.indexes(before, after);
        }
        if !same_elements(&before.constraints, &after.constraints) {
            self.constraints(table_key, before, after);
        }
        if before.triggers != after.triggers {
            self.triggers(before, after);
        }
    }

    fn columns(&mut self, table_key: &str, before: &Table, after: &Table) {
        let table = &after.name;
        // The keys of objects are built only for what is reported: most come back unchanged.
        for column in &before.columns {
            let object = || ObjectKey::Column(table_key.to_owned(), key(&column.name));
            match after.column(&column.name) {
                None => self.report(
                    object(),
                    ResidueKind::Missing,
                    format!(
                        "column `{table}.{}` is not restored by the downgrade",
                        column.name
                    ),
                ),
                // The same column, shared with the table before, needs no comparing.
                Some(restored)
                    if std::ptr::eq(restored, Arc::as_ptr(column)) || *restored == **column => {}
                Some(restored) => self.column(object(), table, column, restored),
            }
        }
        for (at, column) in after.columns.iter().enumerate() {
            // A column shared with the same place of the table before is one it had.
            let kept = before
                .columns
                .get(at)
                .is_some_and(|then| Arc::ptr_eq(then, column));
            if !kept && before.column(&column.name).is_none() {
                self.report(
                    ObjectKey::Column(table_key.to_owned(), key(&column.name)),
                    ResidueKind::Left,
                    format!(
                        "column `{table}.{}` is left after the downgrade",
                        column.name
                    ),
                );
            }
        }
    }

    fn indexes(&mut self, before: &Table, after: &Table) {
        for index in &before.indexes {
            let object = || ObjectKey::Index(key(&index.name));
            match after.index(&index.name) {
                None => self.report(
                    object(),
                    ResidueKind::Missing,
                    format!("index `{}` is not restored by the downgrade", index.name),
                ),
                Some(restored) if !same_names(&restored.columns, &index.columns) => self.report(
                    object(),
                    ResidueKind::Changed,
                    format!(
                        "index `{}` is restored on ({}) instead of ({})",
                        index.name,
                        restored.columns.join(", "),
                        index.columns.join(", ")
                    ),
                ),
                Some(restored) if restored.unique != index.unique => self.report(
                    object(),
                    ResidueKind::Changed,
                    format!(
                        "index `{}` is restored {} UNIQUE",
                        index.name,
                        if index.unique { "without" } else { "with" }
                    ),
                ),
                Some(_) => {}
            }
        }
        for index in &after.indexes {
            if before.index(&index.name).is_none() {
                self.report(
                    ObjectKey::Index(key(&index.name)),
                    ResidueKind::Left,
                    format!("index `{}` is left after the downgrade", index.name),
                );
            }
        }
    }

    fn constraints(&mut self, table_key: &str, before: &Table, after: &Table) {
        let table = &after.name;
        // A primary key is compared through its columns' flags: an unnamed key re-created by the
        // downgrade gets the database's default name, which need not be the one written.
        let keyed = |constraint: &&Arc<Constraint>| constraint.kind != ConstraintKind::PrimaryKey;
        for constraint in before.constraints.iter().filter(keyed) {
            let object = || constraint_key(table_key, constraint);
            match after
                .constraints
                .iter()
                .find(|restored| restored.same_object(constraint, table))
            {
                None => self.report(
                    object(),
                    ResidueKind::Missing,
                    format!(
                        "{} on `{table}` is not restored by the downgrade",
                        constraint.label()
                    ),
                ),
                Some(restored) if restored.ondelete != constraint.ondelete => self.report(
                    object(),
                    ResidueKind::Changed,
                    format!(
                        "{} on `{table}` is restored with ON DELETE {} instead of {}",
                        constraint.label(),
                        restored.ondelete.as_deref().unwrap_or("NO ACTION"),
                        constraint.ondelete.as_deref().unwrap_or("NO ACTION"),
                    ),
                ),
                Some(_) => {}
            }
        }
        for constraint in after.constraints.iter().filter(keyed) {
            if !before
                .constraints
                .iter()
                .any(|existing| existing.same_object(constraint, table))
            {
                self.report(
                    constraint_key(table_key, constraint),
                    ResidueKind::Left,
                    format!(
                        "{} on `{table}` is left after the downgrade",
                        constraint.label()
                    ),
                );
            }
        }
    }

    fn triggers(&mut self, before: &Table, after: &Table) {
        for trigger in &before.triggers {
            if !after
                .triggers
                .iter()
                .any(|t| t.eq_ignore_ascii_case(trigger))
            {
                self.report(
                    ObjectKey::Trigger(key(trigger)),
                    ResidueKind::Missing,
                    format!("trigger `{trigger}` is not restored by the downgrade"),
                );
            }
        }
        for trigger in &after.triggers {
            if !before
                .triggers
                .iter()
                .any(|t| t.eq_ignore_ascii_case(trigger))
            {
                self.report(
                    ObjectKey::Trigger(key(trigger)),
                    ResidueKind::Left,
                    format!("trigger `{trigger}` is left after the downgrade"),
                );
            }
        }
    }

    fn column(&mut self, object: ObjectKey, table: &str, before: &Column, after: &Column) {
        // Named only in what is reported: a column can differ in ways no report is about.
        let name = || format!("{table}.{}", before.name);
        if let (Some(was), Some(is)) = (&before.type_text, &after.type_text)
            && was != is
            && let (Some(was_canonical), Some(is_canonical)) = (
                canonical_type(&type_on(was, self.dialect_names)),
                canonical_type(&type_on(is, self.dialect_names)),
            )
            && was_canonical != is_canonical
        {
            self.report(
                object.clone(),
                ResidueKind::Changed,
                format!(
                    "type of column `{}` is not restored: `{is}` after the downgrade, `{was}` before",
                    name()
                ),
            );
        }
        if before.nullable != after.nullable {
            let state = |nullable: bool| if nullable { "NULL" } else { "NOT NULL" };
            self.report(
                object.clone(),
                ResidueKind::Changed,
                format!(
                    "nullability of column `{}` is not restored: {} after the downgrade, {} before",
                    name(),
                    state(after.nullable),
                    state(before.nullable)
                ),
            );
        }
        if before.server_default != after.server_default && defaults_differ(before, after) {
            let shown = |default: Option<&String>| {
                default.map_or_else(|| "none".to_owned(), |text| format!("`{text}`"))
            };
            self.report(
                object.clone(),
                ResidueKind::Changed,
                format!(
                    "server default of column `{}` is not restored: {} after the downgrade, {} before",
                    name(),
                    shown(after.server_default.as_ref()),
                    shown(before.server_default.as_ref())
                ),
            );
        }
        if before.primary_key != after.primary_key {
            self.report(
                object,
                ResidueKind::Changed,
                format!(
                    "column `{}` is {} the primary key after the downgrade",
                    name(),
                    if after.primary_key {
                        "part of"
                    } else {
                        "no longer part of"
                    }
                ),
            );
        }
    }

    fn named<V: Clone>(
        &mut self,
        before: &ChunkMap<V>,
        after: &ChunkMap<V>,
        object: fn(String) -> ObjectKey,
        what: &str,
    ) {
        for name in before.keys().filter(|name| !after.contains_key(name)) {
            self.report(
                object(name.clone()),
                ResidueKind::Missing,
                format!("{what} `{name}` is not restored by the downgrade"),
            );
        }
        for name in after.keys().filter(|name| !before.contains_key(name)) {
            self.report(
                object(name.clone()),
                ResidueKind::Left,
                format!("{what} `{name}` is left after the downgrade"),
            );
        }
    }
}

/// Whether two server defaults written differently are different values (`'0'` and `0`
/// are not; nor are `false` and `'f'` on a boolean column).
fn defaults_differ(before: &Column, after: &Column) -> bool {
    let boolean = before
        .type_text
        .as_deref()
        .and_then(canonical_type)
        .is_some_and(|canonical| canonical == "boolean");
    let default_of = |column: &Column| {
        column.server_default.as_deref().map(|text| {
            let canonical = canonical_default(text);
            if boolean {
                boolean_default(canonical)
            } else {
                canonical
            }
        })
    };
    default_of(before) != default_of(after)
}

/// A boolean column's default, however spelled: PostgreSQL reads `'0'`, `0`, `'f'` and `false`
/// alike.
fn boolean_default(canonical: String) -> String {
    match canonical.as_str() {
        "0" | "f" | "false" => "false".to_owned(),
        "1" | "t" | "true" => "true".to_owned(),
        _ => canonical,
    }
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(a, b)| a.replace(' ', "").eq_ignore_ascii_case(&b.replace(' ', "")))
}

/// A constraint's key: by name when it has one, else the table's.
fn constraint_key(table_key: &str, constraint: &Constraint) -> ObjectKey {
    match &constraint.name {
        Some(name) => ObjectKey::Constraint(table_key.to_owned(), key(name)),
        None => ObjectKey::Table(table_key.to_owned()),
    }
}
