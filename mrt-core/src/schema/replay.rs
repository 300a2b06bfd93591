//! Replaying a project's revisions in topological order.

use std::borrow::Cow;

use super::apply::{Applier, ApplyOptions, touched_by};
use std::sync::Arc;

use super::diff::{Residue, ResidueKind, residue};
use super::{ObjectKey, Schema, Table, Touched, key};
use crate::ir::{AlterColumn, ConstraintKind, Migration, OpKind, Operation};
use crate::project::Project;
use crate::settings::{Dialect, Settings};

/// What the replay found for one revision.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RevisionReplay {
    /// What the schema after upgrade then downgrade lacks or has more than the schema before.
    pub residue: Vec<RevisionResidue>,
    /// The upgrade or downgrade does something the model cannot read (SQL built at run time, an
    /// unknown `op` call): the residue says nothing reliable.
    pub opaque: bool,
    /// Tables that existed before this revision and were created after the release boundary
    /// (`--since`): they hold no production rows yet. Empty without a boundary.
    pub unreleased_tables: Vec<String>,
    /// For each upgrade operation that gives a column a type (`alter_column(type_=...)`, Django's
    /// `AlterField`, SQL `ALTER COLUMN ... TYPE`), the type the column had before the revision, as
    /// written, when the model knew it: `(index into the upgrade's ops, type)`.
    pub types_before: Vec<(usize, String)>,
    /// For each upgrade operation that drops a unique constraint or a unique index, the columns
    /// it was on before the revision, when the model knew them: `(index into the upgrade's ops,
    /// columns)`.
    pub unique_columns_dropped: Vec<(usize, Vec<String>)>,
}

impl RevisionReplay {
    /// Whether `table` was created after the release boundary, by an earlier revision.
    pub fn is_unreleased_table(&self, table: &str) -> bool {
        self.unreleased_tables
            .iter()
            .any(|name| name.eq_ignore_ascii_case(table))
    }

    /// The type the column altered by the upgrade operation at `index` had before the revision,
    /// when the model knew it.
    pub fn type_before(&self, index: usize) -> Option<&str> {
        self.types_before
            .iter()
            .find(|(at, _)| *at == index)
            .map(|(_, type_text)| type_text.as_str())
    }

    /// The columns of the unique constraint or unique index the upgrade operation at `index`
    /// drops, when the model knew them.
    pub fn unique_columns_dropped_at(&self, index: usize) -> Option<&[String]> {
        self.unique_columns_dropped
            .iter()
            .find(|(at, _)| *at == index)
            .map(|(_, columns)| columns.as_slice())
    }
}

/// A residue with the operations that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionResidue {
    /// What differs.
    pub residue: Residue,
    /// The last upgrade operation (index into the upgrade's ops) that touched the object or its
    /// table.
    pub upgrade_op: Option<usize>,
    /// The last downgrade operation that touched it.
    pub downgrade_op: Option<usize>,
}

/// The replay of a whole project: per migration (same indices as [`Project::migrations`]).
#[derive(Debug, Clone, Default)]
pub struct Replay {
    revisions: Vec<Option<RevisionReplay>>,
}

impl Replay {
    /// What the replay found for `project.migrations[index]`; `None` for files that are not
    /// revisions, or when the graph has a cycle.
    pub fn revision(&self, index: usize) -> Option<&RevisionReplay> {
        self.revisions.get(index).and_then(Option::as_ref)
    }
}

/// One revision once judged, for work on it that [`replay_with_extra`] does then, on the thread
/// pool, while the part of the schema it reads is at hand.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct JudgedRevision<'a> {
    /// Index into [`Project::migrations`].
    pub index: usize,
    /// The migration as it runs on the configured dialect.
    pub migration: &'a Migration,
    /// What the replay found.
    pub replay: &'a RevisionReplay,
    /// The part of the schema before the revision that its operations read: the objects they
    /// name, and the tables their tables' foreign keys refer to. Reading the revision's
    /// operations against it (with [`super::Scratch`]) gives what reading them against the whole
    /// schema gives.
    pub before_part: &'a Schema,
}

