//! A project: every migration found under some paths, and their revision graph.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mrt_graph::{RevisionGraph, RevisionNode};
use rayon::prelude::*;

use crate::Error;
use crate::cache::Kept;
use crate::extract::frontend::{LowerContext, frontend_for, frontends};
use crate::ir::{Migration, Spanned};
use crate::source::SourceFile;

/// Every migration found, with the graph of their revisions.
#[derive(Debug)]
pub struct Project {
    /// The migrations, sorted by path.
    pub migrations: Vec<Migration>,
    /// The revision graph; node positions are indices into `migrations` (only migrations with a
    /// revision id are nodes, see [`Project::graph_position`]).
    pub graph: RevisionGraph,
    /// Positions in `migrations` of the graph's nodes, in the graph's input order.
    graph_members: Vec<usize>,
    /// How many Python files were checked (context files not counted).
    pub files_read: usize,
    /// Per migration: whether its findings are reported (false for context files).
    in_scope: Vec<bool>,
}

impl Project {
    /// Reads, parses and lowers every Python file under `paths`, in parallel. Files that cannot be
    /// read are reported as errors (naming the path) and left out; the rest go on.
    pub fn load(paths: &[PathBuf]) -> (Self, Vec<Error>) {
        Self::load_excluding(paths, &|_| false)
    }

    /// Like [`Project::load`], leaving out files and directories for which `excluded` is true
    /// (configuration's `exclude`).
    pub fn load_excluding(
        paths: &[PathBuf],
        excluded: &dyn Fn(&Path) -> bool,
    ) -> (Self, Vec<Error>) {
        Self::read_discovered(crate::discover::migration_files(paths, excluded), None)
    }

    /// Like [`Project::load_excluding`], reusing what `cache` kept of earlier runs for every file
    /// whose lowering would read what it read then, and keeping this run's lowerings there for
    /// the next. Entries of files this run did not read are kept while their files exist: a run
    /// over one directory does not undo what a run over another kept.
    pub fn load_cached(
        paths: &[PathBuf],
        excluded: &dyn Fn(&Path) -> bool,
        cache: &crate::cache::CacheDir,
    ) -> (Self, Vec<Error>, CacheUse) {
        // The cache is read while the directories are walked (on this thread: `excluded` need
        // not be shared).
        let (stored, discovered) = std::thread::scope(|scope| {
            let reading = scope.spawn(|| cache.read());
            let discovered = crate::discover::migration_files(paths, excluded);
            (reading.join().ok(), discovered)
        });
        // A thread that could not read the cache leaves it empty.
        let stored = stored.unwrap_or_else(|| cache.empty());
        let mut kept = Vec::with_capacity(discovered.files.len());
        let (project, errors) =
            Self::read_discovered_with(discovered, None, Some((&stored, &mut kept)));
        let reused = kept.iter().filter(|entry| entry.is_reused()).count();
        let mut used = CacheUse {
            reused,
            unopened: kept.iter().filter(|entry| entry.is_unopened()).count(),
            lowered: kept.len() - reused,
            written: false,
            write_error: None,
        };
        // By the paths' bytes, as the stored entries are.
        let visited: std::collections::HashSet<&std::ffi::OsStr> =
            kept.iter().map(|entry| entry.path().as_os_str()).collect();
        let mut unvisited: Vec<Kept<'_>> = stored
            .entries()
            .filter(|entry| !visited.contains(entry.path.as_os_str()))
            .map(Kept::Read)
            .collect();
        let before = unvisited.len();
        unvisited.retain(|entry| entry.path().is_file());
        let changed = kept.iter().any(Kept::is_new) || unvisited.len() < before;
        if changed {
            // In path order, so that the same files make the same cache.
            unvisited.sort_unstable_by(|a, b| a.path().cmp(b.path()));
            match stored.write(cache, kept.iter().chain(&unvisited)) {
                Ok(()) => used.written = true,
                Err(error) => {
                    used.write_error = Some(format!("{}: {error}", cache.dir().display()));
                }
            }
        }
        (project, errors, used)
    }

