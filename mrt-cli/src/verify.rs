//! `mrt verify`: every migration up and down on a real database, with the static findings joined.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mrt_core::config::{Config, VerifyOptions};
use mrt_core::{Diagnostic, Project};
use mrt_verify::{DatabaseUrl, Options, Source};

use crate::Status;
use crate::args::{CheckArgs, IsolationArg, VerifyArgs, VerifyFormat};

/// Seconds a migration step may take when neither the command line nor the configuration says.
const DEFAULT_TIMEOUT: u64 = 300;

/// What the project is, wherever a command that runs migrations finds it.
pub(crate) struct Located {
    /// How its migrations run.
    pub(crate) source: Source,
    /// Where they are, for the static side.
    pub(crate) versions: Vec<PathBuf>,
    /// Its configuration.
    pub(crate) config: Option<Config>,
    /// `[tool.mrt.verify]`.
    pub(crate) settings: VerifyOptions,
}

/// Finds the project under `paths`: Django (`manage.py`, or a settings module named), else
/// Alembic; its configuration (`--config`, else the nearest one); the Django settings module
/// from the command line, then the configuration, then `manage.py` / the environment.
pub(crate) fn locate(
    paths: &[PathBuf],
    config: Option<&Path>,
    django_settings: Option<&str>,
    apps: &[String],
) -> Result<Located, String> {
    let found = if let Some((root, module)) = django_project(paths, django_settings) {
        Found::Django(root, module)
    } else {
        let (source, versions) = source(paths)?;
        Found::Alembic(source, versions)
    };
    let versions = match &found {
        Found::Django(root, _) => vec![root.clone()],
        Found::Alembic(_, versions) => versions.clone(),
    };
    let config = match config {
        Some(path) => Config::load(path)
            .map_err(|error| error.to_string())?
            .map(Some)
            .ok_or_else(|| format!("{}: no [tool.mrt] table", path.display()))?,
        None => Config::discover(versions.first().map_or(Path::new("."), PathBuf::as_path))
            .map_err(|error| error.to_string())?,
    };
    let settings = config
        .as_ref()
        .and_then(|config| config.options.verify.clone())
        .unwrap_or_default();
    let source = match found {
        Found::Alembic(source, _) => source,
        Found::Django(root, found) => {
            let module = django_settings
                .map(str::to_owned)
                .or_else(|| settings.django_settings.clone())
                .or(found)
                .ok_or_else(|| {
                    format!(
                        "{}: no Django settings module found (give --django-settings, `django-settings` in [tool.mrt.verify], or set DJANGO_SETTINGS_MODULE)",
                        root.display()
                    )
                })?;
            let apps = if apps.is_empty() {
                settings.apps.clone().unwrap_or_default()
            } else {
                apps.to_vec()
            };
            Source::Django {
                root,
                settings: module,
                apps,
            }
        }
    };
    Ok(Located {
        source,
        versions,
        config,
        settings,
    })
}

pub(crate) fn run(args: &VerifyArgs) -> Result<Status, String> {
    let Located {
        source,
        versions,
        config,
        settings,
    } = locate(
        &args.paths,
        args.config.as_deref(),
        args.django_settings.as_deref(),
        &args.apps,
    )?;
    let options = options(args, source, config.as_ref(), &settings)?;

    let (project, findings) = static_side(&versions, config.as_ref())?;
    crate::signals::stop_on_signals(&options.interrupt)?;
    let report =
        mrt_verify::verify(&options, &project, &findings).map_err(|error| error.to_string())?;
    let text = match args.output_format {
        VerifyFormat::Full => report.render_full(),
        VerifyFormat::Json => report.render_json(),
        VerifyFormat::Junit => report.render_junit(),
        VerifyFormat::Github => report.render_github(),
    };
    match &args.output_file {
        Some(path) => std::fs::write(path, text)
            .map_err(|error| format!("{}: cannot write the output: {error}", path.display()))?,
        None => {
            crate::write_stdout(&text)?;
        }
    }
    Ok(if report.passed() {
        Status::Success
    } else {
        Status::Failure
    })
}

/// The kind of project found.
enum Found {
    /// How the Alembic migrations run, and their directories.
    Alembic(Source, Vec<PathBuf>),
    /// A Django project's directory and the settings module `manage.py` or the environment names.
    Django(PathBuf, Option<String>),
}

