//! Frontends: one per migration format. A frontend says which files it reads, lowers one file to
//! the [`Migration`] IR, and turns its migrations into nodes of the revision graph. Everything
//! after that (the linter, the schema model, every rule) sees only the IR.
//!
//! The Python formats (Alembic, Django) are one frontend: a Python file is parsed once, and what it
//! defines says which of the two it is. The plain-SQL directories are another (`sql_dir.rs`).

use std::path::Path;
use std::sync::Arc;

use mrt_graph::RevisionNode;

use crate::ir::Migration;
use crate::source::SourceFile;

/// What lowering a file may ask of the project around it.
#[derive(Clone, Copy)]
pub(crate) struct LowerContext<'a> {
    /// A Django app's label as its `apps.py` gives it (else the directory's name is used).
    pub(crate) app_label: Option<&'a str>,
    /// Reads a file beside the one being lowered (a SQL up file's down file); `None` when it is
    /// not there.
    pub(crate) read_sibling: &'a (dyn Fn(&Path) -> Option<String> + Sync),
}

impl std::fmt::Debug for LowerContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LowerContext")
            .field("app_label", &self.app_label)
            .finish_non_exhaustive()
    }
}

/// A migration format.
pub(crate) trait Frontend: Send + Sync + std::fmt::Debug {
    /// Whether `path` names a file of this format. Its text may still say it is no migration
    /// (then [`Frontend::lower`] returns `None`).
    fn detects(&self, path: &Path) -> bool;

    /// Lowers one file; `None` when it is not a migration.
    fn lower(&self, source: Arc<SourceFile>, cx: &LowerContext<'_>) -> Option<Migration>;

    /// Once every file is lowered: what only the set says (a SQL version's parent is the version
    /// before it in its directory).
    fn link(&self, _migrations: &mut [Migration]) {}

    /// The revision-graph nodes of this frontend's migrations among `migrations`, with their
    /// indices.
    fn graph_nodes(&self, migrations: &[Migration]) -> Vec<(usize, RevisionNode)>;
}

/// Every frontend, in the order they are asked whether they read a file.
pub(crate) fn frontends() -> [&'static dyn Frontend; 2] {
    [&super::PythonFrontend, &super::sql_dir::SqlDirectory]
}

/// The frontend that reads `path`, if one does.
pub(crate) fn frontend_for(path: &Path) -> Option<&'static dyn Frontend> {
    frontends()
        .into_iter()
        .find(|frontend| frontend.detects(path))
}