/// What [`replay_with_extra`] computes for each revision once judged (`None`: nothing).
pub type RevisionExtra<'f, T> = dyn Fn(JudgedRevision<'_>) -> Option<T> + Sync + 'f;

/// One revision, as the replay reaches it.
#[derive(Debug)]
#[non_exhaustive]
pub struct ReplayStep<'a> {
    /// Index into [`Project::migrations`].
    pub index: usize,
    /// The migration as it runs on the configured dialect.
    pub migration: &'a Migration,
    /// The whole schema before the revision.
    pub before: &'a Schema,
    /// The part of `before` that the revision touches.
    pub touched_before: &'a Schema,
    /// That part after the upgrade.
    pub touched_after_upgrade: &'a Schema,
    /// That part after the upgrade and then the downgrade; `None` without a downgrade.
    pub touched_after_downgrade: Option<&'a Schema>,
    /// What the replay found.
    pub replay: &'a RevisionReplay,
}

impl ReplayStep<'_> {
    /// The whole schema after the upgrade.
    pub fn after_upgrade(&self) -> Schema {
        self.whole(self.touched_after_upgrade, false)
    }

    /// The whole schema after the upgrade and then the downgrade.
    pub fn after_downgrade(&self) -> Option<Schema> {
        self.touched_after_downgrade
            .map(|part| self.whole(part, true))
    }

    fn whole(&self, part: &Schema, downgraded: bool) -> Schema {
        let mut whole = self.before.clone();
        let downgrade = if downgraded {
            body_ops(self.migration.downgrade.as_ref())
        } else {
            &[]
        };
        advance(
            &mut whole,
            self.touched_before,
            part,
            body_ops(self.migration.upgrade.as_ref())
                .iter()
                .chain(downgrade),
        );
        whole
    }
}

/// How many revisions the walk may hand to the thread pool before it judges them itself.
const MAX_IN_FLIGHT: usize = 32;

/// Replays every revision of `project` on the dialect `settings` names. `since` (a graph position)
/// is the release boundary: tables created by revisions that do not precede it are unreleased.
///
/// The walk through the chain is sequential (each revision starts from its parents' schema), but
/// what each revision's downgrade leaves is judged on the thread pool while the walk goes on.
#[must_use]
pub fn replay(project: &Project, settings: &Settings, since: Option<usize>) -> Replay {
    Replay {
        revisions: replay_with_extra(project, settings, since, &|judged| {
            Some(judged.replay.clone())
        }),
    }
}

/// Replays the chain like [`replay`], computing `extra` for each revision as soon as it is judged,
/// on the thread pool (the rules' findings and their fixes, say): the part of the schema it reads
/// and what the replay found are dropped then, rather than kept for every revision until the
/// whole chain is replayed. The extras come per migration, same indices as
/// [`Project::migrations`].
#[must_use]
pub fn replay_with_extra<T: Send + Sync>(
    project: &Project,
    settings: &Settings,
    since: Option<usize>,
    extra: &RevisionExtra<'_, T>,
) -> Vec<Option<T>> {
    let extra_slots: Vec<std::sync::OnceLock<T>> = (0..project.migrations.len())
        .map(|_| std::sync::OnceLock::new())
        .collect();
    // Revisions handed to the pool and not finished yet: each holds its part of the schema, so
    // when the pool falls behind the walk finishes revisions itself, and memory stays bounded.
    let in_flight = std::sync::atomic::AtomicUsize::new(0);
    let judge = |upgraded: &UpgradedRevision<'_>, part: &Schema| {
        let revision = upgraded.judge().0;
        let judged = JudgedRevision {
            index: upgraded.index,
            migration: &upgraded.migration,
            replay: &revision,
            before_part: part,
        };
        if let Some(found) = extra(judged) {
            let _ = extra_slots[upgraded.index].set(found);
        }
    };
    rayon::scope(|scope| {
        walk(project, settings, since, |upgraded, before| {
            let (judge, in_flight) = (&judge, &in_flight);
            let upgraded = Arc::clone(upgraded);
            // Taken now: `before` moves on with the walk.
            let part = upgraded.touched_before.with_referred_tables(before);
            if in_flight.load(std::sync::atomic::Ordering::Relaxed) >= MAX_IN_FLIGHT {
                judge(&upgraded, &part);
                return;
            }
            in_flight.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            scope.spawn(move |_| {
                judge(&upgraded, &part);
                in_flight.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            });
        });
    });
    extra_slots
        .into_iter()
        .map(std::sync::OnceLock::into_inner)
        .collect()
}

