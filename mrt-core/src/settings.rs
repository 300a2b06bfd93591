//! Settings that change what rules report.

/// The database a project targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
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

/// Settings of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// Warnings fail the check too.
    pub strict: bool,
    /// Target database.
    pub dialect: Dialect,
    /// Target PostgreSQL major version, when known.
    pub postgres_version: Option<u32>,
}
