//! The schema model: what the database looks like after a sequence of operations.
//!
//! [`Schema::apply`] plays one IR operation onto a schema; [`replay`] plays every revision of a
//! project in topological order and compares, for each revision, the schema before it with the
//! schema after its upgrade and downgrade ([`Residue`]).
//!
//! Nothing here guesses. An operation on an object the model does not know (a table created before
//! the first migration, an index created by SQL that could not be read) records the object as
//! *uncertain*; comparisons say nothing about uncertain objects. A table known only from operations
//! on it is *partial*: it may have columns the model never saw.

mod apply;
mod chunked;
mod diff;
mod replay;
mod scratch;
mod types;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

pub use diff::{Residue, ResidueKind};
pub use replay::{
    JudgedRevision, Replay, ReplayStep, RevisionExtra, RevisionReplay, RevisionResidue, replay,
    replay_with, replay_with_extra,
};
pub use scratch::Scratch;
pub use types::{postgres_alters_in_place, same_type, widens_integer, widens_string};

use crate::ir::ConstraintKind;
use chunked::ChunkMap;

/// Names compare case-insensitively: SQL folds unquoted identifiers, and a migration mixing
/// `op.create_table("Users")` with SQL on `users` means one table.
pub(crate) fn key(name: &str) -> String {
    // Identifiers are folded the way PostgreSQL folds unquoted ones: ASCII letters only.
    name.to_ascii_lowercase()
}

/// The database objects of the model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    /// Tables by lower-cased name. The maps share their chunks, and the tables, with the copies
    /// made at branch points: a copy costs a few dozen pointers, and a merge compares only what
    /// its parents changed.
    tables: ChunkMap<Arc<Table>>,
    /// The table of each index, by lower-cased index name (index names are schema-wide).
    index_tables: ChunkMap<String>,
    /// The table of each trigger, by lower-cased trigger name.
    trigger_tables: ChunkMap<String>,
    /// Enum types by lower-cased name.
    types: ChunkMap<EnumType>,
    /// Views by lower-cased name.
    views: ChunkMap<View>,
    /// Sequences by lower-cased name.
    sequences: ChunkMap<Sequence>,
    /// Objects whose state the model cannot know.
    uncertain: BTreeSet<ObjectKey>,
    /// Which tables may refer to each table, so that renaming a table retargets foreign keys
    /// without a scan of every table.
    referrers: Referrers,
}

/// Per lower-cased table name, the lower-cased names of the tables whose foreign keys were seen
/// referring to it when they entered the schema (through [`Schema::insert_table`] or
/// [`Schema::replace_table`]). It may name more tables than refer now (a table dropped, a key
/// removed): its readers check each table. A table changed in place (by the operations applied to
/// a revision's part) is not seen until it comes back into the whole schema, so only the whole
/// schema of the replay reads it ([`Schema::retarget_referring_foreign_keys`]).
///
/// Shared between copies of a schema (a branch point copies the schema for each child) and copied
/// only when one of them adds to it: most revisions add no reference that is not known already.
/// `None` in the parts of the schema that [`Schema::restricted_to`] takes (one or more for every
/// revision, on the replay's sequential walk): nothing reads a part's index.
#[derive(Debug, Clone)]
struct Referrers(Option<ChunkMap<BTreeSet<String>>>);

impl Default for Referrers {
    fn default() -> Self {
        Self(Some(ChunkMap::default()))
    }
}

impl Referrers {
    fn add(&mut self, name: &str, table: &Table) {
        let Some(names) = &mut self.0 else {
            return;
        };
        for referred in table
            .constraints
            .iter()
            .filter_map(|constraint| constraint.referred_table.as_deref())
        {
            let referred = key(referred);
            if names
                .get(&referred)
                .is_some_and(|names| names.contains(name))
            {
                continue;
            }
            names
                .get_or_insert_with(referred, BTreeSet::new)
                .insert(name.to_owned());
        }
    }
}