    /// A file's text given in memory (an editor buffer, standard input) under the path it has or
    /// will have: it is checked against the revision graph of that path's directory, whose other
    /// migrations are read as context (never reported), as for a file given alone.
    pub fn load_buffer(source: SourceFile, excluded: &dyn Fn(&Path) -> bool) -> (Self, Vec<Error>) {
        let path = source.path.clone();
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let context = crate::discover::siblings(&dir, std::slice::from_ref(&path))
            .into_iter()
            .filter(|sibling| !excluded(sibling))
            .collect();
        let discovered = crate::discover::Discovered {
            files: Vec::new(),
            context,
            errors: Vec::new(),
            unverified: Vec::new(),
        };
        Self::read_discovered(discovered, Some(source))
    }

    /// Reads what discovery found (and `buffer`, in scope), in parallel.
    fn read_discovered(
        discovered: crate::discover::Discovered,
        buffer: Option<SourceFile>,
    ) -> (Self, Vec<Error>) {
        Self::read_discovered_with(discovered, buffer, None)
    }

    /// [`Project::read_discovered`], looking each file up in a stored cache's entries and
    /// recording what the next cache keeps of it, in file order.
    fn read_discovered_with<'a>(
        discovered: crate::discover::Discovered,
        buffer: Option<SourceFile>,
        cache: Option<(&'a crate::cache::Stored, &mut Vec<Kept<'a>>)>,
    ) -> (Self, Vec<Error>) {
        let mut errors = discovered.errors;
        let files_read = discovered.files.len() + usize::from(buffer.is_some());
        // Discovery lists the files in path order; context files and a buffer come after them.
        let in_path_order = discovered.context.is_empty() && buffer.is_none();
        let scoped = discovered.files.iter().map(|path| (path, true));
        let context = discovered.context.iter().map(|path| (path, false));
        let all: Vec<(&PathBuf, bool)> = scoped.chain(context).collect();
        let buffer_path = buffer.as_ref().map(|source| source.path.clone());
        let labels = app_config_labels(
            all.iter()
                .map(|(path, _)| path.as_path())
                .chain(buffer_path.as_deref()),
        );
        let stored = cache.as_ref().map(|(stored, _)| *stored);
        let results: Vec<FileRead<'a>> = all
            .par_iter()
            .map(|(path, in_scope)| {
                let label = path
                    .parent()
                    .and_then(|dir| labels.get(dir))
                    .map(String::as_str);
                let seen_regular = discovered.unverified.binary_search(path).is_err();
                let (extracted, kept) = match stored {
                    Some(stored) => read_through_cache(path, seen_regular, label, stored),
                    None => match read_source(path, seen_regular, None) {
                        Ok(source) => {
                            let read_sibling =
                                |sibling: &Path| std::fs::read_to_string(sibling).ok();
                            let cx = LowerContext {
                                app_label: label,
                                read_sibling: &read_sibling,
                            };
                            (Ok(lower(Arc::new(source), &cx)), None)
                        }
                        Err(error) => (Err(error), None),
                    },
                };
                (extracted, *in_scope, kept)
            })
            .collect();
        // Filtered in place (`collect` reuses the vector): a copy of every migration would touch
        // as many fresh pages as the lowering wrote, a page fault each.
        let mut kept_entries = cache.map(|(_, kept)| kept);
        let mut migrations: Vec<(Migration, bool)> = results
            .into_iter()
            .filter_map(|(result, in_scope, kept)| {
                if let (Some(kept_entries), Some(kept)) = (kept_entries.as_mut(), kept) {
                    kept_entries.push(kept);
                }
                match result {
                    Ok(Some(migration)) => Some((migration, in_scope)),
                    // A context file that cannot be read is not the user's concern here.
                    Err(error) if in_scope => {
                        errors.push(error);
                        None
                    }
                    Ok(None) | Err(_) => None,
                }
            })
            .collect();
        if let Some(source) = buffer {
            let label = source
                .path
                .parent()
                .and_then(|dir| labels.get(dir))
                .cloned();
            let read_sibling = |sibling: &Path| std::fs::read_to_string(sibling).ok();
            let cx = LowerContext {
                app_label: label.as_deref(),
                read_sibling: &read_sibling,
            };
            if let Some(migration) = lower(Arc::new(source), &cx) {
                migrations.push((migration, true));
            }
        }
        let order = if in_path_order {
            Order::Paths
        } else {
            Order::Unknown
        };
        (
            Self::from_migrations(migrations, order, files_read, &labels),
            errors,
        )
    }

    /// A project of sources already in memory (an editor buffer, a test).
    pub fn from_sources(sources: impl IntoIterator<Item = SourceFile>) -> Self {
        let sources: Vec<Arc<SourceFile>> = sources.into_iter().map(Arc::new).collect();
        let files_read = sources.len();
        let by_path: HashMap<&Path, &str> = sources
            .iter()
            .map(|source| (source.path.as_path(), source.text.as_str()))
            .collect();
        let read_sibling = |sibling: &Path| by_path.get(sibling).map(|text| (*text).to_owned());
        let cx = LowerContext {
            app_label: None,
            read_sibling: &read_sibling,
        };
        let migrations = sources
            .par_iter()
            .filter_map(|source| lower(Arc::clone(source), &cx))
            .map(|migration| (migration, true))
            .collect();
        Self::from_migrations(migrations, Order::Unknown, files_read, &HashMap::new())
    }

    /// Like [`Project::from_sources`], with each source marked in scope (its findings reported) or
    /// read only as context (a sibling that keeps the revision graph whole), and lowering done once
    /// per text: a file whose text, Django app label and sibling files (a SQL up file's down file)
    /// are what `cache` saw last is not parsed again. For an editor that re-checks a directory after
    /// every keystroke in one of its files. Django app labels come from `apps.py` as in
    /// [`Project::load`].
    pub fn from_sources_cached(
        sources: impl IntoIterator<Item = (SourceFile, bool)>,
        cache: &mut LoweringCache,
    ) -> Self {
        let sources: Vec<(Arc<SourceFile>, bool)> = sources
            .into_iter()
            .map(|(source, in_scope)| (Arc::new(source), in_scope))
            .collect();
        let files_read = sources.iter().filter(|(_, in_scope)| *in_scope).count();
        let labels = app_config_labels(sources.iter().map(|(source, _)| source.path.as_path()));
        let by_path: HashMap<&Path, &str> = sources
            .iter()
            .map(|(source, _)| (source.path.as_path(), source.text.as_str()))
            .collect();
        let label_of = |path: &Path| {
            path.parent()
                .and_then(|dir| labels.get(dir))
                .map(String::as_str)
        };
        // What is cached stays cached; what is not is lowered in parallel, recording the siblings
        // each file read so that a change to one of them invalidates it.
        let fresh: Vec<(Arc<SourceFile>, CachedLowering)> = sources
            .par_iter()
            .filter(|(source, _)| {
                !cache.entries.get(&source.path).is_some_and(|cached| {
                    cached.text == source.text
                        && cached.app_label.as_deref() == label_of(&source.path)
                        && cached.siblings.iter().all(|(path, text)| {
                            by_path.get(path.as_path()).copied() == text.as_deref()
                        })
                })
            })
            .map(|(source, _)| {
                let read = std::sync::Mutex::new(Vec::new());
                let read_sibling = |sibling: &Path| {
                    let text = by_path.get(sibling).map(|text| (*text).to_owned());
                    if let Ok(mut read) = read.lock() {
                        read.push((sibling.to_path_buf(), text.clone()));
                    }
                    text
                };
                let cx = LowerContext {
                    app_label: label_of(&source.path),
                    read_sibling: &read_sibling,
                };
                let migration = lower(Arc::clone(source), &cx);
                let siblings = read.into_inner().unwrap_or_default();
                let cached = CachedLowering {
                    text: source.text.clone(),
                    app_label: label_of(&source.path).map(str::to_owned),
                    siblings,
                    migration,
                };
                (Arc::clone(source), cached)
            })
            .collect();
        for (source, cached) in fresh {
            cache.entries.insert(source.path.clone(), cached);
        }
        // Files gone from the directory leave the cache.
        let present: std::collections::HashSet<&Path> = sources
            .iter()
            .map(|(source, _)| source.path.as_path())
            .collect();
        cache
            .entries
            .retain(|path, _| present.contains(path.as_path()));
        let migrations = sources
            .iter()
            .filter_map(|(source, in_scope)| {
                let migration = cache.entries.get(&source.path)?.migration.clone()?;
                Some((migration, *in_scope))
            })
            .collect();
        Self::from_migrations(migrations, Order::Unknown, files_read, &labels)
    }

    fn from_migrations(
        mut scoped: Vec<(Migration, bool)>,
        order: Order,
        files_read: usize,
        labels: &HashMap<PathBuf, String>,
    ) -> Self {
        // Sources of unknown order are usually in path order too, so this is usually a check
        // (which compares paths by their components); the split below is done in place for the
        // same reason as the filtering in `read_discovered`.
        if order == Order::Unknown && !scoped.is_sorted_by(|(a, _), (b, _)| a.path() <= b.path()) {
            scoped.sort_by(|(a, _), (b, _)| a.path().cmp(b.path()));
        }
        let in_scope: Vec<bool> = scoped.iter().map(|(_, in_scope)| *in_scope).collect();
        let mut migrations: Vec<Migration> =
            scoped.into_iter().map(|(migration, _)| migration).collect();
        relabel_django_apps(&mut migrations, labels);
        for frontend in frontends() {
            frontend.link(&mut migrations);
        }
        // Each frontend names the nodes of its migrations; the graph takes them in path order.
        // A project is usually of one framework: its frontend's nodes are taken as they are,
        // already in path order, and split in place.
        let mut named: Vec<(usize, RevisionNode)> = Vec::new();
        for frontend in frontends() {
            let nodes = frontend.graph_nodes(&migrations);
            if named.is_empty() {
                named = nodes;
            } else {
                named.extend(nodes);
            }
        }
        if !named.is_sorted_by_key(|(index, _)| *index) {
            named.sort_by_key(|(index, _)| *index);
        }
        let graph_members: Vec<usize> = named.iter().map(|(index, _)| *index).collect();
        let nodes: Vec<RevisionNode> = named.into_iter().map(|(_, node)| node).collect();
        Self {
            graph: RevisionGraph::build(&nodes),
            migrations,
            graph_members,
            files_read,
            in_scope,
        }
    }

    /// Whether findings in `migrations[index]` are reported: false for files read only as context
    /// (siblings of a file given directly).
    pub fn is_in_scope(&self, index: usize) -> bool {
        self.in_scope.get(index).copied().unwrap_or(false)
    }

    /// How many migrations are checked (context files not counted).
    pub fn checked_migrations(&self) -> usize {
        self.in_scope.iter().filter(|in_scope| **in_scope).count()
    }

    /// The migration at a graph position (as returned by [`RevisionGraph::heads`] and friends).
    pub fn migration_at(&self, graph_position: usize) -> &Migration {
        &self.migrations[self.graph_members[graph_position]]
    }

    /// The graph position of a revision given by its id, or by a prefix that starts exactly one id
    /// (as Alembic accepts).
    pub fn resolve_revision(&self, revision: &str) -> Result<usize, Error> {
        if let Some(position) = self.graph.position(revision) {
            return Ok(position);
        }
        let candidates: Vec<usize> = (0..self.graph_members.len())
            .filter(|&at| {
                self.migration_at(at)
                    .revision_id()
                    .is_some_and(|id| id.starts_with(revision))
            })
            .collect();
        match candidates.as_slice() {
            [] => Err(Error::UnknownRevision {
                revision: revision.to_owned(),
            }),
            [only] => Ok(*only),
            many => Err(Error::AmbiguousRevision {
                revision: revision.to_owned(),
                candidates: many
                    .iter()
                    .filter_map(|&at| self.migration_at(at).revision_id())
                    .map(str::to_owned)
                    .collect(),
            }),
        }
    }

    /// Indices into `migrations` of the revisions that descend from `revision` (itself excluded):
    /// what is new since that release.
    pub fn descendants_of(&self, revision: &str) -> Result<Vec<usize>, Error> {
        let position = self.resolve_revision(revision)?;
        let mut found: Vec<usize> = self
            .graph
            .descendants(position)
            .into_iter()
            .map(|at| self.graph_members[at])
            .collect();
        found.sort_unstable();
        Ok(found)
    }

    /// Index into `migrations` of a graph position.
    pub fn graph_position(&self, graph_position: usize) -> usize {
        self.graph_members[graph_position]
    }
}

