//! The scratch databases: one *main* database that holds the chain as far as it was walked (and the
//! seeded rows), and a *trial* copy of it per revision, where the revision is upgraded, downgraded
//! and upgraded again. A broken downgrade only ever breaks the trial, so the walk goes on.

pub mod embedded;
mod postgres;
mod sqlite;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::Error;
use crate::catalog::{Catalog, Table};
use crate::private_dir::PrivateDir;
use crate::url::{DatabaseUrl, PgUrl};
pub use embedded::EmbeddedPostgres;

/// The SQL flavour of a session, for the literals seeds are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
}

/// Where the scratch databases live.
#[derive(Debug)]
pub struct Server {
    kind: ServerKind,
    /// What the report says of the database.
    pub description: DatabaseDescription,
}

// One value per run: the size of the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum ServerKind {
    Postgres {
        /// The main database (the one given, or `mrt_main` in the embedded cluster).
        main: PgUrl,
        /// The maintenance database the copies are made from.
        admin: PgUrl,
        /// Kept alive so the cluster runs until the server is dropped.
        embedded: Option<EmbeddedPostgres>,
    },
    Sqlite {
        /// A private directory holding the main file and the copies.
        dir: PrivateDir,
    },
}

/// The database of a run, as reports show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DatabaseDescription {
    /// `postgresql` or `sqlite`.
    pub backend: &'static str,
    /// Started by `mrt verify` itself.
    pub embedded: bool,
    /// The URL, password hidden.
    pub url: String,
    /// The server version, when known.
    pub version: Option<String>,
}

/// Name of the main database in the embedded cluster and of the SQLite main file.
const MAIN: &str = "mrt_main";

impl Server {
    /// Opens the scratch databases: the given URL's, or an embedded PostgreSQL cluster when
    /// `initdb`/`pg_ctl` are on the machine, else a temporary SQLite file. A given database that
    /// has tables is refused unless `allow_nonempty` (which wipes it first).
    pub fn open(url: Option<&DatabaseUrl>, allow_nonempty: bool) -> Result<Self, Error> {
        match url {
            Some(DatabaseUrl::Postgres(url)) => Self::postgres(url.clone(), None, allow_nonempty),
            Some(DatabaseUrl::Sqlite(path)) => Self::sqlite(Some(path), allow_nonempty),
            None => match embedded::find_bindir() {
                Some(bindir) => {
                    let cluster = EmbeddedPostgres::start(&bindir)?;
                    let admin = cluster.url("postgres");
                    let mut client =
                        postgres::connect(&admin).map_err(|message| Error::Database {
                            url: admin.redacted(),
                            message,
                        })?;
                    client
                        .batch_execute(&format!("CREATE DATABASE {MAIN}"))
                        .map_err(|error| Error::Database {
                            url: admin.redacted(),
                            message: postgres::describe(&error),
                        })?;
                    let main = cluster.url(MAIN);
                    Self::postgres(main, Some(cluster), false)
                }
                None => Self::sqlite(None, false),
            },
        }
    }

    fn postgres(
        main: PgUrl,
        embedded: Option<EmbeddedPostgres>,
        allow_nonempty: bool,
    ) -> Result<Self, Error> {
        let fail = |message: String| Error::Database {
            url: main.redacted(),
            message,
        };
        let mut client = postgres::connect(&main).map_err(fail)?;
        let existing = postgres::existing_objects(&mut client).map_err(fail)?;
        if !existing.is_empty() {
            if !allow_nonempty {
                return Err(fail(format!(
                    "not empty (it has {}); mrt verify only runs on a scratch database: give an empty one, or --allow-nonempty to wipe it first",
                    existing.join(", ")
                )));
            }
            postgres::wipe(&mut client).map_err(fail)?;
        }
        let version = client
            .query_one("SHOW server_version", &[])
            .ok()
            .map(|row| row.get::<_, String>(0));
        drop(client);
        // Copies are made from a connection to another database: a template may have none.
        let admin = ["postgres", "template1"]
            .into_iter()
            .map(|name| main.with_database(name))
            .find(|admin| postgres::connect(admin).is_ok())
            .ok_or_else(|| {
                fail(
                    "cannot connect to the `postgres` or `template1` database to make copies"
                        .into(),
                )
            })?;
        let description = DatabaseDescription {
            backend: "postgresql",
            embedded: embedded.is_some(),
            url: main.redacted(),
            version,
        };
        Ok(Server {
            kind: ServerKind::Postgres {
                main,
                admin,
                embedded,
            },
            description,
        })
    }

