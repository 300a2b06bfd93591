//! Extraction: a source file in, a [`Migration`] out (or nothing, for a file that is not one).
//!
//! Each file is parsed once, with the error-tolerant parser: a file with syntax errors still yields a
//! migration (with what could be read) and its errors, which MRT902 reports.

mod alembic;
mod depth;
mod django;
pub(crate) mod django_state;
pub(crate) mod frontend;

pub(crate) use django::app_config_label;
mod python;
mod sql;
mod sql_dir;

use std::sync::Arc;

use ruff_python_ast::PySourceType;
use ruff_python_ast::token::TokenKind;
use ruff_python_ast::{ModModule, Stmt};
use ruff_python_parser::{Parsed, parse_unchecked_source};
use ruff_text_size::Ranged;

use crate::ir::{Framework, FrameworkMeta, Migration, SyntaxError};
use crate::noqa::{DirectiveScope, LineDirective, Suppressions, parse_comment};
use crate::source::SourceFile;

/// Parses a Python file and lowers it to a [`Migration`] if it is one.
pub fn extract(source: Arc<SourceFile>) -> Option<Migration> {
    extract_in_app(source, None)
}

/// The Python frontend: Alembic revision files and Django migration modules. A file is parsed
/// once; what it defines says which of the two it is.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PythonFrontend;

impl frontend::Frontend for PythonFrontend {
    fn detects(&self, path: &std::path::Path) -> bool {
        path.extension().is_some_and(|ext| ext == "py")
    }

    fn lower(&self, source: Arc<SourceFile>, cx: &frontend::LowerContext<'_>) -> Option<Migration> {
        extract_in_app(source, cx.app_label)
    }

    /// Django migrations are read against the model state their app's earlier migrations
    /// build: only that names their tables and says what an `AlterField` changes.
    fn link(&self, migrations: &mut [Migration]) {
        django_state::read_against_model_state(migrations);
    }

    fn graph_nodes(&self, migrations: &[Migration]) -> Vec<(usize, mrt_graph::RevisionNode)> {
        crate::project::python_graph_nodes(migrations)
    }
}

/// Like [`extract`], with the app label of a Django migration given (read from the app's
/// `apps.py` by the caller) instead of taken from its directory.
pub(crate) fn extract_in_app(
    source: Arc<SourceFile>,
    app_label: Option<&str>,
) -> Option<Migration> {
    let parsed = parse_unchecked_source(&source.text, PySourceType::Python);
    let tokens = parsed.tokens().len();
    let Some((shallow, error)) = depth::too_deep(parsed.suite(), tokens) else {
        return lower_parsed(&parsed, parsed.suite(), None, source, app_label);
    };
    // Only the shallow top-level statements are lowered (the revision ids are usually among
    // them); the tree is dropped on a stack sized for it.
    let suite: Vec<Stmt> = shallow
        .into_iter()
        .filter_map(|index| parsed.suite().get(index).cloned())
        .collect();
    let migration = lower_parsed(&parsed, &suite, Some(error), source, app_label);
    drop(suite);
    depth::drop_deep(parsed, tokens);
    migration
}

/// Lowers a parsed file's statements `suite` (all of them, or the shallow ones), with `too_deep`
/// added to the parser's errors.
fn lower_parsed(
    parsed: &Parsed<ModModule>,
    suite: &[Stmt],
    too_deep: Option<SyntaxError>,
    source: Arc<SourceFile>,
    app_label: Option<&str>,
) -> Option<Migration> {
    let syntax_errors: Vec<SyntaxError> = parsed
        .errors()
        .iter()
        .map(|error| SyntaxError {
            message: error.error.to_string(),
            range: error.location,
        })
        .chain(too_deep)
        .collect();

    let is_alembic = alembic::is_revision_module(suite)
        || (!syntax_errors.is_empty()
            && (looks_like_alembic(parsed, &source.text) || in_versions_directory(&source.path)));
    if !is_alembic {
        let class = django::migration_class(suite);
        if class.is_none() && (syntax_errors.is_empty() || !looks_like_django(parsed, &source.text))
        {
            return None;
        }
        let lowered = django::lower(suite, class, &source.text, &source.path, app_label);
        let suppressions = suppressions(parsed, &source);
        return Some(Migration {
            framework: Framework::Django,
            revision: Some(lowered.revision),
            parents: lowered.parents,
            parents_range: lowered.parents_range,
            branch_labels: Vec::new(),
            depends_on: Vec::new(),
            upgrade: Some(lowered.upgrade),
            downgrade: None,
            syntax_errors,
            suppressions,
            meta: FrameworkMeta::Django(Box::new(lowered.meta)),
            source,
        });
    }
    let lowered = alembic::lower(suite, &source.text);
    let suppressions = suppressions(parsed, &source);
    Some(Migration {
        framework: Framework::Alembic,
        revision: lowered.revision,
        parents: lowered.parents,
        parents_range: lowered.parents_range,
        branch_labels: lowered.branch_labels,
        depends_on: lowered.depends_on,
        upgrade: lowered.upgrade,
        downgrade: lowered.downgrade,
        syntax_errors,
        suppressions,
        meta: FrameworkMeta::Alembic,
        source,
    })
}

/// For a file that does not parse: whether its tokens name what a revision file defines
/// (`revision` and `upgrade`, or `down_revision`). Reading tokens, not text, keeps words in comments
/// and strings out of it.
fn looks_like_alembic(parsed: &Parsed<ModModule>, text: &str) -> bool {
    let (mut revision, mut upgrade) = (false, false);
    for token in parsed.tokens() {
        if token.kind() != TokenKind::Name {
            continue;
        }
        match &text[token.range()] {
            "down_revision" => return true,
            "revision" => revision = true,
            "upgrade" => upgrade = true,
            _ => {}
        }
    }
    revision && upgrade
}

/// Whether a file lies directly in a directory named `versions`: Alembic imports every `.py` file
/// there, so one that does not parse stops the whole directory from loading, whatever it holds.
fn in_versions_directory(path: &std::path::Path) -> bool {
    path.parent()
        .and_then(std::path::Path::file_name)
        .is_some_and(|directory| directory == "versions")
}

/// For a file that does not parse: whether its tokens name what a Django migration module holds
/// (`Migration` and `migrations`).
fn looks_like_django(parsed: &Parsed<ModModule>, text: &str) -> bool {
    let (mut migration, mut migrations) = (false, false);
    for token in parsed.tokens() {
        if token.kind() != TokenKind::Name {
            continue;
        }
        match &text[token.range()] {
            "Migration" => migration = true,
            "migrations" => migrations = true,
            _ => {}
        }
    }
    migration && migrations
}

/// The suppression comments of a file, read from its comment tokens.
fn suppressions(parsed: &Parsed<ModModule>, source: &SourceFile) -> Suppressions {
    let mut found = Suppressions::default();
    for token in parsed.tokens() {
        if token.kind() != TokenKind::Comment {
            continue;
        }
        let range = token.range();
        let comment = &source.text[range];
        for (scope, codes, directive_range) in parse_comment(comment, range.start().to_u32()) {
            let directive = LineDirective {
                line: source.line_of(range.start()),
                codes,
                range: directive_range,
            };
            match scope {
                DirectiveScope::Line => found.lines.push(directive),
                DirectiveScope::File => found.file.push(directive),
            }
        }
    }
    found
}