/// What [`Project::load_cached`] took from its cache and gave back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheUse {
    /// Files whose stored lowering was reused.
    pub reused: usize,
    /// Of those, files known unchanged by their stamp (length, times, inode) without being
    /// opened.
    pub unopened: usize,
    /// Files read and lowered anew.
    pub lowered: usize,
    /// Whether the cache was written (it is left alone when nothing changed).
    pub written: bool,
    /// Why it could not be written, naming the directory.
    pub write_error: Option<String>,
}

/// Lowered files kept between builds of a project by [`Project::from_sources_cached`].
#[derive(Debug, Default)]
pub struct LoweringCache {
    entries: HashMap<PathBuf, CachedLowering>,
}

#[derive(Debug)]
struct CachedLowering {
    /// The text lowered.
    text: String,
    /// The Django app label it was lowered with.
    app_label: Option<String>,
    /// The sibling files lowering read, with what they held (`None`: absent).
    siblings: Vec<(PathBuf, Option<String>)>,
    /// The result: `None` for a file that is no migration.
    migration: Option<Migration>,
}

/// Whether some frontend reads `path` (what a directory walk would pick up).
pub fn is_migration_file(path: &Path) -> bool {
    frontend_for(path).is_some()
}

/// The graph nodes of the Alembic and Django migrations among `migrations`: an Alembic revision
/// by its id, parents, `depends_on` and branch labels; a Django migration by `app.name`, in group
/// `app`, with its dependencies as Django's loader reads them (squashes standing for what they
/// replace).
pub(crate) fn python_graph_nodes(migrations: &[Migration]) -> Vec<(usize, RevisionNode)> {
    let django = DjangoGraph::of(migrations);
    let mut nodes = Vec::with_capacity(migrations.len());
    for (index, migration) in migrations.iter().enumerate() {
        let Some(revision) = migration.revision_id() else {
            continue;
        };
        let node = match (&migration.meta, migration.django()) {
            (_, Some(meta)) => {
                if django.replaced.contains_key(revision) {
                    continue;
                }
                RevisionNode {
                    id: revision.to_owned(),
                    parents: django.dependencies(&meta.app_label, &migration.parents),
                    depends_on: Vec::new(),
                    branch_labels: Vec::new(),
                    group: Some(meta.app_label.clone()),
                    location: None,
                }
            }
            (crate::ir::FrameworkMeta::Alembic, None) => RevisionNode {
                id: revision.to_owned(),
                parents: ids(&migration.parents),
                depends_on: ids(&migration.depends_on),
                branch_labels: ids(&migration.branch_labels),
                group: None,
                // Histories in different directories that never meet are separate environments.
                location: migration
                    .path()
                    .parent()
                    .map(|dir| dir.to_string_lossy().into_owned()),
            },
            _ => continue,
        };
        nodes.push((index, node));
    }
    nodes
}

