//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Catches Alembic and Django migrations whose rollback loses data or fails, before production.
#[derive(Debug, Parser)]
#[command(name = "mrt", version, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check migrations for rollback risks.
    Check(CheckArgs),
    /// Fix what can be fixed: write the missing or no-op `downgrade()` from the schema the
    /// migrations define.
    Fix(FixArgs),
    /// Explain a rule: what it catches, why, and what to write instead.
    Rule(RuleArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Show the revision graph: heads, bases, branch and merge points, history.
    Graph(GraphArgs),
    /// Show the schema the migrations build, replayed revision by revision without a database.
    Schema(SchemaArgs),
    /// Run every migration up and down on a real database with rows in every table, and show
    /// what each rollback loses.
    Verify(VerifyArgs),
    /// Run the project's migrations to a target on a database you name (as `alembic upgrade` or
    /// `manage.py migrate` would), through the same worker as `mrt verify`.
    Migrate(MigrateArgs),
    /// Start or stop a throwaway PostgreSQL cluster that outlives the command (for test sessions;
    /// `mrt verify` starts and removes its own).
    Db(DbArgs),
    /// Set a Python project up: detect Alembic or Django, add `[tool.mrt]` to `pyproject.toml` and
    /// write `tests/test_migrations.py` for the pytest fixture. Never overwrites.
    Init(InitArgs),
    /// Run the language server (LSP over standard input and output) for editors: findings as
    /// you type, `mrt fix` as quick fixes, rule docs on hover.
    Server(ServerArgs),
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The project's root directory (where `alembic.ini` or `manage.py` is). Default: the current
    /// directory.
    pub(crate) path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ServerArgs {}

#[derive(Debug, Args)]
pub(crate) struct MigrateArgs {
    #[command(subcommand)]
    pub(crate) action: MigrateAction,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MigrateAction {
    /// Upgrade to TARGET (`heads`, a revision; for Django `app.name`).
    Upgrade(MigrateTarget),
    /// Downgrade to TARGET (`base`, a revision, `-1`; for Django `app.zero` or `app.name`).
    Downgrade(MigrateTarget),
    /// Print the applied heads.
    Current(MigrateCommon),
}

#[derive(Debug, Args)]
pub(crate) struct MigrateTarget {
    /// Where to go.
    pub(crate) target: String,
    #[command(flatten)]
    pub(crate) common: MigrateCommon,
}

#[derive(Debug, Args)]
pub(crate) struct MigrateCommon {
    /// The project, as for `mrt verify`.
    pub(crate) paths: Vec<PathBuf>,

    /// The database (default: `$MRT_DATABASE_URL`, else `[tool.mrt.verify] database-url`).
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,

    /// The project's Python interpreter.
    #[arg(long, value_name = "PATH")]
    pub(crate) python: Option<PathBuf>,

    /// A Django project's settings module.
    #[arg(long, value_name = "MODULE")]
    pub(crate) django_settings: Option<String>,

    /// Use this configuration file instead of the nearest `pyproject.toml` / `mrt.toml`.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// How to print the heads.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(crate) output_format: ListFormat,
}

#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    #[command(subcommand)]
    pub(crate) action: DbAction,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbAction {
    /// Start a cluster (a private socket directory, no TCP) and print its URL and directory.
    Start {
        /// How to print them.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        output_format: ListFormat,
    },
    /// Stop a cluster `mrt db start` started, and remove its directory.
    Stop {
        /// The directory `mrt db start` printed.
        dir: PathBuf,
    },
}

// Each bool is one command-line flag, as clap declares flags; an enum would not read better.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Files or directories to check (directories are searched recursively). Default: the
    /// locations `./alembic.ini` names, else the current directory.
    pub(crate) paths: Vec<PathBuf>,

    /// How to print findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full)]
    pub(crate) output_format: OutputFormat,

    /// Write the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) output_file: Option<PathBuf>,

    /// Use this configuration file instead of looking for `pyproject.toml` / `mrt.toml` above each
    /// checked path.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    pub(crate) statistics: bool,

    /// Exit 0 even when findings fail the check (errors still exit 2).
    #[arg(long)]
    pub(crate) exit_zero: bool,

    /// Run only these rules (codes, aliases, names, code prefixes, or ALL); comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub(crate) select: Vec<String>,

    /// Run these rules too, on top of the selection.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub(crate) extend_select: Vec<String>,

    /// Do not run these rules.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub(crate) ignore: Vec<String>,

    /// Warnings fail the check too (exit 1).
    #[arg(long)]
    pub(crate) strict: bool,

    /// The target database: postgresql (the default), mysql, sqlite or generic.
    #[arg(long, value_parser = parse_dialect)]
    pub(crate) dialect: Option<mrt_core::Dialect>,

    /// The target PostgreSQL major version (some locking rules depend on it); without it, the
    /// oldest version still supported upstream (see `--show-settings`).
    #[arg(long, value_name = "MAJOR")]
    pub(crate) postgres_version: Option<u32>,

    /// Report only revisions that descend from this one (the last release); the revision graph is
    /// still checked whole. A unique prefix of the id is enough.
    #[arg(long, value_name = "REV")]
    pub(crate) since: Option<String>,

    /// The path of the file read from standard input (given as `-`): its name in the findings, and
    /// the directory whose migrations make the revision graph it is checked against.
    #[arg(long, value_name = "PATH")]
    pub(crate) stdin_filename: Option<PathBuf>,

    /// Colour the `full` and `concise` output: `auto` on a terminal unless `NO_COLOR` is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,

    /// Print the findings and nothing else: no summary, no warnings.
    #[arg(short, long, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// Say on standard error which configuration governs which paths and how many files were read.
    #[arg(short, long)]
    pub(crate) verbose: bool,

    /// Print the resolved settings, and where each value came from, instead of checking.
    #[arg(long, conflicts_with = "show_files")]
    pub(crate) show_settings: bool,

    /// Print the migration files that would be checked, instead of checking them.
    #[arg(long)]
    pub(crate) show_files: bool,

    /// Read every file anew, and keep nothing for the next run (also `MRT_NO_CACHE=1`).
    #[arg(long)]
    pub(crate) no_cache: bool,

    /// Where to keep lowered migrations between runs (also `MRT_CACHE_DIR`). Default: the
    /// configuration's `cache-dir`, else `.mrt_cache` beside the configuration file, else in the
    /// current directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) cache_dir: Option<PathBuf>,
}

/// When to colour the text formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set (to anything but the empty string).
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Args)]
pub(crate) struct FixArgs {
    /// Files or directories to fix (directories are searched recursively). Default: the
    /// locations `./alembic.ini` names, else the current directory.
    pub(crate) paths: Vec<PathBuf>,