/// An index of the tables, not part of what a schema holds: two schemas with the same objects
/// are equal whatever their indexes remember.
impl PartialEq for Referrers {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The name as first written.
    pub name: String,
    /// Columns in creation order. Each behind an `Arc`, as are the constraints and indexes: an
    /// operation copies the table it changes (the schema before it keeps the old one), and the
    /// copy then shares every column, constraint and index the operation leaves alone.
    pub columns: Vec<Arc<Column>>,
    /// Unique, check, foreign-key and named primary-key constraints.
    pub constraints: Vec<Arc<Constraint>>,
    /// Indexes on the table.
    pub indexes: Vec<Arc<Index>>,
    /// Triggers on the table, by name.
    pub triggers: Vec<String>,
    /// Known only from operations on it (created before the migrations the model read): it may
    /// have columns, indexes and constraints the model never saw.
    pub partial: bool,
    /// Created by a revision after the release boundary (`--since`): it holds no production rows.
    pub unreleased: bool,
}

impl Table {
    fn new(name: &str, partial: bool) -> Self {
        Self {
            name: name.to_owned(),
            columns: Vec::new(),
            constraints: Vec::new(),
            indexes: Vec::new(),
            triggers: Vec::new(),
            partial,
            unreleased: false,
        }
    }

    /// The column named `name` (case-insensitively).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|column| column.name.eq_ignore_ascii_case(name))
            .map(|column| &**column)
    }

    fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns
            .iter_mut()
            .find(|column| column.name.eq_ignore_ascii_case(name))
            .map(Arc::make_mut)
    }

    /// The index named `name` (case-insensitively).
    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes
            .iter()
            .find(|index| index.name.eq_ignore_ascii_case(name))
            .map(|index| &**index)
    }

    /// The primary key's columns, in table order.
    pub fn primary_key(&self) -> Vec<&str> {
        self.columns
            .iter()
            .filter(|column| column.primary_key)
            .map(|column| column.name.as_str())
            .collect()
    }
}

/// A column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The name as written.
    pub name: String,
    /// The type as written in the migration (`sa.String(length=50)`, or SQL `VARCHAR(50)`); `None`
    /// when no operation gave it.
    pub type_text: Option<String>,
    /// Accepts NULL.
    pub nullable: bool,
    /// The server default as written (`sa.text("0")`, `"x"`, SQL `now()`).
    pub server_default: Option<String>,
    /// Part of the primary key.
    pub primary_key: bool,
}

/// A table constraint other than the primary key's columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// What kind.
    pub kind: ConstraintKind,
    /// Its name, when it has one.
    pub name: Option<String>,
    /// The constrained columns, as far as they were read.
    pub columns: Vec<String>,
    /// For a foreign key: the referenced table.
    pub referred_table: Option<String>,
    /// For a foreign key: `ON DELETE`, upper-cased.
    pub ondelete: Option<String>,
    /// For a check constraint: its condition as written.
    pub condition: Option<String>,
}

impl Constraint {
    /// Whether two constraints of `table` are the same object: same name; both unnamed, same
    /// kind and columns; or one unnamed and the other named as PostgreSQL names it (a foreign key
    /// declared inline is dropped and re-created as `<table>_<column>_fkey`).
    fn same_object(&self, other: &Constraint, table: &str) -> bool {
        match (&self.name, &other.name) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (None, None) => {
                self.kind == other.kind
                    && eq_names(&self.columns, &other.columns)
                    && self.referred_table.as_deref().map(key)
                        == other.referred_table.as_deref().map(key)
            }
            (Some(name), None) => other.goes_by(name, table),
            (None, Some(name)) => self.goes_by(name, table),
        }
    }

    /// Whether this unnamed constraint of `table` is the one PostgreSQL calls `name`
    /// ([`is_postgres_default_name`]).
    pub(crate) fn goes_by(&self, name: &str, table: &str) -> bool {
        is_postgres_default_name(name, table, self.kind, &self.columns)
    }

    fn label(&self) -> String {
        let kind = match self.kind {
            ConstraintKind::ForeignKey => "foreign key",
            ConstraintKind::Unique => "unique constraint",
            ConstraintKind::Check => "check constraint",
            ConstraintKind::PrimaryKey => "primary key",
        };
        match &self.name {
            Some(name) => format!("{kind} `{name}`"),
            None if self.columns.is_empty() => format!("an unnamed {kind}"),
            None => format!("{kind} on ({})", self.columns.join(", ")),
        }
    }
}