/// The labels `apps.py` gives the apps whose `migrations/` packages hold some of `files`, by
/// migrations directory. Each `apps.py` is read once.
fn app_config_labels<'a>(files: impl Iterator<Item = &'a Path>) -> HashMap<PathBuf, String> {
    let mut labels = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for file in files {
        let Some(dir) = file.parent() else { continue };
        if dir.file_name().is_none_or(|name| name != "migrations")
            || !seen.insert(dir.to_path_buf())
        {
            continue;
        }
        let Some(package) = dir.parent() else {
            continue;
        };
        let apps = package.join("apps.py");
        let Ok((text, _)) = crate::read::read_regular_file(&apps)
            .and_then(|bytes| crate::read::decode_python(&apps, bytes))
        else {
            continue;
        };
        if let Some(label) = crate::extract::app_config_label(&text) {
            labels.insert(dir.to_path_buf(), label);
        }
    }
    labels
}

/// An app's label is its directory's name unless its `AppConfig` says otherwise (wagtail's
/// `wagtail/admin/migrations` is app `wagtailadmin`). The migrations say it themselves: a
/// dependency `("wagtailadmin", "0001_initial")` on a file of the same directory names the label.
/// A label that is some directory's own name votes for nothing: `flatpages` depending on
/// `("sites", "0001_initial")` says nothing about flatpages' label.
fn relabel_django_apps(migrations: &mut [Migration], labels: &HashMap<PathBuf, String>) {
    use std::collections::HashSet;
    let dir_of = |migration: &Migration| migration.path().parent().map(Path::to_path_buf);
    let mut names: HashMap<PathBuf, Vec<String>> = HashMap::new();
    let mut directory_labels: HashSet<String> = HashSet::new();
    // The directory is looked up only for Django migrations: an owned path per migration is
    // most of this function's cost in an Alembic project of thousands.
    for migration in migrations.iter() {
        let Some(meta) = migration.django() else {
            continue;
        };
        if let Some(dir) = dir_of(migration) {
            names.entry(dir).or_default().push(meta.name.clone());
            directory_labels.insert(meta.app_label.clone());
        }
    }
    if names.is_empty() {
        return;
    }
    // Votes per directory: a dependency on a sibling file (never the migration's own name: a
    // migration does not depend on itself) names the app's label.
    let mut votes: HashMap<PathBuf, HashMap<String, usize>> = HashMap::new();
    for migration in migrations.iter() {
        let Some(meta) = migration.django() else {
            continue;
        };
        let Some(dir) = dir_of(migration) else {
            continue;
        };
        let Some(siblings) = names.get(&dir) else {
            continue;
        };
        for parent in &migration.parents {
            let Some((app, name)) = parent.value.split_once('.') else {
                continue;
            };
            let names_sibling = name != meta.name && siblings.iter().any(|sibling| sibling == name);
            if names_sibling && (app == meta.app_label || !directory_labels.contains(app)) {
                *votes
                    .entry(dir.clone())
                    .or_default()
                    .entry(app.to_owned())
                    .or_default() += 1;
            }
        }
    }
    for migration in migrations.iter_mut() {
        if migration.django().is_none() {
            continue;
        }
        let Some(dir) = dir_of(migration) else {
            continue;
        };
        let crate::ir::FrameworkMeta::Django(meta) = &mut migration.meta else {
            continue;
        };
        // `apps.py` named the app at extraction: its tables are named after it already.
        if labels.contains_key(&dir) {
            continue;
        }
        let Some(votes) = votes.get(&dir) else {
            continue;
        };
        let current = votes.get(&meta.app_label).copied().unwrap_or(0);
        // Another label must win outright; a tie keeps the directory's name.
        let Some((label, _)) = votes
            .iter()
            .filter(|(label, count)| **count > current && **label != meta.app_label)
            .max_by_key(|(label, count)| (**count, std::cmp::Reverse((*label).clone())))
        else {
            continue;
        };
        meta.app_label.clone_from(label);
        if let Some(revision) = migration.revision.as_mut() {
            revision.value = format!("{label}.{}", meta.name);
        }
    }
}

