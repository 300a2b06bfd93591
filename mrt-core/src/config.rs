//! Configuration: `[tool.mrt]` in `pyproject.toml`, or `mrt.toml` / `.mrt.toml`, found by walking up
//! from a checked path.
//!
//! Every key is checked: an unknown key, a value of the wrong type, or a skipped revision without a
//! reason is an error naming the file and the key. Rule codes are checked by the caller, which knows
//! the registry.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::Error;

/// The options of `[tool.mrt]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Rules to run (codes, aliases, names, prefixes, `ALL`); replaces the default set.
    pub select: Option<Vec<String>>,
    /// Rules to run on top of the selection.
    pub extend_select: Option<Vec<String>>,
    /// Rules not to run.
    pub ignore: Option<Vec<String>>,
    /// Warnings fail the check too.
    pub strict: Option<bool>,
    /// The target database (`postgresql`, `mysql`, `sqlite`, `generic`).
    pub dialect: Option<String>,
    /// The target PostgreSQL major version.
    pub postgres_version: Option<u32>,
    /// Glob pattern (relative to the configuration's directory) -> codes not reported in matching files.
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    /// Glob patterns of files and directories never checked.
    pub exclude: Option<Vec<String>>,
    /// Revision id -> the reason its findings are accepted (what, why, how to recover, who
    /// reviewed, when). A reason is required.
    pub skip: Option<BTreeMap<String, String>>,
    /// `[tool.mrt.verify]`: how `mrt verify` runs the migrations on a database.
    pub verify: Option<VerifyOptions>,
    /// Where `mrt check` keeps lowered migrations between runs (relative to the configuration's
    /// directory); `.mrt_cache` beside the configuration by default.
    pub cache_dir: Option<String>,
}

/// The options of `[tool.mrt.verify]`; command-line options win.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VerifyOptions {
    /// The scratch database (never a database holding data that matters).
    pub database_url: Option<String>,
    /// The project's Python interpreter.
    pub python: Option<String>,
    /// Seconds one migration step may take.
    pub timeout: Option<u64>,
    /// The seed the values of seeded rows derive from.
    pub seed: Option<u64>,
    /// Django's settings module.
    pub django_settings: Option<String>,
    /// Django apps to walk (default: all).
    pub apps: Option<Vec<String>>,
}

/// A configuration file and its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file.
    pub path: PathBuf,
    /// The options.
    pub options: Options,
}

#[derive(serde::Deserialize)]
struct PyProject {
    tool: Option<Tools>,
}

#[derive(serde::Deserialize)]
struct Tools {
    mrt: Option<Options>,
}

/// File names looked for in each directory, in order of precedence.
const CONFIG_FILES: &[&str] = &[".mrt.toml", "mrt.toml", "pyproject.toml"];

impl Config {
    /// The directory the configuration's relative patterns are relative to.
    pub fn root(&self) -> &Path {
        self.path.parent().unwrap_or_else(|| Path::new("."))
    }