/// Whether `name` is the name PostgreSQL gives a constraint of `kind` on `table` and `columns`
/// declared without one: `<table>_<columns>_key` for a unique constraint, `<table>_<columns>_fkey`
/// for a foreign key (a key declared inline, dropped later by that name). Compared in place: the
/// replay asks this of every pair of constraints it compares.
#[must_use]
pub fn is_postgres_default_name(
    name: &str,
    table: &str,
    kind: ConstraintKind,
    columns: &[String],
) -> bool {
    let suffix = match kind {
        ConstraintKind::Unique => "key",
        ConstraintKind::ForeignKey => "fkey",
        ConstraintKind::Check | ConstraintKind::PrimaryKey => return false,
    };
    let Some(mut rest) = strip_prefix_ignoring_case(name, table) else {
        return false;
    };
    for part in columns.iter().map(String::as_str).chain([suffix]) {
        match rest
            .strip_prefix('_')
            .and_then(|rest| strip_prefix_ignoring_case(rest, part))
        {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty()
}

/// `text` after `prefix`, compared ignoring ASCII case.
fn strip_prefix_ignoring_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Whether two lists hold the very same elements (shared, not merely equal), in order.
fn same_elements<T>(a: &[Arc<T>], b: &[Arc<T>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| Arc::ptr_eq(a, b))
}

fn eq_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.eq_ignore_ascii_case(b))
}

/// An index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The name as written.
    pub name: String,
    /// Indexed columns or expressions, as written.
    pub columns: Vec<String>,
    /// `UNIQUE`.
    pub unique: bool,
}

/// A PostgreSQL enum type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumType {
    /// The name as written.
    pub name: String,
    /// Its labels, when known.
    pub values: Vec<String>,
}

/// A view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The name as written.
    pub name: String,
    /// `MATERIALIZED`.
    pub materialized: bool,
    /// The statement that created it.
    pub definition: String,
}

/// A sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    /// The name as written.
    pub name: String,
}

/// Names an object of the model, for uncertainty and for residues. Names are lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectKey {
    /// A table.
    Table(String),
    /// A column of a table.
    Column(String, String),
    /// An index.
    Index(String),
    /// A named constraint of a table.
    Constraint(String, String),
    /// An enum type.
    Type(String),
    /// A view.
    View(String),
    /// A trigger.
    Trigger(String),
    /// A sequence.
    Sequence(String),
}

impl ObjectKey {
    /// The table this object belongs to, if it belongs to one.
    pub fn table(&self) -> Option<&str> {
        match self {
            ObjectKey::Table(table)
            | ObjectKey::Column(table, _)
            | ObjectKey::Constraint(table, _) => Some(table),
            _ => None,
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectKey::Table(name) => write!(f, "table:{name}"),
            ObjectKey::Column(table, column) => write!(f, "column:{table}.{column}"),
            ObjectKey::Index(name) => write!(f, "index:{name}"),
            ObjectKey::Constraint(table, name) => write!(f, "constraint:{table}.{name}"),
            ObjectKey::Type(name) => write!(f, "type:{name}"),
            ObjectKey::View(name) => write!(f, "view:{name}"),
            ObjectKey::Trigger(name) => write!(f, "trigger:{name}"),
            ObjectKey::Sequence(name) => write!(f, "sequence:{name}"),
        }
    }
}

