//! What the fix tests share.

use std::path::{Path, PathBuf};

/// `root` and every directory under it, in path order: each is read as a project of its own.
pub(crate) fn directories(root: &Path) -> Vec<PathBuf> {
    let mut found = vec![root.to_path_buf()];
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable").flatten() {
            if entry.path().is_dir() {
                found.push(entry.path());
                pending.push(entry.path());
            }
        }
    }
    found.sort();
    found
}
