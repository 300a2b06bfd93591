//! Database URLs as SQLAlchemy writes them (`postgresql+psycopg2://user:pw@host:5432/db?host=/sock`,
//! `sqlite:///path/to.db`), parsed once so the Rust side and the worker reach the same database.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::Error;

/// How long a connection to a given PostgreSQL server may take to be made (each address tried).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// A database `mrt verify` may use as scratch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A PostgreSQL server and one database on it.
    Postgres(PgUrl),
    /// A SQLite file.
    Sqlite(PathBuf),
}

/// The parts of a PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgUrl {
    /// The SQLAlchemy driver after `+` (`psycopg2`, `psycopg`), if named.
    pub driver: Option<String>,
    /// User name.
    pub user: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Host name, address, or socket directory (from the authority or `?host=`).
    pub host: Option<String>,
    /// Port.
    pub port: Option<u16>,
    /// Database name.
    pub database: String,
    /// Other query parameters, kept for the worker.
    pub params: Vec<(String, String)>,
}

impl DatabaseUrl {
    /// Parses a URL given on the command line or in the configuration.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::Usage(format!("--database-url `{}`: {why}", redact(text)));
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| bad("expected SCHEME://..."))?;
        let (backend, driver) = match scheme.split_once('+') {
            Some((backend, driver)) => (backend, Some(driver.to_owned())),
            None => (scheme, None),
        };
        match backend {
            "sqlite" => {
                let path = rest.strip_prefix('/').unwrap_or(rest);
                let path = path.split('?').next().unwrap_or(path);
                if path.is_empty() || path == ":memory:" {
                    return Err(bad(
                        "an in-memory SQLite database cannot be shared with the worker; give a file",
                    ));
                }
                Ok(DatabaseUrl::Sqlite(PathBuf::from(percent_decode(path))))
            }
            "postgresql" | "postgres" => {
                let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
                let (authority, database) = main.split_once('/').unwrap_or((main, ""));
                let (credentials, hostport) = match authority.rsplit_once('@') {
                    Some((credentials, hostport)) => (Some(credentials), hostport),
                    None => (None, authority),
                };
                let (user, password) = match credentials {
                    Some(credentials) => match credentials.split_once(':') {
                        Some((user, password)) => {
                            (Some(percent_decode(user)), Some(percent_decode(password)))
                        }
                        None => (Some(percent_decode(credentials)), None),
                    },
                    None => (None, None),
                };
                let (host, port) = match hostport.rsplit_once(':') {
                    Some((host, port)) if !port.is_empty() => (
                        host,
                        Some(
                            port.parse::<u16>()
                                .map_err(|_| bad("the port is not a number"))?,
                        ),
                    ),
                    _ => (hostport, None),
                };
                let mut url = PgUrl {
                    driver,
                    user: user.filter(|u| !u.is_empty()),
                    password,
                    host: (!host.is_empty()).then(|| percent_decode(host)),
                    port,
                    database: percent_decode(database),
                    params: Vec::new(),
                };
                for pair in query.split('&').filter(|pair| !pair.is_empty()) {
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    let value = percent_decode(value);
                    match key {
                        "host" => url.host = Some(value),
                        "port" => {
                            url.port =
                                Some(value.parse().map_err(|_| bad("the port is not a number"))?);
                        }
                        "user" => url.user = Some(value),
                        "password" => url.password = Some(value),
                        "dbname" => url.database = value,
                        _ => url.params.push((key.to_owned(), value)),
                    }
                }
                if url.database.is_empty() {
                    return Err(bad("name the scratch database (postgresql://.../NAME)"));
                }
                Ok(DatabaseUrl::Postgres(url))
            }
            other => Err(bad(&format!(
                "`{other}` is not supported (postgresql or sqlite)"
            ))),
        }
    }

    /// The URL with the password hidden, for messages and reports.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Postgres(url) => url.redacted(),
            DatabaseUrl::Sqlite(path) => format!("sqlite:///{}", path.display()),
        }
    }

    /// The database as Django's settings want it (`DATABASES["default"]` in parts), with extra
    /// libpq `options` on PostgreSQL.
    pub fn django(&self, options: Option<&str>) -> serde_json::Value {
        match self {
            DatabaseUrl::Postgres(url) => serde_json::json!({
                "engine": "postgresql",
                "name": url.database,
                "user": url.user,
                "password": url.password,
                "host": url.host,
                "port": url.port,
                "options": options,
            }),
            DatabaseUrl::Sqlite(path) => serde_json::json!({"engine": "sqlite", "name": path}),
        }
    }

    /// The URL for SQLAlchemy in the worker, with extra libpq `options` on PostgreSQL.
    pub fn sqlalchemy(&self, options: Option<&str>) -> String {
        match self {
            DatabaseUrl::Postgres(url) => url.sqlalchemy(options),
            DatabaseUrl::Sqlite(path) => format!("sqlite:///{}", path.display()),
        }
    }

    /// `postgresql` or `sqlite`.
    pub fn backend(&self) -> &'static str {
        match self {
            DatabaseUrl::Postgres(_) => "postgresql",
            DatabaseUrl::Sqlite(_) => "sqlite",
        }
    }
}

impl PgUrl {
    /// The same server, another database.
    #[must_use]
    pub fn with_database(&self, database: &str) -> Self {
        PgUrl {
            database: database.to_owned(),
            ..self.clone()
        }
    }