    /// Print a unified diff of the fixes instead of writing them; exit 1 when there is something
    /// to fix.
    #[arg(long)]
    pub(crate) diff: bool,

    /// Apply unsafe fixes too: downgrades with steps left as `# TODO(mrt):` comments to review.
    #[arg(long)]
    pub(crate) unsafe_fixes: bool,

    /// Use this configuration file instead of looking for `pyproject.toml` / `mrt.toml` above each
    /// path.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Fix only the findings of these rules (codes, aliases, names, code prefixes, or ALL).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub(crate) select: Vec<String>,

    /// Fix the findings of these rules too, on top of the selection.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub(crate) extend_select: Vec<String>,

    /// Do not fix the findings of these rules.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub(crate) ignore: Vec<String>,

    /// The target database: postgresql (the default), mysql, sqlite or generic.
    #[arg(long, value_parser = parse_dialect)]
    pub(crate) dialect: Option<mrt_core::Dialect>,

    /// The target PostgreSQL major version (some locking rules, and so their fixes, depend on it);
    /// without it, the oldest version still supported upstream.
    #[arg(long, value_name = "MAJOR")]
    pub(crate) postgres_version: Option<u32>,

    /// Fix only revisions that descend from this one (the last release), as `mrt check --since`
    /// reports them. A unique prefix of the id is enough.
    #[arg(long, value_name = "REV")]
    pub(crate) since: Option<String>,
}

impl FixArgs {
    /// The same selection as `mrt check` would make with these options.
    pub(crate) fn as_check_args(&self) -> CheckArgs {
        CheckArgs {
            config: self.config.clone(),
            select: self.select.clone(),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
            dialect: self.dialect,
            postgres_version: self.postgres_version,
            since: self.since.clone(),
            ..CheckArgs::defaults(self.paths.clone())
        }
    }
}

