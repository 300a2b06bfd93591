//! What the CLI tests of hostile input and of the ruff-like options share: a scratch directory
//! and the binary run in it.

// Not every test file uses every helper.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory under the system temp dir, removed when dropped.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(files: &[(&str, &[u8])]) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mrt-cli-support-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        for (name, bytes) in files {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("fixture dir");
            }
            std::fs::write(path, bytes).expect("write fixture");
        }
        Self(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Runs `mrt` in this directory.
    pub(crate) fn mrt(&self, args: &[&str]) -> Output {
        self.mrt_with(args, &[], None)
    }

    /// Runs `mrt` in this directory with extra environment variables and standard input.
    pub(crate) fn mrt_with(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        stdin: Option<&str>,
    ) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mrt"));
        command
            .args(args)
            .current_dir(&self.0)
            .env_remove("NO_COLOR")
            .envs(env.iter().copied())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the mrt binary runs");
        if let Some(text) = stdin {
            use std::io::Write as _;
            let mut pipe = child.stdin.take().expect("stdin piped");
            pipe.write_all(text.as_bytes()).expect("write stdin");
        }
        child.wait_with_output().expect("mrt finishes")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A revision file: `revision`, its parent, and `upgrade()` dropping `table.column`.
pub(crate) fn drop_column_revision(revision: &str, parent: Option<&str>, column: &str) -> String {
    let parent = parent.map_or_else(|| "None".to_owned(), |parent| format!("\"{parent}\""));
    format!(
        "from alembic import op\n\nrevision = \"{revision}\"\ndown_revision = {parent}\n\n\n\
         def upgrade():\n    op.drop_column(\"users\", \"{column}\")\n\n\n\
         def downgrade():\n    pass\n"
    )
}