    /// The URL for SQLAlchemy in the worker, with extra libpq `options` (a statement timeout).
    pub fn sqlalchemy(&self, options: Option<&str>) -> String {
        self.render(false, options)
    }

    /// The URL with the password hidden.
    pub fn redacted(&self) -> String {
        self.render(true, None)
    }

    fn render(&self, hide_password: bool, options: Option<&str>) -> String {
        let mut text = String::from("postgresql");
        if let Some(driver) = &self.driver {
            let _ = write!(text, "+{driver}");
        }
        text.push_str("://");
        if let Some(user) = &self.user {
            text.push_str(&percent_encode(user));
            if let Some(password) = &self.password {
                text.push(':');
                let shown = if hide_password {
                    "***".to_owned()
                } else {
                    percent_encode(password)
                };
                text.push_str(&shown);
            }
            text.push('@');
        }
        let mut query: Vec<(String, String)> = Vec::new();
        match &self.host {
            // A socket directory goes in the query: it cannot stand in the authority.
            Some(host) if host.starts_with('/') => {
                query.push(("host".into(), host.clone()));
                if let Some(port) = self.port {
                    query.push(("port".into(), port.to_string()));
                }
            }
            Some(host) => {
                text.push_str(host);
                if let Some(port) = self.port {
                    let _ = write!(text, ":{port}");
                }
            }
            None => {}
        }
        text.push('/');
        text.push_str(&percent_encode(&self.database));
        query.extend(self.params.iter().cloned());
        if let Some(options) = options {
            query.push(("options".into(), options.to_owned()));
        }
        for (at, (key, value)) in query.iter().enumerate() {
            text.push(if at == 0 { '?' } else { '&' });
            let _ = write!(text, "{key}={}", percent_encode(value));
        }
        text
    }

    /// The connection settings for the Rust client.
    pub(crate) fn client_config(&self) -> postgres::Config {
        let mut config = postgres::Config::new();
        config.dbname(&self.database);
        if let Some(user) = &self.user {
            config.user(user);
        } else if let Ok(user) = std::env::var("USER") {
            config.user(&user);
        }
        if let Some(password) = &self.password {
            config.password(password);
        }
        match &self.host {
            Some(host) => {
                config.host(host);
            }
            None => {
                config.host("localhost");
            }
        }
        if let Some(port) = self.port {
            config.port(port);
        }
        config.application_name("mrt-verify");
        // A host that drops packets is an error after this, not a wait of minutes for the
        // kernel to give up.
        config.connect_timeout(CONNECT_TIMEOUT);
        config
    }
}

fn redact(text: &str) -> String {
    match DatabaseUrl::parse_authority_password(text) {
        Some((before, after)) => format!("{before}***{after}"),
        None => text.to_owned(),
    }
}

impl DatabaseUrl {
    /// Splits `scheme://user:PASSWORD@host` around the password, for redaction of a URL that may
    /// not parse.
    fn parse_authority_password(text: &str) -> Option<(&str, &str)> {
        let start = text.find("://")? + 3;
        let at = start + text[start..].find('@')?;
        let colon = start + text[start..at].find(':')?;
        Some((&text[..=colon], &text[at..]))
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%'
            && at + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[at + 1..at + 3], 16)
        {
            out.push(byte);
            at += 3;
            continue;
        }
        out.push(bytes[at]);
        at += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_round_trip_through_their_parts() {
        let DatabaseUrl::Postgres(url) = DatabaseUrl::parse(
            "postgresql+psycopg2://app:s%40cret@db.local:5433/scratch?sslmode=disable",
        )
        .unwrap() else {
            panic!("not postgres");
        };
        assert_eq!(url.user.as_deref(), Some("app"));
        assert_eq!(url.password.as_deref(), Some("s@cret"));
        assert_eq!(url.host.as_deref(), Some("db.local"));
        assert_eq!(url.port, Some(5433));
        assert_eq!(url.database, "scratch");
        assert_eq!(
            url.redacted(),
            "postgresql+psycopg2://app:***@db.local:5433/scratch?sslmode=disable"
        );
        assert_eq!(
            url.with_database("other")
                .sqlalchemy(Some("-c statement_timeout=5000")),
            "postgresql+psycopg2://app:s%40cret@db.local:5433/other?sslmode=disable&options=-c%20statement_timeout%3D5000"
        );
    }

    #[test]
    fn socket_directories_live_in_the_query() {
        let DatabaseUrl::Postgres(url) =
            DatabaseUrl::parse("postgresql://mrt@/main?host=/tmp/sock&port=5432").unwrap()
        else {
            panic!("not postgres");
        };
        assert_eq!(url.host.as_deref(), Some("/tmp/sock"));
        assert_eq!(url.port, Some(5432));
        assert_eq!(
            url.sqlalchemy(None),
            "postgresql://mrt@/main?host=/tmp/sock&port=5432"
        );
    }

    #[test]
    fn bad_urls_say_why_and_hide_the_password() {
        let error = DatabaseUrl::parse("mysql://u:topsecret@h/db")
            .unwrap_err()
            .to_string();
        assert!(error.contains("not supported"), "{error}");
        assert!(!error.contains("topsecret"), "{error}");
        assert!(DatabaseUrl::parse("postgresql://h:5432").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert_eq!(
            DatabaseUrl::parse("sqlite:////tmp/x.db").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("/tmp/x.db"))
        );
    }
}