    /// Reads a configuration file: `pyproject.toml` must have a `[tool.mrt]` table (`None` if it has
    /// none); `mrt.toml` / `.mrt.toml` hold the options at the top level or under `[tool.mrt]`.
    pub fn load(path: &Path) -> Result<Option<Self>, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let invalid = |message: String| Error::Config {
            path: path.to_path_buf(),
            message,
        };
        let describe = |error: &toml::de::Error| describe_error(error, &text);
        let is_pyproject = path
            .file_name()
            .is_some_and(|name| name == "pyproject.toml");
        let has_tool_table = is_pyproject
            || toml::from_str::<toml::Table>(&text)
                .map_err(|error| invalid(describe(&error)))?
                .get("tool")
                .and_then(|tool| tool.get("mrt"))
                .is_some();
        let options = if has_tool_table {
            let project: PyProject =
                toml::from_str(&text).map_err(|error| invalid(describe(&error)))?;
            match project.tool.and_then(|tools| tools.mrt) {
                Some(options) => options,
                None => return Ok(None),
            }
        } else {
            toml::from_str::<Options>(&text).map_err(|error| invalid(describe(&error)))?
        };
        if let Some(skip) = &options.skip {
            for (revision, reason) in skip {
                if reason.trim().is_empty() {
                    return Err(invalid(format!(
                        "`skip.{revision}` has no reason: say what is accepted, why, how to recover, who reviewed it and when"
                    )));
                }
            }
        }
        if let Some(dialect) = &options.dialect
            && crate::Dialect::parse(dialect).is_none()
        {
            return Err(invalid(format!(
                "`dialect = \"{dialect}\"` is not one of postgresql, mysql, sqlite, generic"
            )));
        }
        for pattern in options
            .exclude
            .iter()
            .flatten()
            .chain(options.per_file_ignores.iter().flat_map(BTreeMap::keys))
        {
            if pattern.is_empty() {
                return Err(invalid("an empty glob pattern matches nothing".to_owned()));
            }
        }
        Ok(Some(Self {
            path: path.to_path_buf(),
            options,
        }))
    }

    /// The nearest configuration at or above `start` (a file or a directory).
    pub fn discover(start: &Path) -> Result<Option<Self>, Error> {
        let absolute = if start.is_absolute() {
            start.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|source| Error::Io {
                    path: start.to_path_buf(),
                    source,
                })?
                .join(start)
        };
        let first = if absolute.is_dir() {
            Some(absolute.as_path())
        } else {
            absolute.parent()
        };
        for dir in first.into_iter().flat_map(Path::ancestors) {
            for name in CONFIG_FILES {
                let candidate = dir.join(name);
                if candidate.is_file()
                    && let Some(config) = Self::load(&candidate)?
                {
                    return Ok(Some(config));
                }
            }
        }
        Ok(None)
    }

    /// Whether `path` is excluded (a pattern matches it or one of its parent directories).
    pub fn excludes(&self, path: &Path) -> bool {
        self.options
            .exclude
            .iter()
            .flatten()
            .any(|pattern| self.matches(pattern, path, true))
    }

    /// The codes `per-file-ignores` turns off for `path`.
    pub fn ignored_codes(&self, path: &Path) -> Vec<&str> {
        self.options
            .per_file_ignores
            .iter()
            .flatten()
            .filter(|(pattern, _)| self.matches(pattern, path, false))
            .flat_map(|(_, codes)| codes.iter().map(String::as_str))
            .collect()
    }

    /// Matches a pattern against `path` relative to the configuration's directory; a pattern with
    /// no `/` also matches a file (or, with `dirs`, a directory) name anywhere.
    fn matches(&self, pattern: &str, path: &Path, dirs: bool) -> bool {
        let relative = relative_to(path, self.root());
        let relative = relative.to_string_lossy().replace('\\', "/");
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        if glob_match(pattern, &relative) {
            return true;
        }
        let mut parts: Vec<&str> = relative.split('/').collect();
        if !pattern.contains('/') {
            if !dirs {
                return parts.last().is_some_and(|name| glob_match(pattern, name));
            }
            return parts.iter().any(|part| glob_match(pattern, part));
        }
        // A directory pattern excludes everything below it.
        while dirs && parts.len() > 1 {
            parts.pop();
            if glob_match(pattern, &parts.join("/")) {
                return true;
            }
        }
        false
    }
}

/// `path` relative to `root` when both can be made absolute and one is inside the other.
fn relative_to(path: &Path, root: &Path) -> PathBuf {
    let absolute = |p: &Path| {
        if p.is_absolute() {
            Some(p.to_path_buf())
        } else {
            std::env::current_dir().ok().map(|cwd| cwd.join(p))
        }
    };
    match (absolute(path), absolute(root)) {
        (Some(path), Some(root)) => path
            .strip_prefix(&root)
            .map_or_else(|_| path.clone(), Path::to_path_buf),
        _ => path.to_path_buf(),
    }
}