impl CheckArgs {
    /// `mrt check PATHS` with every option at its default.
    pub(crate) fn defaults(paths: Vec<PathBuf>) -> Self {
        CheckArgs {
            paths,
            output_format: OutputFormat::Full,
            output_file: None,
            config: None,
            statistics: false,
            exit_zero: false,
            select: Vec::new(),
            extend_select: Vec::new(),
            ignore: Vec::new(),
            strict: false,
            dialect: None,
            postgres_version: None,
            since: None,
            stdin_filename: None,
            color: ColorChoice::Never,
            quiet: false,
            verbose: false,
            show_settings: false,
            show_files: false,
            no_cache: false,
            cache_dir: None,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The project: a directory holding `alembic.ini` (its env.py runs the migrations), the ini
    /// file itself, or bare versions directories. Default: `./alembic.ini`, else the current
    /// directory.
    pub(crate) paths: Vec<PathBuf>,

    /// The scratch database (`postgresql://...`, `sqlite:///file.db`); it must be empty. Default:
    /// `$MRT_DATABASE_URL`, `[tool.mrt.verify] database-url`, else a throwaway PostgreSQL cluster
    /// when `initdb`/`pg_ctl` are installed, else a temporary SQLite file.
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,

    /// The project's Python interpreter (with Alembic and the database driver). Default: the
    /// active virtual environment's, else `python3`.
    #[arg(long, value_name = "PATH")]
    pub(crate) python: Option<PathBuf>,

    /// How to print the verdicts.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Full)]
    pub(crate) output_format: VerifyFormat,

    /// Write the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) output_file: Option<PathBuf>,

    /// Use this configuration file instead of the nearest `pyproject.toml` / `mrt.toml`.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Judge only this revision (the others are applied to reach it).
    #[arg(long, value_name = "REV")]
    pub(crate) revision: Option<String>,

    /// Judge only revisions that descend from this one (the last release).
    #[arg(long, value_name = "REV")]
    pub(crate) since: Option<String>,

    /// Judge this revision and the ones that descend from it.
    #[arg(long, value_name = "REV")]
    pub(crate) min_revision: Option<String>,

    /// Do not judge this revision (repeatable); `[tool.mrt.skip]` entries are skipped too.
    #[arg(long, value_name = "REV")]
    pub(crate) skip: Vec<String>,

    /// Seconds one migration step (or loading the project) may take before it is stopped
    /// (default 300).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) timeout: Option<u64>,

    /// The seed the seeded values derive from (printed in every report; default 1).
    #[arg(long)]
    pub(crate) seed: Option<u64>,

    /// Wipe a given database that already has tables instead of refusing it.
    #[arg(long)]
    pub(crate) allow_nonempty: bool,

    /// How each revision is tried without touching the rest of the walk: `auto` rolls back a
    /// transaction where the database and env.py allow it, else copies the database; `copy`
    /// always copies it.
    #[arg(long, value_enum, default_value_t = IsolationArg::Auto)]
    pub(crate) isolation: IsolationArg,

    /// A Django project's settings module (default: the one `manage.py` names, else
    /// `$DJANGO_SETTINGS_MODULE`); its DATABASES are replaced by the scratch database.
    #[arg(long, value_name = "MODULE")]
    pub(crate) django_settings: Option<String>,

    /// Django apps whose migrations are judged (default: the project's own); comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "APPS")]
    pub(crate) apps: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum IsolationArg {
    /// A rolled-back transaction where possible, else a copy.
    Auto,
    /// Always a copy of the database.
    Copy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum VerifyFormat {
    /// A table of revisions with their verdicts and failures, and a summary.
    Full,
    /// A JSON object (see docs/json-output.md).
    Json,
    /// A JUnit XML report, one test case per revision.
    Junit,
    /// GitHub Actions annotations.
    Github,
}

#[derive(Debug, Args)]
pub(crate) struct GraphArgs {
    /// Files or directories holding the migrations (every version location together). Default:
    /// the locations `./alembic.ini` names, else the current directory.
    pub(crate) paths: Vec<PathBuf>,

    /// How to print the graph (`--format` is an alias).
    #[arg(long = "output-format", visible_alias = "format", value_enum, default_value_t = GraphFormat::Text)]
    pub(crate) format: GraphFormat,
}

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Files or directories holding the migrations. Default: the locations `./alembic.ini` names,
    /// else the current directory.
    pub(crate) paths: Vec<PathBuf>,

    /// `text`: the schema after the last revision (or `--revision`); `json`: for every revision,
    /// the schema before it, after its upgrade, and after its upgrade and downgrade (`--format` is
    /// an alias).
    #[arg(long = "output-format", visible_alias = "format", value_enum, default_value_t = SchemaFormat::Text)]
    pub(crate) format: SchemaFormat,

    /// Only this revision (a unique prefix of the id is enough).
    #[arg(long, value_name = "REV")]
    pub(crate) revision: Option<String>,

    /// The database the migrations run on (dialect branches are followed): postgresql (the
    /// default), mysql, sqlite or generic.
    #[arg(long, value_parser = parse_dialect)]
    pub(crate) dialect: Option<mrt_core::Dialect>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SchemaFormat {
    /// Tables, columns, indexes and constraints, for people.
    Text,
    /// Every revision's schemas, for programs (see docs/json-output.md).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GraphFormat {
    /// Heads, bases, branch and merge points, then the history newest first.
    Text,
    /// Every revision with its file, parents, dependencies and labels; heads and bases.
    Json,
    /// Graphviz.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

fn parse_dialect(value: &str) -> Result<mrt_core::Dialect, String> {
    mrt_core::Dialect::parse(value).ok_or_else(|| {
        format!("unknown dialect `{value}` (expected postgresql, mysql, sqlite or generic)")
    })
}

/// How `mrt check` prints findings (re-exported as [`crate::output::OutputFormat`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[non_exhaustive]
pub enum OutputFormat {
    /// Each finding with its source line underlined and a help line.
    Full,
    /// One line per finding.
    Concise,
    /// A JSON object (see docs/json-output.md).
    Json,
    /// One JSON object per finding, one per line.
    JsonLines,
    /// SARIF 2.1.0, for code scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// A GitLab Code Quality report.
    Gitlab,
    /// A JUnit XML report.
    Junit,
}

#[derive(Debug, Args)]
pub(crate) struct RuleArgs {
    /// A rule code, alias or name (`MRT201`, `drop-column`).
    pub(crate) rule: String,
}

#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// How to print the list.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(crate) output_format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// An aligned table.
    Text,
    /// A JSON array.
    Json,
}
