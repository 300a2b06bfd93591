//! Writing a file atomically: a temporary file in the same directory, then a rename over the
//! original, so a reader (or a crash) never sees a half-written migration.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::Error;

/// Replaces the contents of `path` with `text`: writes a temporary file next to it (keeping the
/// original's permissions), flushes it to disk, and renames it over `path`. On failure the
/// original is untouched and the temporary file removed.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = std::fs::metadata(path).map(|meta| meta.permissions()).ok();
    let temp = dir.join(format!(".{name}.mrt-fix-{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if let Some(permissions) = permissions {
            std::fs::set_permissions(&temp, permissions)?;
        }
        std::fs::rename(&temp, path)
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(io(error));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    // A test that cannot use its scratch directory should stop loudly.
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("mrt-fix-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rev.py");
        std::fs::write(&path, "old\n").unwrap();
        write_atomic(&path, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("rev.py")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_path() {
        let path = Path::new("/nonexistent-mrt-dir/rev.py");
        let error = write_atomic(path, "x").unwrap_err();
        assert!(error.to_string().contains("/nonexistent-mrt-dir/rev.py"));
    }
}
