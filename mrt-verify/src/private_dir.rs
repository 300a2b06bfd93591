//! Directories of mrt's own under the system's temporary directory (the walk's SQLite files, the
//! worker's env.py), readable by this user only and removed with everything in them when dropped,
//! also when a run stops early on an error or an interrupt.

use std::path::{Path, PathBuf};

use crate::Error;

#[derive(Debug)]
pub(crate) struct PrivateDir(PathBuf);

impl PrivateDir {
    /// Makes `PREFIX{pid}-{suffix}`: the process id says whose it is, the suffix tells apart the
    /// directories of one process.
    pub(crate) fn create(prefix: &str) -> Result<Self, Error> {
        let path = std::env::temp_dir().join(format!(
            "{prefix}{}-{}",
            std::process::id(),
            crate::db::embedded::unique_suffix()
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&path).map_err(|e| Error::io(&path, &e))?;
        Ok(Self(path))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