/// Replays every revision of `project`, calling `visit` with each step in topological order.
/// Nothing happens when the graph has a cycle.
pub fn replay_with(
    project: &Project,
    settings: &Settings,
    since: Option<usize>,
    mut visit: impl FnMut(&ReplayStep<'_>),
) {
    walk(project, settings, since, |upgraded, before| {
        let (revision, downgraded) = upgraded.judge();
        visit(&ReplayStep {
            index: upgraded.index,
            migration: &upgraded.migration,
            before,
            touched_before: &upgraded.touched_before,
            touched_after_upgrade: &upgraded.upgraded,
            touched_after_downgrade: downgraded.as_ref(),
            replay: &revision,
        });
    });
}

/// A revision whose upgrade has been played on the part of the schema it touches: what judging
/// its downgrade needs, owned, so that it can be done on another thread.
struct UpgradedRevision<'p> {
    index: usize,
    migration: Cow<'p, Migration>,
    source: &'p str,
    options: ApplyOptions,
    touched_before: Schema,
    upgraded: Schema,
    up_touches: Vec<(ObjectKey, usize)>,
    unknown: std::collections::BTreeSet<ObjectKey>,
    discovered: std::collections::BTreeMap<String, String>,
    revision: RevisionReplay,
}

impl UpgradedRevision<'_> {
    /// Plays the downgrade after the upgrade and compares the result with the schema before:
    /// what the replay found, and the touched part after the downgrade.
    fn judge(&self) -> (RevisionReplay, Option<Schema>) {
        let mut revision = self.revision.clone();
        let Some(downgrade) = &self.migration.downgrade else {
            return (revision, None);
        };
        let mut downgraded = self.upgraded.clone();
        let mut down = Applier::new(&mut downgraded, self.options).with_source(self.source);
        down.apply_all(&downgrade.ops);
        revision.opaque |= down.opaque.is_some();
        let down_touches = std::mem::take(&mut down.touches);
        let mut unknown = std::mem::take(&mut down.unknown);
        unknown.extend(self.unknown.iter().cloned());
        let mut discovered = std::mem::take(&mut down.discovered);
        discovered.extend(
            self.discovered
                .iter()
                .map(|(table_key, name)| (table_key.clone(), name.clone())),
        );
        let up_touches = &self.up_touches;
        let upgrade_ops = body_ops(self.migration.upgrade.as_ref());
        // What the revision shows of the schema before it: tables it acted on existed.
        let mut known_before = Cow::Borrowed(&self.touched_before);
        for (table_key, name) in &discovered {
            if known_before.table(name).is_none() {
                known_before
                    .to_mut()
                    .insert_table(table_key.clone(), Arc::new(Table::new(name, true)));
            }
        }
        revision.residue = residue(
            &known_before,
            &downgraded,
            &unknown,
            self.options.dialect_names,
        )
        .into_iter()
        .map(|residue| RevisionResidue {
            upgrade_op: last_touch(up_touches, &residue.object),
            downgrade_op: last_touch(&down_touches, &residue.object),
            residue,
        })
        // In a table known only in part, an object the downgrade leaves and the upgrade did
        // not create may have been there all along: the upgrade touched nothing of it, or last
        // dropped something (a table the downgrade re-creates whole).
        .filter(|found| {
            let upgrade_may_have_made_it = found.upgrade_op.is_some_and(|at| {
                !matches!(
                    upgrade_ops.get(at).map(|op| op.kind.effect()),
                    Some(crate::effect::Effect::Drops(_))
                )
            });
            found.residue.kind != ResidueKind::Left
                || upgrade_may_have_made_it
                || !found
                    .residue
                    .object
                    .table()
                    .and_then(|table| known_before.tables.get(table))
                    .is_some_and(|table| table.partial)
        })
        .collect();
        (revision, Some(downgraded))
    }
}