impl Schema {
    /// An empty schema.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The tables, by lower-cased name.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values().map(AsRef::as_ref)
    }

    /// The table named `name` (case-insensitively).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(&key(name)).map(AsRef::as_ref)
    }

    /// The enum types.
    pub fn enum_types(&self) -> impl Iterator<Item = &EnumType> {
        self.types.values()
    }

    /// The enum type named `name` (case-insensitively).
    pub fn enum_type(&self, name: &str) -> Option<&EnumType> {
        self.types.get(&key(name))
    }

    /// The views.
    pub fn views(&self) -> impl Iterator<Item = &View> {
        self.views.values()
    }

    /// The sequences.
    pub fn sequences(&self) -> impl Iterator<Item = &Sequence> {
        self.sequences.values()
    }

    /// The table that has the index named `name`.
    pub fn index_table(&self, name: &str) -> Option<&Table> {
        self.index_tables
            .get(&key(name))
            .and_then(|table| self.tables.get(table))
            .map(AsRef::as_ref)
    }

    /// Whether the model cannot know the state of `object` (or of the table it belongs to).
    pub fn is_uncertain(&self, object: &ObjectKey) -> bool {
        self.uncertain.contains(object)
            || object
                .table()
                .is_some_and(|table| self.uncertain.contains(&ObjectKey::Table(table.to_owned())))
    }

    /// The objects the model cannot know.
    pub fn uncertain(&self) -> impl Iterator<Item = &ObjectKey> {
        self.uncertain.iter()
    }

    fn mark_uncertain(&mut self, object: ObjectKey) {
        self.uncertain.insert(object);
    }

    /// The objects that `keys` name (tables with their indexes and triggers), as a schema of their
    /// own: what one revision can change.
    pub(crate) fn restricted_to(&self, keys: &Touched) -> Schema {
        let mut part = Schema {
            referrers: Referrers(None),
            ..Schema::default()
        };
        for table in &keys.tables {
            if let Some(found) = self.tables.get(table) {
                part.insert_table(table.clone(), Arc::clone(found));
            }
        }
        for (name, table) in &keys.indexes {
            // An index dropped without its table named: its table comes along.
            let owner = table
                .clone()
                .or_else(|| self.index_tables.get(name).cloned());
            if let Some(owner) = owner
                && let Some(found) = self.tables.get(&owner)
            {
                part.insert_table(owner, Arc::clone(found));
            }
        }
        for name in &keys.triggers {
            if let Some(owner) = self.trigger_tables.get(name)
                && let Some(found) = self.tables.get(owner)
            {
                part.insert_table(owner.clone(), Arc::clone(found));
            }
        }
        copy_entries(&self.types, &mut part.types, &keys.types);
        copy_entries(&self.views, &mut part.views, &keys.views);
        copy_entries(&self.sequences, &mut part.sequences, &keys.sequences);
        part.uncertain = self.uncertain_within(&part);
        part
    }

    /// Whether this schema has `object`'s table, or the named object itself.
    fn holds(&self, object: &ObjectKey) -> bool {
        match object {
            ObjectKey::Table(table)
            | ObjectKey::Column(table, _)
            | ObjectKey::Constraint(table, _) => self.tables.contains_key(table),
            ObjectKey::Index(name) => self.index_tables.contains_key(name),
            ObjectKey::Trigger(name) => self.trigger_tables.contains_key(name),
            ObjectKey::Type(name) => self.types.contains_key(name),
            ObjectKey::View(name) => self.views.contains_key(name),
            ObjectKey::Sequence(name) => self.sequences.contains_key(name),
        }
    }

    /// This part of `whole` with the tables its foreign keys refer to, taken from `whole`.
    pub(crate) fn with_referred_tables(&self, whole: &Schema) -> Schema {
        let mut part = self.clone();
        let referred: BTreeSet<String> = self
            .tables
            .values()
            .flat_map(|table| &table.constraints)
            .filter_map(|constraint| constraint.referred_table.as_deref())
            .map(key)
            .filter(|table| !self.tables.contains_key(table))
            .collect();
        for table in referred {
            if let Some(found) = whole.tables.get(&table) {
                part.insert_table(table, Arc::clone(found));
            }
        }
        part
    }

    /// The uncertain objects that lie in what `part` holds, found by key rather than by a walk
    /// over every uncertain object of the chain.
    fn uncertain_within(&self, part: &Schema) -> BTreeSet<ObjectKey> {
        if self.uncertain.is_empty() {
            return BTreeSet::new();
        }
        // Fewer uncertain objects than the look-ups by key would make (the usual case: the
        // parents of merges disagree on little) are each looked for in the part instead, without
        // a key built for every table, index and type the part holds.
        let lookups = 3 * part.tables.len()
            + part.index_tables.len()
            + part.trigger_tables.len()
            + part.types.len()
            + part.views.len()
            + part.sequences.len();
        if self.uncertain.len() <= lookups {
            self.uncertain_by_walk(part)
        } else {
            self.uncertain_by_keys(part)
        }
    }

    /// [`Self::uncertain_within`], each uncertain object looked for in `part`.
    fn uncertain_by_walk(&self, part: &Schema) -> BTreeSet<ObjectKey> {
        self.uncertain
            .iter()
            .filter(|object| part.holds(object))
            .cloned()
            .collect()
    }

    /// [`Self::uncertain_within`], by the keys of what `part` holds.
    fn uncertain_by_keys(&self, part: &Schema) -> BTreeSet<ObjectKey> {
        let mut found = BTreeSet::new();
        for table in part.tables.keys() {
            let first = ObjectKey::Table(table.clone());
            found.extend(
                self.uncertain
                    .range(first..)
                    .take_while(|object| matches!(object, ObjectKey::Table(t) if t == table))
                    .cloned(),
            );
            for first in [
                ObjectKey::Column(table.clone(), String::new()),
                ObjectKey::Constraint(table.clone(), String::new()),
            ] {
                found.extend(
                    self.uncertain
                        .range(first..)
                        .take_while(|object| object.table() == Some(table.as_str()))
                        .cloned(),
                );
            }
        }
        let named = part
            .index_tables
            .keys()
            .map(|name| ObjectKey::Index(name.clone()))
            .chain(
                part.trigger_tables
                    .keys()
                    .map(|name| ObjectKey::Trigger(name.clone())),
            )
            .chain(part.types.keys().map(|name| ObjectKey::Type(name.clone())))
            .chain(part.views.keys().map(|name| ObjectKey::View(name.clone())))
            .chain(
                part.sequences
                    .keys()
                    .map(|name| ObjectKey::Sequence(name.clone())),
            );
        for object in named {
            if self.uncertain.contains(&object) {
                found.insert(object);
            }
        }
        found
    }

    /// Replaces what `keys` name (and what `part` holds) with `part`'s version of it: the inverse
    /// of [`Schema::restricted_to`] after the part was changed.
    pub(crate) fn overlay(&mut self, before: &Schema, part: &Schema) {
        // Whatever the part held before it was changed is replaced wholesale.
        for table in before.tables.keys() {
            if !part.tables.contains_key(table) {
                self.remove_table(table);
            }
        }
        for name in before.types.keys() {
            self.types.remove(name);
        }
        for name in before.views.keys() {
            self.views.remove(name);
        }
        for name in before.sequences.keys() {
            self.sequences.remove(name);
        }
        for (name, table) in part.tables.iter() {
            self.replace_table(name.clone(), Arc::clone(table));
        }
        for (name, value) in part.types.iter() {
            self.types.insert(name.clone(), value.clone());
        }
        for (name, value) in part.views.iter() {
            self.views.insert(name.clone(), value.clone());
        }
        for (name, value) in part.sequences.iter() {
            self.sequences.insert(name.clone(), value.clone());
        }
        // What the part learnt it cannot know stays unknown; what it re-created is known again.
        // The part started with exactly the uncertain objects it covers.
        for object in &before.uncertain {
            if !part.uncertain.contains(object) {
                self.uncertain.remove(object);
            }
        }
        self.uncertain.extend(part.uncertain.iter().cloned());
    }

    /// Foreign keys follow the table they reference when it is renamed: every table is looked at
    /// (the operations of a revision may have added a key to a table in place).
    pub(crate) fn retarget_foreign_keys(&mut self, old_key: &str, new_name: &str) {
        for table in self.tables.values_mut() {
            retarget(table, old_key, new_name);
        }
    }

    /// [`Schema::retarget_foreign_keys`] on a schema whose tables all came in through
    /// [`Schema::insert_table`] or [`Schema::replace_table`] (the whole schema of the replay):
    /// only the tables seen referring to the renamed one are looked at.
    pub(crate) fn retarget_referring_foreign_keys(&mut self, old_key: &str, new_name: &str) {
        let Some(index) = &self.referrers.0 else {
            // A part keeps no index: every table is looked at.
            return self.retarget_foreign_keys(old_key, new_name);
        };
        let Some(referring) = index.get(old_key).cloned() else {
            return;
        };
        let new_key = key(new_name);
        for name in referring {
            if let Some(table) = self.tables.get_mut(&name)
                && retarget(table, old_key, new_name)
                && let Some(index) = &mut self.referrers.0
                && !index
                    .get(&new_key)
                    .is_some_and(|names| names.contains(&name))
            {
                index
                    .get_or_insert_with(new_key.clone(), BTreeSet::new)
                    .insert(name);
            }
        }
    }

    /// Puts `table` in place of the table named `name`, if any. The index and trigger maps are
    /// only touched when the table's indexes or triggers changed.
    fn replace_table(&mut self, name: String, table: Arc<Table>) {
        let Some(old) = self.tables.get(&name) else {
            return self.insert_table(name, table);
        };
        if Arc::ptr_eq(old, &table) {
            return;
        }
        let same_names = old.indexes.len() == table.indexes.len()
            && old.triggers == table.triggers
            && old
                .indexes
                .iter()
                .zip(&table.indexes)
                .all(|(a, b)| a.name == b.name);
        if same_names {
            // Constraints still shared with the old table were seen when it came in.
            if !same_elements(&old.constraints, &table.constraints) {
                self.referrers.add(&name, &table);
            }
            self.tables.insert(name, table);
        } else {
            self.remove_table(&name);
            self.insert_table(name, table);
        }
    }

    fn insert_table(&mut self, name: String, table: Arc<Table>) {
        self.referrers.add(&name, &table);
        for index in &table.indexes {
            self.index_tables.insert(key(&index.name), name.clone());
        }
        for trigger in &table.triggers {
            self.trigger_tables.insert(key(trigger), name.clone());
        }
        self.tables.insert(name, table);
    }

    fn remove_table(&mut self, name: &str) -> Option<Arc<Table>> {
        let table = self.tables.remove(name)?;
        for index in &table.indexes {
            self.index_tables.remove(&key(&index.name));
        }
        for trigger in &table.triggers {
            self.trigger_tables.remove(&key(trigger));
        }
        Some(table)
    }

    /// Adds what `other` knows and this schema does not: the schema of a merge revision, built
    /// from its parents. Objects the two disagree on become uncertain.
    pub(crate) fn union(&mut self, other: &Schema) {
        // Parents of a merge share most of their tables' chunks, which need no look: only the
        // tables in chunks one of them changed are compared (most of those are still the same
        // `Arc`).
        let to_add: Vec<(&String, &Arc<Table>, bool)> = self
            .tables
            .beside(&other.tables)
            .filter_map(|(name, table, existing)| match existing {
                Some(existing) if Arc::ptr_eq(existing, table) || existing == table => None,
                existing => Some((name, table, existing.is_some())),
            })
            .collect();
        for (name, table, known) in to_add {
            match self.tables.get(name) {
                Some(existing) if known => {
                    let mut merged = Table::clone(existing);
                    merge_tables(&mut merged, table, &mut self.uncertain);
                    self.remove_table(name);
                    self.insert_table(name.clone(), Arc::new(merged));
                }
                _ => self.insert_table(name.clone(), Arc::clone(table)),
            }
        }
        union_entries(
            &mut self.types,
            &other.types,
            ObjectKey::Type,
            &mut self.uncertain,
        );
        union_entries(
            &mut self.views,
            &other.views,
            ObjectKey::View,
            &mut self.uncertain,
        );
        union_entries(
            &mut self.sequences,
            &other.sequences,
            ObjectKey::Sequence,
            &mut self.uncertain,
        );
        for object in &other.uncertain {
            if !self.uncertain.contains(object) {
                self.uncertain.insert(object.clone());
            }
        }
    }
}

