//! A throwaway PostgreSQL cluster: `initdb` into a private temporary directory, the server on a
//! Unix socket there (no TCP), durability off (it is scratch), stopped and removed on drop. The
//! server refuses to run as root, so under root the cluster belongs to an unprivileged user.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Error;
use crate::url::PgUrl;

/// The port only names the socket file inside the private directory.
const PORT: u16 = 5432;
/// The superuser `initdb` creates.
const SUPERUSER: &str = "mrt";

/// A running cluster, stopped and deleted when dropped (unless [`EmbeddedPostgres::detach`]ed).
#[derive(Debug)]
pub struct EmbeddedPostgres {
    root: PathBuf,
    bindir: PathBuf,
    run_as: Option<String>,
    version: String,
    detached: bool,
}

/// Where `initdb` and `pg_ctl` are: on PATH, else `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/*/bin`.
pub fn find_bindir() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_tools(&dir) {
                return Some(dir);
            }
        }
    }
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output()
        && output.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if has_tools(&dir) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let dir = entry.path().join("bin");
            has_tools(&dir).then_some((major, dir))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir)
}

impl EmbeddedPostgres {
    /// Starts a new cluster with the tools in `bindir`.
    pub fn start(bindir: &Path) -> Result<Self, Error> {
        let root = std::env::temp_dir().join(format!(
            "mrt-verify-pg-{}-{}",
            std::process::id(),
            unique_suffix()
        ));
        let run_as = if running_as_root() {
            Some(unprivileged_user()?)
        } else {
            None
        };
        std::fs::create_dir(&root).map_err(|e| Error::io(&root, &e))?;
        // Owned from here: a failure below stops what was started and removes the directory.
        let mut cluster = EmbeddedPostgres {
            root,
            bindir: bindir.to_path_buf(),
            run_as,
            version: String::new(),
            detached: false,
        };
        if let Some(user) = &cluster.run_as {
            let status = Command::new("chown")
                .arg(user)
                .arg(&cluster.root)
                .status()
                .map_err(|e| Error::Embedded(format!("chown: {e}")))?;
            if !status.success() {
                return Err(Error::Embedded(format!(
                    "could not give {} to the user {user}",
                    cluster.root.display()
                )));
            }
        }
        let data = cluster.root.join("data");
        cluster.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-U".as_ref(),
                SUPERUSER.as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--locale=C".as_ref(),
                "--no-sync".as_ref(),
            ],
        )?;
        let options = format!(
            "-k {} -p {PORT} -c listen_addresses= -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=40",
            cluster.root.display()
        );
        let log = cluster.root.join("server.log");
        cluster.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                options.as_ref(),
                "-w".as_ref(),
                "-t".as_ref(),
                "60".as_ref(),
                "start".as_ref(),
            ],
        )?;
        cluster.version = std::fs::read_to_string(data.join("PG_VERSION"))
            .map(|text| text.trim().to_owned())
            .unwrap_or_default();
        Ok(cluster)
    }

    /// The URL of a database in this cluster.
    pub fn url(&self, database: &str) -> PgUrl {
        PgUrl {
            driver: None,
            user: Some(SUPERUSER.to_owned()),
            password: None,
            host: Some(self.root.display().to_string()),
            port: Some(PORT),
            database: database.to_owned(),
            params: Vec::new(),
        }
    }

    /// The major version of the server.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The directory holding the cluster (its data, socket and log).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Leaves the cluster running after this value is dropped (`mrt db start`); stop it with
    /// [`stop_at`].
    pub fn detach(mut self) {
        self.detached = true;
    }

    fn run(&self, tool: &str, args: &[&std::ffi::OsStr]) -> Result<(), Error> {
        let program = self.bindir.join(tool);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut command = Command::new(runuser()?);
                command.args(["-u", user, "--"]).arg(&program);
                command
            }
            None => Command::new(&program),
        };
        command
            .args(args)
            .current_dir(&self.root)
            .stdin(Stdio::null());
        let runner = PathBuf::from(command.get_program());
        let output = command
            .output()
            .map_err(|e| Error::Embedded(format!("{}: {e}", runner.display())))?;
        if output.status.success() {
            return Ok(());
        }
        let mut message = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        if let Ok(log) = std::fs::read_to_string(self.root.join("server.log")) {
            let tail: Vec<&str> = log.lines().rev().take(5).collect();
            if !tail.is_empty() {
                message.push_str("\nserver log: ");
                message.push_str(&tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            }
        }
        Err(Error::Embedded(format!("{tool} failed: {message}")))
    }

    fn stop(&self) {
        let data = self.root.join("data");
        let _ = self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        );
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if !self.detached {
            self.stop();
        }
    }
}

/// Stops a detached cluster started by `mrt db start` and removes its directory.
pub fn stop_at(root: &Path) -> Result<(), Error> {
    if !root.join("data").join("PG_VERSION").is_file() {
        return Err(Error::Usage(format!(
            "{}: not a database started by `mrt db start`",
            root.display()
        )));
    }
    let bindir = find_bindir()
        .ok_or_else(|| Error::Embedded("pg_ctl not found (PATH, pg_config --bindir)".into()))?;
    let owner = std::fs::metadata(root)
        .map_err(|e| Error::io(root, &e))?
        .uid();
    let run_as = if running_as_root() && owner != 0 {
        // runuser takes a user name; the directory's owner is the user the server runs as.
        Command::new("id")
            .args(["-nu", &owner.to_string()])
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        None
    };
    // Dropping it stops the server and removes the directory.
    drop(EmbeddedPostgres {
        root: root.to_path_buf(),
        bindir,
        run_as,
        version: String::new(),
        detached: false,
    });
    Ok(())
}

/// `runuser`, which runs the server as the unprivileged user: on PATH, else where Debian-like
/// systems keep it (root's PATH in a container often lacks the sbin directories).
fn runuser() -> Result<PathBuf, Error> {
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("runuser"))
                .collect()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain(["/usr/sbin/runuser", "/sbin/runuser"].map(PathBuf::from))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            Error::Embedded(
                "running as root, the server must run as another user, and `runuser` was not found (PATH, /usr/sbin, /sbin)".into(),
            )
        })
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0)
}

/// `postgres` when that user exists, else `nobody`.
fn unprivileged_user() -> Result<String, Error> {
    for user in ["postgres", "nobody"] {
        let exists = Command::new("id")
            .arg("-u")
            .arg(user)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if exists {
            return Ok(user.to_owned());
        }
    }
    Err(Error::Embedded(
        "running as root, and neither `postgres` nor `nobody` exists to run the server as".into(),
    ))
}

/// A suffix that differs between clusters started by one process.
pub(crate) fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{nanos:x}{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