    fn sqlite(given: Option<&PathBuf>, allow_nonempty: bool) -> Result<Self, Error> {
        let dir = PrivateDir::create("mrt-verify-sqlite-")?;
        let main = dir.path().join(format!("{MAIN}.db"));
        if let Some(path) = given.filter(|path| path.exists()) {
            // The given file is never written: the walk runs on a private copy of it.
            let connection = rusqlite::Connection::open(path).map_err(|e| Error::Database {
                url: format!("sqlite:///{}", path.display()),
                message: e.to_string(),
            })?;
            let catalog = sqlite::catalog(&connection).map_err(|message| Error::Database {
                url: format!("sqlite:///{}", path.display()),
                message,
            })?;
            if !catalog.tables.is_empty() && !allow_nonempty {
                let names: Vec<&str> = catalog.tables.keys().map(String::as_str).take(20).collect();
                return Err(Error::Database {
                    url: format!("sqlite:///{}", path.display()),
                    message: format!(
                        "not empty (it has {}); give an empty file, or --allow-nonempty to start from an empty copy",
                        names.join(", ")
                    ),
                });
            }
        }
        let version = Some(rusqlite::version().to_owned());
        let url = match given {
            Some(path) => format!("sqlite:///{}", path.display()),
            None => format!("sqlite:///{}", main.display()),
        };
        Ok(Server {
            kind: ServerKind::Sqlite { dir },
            description: DatabaseDescription {
                backend: "sqlite",
                embedded: given.is_none(),
                url,
                version,
            },
        })
    }

    /// The main database's name.
    pub fn main_name(&self) -> String {
        match &self.kind {
            ServerKind::Postgres { main, .. } => main.database.clone(),
            ServerKind::Sqlite { .. } => MAIN.to_owned(),
        }
    }

    /// The name of the trial copy of the main database.
    pub fn trial_name(&self) -> String {
        format!("{}_mrt_trial", self.main_name())
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        match self.kind {
            ServerKind::Postgres { .. } => Backend::Postgres,
            ServerKind::Sqlite { .. } => Backend::Sqlite,
        }
    }

    fn sqlite_path(dir: &std::path::Path, name: &str) -> PathBuf {
        dir.join(format!("{name}.db"))
    }

    /// A database of this server as a URL.
    fn url_of(&self, name: &str) -> DatabaseUrl {
        match &self.kind {
            ServerKind::Postgres { main, .. } => DatabaseUrl::Postgres(main.with_database(name)),
            ServerKind::Sqlite { dir } => DatabaseUrl::Sqlite(Self::sqlite_path(dir.path(), name)),
        }
    }

    /// The URL the worker gives SQLAlchemy for a database; on PostgreSQL with a statement timeout,
    /// so a hung statement is stopped by the server itself.
    pub fn worker_url(&self, name: &str, timeout_ms: Option<u64>) -> String {
        let options = timeout_ms.map(|ms| format!("-c statement_timeout={ms}"));
        self.url_of(name).sqlalchemy(options.as_deref())
    }

    /// The same database as Django's settings want it.
    pub fn django_database(&self, name: &str, timeout_ms: Option<u64>) -> serde_json::Value {
        let options = timeout_ms.map(|ms| format!("-c statement_timeout={ms}"));
        self.url_of(name).django(options.as_deref())
    }

    /// A session of the Rust side on a database.
    pub fn session(&self, name: &str) -> Result<Session, String> {
        match &self.kind {
            ServerKind::Postgres { main, .. } => {
                postgres::connect(&main.with_database(name)).map(Session::Postgres)
            }
            ServerKind::Sqlite { dir } => {
                let connection = rusqlite::Connection::open(Self::sqlite_path(dir.path(), name))
                    .map_err(|e| sqlite::describe(&e))?;
                // Seeds and checks wait for a worker that still holds the file, not fail.
                connection
                    .busy_timeout(std::time::Duration::from_secs(30))
                    .map_err(|e| sqlite::describe(&e))?;
                Ok(Session::Sqlite(connection))
            }
        }
    }