/// Walks the chain in topological order: for each revision, the schema before it, and its upgrade
/// played on the part it touches; `each` gets both before the walk moves on.
fn walk<'p>(
    project: &'p Project,
    settings: &Settings,
    since: Option<usize>,
    mut each: impl FnMut(&Arc<UpgradedRevision<'p>>, &Schema),
) {
    let graph = &project.graph;
    let Some(order) = graph.topological_order() else {
        return;
    };
    let released: Option<std::collections::HashSet<usize>> = since.map(|since| {
        std::iter::once(since)
            .chain(graph.ancestors(since))
            .collect()
    });
    let dialect_names = settings.dialect.sqlalchemy_names();
    let enum_types = matches!(settings.dialect, Dialect::Postgresql | Dialect::Generic);
    // Schemas after each revision, kept until every child has started from it.
    let mut states: Vec<Option<Schema>> = vec![None; graph.len_positions()];
    let mut waiting: Vec<usize> = (0..graph.len_positions())
        .map(|position| graph.children(position).len())
        .collect();
    for position in order {
        let mut before = Schema::default();
        for (nth, parent) in graph.parents(position).into_iter().enumerate() {
            waiting[parent] = waiting[parent].saturating_sub(1);
            let state = if waiting[parent] == 0 {
                states[parent].take().map(Cow::Owned)
            } else {
                states[parent].as_ref().map(Cow::Borrowed)
            };
            let Some(state) = state else { continue };
            if nth == 0 {
                before = state.into_owned();
            } else {
                before.union(&state);
            }
        }
        let index = project.graph_position(position);
        let unfiltered = &project.migrations[index];
        let migration = if dialect_names.is_empty() {
            None
        } else {
            unfiltered.for_dialect(dialect_names)
        }
        .map_or(Cow::Borrowed(unfiltered), Cow::Owned);
        let options = ApplyOptions {
            enum_types,
            sqlite: settings.dialect == Dialect::Sqlite,
            dialect_names,
            unreleased: released
                .as_ref()
                .is_some_and(|released| !released.contains(&position)),
        };
        let mut touched = Touched::default();
        touched_by(
            body_ops(migration.upgrade.as_ref())
                .iter()
                .chain(body_ops(migration.downgrade.as_ref())),
            &mut touched,
        );
        let touched_before = before.restricted_to(&touched);
        let mut upgraded = touched_before.clone();
        let mut up = Applier::new(&mut upgraded, options).with_source(&unfiltered.source.text);
        up.apply_all(body_ops(migration.upgrade.as_ref()));
        let revision = RevisionReplay {
            opaque: up.opaque.is_some() || !migration.syntax_errors.is_empty(),
            types_before: types_before(&before, body_ops(migration.upgrade.as_ref())),
            unique_columns_dropped: unique_columns_dropped(
                &before,
                body_ops(migration.upgrade.as_ref()),
            ),
            unreleased_tables: if options.unreleased {
                before
                    .tables()
                    .filter(|table| table.unreleased)
                    .map(|table| table.name.clone())
                    .collect()
            } else {
                Vec::new()
            },
            ..RevisionReplay::default()
        };
        let (up_touches, unknown, discovered) = (
            std::mem::take(&mut up.touches),
            std::mem::take(&mut up.unknown),
            std::mem::take(&mut up.discovered),
        );
        let upgraded_revision = Arc::new(UpgradedRevision {
            index,
            migration,
            source: &unfiltered.source.text,
            options,
            touched_before,
            upgraded,
            up_touches,
            unknown,
            discovered,
            revision,
        });
        each(&upgraded_revision, &before);
        if waiting[position] > 0 {
            let mut after = before;
            advance(
                &mut after,
                &upgraded_revision.touched_before,
                &upgraded_revision.upgraded,
                body_ops(upgraded_revision.migration.upgrade.as_ref()),
            );
            states[position] = Some(after);
        }
    }
}

