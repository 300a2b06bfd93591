//! Finding the Python files under the paths a user gives.

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

/// Every `.py` file under `paths` (a file given directly is taken whatever its name), sorted and
/// without repeats, and an error for each path that does not exist or cannot be read. Directories
/// are walked with an explicit stack.
pub(crate) fn python_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Error>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                errors.push(Error::PathNotFound { path: path.clone() });
            }
            Err(source) => errors.push(Error::Io {
                path: path.clone(),
                source,
            }),
            Ok(metadata) if metadata.is_dir() => walk(path, &mut files, &mut errors),
            Ok(_) => files.push(path.clone()),
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn walk(root: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<Error>) {
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(source) => {
                errors.push(Error::Io { path: dir, source });
                continue;
            }
        };
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
            if kind.is_dir() {
                if !is_skipped_dir(&path) {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|ext| ext == "py") {
                files.push(path);
            }
        }
    }
}