/// Points the foreign keys of `table` that refer to `old_key` at `new_name`; whether it had any.
fn retarget(table: &mut Arc<Table>, old_key: &str, new_name: &str) -> bool {
    let refers = |constraint: &Arc<Constraint>| {
        constraint
            .referred_table
            .as_deref()
            .is_some_and(|table| key(table) == old_key)
    };
    if !table.constraints.iter().any(refers) {
        return false;
    }
    for constraint in &mut Arc::make_mut(table).constraints {
        if refers(constraint) {
            Arc::make_mut(constraint).referred_table = Some(new_name.to_owned());
        }
    }
    true
}

fn copy_entries<T: Clone>(from: &ChunkMap<T>, to: &mut ChunkMap<T>, names: &BTreeSet<String>) {
    for name in names {
        if let Some(found) = from.get(name) {
            to.insert(name.clone(), found.clone());
        }
    }
}

fn union_entries<T: Clone + PartialEq>(
    mine: &mut ChunkMap<T>,
    other: &ChunkMap<T>,
    object: fn(String) -> ObjectKey,
    uncertain: &mut BTreeSet<ObjectKey>,
) {
    let mut to_add = Vec::new();
    for (name, value, existing) in mine.beside(other) {
        match existing {
            None => to_add.push((name.clone(), value.clone())),
            Some(existing) if existing == value => {}
            Some(_) => {
                uncertain.insert(object(name.clone()));
            }
        }
    }
    for (name, value) in to_add {
        mine.insert(name, value);
    }
}