/// One line: where (line number and the line's text, which names the key) and what.
fn describe_error(error: &toml::de::Error, text: &str) -> String {
    let message = error.message().trim();
    let Some(span) = error.span() else {
        return message.to_owned();
    };
    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
    let line_text = text.lines().nth(line - 1).unwrap_or_default().trim();
    format!("line {line}: {message} (in `{line_text}`)")
}

/// Glob matching: `*` matches within a path segment, `**` across segments, `?` one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // Dynamic programming over (pattern position, text position); no recursion.
    let mut reachable = vec![vec![false; text.len() + 1]; pattern.len() + 1];
    reachable[0][0] = true;
    let mut p = 0;
    while p < pattern.len() {
        let double = pattern[p] == '*' && pattern.get(p + 1) == Some(&'*');
        let width = if double { 2 } else { 1 };
        // `**/` also matches nothing at all.
        let skip_slash = double && pattern.get(p + 2) == Some(&'/');
        for t in 0..=text.len() {
            if !reachable[p][t] {
                continue;
            }
            match pattern[p] {
                '*' => {
                    let mut end = t;
                    reachable[p + width][end] = true;
                    if skip_slash {
                        reachable[p + 3][end] = true;
                    }
                    while end < text.len() && (double || text[end] != '/') {
                        end += 1;
                        reachable[p + width][end] = true;
                    }
                }
                '?' if t < text.len() && text[t] != '/' => reachable[p + 1][t + 1] = true,
                c if t < text.len() && text[t] == c => reachable[p + 1][t + 1] = true,
                _ => {}
            }
        }
        p += width;
    }
    reachable[pattern.len()][text.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*.py", "a.py"));
        assert!(!glob_match("*.py", "dir/a.py"));
        assert!(glob_match("**/*.py", "dir/sub/a.py"));
        assert!(glob_match("**/*.py", "a.py"));
        assert!(glob_match("versions/**", "versions/x/y.py"));
        assert!(glob_match(
            "v?rsions/*_legacy.py",
            "versions/0001_legacy.py"
        ));
        assert!(!glob_match("versions/*.py", "versions/x/y.py"));
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write config");
        path
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mrt-config-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn pyproject_without_table_is_not_a_config() {
        let dir = scratch("nopy");
        let path = write(&dir, "pyproject.toml", "[project]\nname = 'x'\n");
        assert_eq!(Config::load(&path).expect("valid toml"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn errors_name_the_key() {
        let dir = scratch("errors");
        let path = write(&dir, "mrt.toml", "selekt = ['MRT201']\n");
        let error = Config::load(&path).expect_err("unknown key").to_string();
        assert!(
            error.contains("mrt.toml") && error.contains("selekt"),
            "{error}"
        );

        let path = write(&dir, "pyproject.toml", "[tool.mrt.skip]\nabc123 = ''\n");
        let error = Config::load(&path).expect_err("no reason").to_string();
        assert!(error.contains("skip.abc123"), "{error}");

        let path = write(&dir, "pyproject.toml", "[tool.mrt]\nstrict = 'yes'\n");
        let error = Config::load(&path).expect_err("wrong type").to_string();
        assert!(error.contains("strict"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn per_file_ignores_and_exclude() {
        let dir = scratch("patterns");
        let path = write(
            &dir,
            "mrt.toml",
            "exclude = ['legacy']\n[per-file-ignores]\n'versions/0001_*.py' = ['MRT201']\n'*_merge.py' = ['MRT102']\n",
        );
        let config = Config::load(&path).expect("valid").expect("a config");
        assert_eq!(
            config.ignored_codes(&dir.join("versions/0001_init.py")),
            vec!["MRT201"]
        );
        assert_eq!(
            config.ignored_codes(&dir.join("versions/0009_merge.py")),
            vec!["MRT102"]
        );
        assert!(
            config
                .ignored_codes(&dir.join("versions/0002_x.py"))
                .is_empty()
        );
        assert!(config.excludes(&dir.join("legacy/versions/a.py")));
        assert!(!config.excludes(&dir.join("versions/a.py")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