    /// Replaces database `to` with a copy of database `from`.
    pub fn copy(&self, from: &str, to: &str) -> Result<(), String> {
        match &self.kind {
            ServerKind::Postgres { admin, .. } => {
                let mut client = postgres::connect(admin)?;
                let drop_sql = format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    postgres::quote(to)
                );
                client
                    .batch_execute(&drop_sql)
                    .map_err(|e| postgres::describe(&e))?;
                let create = format!(
                    "CREATE DATABASE {} TEMPLATE {}",
                    postgres::quote(to),
                    postgres::quote(from)
                );
                if client.batch_execute(&create).is_ok() {
                    return Ok(());
                }
                // A session left open on the source (an env.py with a pooled engine) blocks the
                // copy; the source is scratch, so its sessions are ended and the copy retried.
                client
                    .execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                        &[&from],
                    )
                    .map_err(|e| postgres::describe(&e))?;
                client
                    .batch_execute(&create)
                    .map_err(|e| postgres::describe(&e))
            }
            ServerKind::Sqlite { dir } => {
                let source = Self::sqlite_path(dir.path(), from);
                let target = Self::sqlite_path(dir.path(), to);
                if source.exists() {
                    std::fs::copy(&source, &target)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                } else {
                    // Nothing was written yet: the copy of an empty database is an empty one.
                    match std::fs::remove_file(&target) {
                        Ok(()) => Ok(()),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                        Err(e) => Err(e.to_string()),
                    }
                }
            }
        }
    }

    /// Ends the sessions on a database (a worker stuck in a statement past its timeout).
    pub fn cancel_sessions(&self, name: &str) {
        if let ServerKind::Postgres { admin, .. } = &self.kind
            && let Ok(mut client) = postgres::connect(admin)
        {
            let _ = client.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&name],
            );
        }
    }

    /// Leaves the server as it was found: the trial copy dropped, the given main database wiped
    /// back to empty (it was empty, or `--allow-nonempty` allowed wiping it), the embedded cluster
    /// or the private SQLite directory removed.
    pub fn finish(self) -> Result<(), String> {
        match self.kind {
            ServerKind::Postgres {
                main,
                admin,
                embedded,
            } => {
                if embedded.is_none() {
                    let trial = format!("{}_mrt_trial", main.database);
                    let mut client = postgres::connect(&admin)?;
                    client
                        .batch_execute(&format!(
                            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                            postgres::quote(&trial)
                        ))
                        .map_err(|e| postgres::describe(&e))?;
                    let mut client = postgres::connect(&main)?;
                    postgres::wipe(&mut client)?;
                }
                Ok(())
            }
            ServerKind::Sqlite { dir } => {
                drop(dir);
                Ok(())
            }
        }
    }
}

/// A connection of the Rust side to one database.
pub enum Session {
    /// PostgreSQL.
    Postgres(::postgres::Client),
    /// SQLite.
    Sqlite(rusqlite::Connection),
}

impl std::fmt::Debug for Session {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            Session::Postgres(_) => "Session::Postgres",
            Session::Sqlite(_) => "Session::Sqlite",
        })
    }
}

/// What the walk and the seeder need of a connection to one database.
pub trait Database {
    /// The SQL flavour.
    fn backend(&self) -> Backend;
    /// The schema.
    fn catalog(&mut self) -> Result<Catalog, String>;
    /// Every row of a table, as text.
    fn rows(&mut self, table: &str, columns: &[String])
    -> Result<Vec<Vec<Option<String>>>, String>;
    /// Some row's non-NULL values of these columns.
    fn some_row(&mut self, table: &str, columns: &[String]) -> Result<Option<Vec<String>>, String>;
    /// Runs statements.
    fn execute(&mut self, sql: &str) -> Result<(), String>;
    /// The revisions recorded in a version table.
    fn versions(&mut self, table: &str) -> Result<Vec<String>, String>;
    /// Empties these tables.
    fn truncate(&mut self, tables: &BTreeMap<String, Table>) -> Result<(), String>;

    /// A quoted (schema-qualified) table name.
    fn quote_table(&self, name: &str) -> String {
        match self.backend() {
            Backend::Postgres => postgres::quote_table(name),
            Backend::Sqlite => sqlite::quote(name),
        }
    }

    /// A quoted column name.
    fn quote(&self, name: &str) -> String {
        match self.backend() {
            Backend::Postgres => postgres::quote(name),
            Backend::Sqlite => sqlite::quote(name),
        }
    }
}

impl Database for Session {
    fn backend(&self) -> Backend {
        match self {
            Session::Postgres(_) => Backend::Postgres,
            Session::Sqlite(_) => Backend::Sqlite,
        }
    }

    fn catalog(&mut self) -> Result<Catalog, String> {
        match self {
            Session::Postgres(client) => postgres::catalog(client),
            Session::Sqlite(connection) => sqlite::catalog(connection),
        }
    }

