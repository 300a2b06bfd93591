//! `mrt migrate`: the project's migrations run to a target on a database the user names, through
//! the same worker as `mrt verify` (for the pytest fixture's `upgrade`, `downgrade` and
//! `current_revision`, and for people).

use std::path::Path;

use serde_json::json;

use crate::walk::Source;
use crate::worker::{self, NoAnswer};
use crate::{DatabaseUrl, Error, Interrupt};

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Upgrade to a target (`heads`, a revision; `app.name` for Django).
    Upgrade(String),
    /// Downgrade to a target (`base`, a revision, `-1` for Alembic; `app.zero` for Django).
    Downgrade(String),
    /// Only read the applied heads.
    Current,
}

/// Runs the action and returns the heads applied afterwards. When `interrupt` is set, the worker
/// is killed at once (its connection closes, and the database rolls back the migration under way
/// where its DDL is transactional) and the result is [`Error::Interrupted`].
pub fn migrate(
    source: &Source,
    url: &DatabaseUrl,
    python: Option<&Path>,
    action: &Action,
    interrupt: &Interrupt,
) -> Result<Vec<String>, Error> {
    run(source, url, python, action, interrupt).map_err(|error| interrupt.or_interrupted(error))
}

fn run(
    source: &Source,
    url: &DatabaseUrl,
    python: Option<&Path>,
    action: &Action,
    interrupt: &Interrupt,
) -> Result<Vec<String>, Error> {
    let python = worker::interpreter(python);
    let sqlalchemy = url.sqlalchemy(None);
    let database = url.django(None);
    let (mut worker, _) = source.start_worker(&python, &sqlalchemy, &database, interrupt, None)?;
    let fail = |message: String| Error::Database {
        url: url.redacted(),
        message,
    };
    let (target, upgrade) = match action {
        Action::Upgrade(target) => (Some(target), true),
        Action::Downgrade(target) => (Some(target), false),
        Action::Current => (None, false),
    };
    if let Some(target) = target {
        let request = json!({
            "op": "to",
            "target": target,
            "upgrade": upgrade,
            "url": sqlalchemy,
            "database": database,
        });
        match worker.request(&request, None) {
            Ok(answer) if answer["ok"] == true => {}
            Ok(answer) => return Err(fail(worker::error_text(&answer))),
            Err(NoAnswer::Timeout | NoAnswer::Died(_) | NoAnswer::Interrupted) => {
                return Err(fail(format!("the worker exited: {}", worker.stderr_tail())));
            }
        }
    }
    let request = json!({"op": "heads", "url": sqlalchemy, "database": database});
    let heads = match worker.request(&request, None) {
        Ok(answer) if answer["ok"] == true => answer["heads"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|head| head.as_str().map(str::to_owned))
            .collect(),
        Ok(answer) => return Err(fail(worker::error_text(&answer))),
        Err(_) => return Err(fail(format!("the worker exited: {}", worker.stderr_tail()))),
    };
    worker.close();
    Ok(heads)
}
