//! `mrt migrate` (the project's migrations to a target, on a database you name) and `mrt db`
//! (a throwaway database that outlives the command, for test sessions).

use mrt_verify::db::EmbeddedPostgres;
use mrt_verify::db::embedded;
use mrt_verify::migrate::{Action, migrate};

use crate::Status;
use crate::args::{DbAction, DbArgs, ListFormat, MigrateAction, MigrateArgs, MigrateCommon};

pub(crate) fn run(args: &MigrateArgs) -> Result<Status, String> {
    let (action, common): (Action, &MigrateCommon) = match &args.action {
        MigrateAction::Upgrade(target) => (Action::Upgrade(target.target.clone()), &target.common),
        MigrateAction::Downgrade(target) => {
            (Action::Downgrade(target.target.clone()), &target.common)
        }
        MigrateAction::Current(common) => (Action::Current, common),
    };
    let located = crate::verify::locate(
        &common.paths,
        common.config.as_deref(),
        common.django_settings.as_deref(),
        &[],
    )?;
    let url = crate::verify::database_url(common.database_url.as_deref(), &located.settings)?
        .ok_or("name the database: --database-url, $MRT_DATABASE_URL, or `database-url` in [tool.mrt.verify]")?;
    let python = common
        .python
        .clone()
        .or_else(|| located.settings.python.as_ref().map(Into::into));
    // Interrupted, the worker is killed rather than left to finish the migration under way.
    let interrupt = mrt_verify::Interrupt::new();
    crate::signals::stop_on_signals(&interrupt)?;
    let heads = migrate(
        &located.source,
        &url,
        python.as_deref(),
        &action,
        &interrupt,
    )
    .map_err(|error| error.to_string())?;
    let text = match common.output_format {
        ListFormat::Json => format!("{}\n", serde_json::json!({ "heads": heads })),
        ListFormat::Text if heads.is_empty() => "(base)\n".to_owned(),
        ListFormat::Text => format!("{}\n", heads.join("\n")),
    };
    crate::write_stdout(&text)
}

pub(crate) fn db(args: &DbArgs) -> Result<Status, String> {
    match &args.action {
        DbAction::Start { output_format } => {
            let bindir = embedded::find_bindir().ok_or(
                "initdb and pg_ctl were not found (PATH, pg_config --bindir, /usr/lib/postgresql): install PostgreSQL, or use a SQLite file URL",
            )?;
            // Interrupted while initdb and the server start, it stops and removes what it made
            // instead of leaving a cluster that nobody was told about.
            let interrupt = mrt_verify::Interrupt::new();
            crate::signals::stop_on_signals(&interrupt)?;
            let cluster = EmbeddedPostgres::start(&bindir).map_err(|error| {
                if interrupt.is_set() {
                    "interrupted: the database was removed".to_owned()
                } else {
                    error.to_string()
                }
            })?;
            if interrupt.is_set() {
                drop(cluster);
                return Err("interrupted: the database was stopped and removed".to_owned());
            }
            let url = cluster.url("postgres");
            let root = cluster.root().display().to_string();
            let text = match output_format {
                ListFormat::Json => format!(
                    "{}\n",
                    serde_json::json!({
                        "url": url.sqlalchemy(None),
                        "dir": root,
                        "backend": "postgresql",
                        "version": cluster.version(),
                    })
                ),
                ListFormat::Text => format!(
                    "{}\n# stop it with: mrt db stop {root}\n",
                    url.sqlalchemy(None)
                ),
            };
            cluster.detach();
            crate::write_stdout(&text)
        }
        DbAction::Stop { dir } => {
            embedded::stop_at(dir).map_err(|error| error.to_string())?;
            Ok(Status::Success)
        }
    }
}
