//! The walk: every revision in graph order, each tried on a copy of the main database (seed,
//! snapshot, upgrade, downgrade, snapshot and compare, upgrade again), then applied to the main
//! database so the next revision starts from it. Linear in the chain; a broken revision only stops
//! its own descendants (when its upgrade cannot be applied at all).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use mrt_core::graph::{RevisionGraph, RevisionNode};
use mrt_core::{Diagnostic, Project};
use serde_json::{Value, json};

use crate::catalog::Catalog;
use crate::data::{self, Rows};
use crate::db::{Backend, Database, Server, Session, WorkerSession};
use crate::report::{Failure, FailureKind, Report, StaticFinding, Status, Summary, Verdict};
use crate::seed::Seeder;
use crate::url::DatabaseUrl;
use crate::worker::{self, NoAnswer, Worker};
use crate::{Error, Interrupt};

/// Which migrations, and how they are run.
#[derive(Debug, Clone)]
pub enum Source {
    /// Alembic: the project's `alembic.ini` (its env.py runs the migrations), or bare versions
    /// directories (run with a minimal environment of mrt's own).
    Alembic {
        /// `alembic.ini`, when the project has one.
        ini: Option<PathBuf>,
        /// The versions directories (used without an ini).
        versions: Vec<PathBuf>,
    },
    /// Django: the project's own `MigrationExecutor`, with its settings pointed at the scratch
    /// database before Django sets up.
    Django {
        /// The project directory (where `manage.py` is).
        root: PathBuf,
        /// The settings module.
        settings: String,
        /// The apps whose migrations are judged; empty: the project's own (not installed
        /// packages'). Other migrations are applied only.
        apps: Vec<String>,
    },
}

impl Source {
    /// Starts a worker with this project loaded, connected (for Django) to `database`; returns it
    /// with the revisions it loaded. Starting and loading may take `patience` at most.
    pub fn start_worker(
        &self,
        python: &std::path::Path,
        url: &str,
        database: &Value,
        interrupt: &Interrupt,
        patience: Option<Duration>,
    ) -> Result<(Worker, Value), Error> {
        let (modules, load) = match self {
            Source::Alembic { ini, versions } => (
                vec!["alembic", "sqlalchemy"],
                json!({"op": "load", "framework": "alembic", "ini": ini, "versions": versions}),
            ),
            Source::Django { root, settings, .. } => (
                vec!["django"],
                json!({
                    "op": "load",
                    "framework": "django",
                    "root": root,
                    "settings": settings,
                    "url": url,
                    "database": database,
                }),
            ),
        };
        let mut worker = Worker::start(python, &modules, Some(url), interrupt, patience)?;
        let loaded = worker.load(load)?;
        Ok((worker, loaded))
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The migrations.
    pub source: Source,
    /// The scratch database; `None`: an embedded one.
    pub database_url: Option<DatabaseUrl>,
    /// The project's interpreter (`--python`).
    pub python: Option<PathBuf>,
    /// Per migration step.
    pub timeout: Duration,
    /// Values derive from it.
    pub seed: u64,
    /// Wipe a given database that has tables instead of refusing it.
    pub allow_nonempty: bool,
    /// Judge only this revision (the others are only applied).
    pub only: Option<String>,
    /// Judge only revisions that descend from this one.
    pub since: Option<String>,
    /// Judge this revision and those that descend from it.
    pub min_revision: Option<String>,
    /// Revisions not judged, with the reason.
    pub skip: BTreeMap<String, String>,
    /// How a revision is tried without touching the rest of the walk.
    pub isolation: Isolation,
    /// Set to stop the walk early: the step under way is cancelled, and the run ends with
    /// [`Error::Interrupted`] once what it started is stopped and removed.
    pub interrupt: Interrupt,
}

/// How each revision is tried in isolation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Isolation {
    /// Inside a transaction rolled back to a savepoint where the database's DDL is transactional
    /// and the project's env.py uses the connection it is handed (PostgreSQL with Alembic);
    /// else, and for revisions that commit themselves (`autocommit_block`, `CONCURRENTLY`), on a
    /// copy of the database.
    #[default]
    Auto,
    /// Always on a copy of the database (`CREATE DATABASE ... TEMPLATE`, a file copy).
    Copy,
}