/// How Django's loader reads dependencies, without a database: a squashed migration stands for
/// the migrations it replaces (they leave the graph, and dependencies on them point at it);
/// `__first__` / `__latest__` name an app's first and last migrations; dependencies on apps that
/// have no migrations here (Django's own, third-party) and on settings are outside the project.
struct DjangoGraph {
    /// Ids replaced by a squashed migration present here -> the squash.
    replaced: HashMap<String, String>,
    /// Apps with migrations here -> their migration names, sorted.
    apps: HashMap<String, Vec<String>>,
}

impl DjangoGraph {
    fn of(migrations: &[Migration]) -> Self {
        let mut replaced = std::collections::HashMap::new();
        let mut apps: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        for migration in migrations {
            let (Some(meta), Some(id)) = (migration.django(), migration.revision_id()) else {
                continue;
            };
            apps.entry(meta.app_label.clone())
                .or_default()
                .push(meta.name.clone());
            for old in &meta.replaces {
                replaced.insert(old.value.clone(), id.to_owned());
            }
        }
        for names in apps.values_mut() {
            names.sort();
        }
        Self { replaced, apps }
    }

    fn dependencies(&self, own_app: &str, parents: &[Spanned<String>]) -> Vec<String> {
        let mut dependencies = Vec::new();
        for parent in parents {
            let Some((app, name)) = parent.value.split_once('.') else {
                continue;
            };
            // Django ignores `__first__` / `__latest__` of the migration's own app.
            if app == own_app && name.starts_with("__") {
                continue;
            }
            let Some(names) = self.apps.get(app) else {
                continue;
            };
            let live = |name: &&String| !self.replaced.contains_key(&format!("{app}.{name}"));
            let resolved = match name {
                "__first__" => names.iter().find(live).cloned(),
                "__latest__" => names.iter().rev().find(live).cloned(),
                other => Some(other.to_owned()),
            };
            let Some(name) = resolved else { continue };
            let id = format!("{app}.{name}");
            let id = self.replaced.get(&id).cloned().unwrap_or(id);
            if !dependencies.contains(&id) {
                dependencies.push(id);
            }
        }
        dependencies
    }
}

