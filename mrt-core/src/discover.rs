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
    // Sorted runs appended to `files`: one directory's files, or one file given directly.
    let mut runs = 0;
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
                runs += walk(path, excluded, &mut files, &mut unverified, &mut errors);
            }
            Ok(_) => {
                runs += 1;
                files.push(path.clone());
                unverified.push(path.clone());
                context_dirs.push(path.parent().map(Path::to_path_buf).unwrap_or_default());
            }
        }
    }
    // One run (one directory of migrations, the usual case) is sorted and has no repeats already;
    // a check of that would compare every pair of neighbours by their components too.
    if runs > 1 {
        files.sort();
        files.dedup();
    }
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

/// Appends the migration files under `root` to `files`, sorted a directory at a time; returns how
/// many directories had some.
fn walk(
    root: &Path,
    excluded: &dyn Fn(&Path) -> bool,
    files: &mut Vec<PathBuf>,
    unverified: &mut Vec<PathBuf>,
    errors: &mut Vec<Error>,
) -> usize {
    let mut runs = 0;
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
        runs += usize::from(!files_here.is_empty());
        files.append(&mut files_here);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory tree of its own under the system's temporary directory, removed when dropped.
    struct Tree(PathBuf);

    impl Tree {
        fn new(name: &str, files: &[&str]) -> Self {
            let root =
                std::env::temp_dir().join(format!("mrt-discover-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            for file in files {
                let path = root.join(file);
                std::fs::create_dir_all(path.parent().unwrap_or(&root)).unwrap_or_default();
                std::fs::write(&path, "revision = \"x\"\n").unwrap_or_default();
            }
            Self(root)
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// What discovery must list: every file once, in path order (components compared one by
    /// one: `a/z.py` before `a-b/y.py`, though `/` sorts after `-` as a byte).
    fn path_ordered(mut files: Vec<PathBuf>) -> Vec<PathBuf> {
        files.sort();
        files.dedup();
        files
    }

    #[test]
    fn files_come_in_path_order_once_each_however_the_paths_are_given() {
        let names = [
            "a/z.py",
            "a/m.py",
            "a-b/y.py",
            "a/sub/x.py",
            "b.py",
            "c/0001.py",
            "c/0002.py",
        ];
        let tree = Tree::new("order", &names);
        let root = &tree.0;
        let all = path_ordered(names.iter().map(|file| root.join(file)).collect());
        let none = |_: &Path| false;
        // One directory of several, the tree whole, overlapping paths, files given directly.
        for (paths, expected) in [
            (vec![root.join("c")], all[5..].to_vec()),
            (vec![root.clone()], all.clone()),
            (vec![root.clone(), root.join("a")], all.clone()),
            (
                vec![
                    root.join("c/0002.py"),
                    root.join("c/0001.py"),
                    root.join("c/0002.py"),
                ],
                all[5..].to_vec(),
            ),
            (vec![root.join("c"), root.join("a-b"), root.join("a")], {
                let mut some = all.clone();
                some.retain(|path| !path.ends_with("b.py"));
                some
            }),
        ] {
            let found = migration_files(&paths, &none);
            assert!(found.errors.is_empty(), "{:?}", found.errors);
            assert_eq!(found.files, expected, "{paths:?}");
        }
    }
}
