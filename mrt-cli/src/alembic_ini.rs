//! Where the migrations are when no path is given: `alembic.ini` in the current directory names
//! them (`script_location`, `version_locations`), as it does for Alembic itself.

use std::path::{Path, PathBuf};

/// The paths to check when none is given: those `./alembic.ini` names, else the current directory.
pub(crate) fn default_paths() -> Result<Vec<PathBuf>, String> {
    let ini = Path::new("alembic.ini");
    if !ini.is_file() {
        return Ok(vec![PathBuf::from(".")]);
    }
    paths_of(ini)
}

/// The migration directories an `alembic.ini` names; relative ones are relative to its directory
/// (where Alembic is run from).
pub(crate) fn paths_of(ini: &Path) -> Result<Vec<PathBuf>, String> {
    let text =
        std::fs::read_to_string(ini).map_err(|error| format!("{}: {error}", ini.display()))?;
    let here = ini
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let paths: Vec<PathBuf> = locations(&text, here)
        .into_iter()
        .map(|path| {
            if path.is_relative() && here != Path::new(".") {
                here.join(path)
            } else {
                path
            }
        })
        .collect();
    if paths.is_empty() {
        return Err(format!(
            "{}: [alembic] has no `script_location` mrt can read (a package resource such as `app:migrations` cannot be resolved without importing); give the path to the migrations",
            ini.display()
        ));
    }
    Ok(paths)
}

/// `version_locations` when set, else `script_location`, from the `[alembic]` section; `%(here)s`
/// is the directory of the file.
fn locations(text: &str, here: &Path) -> Vec<PathBuf> {
    let values = section_values(text, "alembic");
    let get = |key: &str| {
        values
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.replace("%(here)s", &here.display().to_string()))
    };
    let separator = get("version_path_separator").unwrap_or_default();
    let split = |value: &str| -> Vec<PathBuf> {
        let parts: Vec<&str> = match separator.as_str() {
            "space" | "" => value.split([' ', ',', '\n']).collect(),
            "newline" => value.split('\n').collect(),
            ":" => value.split(':').collect(),
            ";" => value.split(';').collect(),
            "os" => value.split(if cfg!(windows) { ';' } else { ':' }).collect(),
            other => value.split(other).collect(),
        };
        parts
            .into_iter()
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(PathBuf::from)
            .collect()
    };
    if let Some(value) = get("version_locations") {
        let paths = split(&value);
        if !paths.is_empty() {
            return paths;
        }
    }
    match get("script_location") {
        Some(location) if !location.contains(':') || Path::new(&location).exists() => {
            vec![PathBuf::from(location.trim())]
        }
        _ => Vec::new(),
    }
}

/// `key = value` pairs of one section of an INI file (continuation lines joined with `\n`).
fn section_values(text: &str, section: &str) -> Vec<(String, String)> {
    let mut values: Vec<(String, String)> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            inside = trimmed[1..trimmed.len() - 1].trim() == section;
            continue;
        }
        if !inside || trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = values.last_mut() {
                value.push('\n');
                value.push_str(trimmed);
            }
            continue;
        }
        if let Some((key, value)) = trimmed.split_once(['=', ':']) {
            values.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_location_with_here() {
        let text = "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = x\n\n[loggers]\nkeys = root\n";
        assert_eq!(
            locations(text, Path::new("/proj")),
            vec![PathBuf::from("/proj/migrations")]
        );
    }

    #[test]
    fn version_locations_win_and_are_split() {
        let text =
            "[alembic]\nscript_location = migrations\nversion_locations = %(here)s/a %(here)s/b\n";
        assert_eq!(
            locations(text, Path::new(".")),
            vec![PathBuf::from("./a"), PathBuf::from("./b")]
        );
        let text = "[alembic]\nscript_location = migrations\nversion_path_separator = newline\nversion_locations =\n    one\n    two\n";
        assert_eq!(
            locations(text, Path::new(".")),
            vec![PathBuf::from("one"), PathBuf::from("two")]
        );
    }

    #[test]
    fn package_resources_cannot_be_resolved() {
        assert!(
            locations(
                "[alembic]\nscript_location = myapp:migrations\n",
                Path::new(".")
            )
            .is_empty()
        );
        assert!(locations("[other]\nscript_location = m\n", Path::new(".")).is_empty());
    }
}