/// The types, in `before`, of the columns that `ops` give a type (see
/// [`RevisionReplay::types_before`]).
fn types_before(before: &Schema, ops: &[Operation]) -> Vec<(usize, String)> {
    ops.iter()
        .enumerate()
        .filter_map(|(index, op)| {
            let OpKind::AlterColumn(alter) = &op.kind else {
                return None;
            };
            let AlterColumn {
                table: Some(table),
                column: Some(column),
                type_text: Some(_),
                ..
            } = &**alter
            else {
                return None;
            };
            let type_text = before
                .table(&table.value)?
                .column(&column.value)?
                .type_text
                .clone()?;
            Some((index, type_text))
        })
        .collect()
}

/// The columns, in `before`, of the unique constraints and unique indexes that `ops` drop (see
/// [`RevisionReplay::unique_columns_dropped`]). An index dropped without its table is looked for
/// in every table.
fn unique_columns_dropped(before: &Schema, ops: &[Operation]) -> Vec<(usize, Vec<String>)> {
    ops.iter()
        .enumerate()
        .filter_map(|(index, op)| {
            let columns = match &op.kind {
                OpKind::DropConstraint {
                    name: Some(name),
                    table: Some(table),
                    ..
                } => before
                    .table(&table.value)?
                    .constraints
                    .iter()
                    .find(|constraint| {
                        constraint.kind == ConstraintKind::Unique
                            && constraint
                                .name
                                .as_deref()
                                .is_some_and(|known| known.eq_ignore_ascii_case(&name.value))
                    })?
                    .columns
                    .clone(),
                OpKind::DropIndex {
                    name: Some(name),
                    table,
                    ..
                } => {
                    let tables: Vec<&Table> = match table {
                        Some(table) => before.table(&table.value).into_iter().collect(),
                        None => before.tables().collect(),
                    };
                    tables
                        .iter()
                        .flat_map(|table| &table.indexes)
                        .find(|known| known.unique && known.name.eq_ignore_ascii_case(&name.value))?
                        .columns
                        .clone()
                }
                _ => return None,
            };
            Some((index, columns))
        })
        .collect()
}

fn body_ops(body: Option<&crate::ir::Body>) -> &[Operation] {
    body.map_or(&[][..], |body| &body.ops[..])
}

/// Puts the part of the schema a revision changed back into the whole schema. Foreign keys in
/// tables the revision did not touch follow the tables it renamed.
fn advance<'a>(
    whole: &mut Schema,
    touched_before: &Schema,
    part: &Schema,
    ops: impl IntoIterator<Item = &'a Operation>,
) {
    whole.overlay(touched_before, part);
    for (old, new) in renamed_tables(ops) {
        whole.retarget_referring_foreign_keys(&key(old), new);
    }
}

/// The last operation that touched `object`, or the table it belongs to.
fn last_touch(touches: &[(ObjectKey, usize)], object: &ObjectKey) -> Option<usize> {
    let table = object
        .table()
        .map(|table| ObjectKey::Table(table.to_owned()));
    touches
        .iter()
        .rev()
        .find(|(touched, _)| touched == object)
        .or_else(|| {
            touches
                .iter()
                .rev()
                .find(|(touched, _)| Some(touched) == table.as_ref())
        })
        .map(|(_, at)| *at)
}

fn renamed_tables<'a>(
    ops: impl IntoIterator<Item = &'a Operation>,
) -> impl Iterator<Item = (&'a str, &'a str)> {
    ops.into_iter().filter_map(|op| match &op.kind {
        OpKind::RenameTable {
            old: Some(old),
            new: Some(new),
        } => Some((old.value.as_str(), new.value.as_str())),
        _ => None,
    })
}
