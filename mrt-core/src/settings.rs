//! Settings that change what rules report.

/// The database a project targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// PostgreSQL (the default: most locking and rollback traps are PostgreSQL's).
    #[default]
    Postgresql,
    /// MySQL / MariaDB.
    Mysql,
    /// SQLite.
    Sqlite,
    /// Anything else.
    Generic,
}

impl Dialect {
    /// The names SQLAlchemy gives this database's dialect (`bind.dialect.name`); empty for
    /// `generic`, under which every dialect branch is taken to run.
    pub fn sqlalchemy_names(self) -> &'static [&'static str] {
        match self {
            Self::Postgresql => &["postgresql"],
            Self::Mysql => &["mysql", "mariadb"],
            Self::Sqlite => &["sqlite"],
            Self::Generic => &[],
        }
    }

    /// Reads a dialect name as written in configuration (`postgresql`, `postgres`, `mysql`, ...).
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" | "pg" => Some(Self::Postgresql),
            "mysql" | "mariadb" => Some(Self::Mysql),
            "sqlite" => Some(Self::Sqlite),
            "generic" => Some(Self::Generic),
            _ => None,
        }
    }
}

/// The PostgreSQL major version taken as the target when none is configured: the oldest release
/// the PostgreSQL project still supports (each major version gets five years), so that rules about
/// versions long out of support speak only when a project says it still runs one.
pub const DEFAULT_POSTGRES_VERSION: u32 = 14;

/// Settings of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Settings {
    /// Warnings fail the check too.
    pub strict: bool,
    /// Target database.
    pub dialect: Dialect,
    /// Target PostgreSQL major version, when configured; [`Settings::target_postgres_version`]
    /// gives the one rules reason about.
    pub postgres_version: Option<u32>,
}

impl Settings {
    /// The PostgreSQL major version rules reason about: the configured one, else
    /// [`DEFAULT_POSTGRES_VERSION`].
    #[must_use]
    pub fn target_postgres_version(&self) -> u32 {
        self.postgres_version.unwrap_or(DEFAULT_POSTGRES_VERSION)
    }
}