/// Two branches changed one table: keep what both agree on, add what only one knows, and mark
/// what they disagree on as uncertain.
fn merge_tables(mine: &mut Table, other: &Table, uncertain: &mut BTreeSet<ObjectKey>) {
    let table = key(&mine.name);
    for column in &other.columns {
        match mine.column(&column.name) {
            None => mine.columns.push(column.clone()),
            Some(existing) if *existing == **column => {}
            Some(_) => {
                uncertain.insert(ObjectKey::Column(table.clone(), key(&column.name)));
            }
        }
    }
    for index in &other.indexes {
        match mine.index(&index.name) {
            None => mine.indexes.push(index.clone()),
            Some(existing) if *existing == **index => {}
            Some(_) => {
                uncertain.insert(ObjectKey::Index(key(&index.name)));
            }
        }
    }
    for constraint in &other.constraints {
        if !mine
            .constraints
            .iter()
            .any(|existing| existing.same_object(constraint, &mine.name))
        {
            mine.constraints.push(constraint.clone());
        }
    }
    for trigger in &other.triggers {
        if !mine
            .triggers
            .iter()
            .any(|t| t.eq_ignore_ascii_case(trigger))
        {
            mine.triggers.push(trigger.clone());
        }
    }
    mine.partial |= other.partial;
}

