//! Finding the migration files under the paths a user gives: the files some frontend reads
//! (`.py`, and `.sql` named as SQL migration directories name them).

use std::path::{Path, PathBuf};

use crate::Error;

/// Directories never searched: caches, virtual environments, VCS metadata.
fn is_skipped_dir(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return false;
    };
    (name.starts_with('.') && name.len() > 1)
        || matches!(name, "__pycache__" | "node_modules" | "site-packages")
        || path.join("pyvenv.cfg").is_file()
}

/// The files to check, and the files beside them that only give context.
#[derive(Debug, Default)]
pub(crate) struct Discovered {
    /// Files whose findings are reported, sorted, without repeats.
    pub(crate) files: Vec<PathBuf>,
    /// Migration files in the directory of a file given directly: read so that the revision graph is
    /// whole (a pre-commit hook passes only the changed files), never reported.
    pub(crate) context: Vec<PathBuf>,
    /// Paths that do not exist or cannot be read.
    pub(crate) errors: Vec<Error>,
    /// The files (of `files` and `context`) whose directory entry did not show a regular file:
    /// links, and files given directly. Reading one of them looks at what it is before opening
    /// it; the others were seen to be regular files. Sorted; usually empty.
    pub(crate) unverified: Vec<PathBuf>,
}

/// Whether some frontend reads `path`.
fn is_migration_file(path: &Path) -> bool {
    crate::extract::frontend::frontend_for(path).is_some()
}

/// Every migration file under `paths` (a file given directly is taken whatever its name), and an
/// error for each path that does not exist or cannot be read. Directories are walked with an
/// explicit stack.
pub(crate) fn migration_files(paths: &[PathBuf], excluded: &dyn Fn(&Path) -> bool) -> Discovered {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut unverified = Vec::new();
    let mut context_dirs: Vec<PathBuf> = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                errors.push(Error::PathNotFound { path: path.clone() });
            }
            Err(source) => errors.push(Error::Io {
                path: path.clone(),
                source,
            }),
            Ok(_) if excluded(path) => {}
            Ok(metadata) if metadata.is_dir() => {
                walk(path, excluded, &mut files, &mut unverified, &mut errors);
            }
            Ok(_) => {
                files.push(path.clone());
                unverified.push(path.clone());
                context_dirs.push(path.parent().map(Path::to_path_buf).unwrap_or_default());
            }
        }
    }
    files.sort();
    files.dedup();
    context_dirs.sort();
    context_dirs.dedup();
    let mut context: Vec<PathBuf> = context_dirs
        .iter()
        .flat_map(|dir| siblings(dir, &files))
        .collect();
    context.sort();
    unverified.sort();
    Discovered {
        files,
        context,
        errors,
        unverified,
    }
}

/// The migration files (of any frontend) of `dir` that are not in `files` (which is sorted),
/// sorted: the context of a file given alone. An unreadable directory has none.
pub(crate) fn siblings(dir: &Path, files: &[PathBuf]) -> Vec<PathBuf> {
    // `Path::new("").join(name)` is `name`: siblings keep the form the user gave.
    let listed = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(listed) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let sibling = dir.join(&name);
        if is_migration_file(&sibling)
            && entry.file_type().is_ok_and(|kind| kind.is_file())
            && files.binary_search(&sibling).is_err()
        {
            found.push(sibling);
        }
    }
    found.sort();
    found
}

fn walk(
    root: &Path,
    excluded: &dyn Fn(&Path) -> bool,
    files: &mut Vec<PathBuf>,
    unverified: &mut Vec<PathBuf>,
    errors: &mut Vec<Error>,
) {
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(source) => {
                errors.push(Error::Io { path: dir, source });
                continue;
            }
        };
        let mut files_here = Vec::new();
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(source) => {
                    errors.push(Error::Io {
                        path: dir.clone(),
                        source,
                    });
                    continue;
                }
            };
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if excluded(&path) {
                continue;
            }
            if kind.is_dir() {
                if !is_skipped_dir(&path) {
                    pending.push(path);
                }
            } else if is_migration_file(&path) {
                if !kind.is_file() {
                    unverified.push(path.clone());
                }
                files_here.push(path);
            }
        }
        // Siblings share their parent's text, so their text orders them as their paths do, at the
        // cost of a byte comparison rather than a walk over components; the caller's sort of
        // every file then only merges one sorted run a directory.
        files_here.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
        files.append(&mut files_here);
    }
}