/// A Django project: `--django-settings` is given, or the directory given (or the current one)
/// holds `manage.py`. Returns its directory and the settings module `manage.py` or
/// `$DJANGO_SETTINGS_MODULE` names.
fn django_project(
    paths: &[PathBuf],
    django_settings: Option<&str>,
) -> Option<(PathBuf, Option<String>)> {
    let root = match paths {
        [] => PathBuf::from("."),
        [only] if only.is_dir() => only.clone(),
        _ => return None,
    };
    let manage = root.join("manage.py");
    if !manage.is_file() && django_settings.is_none() {
        return None;
    }
    let found = std::fs::read_to_string(&manage)
        .ok()
        .and_then(|text| settings_in_manage_py(&text))
        .or_else(|| std::env::var("DJANGO_SETTINGS_MODULE").ok());
    Some((root, found))
}

/// The module `manage.py` sets: `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")`.
fn settings_in_manage_py(text: &str) -> Option<String> {
    let at = text.find("DJANGO_SETTINGS_MODULE")? + "DJANGO_SETTINGS_MODULE".len();
    let rest = text[at..].trim_start_matches(['"', '\'', ' ']).trim_start();
    let rest = rest.strip_prefix(',')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let end = value.find(quote)?;
    Some(value[..end].to_owned())
}

/// Where the migrations are and how they run: an `alembic.ini` (given, in a given directory, or
/// in the current directory when no path is given) runs its own env.py; otherwise the paths are
/// bare versions directories. Also returns the versions directories, for the static side.
pub(crate) fn source(paths: &[PathBuf]) -> Result<(Source, Vec<PathBuf>), String> {
    let ini = match paths {
        [] => Some(PathBuf::from("alembic.ini")).filter(|ini| ini.is_file()),
        [only] if only.is_file() && only.extension().is_some_and(|e| e == "ini") => {
            Some(only.clone())
        }
        [only] if only.join("alembic.ini").is_file() => Some(only.join("alembic.ini")),
        _ => None,
    };
    if let Some(ini) = ini {
        let versions = crate::alembic_ini::paths_of(&ini)?;
        let source = Source::Alembic {
            ini: Some(ini),
            versions: versions.clone(),
        };
        return Ok((source, versions));
    }
    let versions = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for path in &versions {
        if !path.is_dir() {
            return Err(format!(
                "{}: not a directory of migrations (give the versions directory, or the directory of alembic.ini)",
                path.display()
            ));
        }
    }
    let source = Source::Alembic {
        ini: None,
        versions: versions.clone(),
    };
    Ok((source, versions))
}

fn options(
    args: &VerifyArgs,
    source: Source,
    config: Option<&Config>,
    settings: &VerifyOptions,
) -> Result<Options, String> {
    let database_url = database_url(args.database_url.as_deref(), settings)?;
    let mut skip: std::collections::BTreeMap<String, String> = config
        .and_then(|config| config.options.skip.clone())
        .unwrap_or_default();
    for revision in &args.skip {
        skip.entry(revision.clone())
            .or_insert_with(|| "--skip on the command line".to_owned());
    }
    Ok(Options {
        source,
        database_url,
        python: args
            .python
            .clone()
            .or_else(|| settings.python.as_ref().map(PathBuf::from)),
        timeout: Duration::from_secs(args.timeout.or(settings.timeout).unwrap_or(DEFAULT_TIMEOUT)),
        seed: args.seed.or(settings.seed).unwrap_or(1),
        allow_nonempty: args.allow_nonempty,
        only: args.revision.clone(),
        since: args.since.clone(),
        min_revision: args.min_revision.clone(),
        skip,
        isolation: match args.isolation {
            IsolationArg::Auto => mrt_verify::Isolation::Auto,
            IsolationArg::Copy => mrt_verify::Isolation::Copy,
        },
        interrupt: mrt_verify::Interrupt::new(),
    })
}

/// The database: the command line's, else `$MRT_DATABASE_URL`, else the configuration's.
pub(crate) fn database_url(
    given: Option<&str>,
    settings: &VerifyOptions,
) -> Result<Option<DatabaseUrl>, String> {
    given
        .map(str::to_owned)
        .or_else(|| {
            std::env::var("MRT_DATABASE_URL")
                .ok()
                .filter(|u| !u.is_empty())
        })
        .or_else(|| settings.database_url.clone())
        .map(|url| DatabaseUrl::parse(&url))
        .transpose()
        .map_err(|error| error.to_string())
}

/// The static findings on the same migrations (every default rule, the configuration's
/// selection), to join with the failures they predicted.
fn static_side(
    versions: &[PathBuf],
    config: Option<&Config>,
) -> Result<(Project, Vec<Diagnostic>), String> {
    let check_args = CheckArgs::defaults(versions.to_vec());
    let linter = crate::check::linter(&check_args, config)?;
    let (project, errors) = Project::load(versions);
    for error in &errors {
        eprintln!("mrt: warning: {error}");
    }
    let findings = linter.check(&project);
    Ok((project, findings))
}
