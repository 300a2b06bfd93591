//! A project: every migration found under some paths, and their revision graph.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use mrt_graph::{RevisionGraph, RevisionNode};
use rayon::prelude::*;

use crate::Error;
use crate::extract::extract;
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
        let discovered = crate::discover::python_files(paths, excluded);
        let mut errors = discovered.errors;
        let files_read = discovered.files.len();
        let scoped = discovered.files.iter().map(|path| (path, true));
        let context = discovered.context.iter().map(|path| (path, false));
        let all: Vec<(&PathBuf, bool)> = scoped.chain(context).collect();
        let results: Vec<(Result<Option<Migration>, Error>, bool)> = all
            .par_iter()
            .map(|(path, in_scope)| {
                (
                    read_source(path).map(|source| extract(Arc::new(source))),
                    *in_scope,
                )
            })
            .collect();
        let mut migrations = Vec::new();
        for (result, in_scope) in results {
            match result {
                Ok(Some(migration)) => migrations.push((migration, in_scope)),
                // A context file that cannot be read is not the user's concern here.
                Err(error) if in_scope => errors.push(error),
                Ok(None) | Err(_) => {}
            }
        }
        (Self::from_migrations(migrations, files_read), errors)
    }

    /// A project of sources already in memory (an editor buffer, a test).
    pub fn from_sources(sources: impl IntoIterator<Item = SourceFile>) -> Self {
        let sources: Vec<SourceFile> = sources.into_iter().collect();
        let files_read = sources.len();
        let migrations = sources
            .into_par_iter()
            .filter_map(|source| extract(Arc::new(source)))
            .map(|migration| (migration, true))
            .collect();
        Self::from_migrations(migrations, files_read)
    }

    fn from_migrations(mut scoped: Vec<(Migration, bool)>, files_read: usize) -> Self {
        scoped.sort_by(|(a, _), (b, _)| a.path().cmp(b.path()));
        let (migrations, in_scope): (Vec<Migration>, Vec<bool>) = scoped.into_iter().unzip();
        let mut graph_members = Vec::new();
        let mut nodes = Vec::new();
        for (index, migration) in migrations.iter().enumerate() {
            let Some(revision) = migration.revision_id() else {
                continue;
            };
            graph_members.push(index);
            nodes.push(RevisionNode {
                id: revision.to_owned(),
                parents: ids(&migration.parents),
                depends_on: ids(&migration.depends_on),
                branch_labels: ids(&migration.branch_labels),
                group: None,
            });
        }
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

fn ids(values: &[Spanned<String>]) -> Vec<String> {
    values.iter().map(|value| value.value.clone()).collect()
}

fn read_source(path: &Path) -> Result<SourceFile, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
        path: path.to_path_buf(),
    })?;
    Ok(SourceFile::new(path, text))
}