    fn rows(
        &mut self,
        table: &str,
        columns: &[String],
    ) -> Result<Vec<Vec<Option<String>>>, String> {
        match self {
            Session::Postgres(client) => postgres::rows(client, table, columns),
            Session::Sqlite(connection) => sqlite::rows(connection, table, columns),
        }
    }

    fn some_row(&mut self, table: &str, columns: &[String]) -> Result<Option<Vec<String>>, String> {
        match self {
            Session::Postgres(client) => postgres::some_row(client, table, columns),
            Session::Sqlite(connection) => sqlite::some_row(connection, table, columns),
        }
    }

    fn execute(&mut self, sql: &str) -> Result<(), String> {
        match self {
            Session::Postgres(client) => postgres::Sql::execute(client, sql),
            Session::Sqlite(connection) => connection
                .execute_batch(sql)
                .map_err(|e| sqlite::describe(&e)),
        }
    }

    fn versions(&mut self, table: &str) -> Result<Vec<String>, String> {
        match self {
            Session::Postgres(client) => postgres::versions(client, table),
            Session::Sqlite(connection) => sqlite::versions(connection, table),
        }
    }

    fn truncate(&mut self, tables: &BTreeMap<String, Table>) -> Result<(), String> {
        match self {
            Session::Postgres(client) => postgres::truncate(client, tables),
            Session::Sqlite(connection) => sqlite::truncate(connection, tables),
        }
    }
}

/// The worker's own connection to PostgreSQL, held in a transaction: the Rust side's SQL runs
/// there too, so it sees what a migration did before the transaction is rolled back.
#[derive(Debug)]
pub struct WorkerSession<'a> {
    worker: &'a mut crate::worker::Worker,
}

impl<'a> WorkerSession<'a> {
    /// The session the worker holds open.
    pub fn new(worker: &'a mut crate::worker::Worker) -> Self {
        WorkerSession { worker }
    }

    /// Sends one session request.
    pub(crate) fn request(
        &mut self,
        request: &serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        match self.worker.request(request, None) {
            Ok(answer) if answer["ok"] == true => Ok(answer),
            Ok(answer) => Err(crate::worker::error_text(&answer)),
            Err(_) => Err(format!("the worker exited: {}", self.worker.stderr_tail())),
        }
    }
}

impl postgres::Sql for WorkerSession<'_> {
    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
        let answer = self.request(&serde_json::json!({"op": "sql", "sql": sql}))?;
        Ok(answer["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|row| {
                row.as_array()
                    .into_iter()
                    .flatten()
                    .map(|cell| cell.as_str().map(str::to_owned))
                    .collect()
            })
            .collect())
    }

    fn execute(&mut self, sql: &str) -> Result<(), String> {
        self.request(&serde_json::json!({"op": "sql", "sql": sql}))
            .map(|_| ())
    }
}

impl Database for WorkerSession<'_> {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn catalog(&mut self) -> Result<Catalog, String> {
        postgres::catalog(self)
    }

    fn rows(
        &mut self,
        table: &str,
        columns: &[String],
    ) -> Result<Vec<Vec<Option<String>>>, String> {
        postgres::rows(self, table, columns)
    }

    fn some_row(&mut self, table: &str, columns: &[String]) -> Result<Option<Vec<String>>, String> {
        postgres::some_row(self, table, columns)
    }

    fn execute(&mut self, sql: &str) -> Result<(), String> {
        postgres::Sql::execute(self, sql)
    }

    fn versions(&mut self, table: &str) -> Result<Vec<String>, String> {
        postgres::versions(self, table)
    }

    fn truncate(&mut self, tables: &BTreeMap<String, Table>) -> Result<(), String> {
        postgres::truncate(self, tables)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A given SQLite file that cannot be opened (here, a directory) is an error, and the private
    /// directory made for the walk's copies is gone with it.
    #[test]
    fn a_sqlite_file_that_cannot_be_opened_leaves_nothing_behind() {
        let given = std::env::temp_dir().join(format!("mrt-db-test-{}", std::process::id()));
        std::fs::create_dir_all(&given).expect("a directory");
        let result = Server::sqlite(Some(&given), false);
        let _ = std::fs::remove_dir_all(&given);
        assert!(result.is_err());
        let left =
            crate::testing::left_in_temp(&format!("mrt-verify-sqlite-{}-", std::process::id()));
        assert!(left.is_empty(), "{left:?}");
    }
}
