//! A schema as a few operations change it, sharing everything they do not touch.

use super::apply::{Applier, ApplyOptions, touched_by};
use super::{EnumType, Schema, Table, Touched, View, key};
use crate::ir::Operation;

/// `base` with operations played on it, without copying `base`: the objects the operations name
/// are copied out once, and everything else is read from `base`. For code that walks one
/// revision's operations against the schema before it (generating inverses, say) on a chain whose
/// schema holds thousands of tables.
#[derive(Debug)]
pub struct Scratch<'a> {
    base: &'a Schema,
    touched: Touched,
    part: Schema,
}

impl<'a> Scratch<'a> {
    /// `base`, ready to have `ops` (or some of them, in order) played on it.
    #[must_use]
    pub fn new(base: &'a Schema, ops: &[Operation]) -> Self {
        let mut touched = Touched::default();
        touched_by(ops, &mut touched);
        let part = base.restricted_to(&touched);
        Self {
            base,
            touched,
            part,
        }
    }

    /// Plays one of the operations given to [`Scratch::new`].
    pub fn apply(&mut self, op: &Operation) {
        Applier::new(&mut self.part, ApplyOptions::default()).apply(0, op);
    }

    /// The table named `name` (case-insensitively), as the operations played so far left it.
    pub fn table(&self, name: &str) -> Option<&Table> {
        if self.touched.tables.contains(&key(name)) || self.part.table(name).is_some() {
            self.part.table(name)
        } else {
            self.base.table(name)
        }
    }

    /// The table that has the index named `name`.
    pub fn index_table(&self, name: &str) -> Option<&Table> {
        let index = key(name);
        if self.touched.indexes.contains_key(&index) {
            return self.part.index_table(name);
        }
        match self.base.index_tables.get(&index) {
            Some(table) if !self.touched.tables.contains(table) => self.base.index_table(name),
            _ => self.part.index_table(name),
        }
    }

    /// The enum types.
    pub fn enum_types(&self) -> impl Iterator<Item = &EnumType> {
        let base = self
            .base
            .enum_types()
            .filter(|found| !self.touched.types.contains(&key(&found.name)));
        base.chain(self.part.enum_types())
    }

    /// The enum type named `name` (case-insensitively), as the operations played so far left it.
    pub fn enum_type(&self, name: &str) -> Option<&EnumType> {
        let type_key = key(name);
        if self.touched.types.contains(&type_key) {
            self.part.enum_type(name)
        } else {
            self.base.enum_type(name)
        }
    }

    /// The views.
    pub fn views(&self) -> impl Iterator<Item = &View> {
        let base = self
            .base
            .views()
            .filter(|view| !self.touched.views.contains(&key(&view.name)));
        base.chain(self.part.views())
    }
}
