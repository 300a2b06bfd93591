//! Writing a fixed file safely: a temporary file in the same directory (created with the file's
//! mode, given its owner), then a rename over the original, so a reader (or a crash) never sees a
//! half-written migration; only when the file still holds the text the fix was made from, and
//! through a symbolic link to the file it names.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::Error;

/// What a temporary file of process `pid` for the file `name` is called.
fn temp_name(name: &str, pid: u32) -> String {
    format!(".{name}.mrt-fix-{pid}.tmp")
}

/// Replaces the contents of `path` with `text`, if it still holds `read` (the text the fix was
/// made from; else [`Error::Changed`], and nothing is written). A symbolic link is written
/// through: its target changes, the link stays. The temporary file is created with the file's
/// permissions (never readable by more people than the file) and, where allowed, its owner; it is
/// flushed to disk and renamed over the file. A file the user cannot write is an error, as an
/// editor would make it. On any failure the file is untouched and the temporary file removed.
pub fn write_fixed(path: &Path, read: &str, text: &str) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let target = std::fs::canonicalize(path).map_err(io)?;
    let meta = std::fs::metadata(&target).map_err(io)?;
    // Renaming over a read-only file would succeed; its mode says it is not to be changed.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&target)
        .map_err(io)?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(temp_name(&name, std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(meta.permissions().mode() & 0o777);
    }
    let written = (|| -> Result<(), Error> {
        let mut file = options.open(&temp).map_err(io)?;
        // The umask may have taken bits of the mode away: the file gets exactly the old one.
        file.set_permissions(meta.permissions()).map_err(io)?;
        #[cfg(unix)]
        keep_owner(&file, &meta).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        // Someone (an editor, a checkout) may have changed the file since the fix was made from
        // it: the fix of the old text is not to replace the new one.
        if std::fs::read(&target).map_err(io)? != read.as_bytes() {
            return Err(Error::Changed {
                path: path.to_path_buf(),
            });
        }
        std::fs::rename(&temp, &target).map_err(io)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Gives the new file the owner and group of the old one. Only root may give a file away, so for
/// anyone else a refusal leaves the file theirs (as an editor saving it would).
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, old: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let new = file.metadata()?;
    if (new.uid(), new.gid()) == (old.uid(), old.gid()) {
        return Ok(());
    }
    match std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())) {
        Err(error) if new.uid() != 0 && error.kind() == std::io::ErrorKind::PermissionDenied => {
            Ok(())
        }
        other => other,
    }
}

/// Removes the temporary files (`.NAME.mrt-fix-PID.tmp`) that runs killed while writing left in
/// `dir`: those of a process that is no longer running (or of this one, which has not written
/// yet). Returns how many were removed. Where it cannot tell whether a process runs, it removes
/// none.
pub fn remove_stale_temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_file_pid) else {
            continue;
        };
        if (pid == std::process::id() || !process_runs(pid))
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// The process id in a temporary file's name, `None` for any other name.
fn temp_file_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (file, pid) = rest.rsplit_once(".mrt-fix-")?;
    (!file.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| pid.parse().ok())
        .flatten()
}

#[cfg(target_os = "linux")]
fn process_runs(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_runs(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    // A test that cannot use its scratch directory should stop loudly.
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mrt-fix-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_file() {
        let dir = scratch("replace");
        let path = dir.join("rev.py");
        std::fs::write(&path, "old\n").unwrap();
        write_fixed(&path, "old\n", "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(names(&dir), ["rev.py"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_written() {
        let dir = scratch("changed");
        let path = dir.join("rev.py");
        std::fs::write(&path, "edited meanwhile\n").unwrap();
        let error = write_fixed(&path, "old\n", "new\n").unwrap_err();
        assert!(matches!(error, Error::Changed { .. }), "{error}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "edited meanwhile\n"
        );
        assert_eq!(names(&dir), ["rev.py"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through_and_the_mode_kept() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = scratch("symlink");
        let real = dir.join("real.py");
        std::fs::write(&real, "old\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.join("link.py");
        std::os::unix::fs::symlink("real.py", &link).unwrap();
        write_fixed(&link, "old\n", "new\n").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(names(&dir), ["link.py", "real.py"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_owner_is_kept_where_the_user_may_give_files_away() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = scratch("owner");
        let path = dir.join("rev.py");
        std::fs::write(&path, "old\n").unwrap();
        // Only root may give a file away; for anyone else there is nothing to keep.
        if std::os::unix::fs::chown(&path, Some(65_534), Some(65_534)).is_err() {
            std::fs::remove_dir_all(&dir).unwrap();
            return;
        }
        write_fixed(&path, "old\n", "new\n").unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (65_534, 65_534));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn stale_temporary_files_of_dead_processes_are_removed() {
        let dir = scratch("stale");
        // No process has id 4294967: Linux ids stop at 4194304.
        let dead = temp_name("rev.py", 4_294_967);
        let alive = temp_name("rev.py", 1);
        for name in [
            &dead,
            &alive,
            &"rev.py".to_owned(),
            &".rev.py.tmp".to_owned(),
        ] {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        let removed = remove_stale_temp_files(&dir);
        if cfg!(target_os = "linux") {
            assert_eq!(removed, 1);
            assert!(!dir.join(&dead).exists());
        }
        assert!(dir.join(&alive).exists());
        assert!(dir.join("rev.py").exists() && dir.join(".rev.py.tmp").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn temporary_file_names_are_read_back() {
        assert_eq!(temp_file_pid(&temp_name("a.mrt-fix-1.py", 42)), Some(42));
        assert_eq!(temp_file_pid(".a.py.mrt-fix-.tmp"), None);
        assert_eq!(temp_file_pid(".a.py.mrt-fix-12x.tmp"), None);
        assert_eq!(temp_file_pid("a.py"), None);
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_path() {
        let path = Path::new("/nonexistent-mrt-dir/rev.py");
        let error = write_fixed(path, "", "x").unwrap_err();
        assert!(error.to_string().contains("/nonexistent-mrt-dir/rev.py"));
    }
}