/// Where a revision is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// On a copy of the main database.
    Copy,
    /// In the worker's session, inside a savepoint.
    Transaction,
}

/// Which database a step or a query is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The walk's own database.
    Main,
    /// Where the revision is tried.
    Trial,
}

/// Runs the walk. `project` and `findings` are the static side: which tables each revision names,
/// and the findings joined to the failures they predicted.
pub fn verify(
    options: &Options,
    project: &Project,
    findings: &[Diagnostic],
) -> Result<Report, Error> {
    let started = Instant::now();
    let server = Server::open(options.database_url.as_ref(), options.allow_nonempty)?;
    let description = server.description.clone();
    let result = Walk::new(&server, options, project, findings)
        .and_then(Walk::run)
        .map_err(|error| options.interrupt.or_interrupted(error));
    // The walk is dropped by now (its worker killed): the databases it used can go.
    let cleanup = server.finish();
    let mut report = result?;
    report.database = description;
    if let Err(error) = cleanup {
        report
            .notes
            .push(format!("clean-up of the scratch database: {error}"));
    }
    report.summary.duration_ms = millis(started.elapsed());
    report.count();
    Ok(report)
}

/// The failure of a step cut short because the run was interrupted (never reported: the walk
/// ends with [`Error::Interrupted`]).
const INTERRUPTED: &str = "interrupted";

/// How a migration step ended badly.
enum StepError {
    /// It raised.
    Failed(String),
    /// It ran out of time.
    Timeout(String),
}

struct Walk<'a> {
    server: &'a Server,
    options: &'a Options,
    project: &'a Project,
    findings: &'a [Diagnostic],
    worker: Worker,
    nodes: Vec<RevisionNode>,
    paths: Vec<String>,
    /// The revisions in the project's own code (for Django: not in an installed package).
    local: Vec<bool>,
    graph: RevisionGraph,
    seeder: Seeder,
    /// How the current revision is tried.
    mode: Mode,
    /// The run may use transactions (the database and env.py allow it).
    transactional: bool,
    /// In a transaction, the trial's savepoint exists (a restarted worker lost it, and with it
    /// everything since the last commit).
    trial_open: bool,
    main: String,
    trial: String,
    report: Report,
}

impl<'a> Walk<'a> {
    fn new(
        server: &'a Server,
        options: &'a Options,
        project: &'a Project,
        findings: &'a [Diagnostic],
    ) -> Result<Self, Error> {
        let python = worker::interpreter(options.python.as_deref());
        let main = server.main_name();
        let probe = server.worker_url(&main, None);
        let database = server.django_database(&main, None);
        let (worker, loaded) = options.source.start_worker(
            &python,
            &probe,
            &database,
            &options.interrupt,
            // Loading imports every migration: it gets the time of one step.
            Some(options.timeout),
        )?;
        let mut nodes = Vec::new();
        let mut paths = Vec::new();
        let mut local = Vec::new();
        for revision in loaded["revisions"].as_array().into_iter().flatten() {
            let id = revision["id"].as_str().unwrap_or_default().to_owned();
            let parents = revision["parents"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect();
            paths.push(revision["path"].as_str().unwrap_or_default().to_owned());
            local.push(revision["local"].as_bool().unwrap_or(true));
            nodes.push(RevisionNode {
                id,
                parents,
                ..RevisionNode::default()
            });
        }
        let graph = RevisionGraph::build(&nodes);
        Ok(Walk {
            server,
            options,
            project,
            findings,
            worker,
            nodes,
            paths,
            local,
            graph,
            seeder: Seeder::new(options.seed),
            mode: Mode::Copy,
            transactional: false,
            trial_open: false,
            trial: server.trial_name(),
            main,
            report: Report {
                revisions: Vec::new(),
                summary: Summary::default(),
                database: server.description.clone(),
                seed: options.seed,
                contradicted: Vec::new(),
                notes: Vec::new(),
            },
        })
    }

    /// The position of a revision named by id or unique prefix.
    fn resolve(&self, revision: &str, option: &str) -> Result<usize, Error> {
        if let Some(position) = self.graph.position(revision) {
            return Ok(position);
        }
        let matches: Vec<usize> = (0..self.nodes.len())
            .filter(|&at| self.nodes[at].id.starts_with(revision))
            .collect();
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => Err(Error::Usage(format!(
                "{option} {revision}: no such revision"
            ))),
            _ => Err(Error::Usage(format!(
                "{option} {revision}: more than one revision starts so"
            ))),
        }
    }