/// The objects a revision's operations name: what [`Schema::restricted_to`] copies.
#[derive(Debug, Default, Clone)]
pub(crate) struct Touched {
    pub(crate) tables: BTreeSet<String>,
    /// Index name, with its table when the operation names it.
    pub(crate) indexes: BTreeMap<String, Option<String>>,
    pub(crate) triggers: BTreeSet<String>,
    pub(crate) types: BTreeSet<String>,
    pub(crate) views: BTreeSet<String>,
    pub(crate) sequences: BTreeSet<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unnamed_constraint_goes_by_the_name_postgres_gives_it() {
        let unnamed = |kind, columns: &[&str]| Constraint {
            kind,
            name: None,
            columns: columns.iter().map(|&column| column.to_owned()).collect(),
            referred_table: None,
            ondelete: None,
            condition: None,
        };
        let key = unnamed(ConstraintKind::ForeignKey, &["account_id"]);
        assert!(key.goes_by("payments_account_id_fkey", "payments"));
        assert!(key.goes_by("Payments_Account_ID_fkey", "payments"));
        assert!(!key.goes_by("payments_account_id_key", "payments"));
        assert!(!key.goes_by("payments_account_id_fkey1", "payments"));
        assert!(!key.goes_by("payments_account_fkey", "payments"));
        let unique = unnamed(ConstraintKind::Unique, &["project_id", "name"]);
        assert!(unique.goes_by("repos_project_id_name_key", "repos"));
        assert!(!unique.goes_by("repos_name_project_id_key", "repos"));
        assert!(!unnamed(ConstraintKind::Check, &["a"]).goes_by("t_a_check", "t"));
    }