/// The order migrations come in, as far as their maker knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Sorted by path (discovery's).
    Paths,
    /// Any.
    Unknown,
}

/// Lowers a file with the frontend that reads it; a file no frontend claims (given directly,
/// whatever its name) is read as Python, as it always was.
fn lower(source: Arc<SourceFile>, cx: &LowerContext<'_>) -> Option<Migration> {
    let frontend = frontend_for(&source.path).unwrap_or(&crate::extract::PythonFrontend);
    frontend.lower(source, cx)
}

fn ids(values: &[Spanned<String>]) -> Vec<String> {
    values.iter().map(|value| value.value.clone()).collect()
}

/// What reading one discovered file gave: its migration (`None`: not one) or the error, whether it
/// is in scope, and what the next cache keeps of it.
type FileRead<'a> = (Result<Option<Migration>, Error>, bool, Option<Kept<'a>>);

/// Reads a file through a stored cache: a file whose stamp is the one stored with its text is
/// not opened; one whose text is the one stored is not lowered again; any other is read and
/// lowered. Also what the next cache keeps of it.
fn read_through_cache<'a>(
    path: &Path,
    seen_regular: bool,
    label: Option<&str>,
    stored: &'a crate::cache::Stored,
) -> (Result<Option<Migration>, Error>, Option<Kept<'a>>) {
    let read_sibling = |sibling: &Path| std::fs::read_to_string(sibling).ok();
    // Looked at before it is read: a change after this shows in the next run's stamp.
    let metadata = std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file);
    let stamp = metadata.as_ref().and_then(|metadata| {
        crate::cache::FileStamp::settled(metadata, std::time::SystemTime::now())
    });
    let entry = stored.entry(path);
    if let (Some(entry), Some(stamp)) = (entry, stamp)
        && entry.head.holds_by_stamp(stamp, label, &read_sibling)
        && let Ok(text) = std::str::from_utf8(entry.text)
        && let Ok(lowered) = crate::cache::decode(entry.blob)
    {
        let source = SourceFile::new(path, text);
        return (Ok(read_back(lowered, source)), Some(Kept::Unopened(entry)));
    }
    let source = match read_source(
        path,
        seen_regular,
        metadata.as_ref().map(std::fs::Metadata::len),
    ) {
        Ok(source) => source,
        Err(error) => return (Err(error), None),
    };
    // Only a text read as it is stored (UTF-8) is kept to stand for the file.
    let stamp = stamp.filter(|_| source.encoding().is_none());
    if let Some(entry) = entry
        && entry.head.holds(&source.text, label, &read_sibling)
        && let Ok(stored) = crate::cache::decode(entry.blob)
    {
        let kept = Kept::reread(entry, stamp, &source.text);
        return (Ok(read_back(stored, source)), Some(kept));
    }
    // The siblings lowering reads are recorded: a change to one of them invalidates the entry.
    let siblings = std::sync::Mutex::new(Vec::new());
    let recording = |sibling: &Path| {
        let text = read_sibling(sibling);
        if let Ok(mut siblings) = siblings.lock() {
            siblings.push((
                sibling.to_path_buf(),
                text.as_deref().map(crate::cache::text_hash),
            ));
        }
        text
    };
    let cx = LowerContext {
        app_label: label,
        read_sibling: &recording,
    };
    let source = Arc::new(source);
    let migration = lower(Arc::clone(&source), &cx);
    let siblings = siblings.into_inner().unwrap_or_default();
    let kept = Kept::lowered(
        &source.path,
        &source.text,
        stamp,
        label,
        siblings,
        migration.as_ref(),
    );
    (Ok(migration), kept)
}

/// A lowering read back from the cache, given the source it stands for (the cache keeps none).
fn read_back(lowered: Option<Migration>, source: SourceFile) -> Option<Migration> {
    let source = Arc::new(source);
    lowered.map(|mut migration| {
        migration.source = source;
        migration
    })
}

/// The text of a migration file; `seen_regular` when discovery saw a regular file's directory
/// entry, so that it need not be looked at again before it is opened; `len` when its length
/// was just looked at.
fn read_source(path: &Path, seen_regular: bool, len: Option<u64>) -> Result<SourceFile, Error> {
    let bytes = if seen_regular || len.is_some() {
        crate::read::read_seen_regular_file(path, len)?
    } else {
        crate::read::read_regular_file(path)?
    };
    let (text, encoding) = crate::read::decode_python(path, bytes)?;
    Ok(SourceFile::new(path, text).decoded_from(encoding))
}