    fn run(mut self) -> Result<Report, Error> {
        let order = self.graph.topological_order().ok_or_else(|| {
            Error::Usage("the revisions form a cycle: no order to run them in".into())
        })?;
        self.choose_isolation()?;
        let judged = self.judged()?;
        // Revisions that cannot be reached because an ancestor's upgrade fails, and why.
        let mut blocked: BTreeMap<usize, String> = BTreeMap::new();
        for position in order {
            // Checked between revisions: a step under way when the flag is set fails at once, and
            // what the revision's judging made of it is not reported.
            if self.options.interrupt.is_set() {
                return Err(Error::Interrupted);
            }
            let id = self.nodes[position].id.clone();
            if let Some(reason) = blocked.get(&position) {
                if judged.contains(&position) {
                    self.push_skipped(position, reason.clone());
                }
                continue;
            }
            let applied = if !judged.contains(&position) {
                self.advance(position)
            } else if let Some(reason) = self.options.skip.get(&id) {
                self.push_skipped(position, format!("skipped: {reason}"));
                self.advance(position)
            } else {
                self.judge(position)?
            };
            if !applied {
                let reason = format!("an ancestor's upgrade fails: {id}");
                for descendant in self.graph.descendants(position) {
                    blocked.entry(descendant).or_insert_with(|| reason.clone());
                }
            }
        }
        if self.options.interrupt.is_set() {
            return Err(Error::Interrupted);
        }
        if self.mode == Mode::Transaction {
            self.session_request(&json!({"op": "close"}))?;
        }
        self.contradicted();
        self.worker.close();
        Ok(self.report)
    }

    /// Transactions where they work: PostgreSQL, Alembic, and an env.py that uses the
    /// connection it is handed (probed by running it with nothing to do).
    fn choose_isolation(&mut self) -> Result<(), Error> {
        let eligible = self.options.isolation == Isolation::Auto
            && self.server.backend() == Backend::Postgres
            && matches!(self.options.source, Source::Alembic { .. });
        if !eligible {
            return Ok(());
        }
        self.open_session()?;
        let url = self.server.worker_url(&self.main, None);
        let answer = self.session_request(&json!({"op": "probe", "url": url}))?;
        if answer["context"]["shared"] == true {
            self.transactional = true;
        } else {
            self.session_request(&json!({"op": "close"}))?;
            self.mode = Mode::Copy;
            self.report.notes.push(
                "env.py does not use the connection in config.attributes[\"connection\"], so each revision is tried on a copy of the database (slower than a rolled-back transaction)".into(),
            );
        }
        Ok(())
    }

    /// Opens the worker's session on the main database, in a transaction.
    fn open_session(&mut self) -> Result<(), Error> {
        let timeout_ms = u64::try_from(self.options.timeout.as_millis()).unwrap_or(u64::MAX);
        let url = self.server.worker_url(&self.main, Some(timeout_ms));
        self.session_request(&json!({"op": "open", "url": url}))?;
        self.mode = Mode::Transaction;
        Ok(())
    }

