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
    /// How many Python files were read.
    pub files_read: usize,
}

impl Project {
    /// Reads, parses and lowers every Python file under `paths`, in parallel. Files that cannot be
    /// read are reported as errors (naming the path) and left out; the rest go on.
    pub fn load(paths: &[PathBuf]) -> (Self, Vec<Error>) {
        let (files, mut errors) = crate::discover::python_files(paths);
        let results: Vec<Result<Option<Migration>, Error>> = files
            .par_iter()
            .map(|path| read_source(path).map(|source| extract(Arc::new(source))))
            .collect();
        let files_read = results.len();
        let mut migrations = Vec::new();
        for result in results {
            match result {
                Ok(Some(migration)) => migrations.push(migration),
                Ok(None) => {}
                Err(error) => errors.push(error),
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
            .collect();
        Self::from_migrations(migrations, files_read)
    }

    fn from_migrations(mut migrations: Vec<Migration>, files_read: usize) -> Self {
        migrations.sort_by(|a, b| a.path().cmp(b.path()));
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
            });
        }
        Self {
            graph: RevisionGraph::build(&nodes),
            migrations,
            graph_members,
            files_read,
        }
    }

    /// The migration at a graph position (as returned by [`RevisionGraph::heads`] and friends).
    pub fn migration_at(&self, graph_position: usize) -> &Migration {
        &self.migrations[self.graph_members[graph_position]]
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