    #[test]
    fn uncertain_objects_within_a_part_are_found_by_walk_and_by_keys_alike() {
        let mut whole = Schema::default();
        for name in ["orders", "users", "items"] {
            let mut table = Table::new(name, false);
            table.indexes.push(Arc::new(Index {
                name: format!("ix_{name}"),
                columns: vec!["id".to_owned()],
                unique: false,
            }));
            table.triggers.push(format!("tr_{name}"));
            whole.insert_table(name.to_owned(), Arc::new(table));
        }
        for object in [
            ObjectKey::Table("orders".to_owned()),
            ObjectKey::Column("orders".to_owned(), "total".to_owned()),
            ObjectKey::Constraint("users".to_owned(), "uq_email".to_owned()),
            ObjectKey::Column("items".to_owned(), "sku".to_owned()),
            ObjectKey::Index("ix_users".to_owned()),
            ObjectKey::Index("ix_items".to_owned()),
            ObjectKey::Trigger("tr_orders".to_owned()),
            ObjectKey::Type("status".to_owned()),
            ObjectKey::View("v_orders".to_owned()),
            ObjectKey::Sequence("orders_id_seq".to_owned()),
        ] {
            whole.mark_uncertain(object);
        }
        let mut part = Schema::default();
        for name in ["orders", "users"] {
            if let Some(table) = whole.tables.get(name) {
                part.insert_table(name.to_owned(), Arc::clone(table));
            }
        }
        part.types.insert(
            "status".to_owned(),
            EnumType {
                name: "status".to_owned(),
                values: Vec::new(),
            },
        );
        let by_walk = whole.uncertain_by_walk(&part);
        assert_eq!(by_walk, whole.uncertain_by_keys(&part));
        assert!(by_walk.contains(&ObjectKey::Column("orders".to_owned(), "total".to_owned())));
        assert!(by_walk.contains(&ObjectKey::Index("ix_users".to_owned())));
        assert!(by_walk.contains(&ObjectKey::Type("status".to_owned())));
        assert!(!by_walk.contains(&ObjectKey::Column("items".to_owned(), "sku".to_owned())));
        assert!(!by_walk.contains(&ObjectKey::View("v_orders".to_owned())));
        assert_eq!(by_walk.len(), 6);
    }
}