    fn session_request(&mut self, request: &Value) -> Result<Value, Error> {
        let main = self.main.clone();
        WorkerSession::new(&mut self.worker)
            .request(request)
            .map_err(|message| self.database_error(&main, message))
    }

    /// A connection to a place: the worker's session in a transaction, else the database.
    fn on(&mut self, place: Place) -> Result<Box<dyn Database + '_>, Error> {
        if self.mode == Mode::Transaction {
            return Ok(Box::new(WorkerSession::new(&mut self.worker)));
        }
        let name = self.place_name(place);
        Ok(Box::new(self.session(&name)?))
    }

    /// The database a place is in: in a transaction, the trial is the main database itself.
    fn place_name(&self, place: Place) -> String {
        match (place, self.mode) {
            (Place::Trial, Mode::Copy) => self.trial.clone(),
            (Place::Main, _) | (Place::Trial, Mode::Transaction) => self.main.clone(),
        }
    }

    /// Starts trying a revision: a copy of the main database, or a savepoint.
    fn begin_trial(&mut self) -> Result<(), Error> {
        match self.mode {
            Mode::Copy => self.copy(&self.main, &self.trial),
            Mode::Transaction => {
                self.session_request(&json!({"op": "savepoint", "name": "mrt_trial"}))?;
                self.trial_open = true;
                Ok(())
            }
        }
    }

    /// Undoes everything since `begin_trial`.
    fn rewind_trial(&mut self) -> Result<(), Error> {
        match self.mode {
            Mode::Copy => self.copy(&self.main, &self.trial),
            // A restarted worker is already back at the last commit: a new savepoint will do.
            Mode::Transaction if !self.trial_open => self.begin_trial(),
            Mode::Transaction => self
                .session_request(&json!({"op": "rollback_to", "name": "mrt_trial"}))
                .map(|_| ())
                .map_err(|error| {
                    Error::Usage(format!(
                        "{error}: a revision committed the transaction it was tried in; run with --isolation copy"
                    ))
                }),
        }
    }

    /// Ends a trial: the main database is as before it (a copy is simply left behind).
    fn end_trial(&mut self) -> Result<(), Error> {
        match self.mode {
            Mode::Transaction if self.trial_open => {
                self.rewind_trial()?;
                self.trial_open = false;
                Ok(())
            }
            Mode::Copy | Mode::Transaction => Ok(()),
        }
    }

    /// Makes what the main database reached permanent.
    fn settle(&mut self) -> Result<(), Error> {
        match self.mode {
            Mode::Copy => Ok(()),
            Mode::Transaction => self.session_request(&json!({"op": "commit"})).map(|_| ()),
        }
    }

    /// The positions to judge: all, or as `--revision`, `--since`, `--min-revision` say.
    fn judged(&self) -> Result<HashSet<usize>, Error> {
        let mut judged: HashSet<usize> = match &self.options.source {
            Source::Django { apps, .. } if !apps.is_empty() => (0..self.nodes.len())
                .filter(|&at| {
                    let app = self.nodes[at].id.split('.').next().unwrap_or_default();
                    apps.iter().any(|wanted| wanted == app)
                })
                .collect(),
            _ => (0..self.nodes.len()).filter(|&at| self.local[at]).collect(),
        };
        if let Some(only) = &self.options.only {
            let position = self.resolve(only, "--revision")?;
            judged = HashSet::from([position]);
        }
        if let Some(since) = &self.options.since {
            let position = self.resolve(since, "--since")?;
            let descendants: HashSet<usize> =
                self.graph.descendants(position).into_iter().collect();
            judged.retain(|at| descendants.contains(at));
        }
        if let Some(min) = &self.options.min_revision {
            let position = self.resolve(min, "--min-revision")?;
            let mut from: HashSet<usize> = self.graph.descendants(position).into_iter().collect();
            from.insert(position);
            judged.retain(|at| from.contains(at));
        }
        Ok(judged)
    }

    fn push_skipped(&mut self, position: usize, reason: String) {
        self.report.revisions.push(Verdict {
            revision: self.nodes[position].id.clone(),
            path: self.paths[position].clone(),
            status: Status::Skipped,
            reason: Some(reason),
            failures: Vec::new(),
            duration_ms: 0,
        });
    }

    fn session(&self, database: &str) -> Result<Session, Error> {
        self.server
            .session(database)
            .map_err(|message| self.database_error(database, message))
    }

    fn database_error(&self, database: &str, message: String) -> Error {
        Error::Database {
            url: format!("{} ({database})", self.server.description.url),
            message,
        }
    }

    /// Runs one step of one revision on a database.
    fn step(&mut self, position: usize, upgrade: bool, place: Place) -> Result<Value, StepError> {
        if self.options.interrupt.is_set() {
            return Err(StepError::Failed(INTERRUPTED.to_owned()));
        }
        let timeout = self.options.timeout;
        let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let database = &self.place_name(place);
        let request = json!({
            "op": "step",
            "revision": self.nodes[position].id,
            "upgrade": upgrade,
            "url": self.server.worker_url(database, Some(timeout_ms)),
            "database": self.server.django_database(database, Some(timeout_ms)),
            // Django carries its project state along the main database's walk.
            "advance": place == Place::Main,
            "session": self.mode == Mode::Transaction,
        });
        let what = if upgrade { "upgrade" } else { "downgrade" };
        let late = |seconds: u64| format!("{what} did not finish within {seconds} s");
        // The server's statement timeout fires first; the worker is given a grace period.
        match self
            .worker
            .request(&request, Some(timeout + Duration::from_secs(5)))
        {
            Ok(answer) if answer["ok"] == true => Ok(answer["context"].clone()),
            Ok(answer) => {
                let text = worker::error_text(&answer);
                if text.contains("statement timeout") {
                    Err(StepError::Timeout(late(timeout.as_secs())))
                } else {
                    Err(StepError::Failed(text))
                }
            }
            Err(NoAnswer::Timeout) => {
                self.server.cancel_sessions(database);
                let answered = self.worker.late_answer(Duration::from_secs(5)).is_some();
                // Stuck outside the database (a sleep, a lock in Python): start afresh.
                if (!answered || self.mode == Mode::Transaction)
                    && let Err(error) = self.restart_worker()
                {
                    return Err(StepError::Failed(format!(
                        "{}; restarting the worker: {error}",
                        late(timeout.as_secs())
                    )));
                }
                Err(StepError::Timeout(late(timeout.as_secs())))
            }
            Err(NoAnswer::Interrupted) => {
                // The statement under way stops; the worker is killed when the walk is dropped.
                self.server.cancel_sessions(database);
                Err(StepError::Failed(INTERRUPTED.to_owned()))
            }
            // A signal sent to the whole process group (Ctrl-C in a terminal) may reach the
            // worker first: the walk is ending, not to be started again.
            Err(NoAnswer::Died(_)) if self.options.interrupt.is_set() => {
                Err(StepError::Failed(INTERRUPTED.to_owned()))
            }
            Err(NoAnswer::Died(tail)) => {
                let restarted = self.restart_worker();
                let mut message = format!("the worker exited during the {what}: {tail}");
                if let Err(error) = restarted {
                    let _ = write!(message, "; restarting it: {error}");
                }
                Err(StepError::Failed(message))
            }
        }
    }

    /// A new worker; in a transaction, what the old one's session held is gone (the main
    /// database is back at the last revision applied), so the session is opened again and the
    /// tables seeded again.
    fn restart_worker(&mut self) -> Result<(), Error> {
        self.worker.restart()?;
        if self.mode == Mode::Transaction {
            self.open_session()?;
            self.seeder.forget();
            self.trial_open = false;
        }
        Ok(())
    }

    /// Applies a revision to the main database; false when it cannot be applied.
    fn advance(&mut self, position: usize) -> bool {
        let applied = match self.step(position, true, Place::Main) {
            Ok(_) => true,
            Err(StepError::Failed(message) | StepError::Timeout(message)) => {
                self.report.notes.push(format!(
                    "{}: its upgrade fails on the main database, so its descendants are not judged: {message}",
                    self.nodes[position].id
                ));
                false
            }
        };
        if let Err(error) = self.settle() {
            self.report
                .notes
                .push(format!("{}: {error}", self.nodes[position].id));
            return false;
        }
        applied
    }

    /// Checks that the step ran on the scratch database: its version table there names the
    /// revision. An env.py that ignores the URL it is given would otherwise be trusted blindly.
    fn check_ran_here(
        &mut self,
        position: usize,
        context: &Value,
        place: Place,
    ) -> Result<(), Error> {
        let database = self.place_name(place);
        let id = self.nodes[position].id.clone();
        if self.mode == Mode::Transaction && context["shared"] != true {
            return Err(Error::Usage(format!(
                "upgrading {id}: env.py did not use the connection it was handed this time; run with --isolation copy"
            )));
        }
        if context["configured"] != true {
            return Err(Error::Usage(format!(
                "upgrading {id}: env.py never configured a migration context, so mrt cannot tell where the migrations ran"
            )));
        }
        let table = context["version_table"]
            .as_str()
            .unwrap_or("alembic_version")
            .to_owned();
        let versions = self.on(place)?.versions(&table);
        let versions = versions.map_err(|message| self.database_error(&database, message))?;
        // A squashed Django migration is recorded under the names it replaces.
        let recorded: Vec<String> = context["recorded"].as_array().map_or_else(
            || vec![id.clone()],
            |names| {
                names
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            },
        );
        if recorded.iter().all(|name| versions.contains(name)) {
            return Ok(());
        }
        Err(Error::Usage(format!(
            "upgrading {id} did not change mrt's scratch database (its `{table}` holds {versions:?}; env.py connected to `{}`): env.py must use the URL it is given (config.attributes[\"connection\"], sqlalchemy.url, -x db_url=..., or $DATABASE_URL)",
            context["database"].as_str().unwrap_or("?")
        )))
    }

    /// Judges one revision; false when its upgrade cannot be applied to the main database. A
    /// revision that commits by itself is tried on a copy even in a transactional run.
    fn judge(&mut self, position: usize) -> Result<bool, Error> {
        let commits_itself = self.transactional
            && crate::statics::commits_itself(self.project, &self.nodes[position].id);
        if !commits_itself {
            return self.judge_here(position);
        }
        self.session_request(&json!({"op": "close"}))?;
        self.mode = Mode::Copy;
        let applied = self.judge_here(position);
        self.open_session()?;
        applied
    }

    fn judge_here(&mut self, position: usize) -> Result<bool, Error> {
        let started = Instant::now();
        let id = self.nodes[position].id.clone();
        let main = self.main.clone();
        let mut failures = Vec::new();

        let before = self.catalog_at(Place::Main)?;
        let mut seeder = std::mem::replace(&mut self.seeder, Seeder::new(0));
        let notes = seeder.seed(&mut *self.on(Place::Main)?, &before);
        self.seeder = seeder;
        for note in notes {
            self.report.notes.push(format!("{id}: {note}"));
        }
        self.begin_trial()?;

        // Upgrade; when it fails, again on empty tables, to tell the data's fault from the code's.
        let mut seeded = true;
        match self.step(position, true, Place::Trial) {
            Ok(context) => self.check_ran_here(position, &context, Place::Trial)?,
            Err(StepError::Failed(message)) => {
                self.rewind_trial()?;
                let trial = self.trial.clone();
                let emptied = self.on(Place::Trial)?.truncate(&before.tables);
                emptied.map_err(|message| self.database_error(&trial, message))?;
                match self.step(position, true, Place::Trial) {
                    Ok(context) => {
                        self.check_ran_here(position, &context, Place::Trial)?;
                        seeded = false;
                        failures.push(failure(
                            FailureKind::Upgrade,
                            None,
                            format!("fails on the rows already in the tables (passes on empty ones): {message}"),
                        ));
                    }
                    Err(StepError::Failed(_)) => {
                        failures.push(failure(FailureKind::Upgrade, None, message));
                        self.end_trial()?;
                        return Ok(self.finish(position, started, failures, false));
                    }
                    Err(StepError::Timeout(message)) => {
                        failures.push(failure(FailureKind::Timeout, None, message));
                        self.end_trial()?;
                        return Ok(self.finish(position, started, failures, false));
                    }
                }
            }
            Err(StepError::Timeout(message)) => {
                failures.push(failure(FailureKind::Timeout, None, message));
                self.end_trial()?;
                return Ok(self.finish(position, started, failures, false));
            }
        }
        let after_upgrade = self.catalog_at(Place::Trial)?;

        // The data after the downgrade is read in the trial; the data before, once it is undone.
        let mut after: Option<(BTreeSet<String>, Catalog, BTreeMap<String, Rows>)> = None;
        match self.step(position, false, Place::Trial) {
            Ok(_) => {
                let after_downgrade = self.catalog_at(Place::Trial)?;
                for residue in after_downgrade.residue_against(&before) {
                    failures.push(Failure {
                        kind: FailureKind::Schema,
                        object: Some(residue.object),
                        message: residue.message,
                        codes: Vec::new(),
                        table: residue.table,
                    });
                }
                if seeded {
                    let tables =
                        self.touched_tables(position, &before, &after_upgrade, &after_downgrade);
                    let rows = self.read_rows(Place::Trial, &tables, &after_downgrade)?;
                    after = Some((tables, after_downgrade, rows));
                }
                match self.step(position, true, Place::Trial) {
                    Ok(_) => {}
                    Err(StepError::Failed(message)) => {
                        failures.push(failure(FailureKind::Reupgrade, None, message));
                    }
                    Err(StepError::Timeout(message)) => {
                        failures.push(failure(FailureKind::Timeout, None, format!("re-{message}")));
                    }
                }
            }
            Err(StepError::Failed(message)) => {
                failures.push(failure(FailureKind::Downgrade, None, message));
            }
            Err(StepError::Timeout(message)) => {
                failures.push(failure(FailureKind::Timeout, None, message));
            }
        }
        self.end_trial()?;
        if let Some((tables, after_downgrade, after_rows)) = after {
            let before_rows = self.read_rows(Place::Main, &tables, &before)?;
            for name in &tables {
                let Some(before_table) = before.tables.get(name) else {
                    continue;
                };
                let Some(rows) = before_rows.get(name) else {
                    continue;
                };
                failures.extend(data::compare(
                    name,
                    before_table,
                    rows,
                    after_downgrade.tables.get(name),
                    after_rows.get(name),
                ));
            }
        }

        if !seeded {
            // The upgrade cannot run on the seeded rows: the main database goes on without them.
            let emptied = self.on(Place::Main)?.truncate(&before.tables);
            emptied.map_err(|message| self.database_error(&main, message))?;
            self.seeder.forget();
        }
        let applied = match self.step(position, true, Place::Main) {
            Ok(_) => true,
            Err(StepError::Failed(message) | StepError::Timeout(message)) => {
                failures.push(failure(
                    FailureKind::Upgrade,
                    None,
                    format!("fails on the main database after passing on its trial: {message}"),
                ));
                false
            }
        };
        self.settle()?;
        Ok(self.finish(position, started, failures, applied))
    }

    fn copy(&self, from: &str, to: &str) -> Result<(), Error> {
        self.server
            .copy(from, to)
            .map_err(|message| self.database_error(to, format!("copying {from}: {message}")))
    }

    fn catalog_at(&mut self, place: Place) -> Result<Catalog, Error> {
        let name = self.place_name(place);
        let catalog = self.on(place)?.catalog();
        catalog.map_err(|message| self.database_error(&name, message))
    }

    /// The tables whose data is compared: those the revision names in its code, those whose
    /// schema it changed, and every table when its code cannot be read (raw SQL built at run
    /// time, Python code, an operation mrt does not model).
    fn touched_tables(
        &self,
        position: usize,
        before: &Catalog,
        after_upgrade: &Catalog,
        after_downgrade: &Catalog,
    ) -> BTreeSet<String> {
        let mut tables: BTreeSet<String> = before
            .changed_tables(after_upgrade)
            .into_iter()
            .chain(after_upgrade.changed_tables(after_downgrade))
            .map(str::to_owned)
            .collect();
        match crate::statics::named_tables(self.project, &self.nodes[position].id) {
            Some(named) => tables.extend(named),
            None => tables.extend(before.user_tables().map(|(name, _)| name.clone())),
        }
        tables.retain(|table| before.tables.contains_key(table));
        tables
    }

    /// The rows of these tables (those the catalogue has) at a place.
    fn read_rows(
        &mut self,
        place: Place,
        tables: &BTreeSet<String>,
        catalog: &Catalog,
    ) -> Result<BTreeMap<String, Rows>, Error> {
        let name = self.place_name(place);
        let url = format!("{} ({name})", self.server.description.url);
        let mut found = BTreeMap::new();
        let mut database = self.on(place)?;
        for table in tables {
            if crate::catalog::BOOKKEEPING_TABLES.contains(&table.as_str()) {
                continue;
            }
            let Some(shape) = catalog.tables.get(table) else {
                continue;
            };
            let columns: Vec<String> = shape.columns.iter().map(|c| c.name.clone()).collect();
            let rows = database
                .rows(table, &columns)
                .map_err(|message| Error::Database {
                    url: url.clone(),
                    message,
                })?;
            found.insert(table.clone(), Rows { columns, rows });
        }
        Ok(found)
    }

    /// Records the verdict, with each failure joined to the static findings that predicted it.
    fn finish(
        &mut self,
        position: usize,
        started: Instant,
        mut failures: Vec<Failure>,
        applied: bool,
    ) -> bool {
        let id = self.nodes[position].id.clone();
        let findings = crate::statics::of_revision(self.findings, &id);
        for failure in &mut failures {
            failure.codes = crate::statics::predicting(failure, &findings);
        }
        self.report.revisions.push(Verdict {
            revision: id,
            path: self.paths[position].clone(),
            status: if failures.is_empty() {
                Status::Passed
            } else {
                Status::Failed
            },
            reason: None,
            failures,
            duration_ms: millis(started.elapsed()),
        });
        applied
    }

    /// Lists the static findings of judged revisions that predicted a loss the run did not see.
    fn contradicted(&mut self) {
        for verdict in &self.report.revisions {
            if verdict.status == Status::Skipped {
                continue;
            }
            let seen: HashSet<&str> = verdict
                .failures
                .iter()
                .flat_map(|failure| failure.codes.iter().map(String::as_str))
                .collect();
            for finding in crate::statics::of_revision(self.findings, &verdict.revision) {
                if crate::statics::predicts_loss(finding.code()) && !seen.contains(finding.code()) {
                    self.report.contradicted.push(StaticFinding {
                        revision: verdict.revision.clone(),
                        code: finding.code().to_owned(),
                        message: finding.message.clone(),
                        path: finding.path().display().to_string(),
                        line: finding.start().line,
                    });
                }
            }
        }
    }
}

fn failure(kind: FailureKind, object: Option<String>, message: String) -> Failure {
    Failure {
        kind,
        object,
        message,
        codes: Vec::new(),
        table: None,
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
