//! The server's state and its answers to each message.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeParams, MarkupContent, MarkupKind, NumberOrString, PublishDiagnosticsParams,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Url, WorkspaceEdit,
};
use mrt_core::config::Config;
use mrt_core::{
    Diagnostic, Linter, LoweringCache, Project, Severity, SourceFile, TextRange, TextSize,
};
use mrt_fix::Applicability;

use crate::Policy;
use crate::position::LineIndex;
use crate::transport::log;

/// The configuration files whose change reloads the configuration.
const CONFIG_FILES: &[&str] = &["pyproject.toml", "mrt.toml", ".mrt.toml"];

/// The code-action kind of "fix everything `mrt fix` would in this file".
const FIX_ALL_MRT: &str = "source.fixAll.mrt";

/// A policy with no embedder's opinion: the default rule selection, every finding reported, and
/// no configuration file read for the selection. For benches and embedders without a command
/// line; `mrt server` uses `mrt check`'s.
#[derive(Debug, Clone, Copy, Default)]
pub struct StandardPolicy;

impl Policy for StandardPolicy {
    fn linter(&self, _config: Option<&Config>) -> Result<Linter, String> {
        let rules = mrt_rules::registry()
            .select(&[], &[], &[])
            .map_err(|error| error.to_string())?;
        Ok(Linter::new(rules, mrt_core::Settings::default()))
    }

    fn report(&self, found: Vec<Diagnostic>, _: Option<&Config>, _: &Project) -> Vec<Diagnostic> {
        found
    }
}

/// An open buffer.
#[derive(Debug)]
struct Document {
    uri: Url,
    version: i32,
    text: String,
}

/// A file on disk as last read, kept while its modification time and size stay the same.
#[derive(Debug)]
struct DiskFile {
    modified: Option<SystemTime>,
    len: u64,
    text: String,
}

/// The last analysis of a directory: the project of its files (open buffers in scope), the
/// linter, and what was reported.
#[derive(Debug)]
struct Analysis {
    project: Project,
    linter: Linter,
    config: Option<Config>,
    diagnostics: Vec<Diagnostic>,
}

/// The language server's state: open buffers, files read from disk, configurations and lowered
/// migrations by directory. [`Session::handle`] answers one client message.
#[derive(Debug)]
pub struct Session<P> {
    policy: P,
    documents: HashMap<PathBuf, Document>,
    disk: HashMap<PathBuf, DiskFile>,
    configs: HashMap<PathBuf, Result<Option<Config>, String>>,
    lowered: HashMap<PathBuf, LoweringCache>,
    analyses: HashMap<PathBuf, Analysis>,
    /// What was last published per buffer, to publish only what changed.
    published: HashMap<PathBuf, Vec<lsp_types::Diagnostic>>,
    shutdown: bool,
    next_request: i32,
    /// The configuration error last shown, so that a keystroke does not show it again.
    shown_error: Option<String>,
}

impl<P: Policy> Session<P> {
    /// A session before `initialize`.
    pub fn new(policy: P) -> Self {
        Self {
            policy,
            documents: HashMap::new(),
            disk: HashMap::new(),
            configs: HashMap::new(),
            lowered: HashMap::new(),
            analyses: HashMap::new(),
            published: HashMap::new(),
            shutdown: false,
            next_request: 0,
            shown_error: None,
        }
    }

    /// After `initialize`: asks the client to report changes of configuration and migration files
    /// when it can watch files for the server.
    fn after_initialize(&mut self, params: &InitializeParams) -> Vec<Message> {
        let can_watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.did_change_watched_files)
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false);
        if !can_watch {
            return Vec::new();
        }
        let watchers: Vec<lsp_types::FileSystemWatcher> = [
            "**/{pyproject.toml,mrt.toml,.mrt.toml}",
            "**/*.py",
            "**/*.sql",
        ]
        .into_iter()
        .map(|glob| lsp_types::FileSystemWatcher {
            glob_pattern: lsp_types::GlobPattern::String(glob.to_owned()),
            kind: None,
        })
        .collect();
        let options = lsp_types::DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = lsp_types::Registration {
            id: "mrt-watched-files".to_owned(),
            method: lsp_types::notification::DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        self.next_request += 1;
        vec![Message::Request(Request::new(
            RequestId::from(format!("mrt-{}", self.next_request)),
            lsp_types::request::RegisterCapability::METHOD.to_owned(),
            lsp_types::RegistrationParams {
                registrations: vec![registration],
            },
        ))]
    }

    /// Whether the client asked to shut down (then only `exit` is expected).
    pub fn is_shut_down(&self) -> bool {
        self.shutdown
    }

    /// Answers one message from the client (after initialization): responses and
    /// notifications to send back.
    pub fn handle(&mut self, message: Message) -> Vec<Message> {
        match message {
            Message::Request(request) => self.request(request),
            Message::Notification(notification) => self.notification(notification),
            // Answers to our own requests (the watcher registration) need nothing.
            Message::Response(_) => Vec::new(),
        }
    }

    fn request(&mut self, request: Request) -> Vec<Message> {
        use lsp_types::request::{CodeActionRequest, HoverRequest, Shutdown};
        let id = request.id.clone();
        let result = match request.method.as_str() {
            Shutdown::METHOD => {
                self.shutdown = true;
                Ok(serde_json::Value::Null)
            }
            _ if self.shutdown => Err((
                lsp_server::ErrorCode::InvalidRequest,
                "the server is shutting down".to_owned(),
            )),
            CodeActionRequest::METHOD => {
                params(request).map(|params| to_json(&self.code_actions(&params)))
            }
            HoverRequest::METHOD => params(request).map(|params| to_json(&self.hover(&params))),
            other => Err((
                lsp_server::ErrorCode::MethodNotFound,
                format!("unknown request `{other}`"),
            )),
        };
        let response = match result {
            Ok(value) => Response {
                id,
                response_result: Ok(value),
            },
            Err((code, message)) => {
                log(&message);
                Response::new_err(id, code as i32, message)
            }
        };
        vec![Message::Response(response)]
    }

    fn notification(&mut self, notification: Notification) -> Vec<Message> {
        use lsp_types::notification::{
            DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument,
            DidOpenTextDocument, DidSaveTextDocument,
        };
        let method = notification.method.clone();
        let outcome = match method.as_str() {
            DidOpenTextDocument::METHOD => {
                params(notification).map(|p: DidOpenTextDocumentParams| self.did_open(p))
            }
            DidChangeTextDocument::METHOD => {
                params(notification).map(|p: DidChangeTextDocumentParams| self.did_change(p))
            }
            DidCloseTextDocument::METHOD => {
                params(notification).map(|p: DidCloseTextDocumentParams| self.did_close(&p))
            }
            DidSaveTextDocument::METHOD => {
                params(notification).map(|p: DidSaveTextDocumentParams| self.did_save(&p))
            }
            DidChangeWatchedFiles::METHOD => {
                params(notification).map(|p: DidChangeWatchedFilesParams| self.files_changed(&p))
            }
            // `initialized`, `$/cancelRequest`, `$/setTrace`, ...: nothing to do.
            _ => Ok(Vec::new()),
        };
        outcome.unwrap_or_else(|(_, message)| {
            log(&message);
            Vec::new()
        })
    }

    fn did_open(&mut self, params: DidOpenTextDocumentParams) -> Vec<Message> {
        let document = params.text_document;
        let Some(path) = file_path(&document.uri) else {
            return Vec::new();
        };
        self.documents.insert(
            path.clone(),
            Document {
                uri: document.uri,
                version: document.version,
                text: document.text,
            },
        );
        self.refresh([dir_of(&path)])
    }

    fn did_change(&mut self, params: DidChangeTextDocumentParams) -> Vec<Message> {
        let Some(path) = file_path(&params.text_document.uri) else {
            return Vec::new();
        };
        let Some(document) = self.documents.get_mut(&path) else {
            log(&format!("a change to {} that is not open", path.display()));
            return Vec::new();
        };
        // Full synchronisation: the last change holds the whole text.
        let Some(change) = params.content_changes.into_iter().last() else {
            return Vec::new();
        };
        document.text = change.text;
        document.version = params.text_document.version;
        self.refresh([dir_of(&path)])
    }

    fn did_close(&mut self, params: &DidCloseTextDocumentParams) -> Vec<Message> {
        let Some(path) = file_path(&params.text_document.uri) else {
            return Vec::new();
        };
        let Some(document) = self.documents.remove(&path) else {
            return Vec::new();
        };
        self.published.remove(&path);
        // The closed buffer's findings go; what is on disk now counts for the others.
        let mut out = vec![publish(document.uri, Vec::new(), None)];
        out.extend(self.refresh([dir_of(&path)]));
        out
    }

    fn did_save(&mut self, params: &DidSaveTextDocumentParams) -> Vec<Message> {
        let Some(path) = file_path(&params.text_document.uri) else {
            return Vec::new();
        };
        self.changed_on_disk(&[path])
    }

    fn files_changed(&mut self, params: &DidChangeWatchedFilesParams) -> Vec<Message> {
        let paths: Vec<PathBuf> = params
            .changes
            .iter()
            .filter_map(|change| file_path(&change.uri))
            .collect();
        self.changed_on_disk(&paths)
    }

    /// Files changed on disk: a configuration file reloads every configuration; a migration file
    /// re-checks its directory.
    fn changed_on_disk(&mut self, paths: &[PathBuf]) -> Vec<Message> {
        let config_changed = paths.iter().any(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| CONFIG_FILES.contains(&name))
        });
        let dirs: BTreeSet<PathBuf> = if config_changed {
            self.configs.clear();
            self.open_dirs()
        } else {
            paths
                .iter()
                .map(|path| dir_of(path))
                .filter(|dir| self.open_dirs().contains(dir))
                .collect()
        };
        self.refresh(dirs)
    }

    fn open_dirs(&self) -> BTreeSet<PathBuf> {
        self.documents.keys().map(|path| dir_of(path)).collect()
    }

    /// Re-checks directories and publishes what changed for their open buffers.
    fn refresh(&mut self, dirs: impl IntoIterator<Item = PathBuf>) -> Vec<Message> {
        let mut out = Vec::new();
        for dir in dirs {
            out.extend(self.analyse(&dir));
            let open: Vec<PathBuf> = self
                .documents
                .keys()
                .filter(|path| dir_of(path) == dir)
                .cloned()
                .collect();
            for path in open {
                let diagnostics = self.lsp_diagnostics(&dir, &path);
                if self.published.get(&path) == Some(&diagnostics) {
                    continue;
                }
                self.published.insert(path.clone(), diagnostics.clone());
                if let Some(document) = self.documents.get(&path) {
                    out.push(publish(
                        document.uri.clone(),
                        diagnostics,
                        Some(document.version),
                    ));
                }
            }
        }
        out
    }

    /// The configuration governing a directory, read once until a configuration file changes.
    fn config(&mut self, dir: &Path) -> Result<Option<Config>, String> {
        self.configs
            .entry(dir.to_path_buf())
            .or_insert_with(|| Config::discover(dir).map_err(|error| error.to_string()))
            .clone()
    }

    /// Lints a directory: its migration files as on disk, open buffers instead of their files
    /// (and in scope: only their findings are reported). A configuration error is shown to the
    /// user and leaves the directory without findings.
    fn analyse(&mut self, dir: &Path) -> Vec<Message> {
        let (config, linter) = match self.config(dir).and_then(|config| {
            // Findings carry their fixes: the quick fixes and "fix all" apply them.
            let linter = self.policy.linter(config.as_ref())?;
            Ok((linter.with_fixer(mrt_fix::fixer()), config))
        }) {
            Ok((linter, config)) => (config, linter),
            Err(error) => {
                self.analyses.remove(dir);
                if self.shown_error.as_ref() == Some(&error) {
                    return Vec::new();
                }
                log(&error);
                let shown = show_error(&error);
                self.shown_error = Some(error);
                return vec![shown];
            }
        };
        self.shown_error = None;
        let excluded = |path: &Path| config.as_ref().is_some_and(|c| c.excludes(path));
        let mut sources = self.disk_sources(dir, &excluded);
        for (path, document) in &self.documents {
            if dir_of(path) != dir || excluded(path) {
                continue;
            }
            let source = SourceFile::new(path.clone(), document.text.clone());
            match sources.iter_mut().find(|(source, _)| source.path == *path) {
                Some(slot) => *slot = (source, true),
                None => sources.push((source, true)),
            }
        }
        let cache = self.lowered.entry(dir.to_path_buf()).or_default();
        let project = Project::from_sources_cached(sources, cache);
        let found = linter.check(&project);
        let diagnostics = self.policy.report(found, config.as_ref(), &project);
        self.analyses.insert(
            dir.to_path_buf(),
            Analysis {
                project,
                linter,
                config,
                diagnostics,
            },
        );
        Vec::new()
    }

    /// The migration files of a directory as on disk (read again only when their modification
    /// time or size changed), all as context.
    fn disk_sources(
        &mut self,
        dir: &Path,
        excluded: &dyn Fn(&Path) -> bool,
    ) -> Vec<(SourceFile, bool)> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut sources = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if !mrt_core::project::is_migration_file(&path) || excluded(&path) {
                continue;
            }
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if !metadata.is_file() {
                continue;
            }
            let modified = metadata.modified().ok();
            let fresh = self
                .disk
                .get(&path)
                .is_some_and(|file| file.modified == modified && file.len == metadata.len());
            if !fresh {
                // A file that cannot be read (or is not UTF-8) is left out, as `mrt check`
                // reports it and goes on; the editor has nothing to show for it.
                let Ok(text) = std::fs::read_to_string(&path) else {
                    self.disk.remove(&path);
                    continue;
                };
                self.disk.insert(
                    path.clone(),
                    DiskFile {
                        modified,
                        len: metadata.len(),
                        text,
                    },
                );
            }
            if let Some(file) = self.disk.get(&path) {
                sources.push((SourceFile::new(path, file.text.clone()), false));
            }
        }
        sources
    }

    /// The findings of an open buffer, as LSP diagnostics.
    fn lsp_diagnostics(&self, dir: &Path, path: &Path) -> Vec<lsp_types::Diagnostic> {
        let Some(analysis) = self.analyses.get(dir) else {
            return Vec::new();
        };
        let Some(document) = self.documents.get(path) else {
            return Vec::new();
        };
        let index = LineIndex::new(&document.text);
        analysis
            .diagnostics
            .iter()
            .filter(|d| d.path() == path)
            .map(|d| to_lsp(d, &index, &document.text))
            .collect()
    }

    fn code_actions(&mut self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let Some(path) = file_path(&params.text_document.uri) else {
            return Vec::new();
        };
        let dir = dir_of(&path);
        let (Some(analysis), Some(document)) = (self.analyses.get(&dir), self.documents.get(&path))
        else {
            return Vec::new();
        };
        let wants = |kind: &CodeActionKind| {
            params.context.only.as_ref().is_none_or(|only| {
                only.iter()
                    .any(|asked| kind.as_str().starts_with(asked.as_str()))
            })
        };
        let index = LineIndex::new(&document.text);
        let start = index.offset(&document.text, params.range.start);
        let end = index.offset(&document.text, params.range.end);
        let asked = TextRange::new(start, end.max(start));
        let mut actions = Vec::new();
        let here: Vec<&Diagnostic> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.path() == path)
            .filter(|d| d.range.intersect(asked).is_some() || d.range.contains(start))
            .collect();
        if wants(&CodeActionKind::QUICKFIX) && !here.is_empty() {
            for diagnostic in &here {
                let lsp_diagnostic = to_lsp(diagnostic, &index, &document.text);
                // An editor applies what `mrt fix` would, safe or unsafe; a display-only fix
                // has nothing to apply.
                let fix = diagnostic
                    .fix
                    .as_ref()
                    .filter(|fix| fix.applicability != Applicability::DisplayOnly);
                if let Some(fix) = fix {
                    let edits = fix
                        .edits
                        .iter()
                        .map(|edit| TextEdit {
                            range: index.range(&document.text, edit.range),
                            new_text: edit.replacement.clone(),
                        })
                        .collect();
                    let title = match fix.applicability {
                        Applicability::Unsafe => {
                            format!("{} (unsafe: review the TODOs)", fix.title)
                        }
                        _ => fix.title.clone(),
                    };
                    actions.push(action(
                        title,
                        CodeActionKind::QUICKFIX,
                        &document.uri,
                        edits,
                        Some(lsp_diagnostic.clone()),
                        fix.applicability == Applicability::Safe,
                    ));
                }
                let suppressions = analysis
                    .project
                    .migrations
                    .iter()
                    .find(|m| m.path() == path)
                    .map(|m| &m.suppressions);
                if let Some(edit) =
                    suppressions.and_then(|s| noqa_edit(diagnostic, s, &index, &document.text))
                {
                    actions.push(action(
                        format!(
                            "Suppress {} with `# noqa: {}`",
                            diagnostic.code(),
                            diagnostic.code()
                        ),
                        CodeActionKind::QUICKFIX,
                        &document.uri,
                        vec![edit],
                        Some(lsp_diagnostic),
                        false,
                    ));
                }
            }
        }
        let fix_all = CodeActionKind::from(FIX_ALL_MRT);
        if wants(&fix_all) || wants(&CodeActionKind::SOURCE_FIX_ALL) {
            let uri = document.uri.clone();
            let text = document.text.clone();
            if let Some(fixed) = self.fix_all(&dir, &path) {
                let whole = index.range(&text, TextRange::up_to(size(text.len())));
                actions.push(action(
                    "Fix all `mrt fix` can fix in this file".to_owned(),
                    fix_all,
                    &uri,
                    vec![TextEdit {
                        range: whole,
                        new_text: fixed,
                    }],
                    None,
                    false,
                ));
            }
        }
        actions
    }

    /// The text of a buffer after `mrt fix` (safe fixes, until settled), if that changes it.
    fn fix_all(&mut self, dir: &Path, path: &Path) -> Option<String> {
        let analysis = self.analyses.get(dir)?;
        let linter = analysis.linter.clone();
        let config = analysis.config.clone();
        // The directory again, with only this buffer in scope: `fix_until_settled` changes the
        // files in scope.
        let sources: Vec<(SourceFile, bool)> = analysis
            .project
            .migrations
            .iter()
            .map(|m| {
                let source = SourceFile::new(m.path().to_path_buf(), m.source.text.clone());
                (source, m.path() == path)
            })
            .collect();
        let cache = self.lowered.entry(dir.to_path_buf()).or_default();
        let project = Project::from_sources_cached(sources, cache);
        let policy = &self.policy;
        let settled = mrt_fix::fix_until_settled(project, Applicability::Safe, |project| {
            policy.report(linter.check(project), config.as_ref(), project)
        });
        settled.changed.get(path).map(|(_, fixed)| fixed.clone())
    }

    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let at = &params.text_document_position_params;
        let path = file_path(&at.text_document.uri)?;
        let document = self.documents.get(&path)?;
        let index = LineIndex::new(&document.text);
        let offset = index.offset(&document.text, at.position).to_usize();
        let (range, word) = word_at(&document.text, offset)?;
        // Only what reads as a rule code: a rule's name (`drop-column`) could be any word of
        // the file.
        let code_like =
            word.len() > 3 && word.is_char_boundary(3) && word[..3].eq_ignore_ascii_case("MRT");
        if !code_like {
            return None;
        }
        let rule = mrt_rules::registry().find(word)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: mrt_rules::docs::rule_page(rule.meta()),
            }),
            range: Some(index.range(&document.text, range)),
        })
    }
}

/// The capabilities answered to `initialize`.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::SOURCE_FIX_ALL,
                CodeActionKind::from(FIX_ALL_MRT),
            ]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// An edit that suppresses a finding with a `# noqa: CODE` comment (`-- noqa: CODE` in SQL):
/// the code added to a directive already on the line, else a new comment at the end of the
/// line. The edited text is lowered again to check that the comment is read as a directive
/// that covers the finding (a line ending inside a string would not hold one); if neither the
/// finding's first nor its last line can hold it, there is no edit.
fn noqa_edit(
    diagnostic: &Diagnostic,
    suppressions: &mrt_core::noqa::Suppressions,
    index: &LineIndex,
    text: &str,
) -> Option<TextEdit> {
    let code = diagnostic.code();
    let sql = diagnostic
        .path()
        .extension()
        .is_some_and(|ext| ext == "sql");
    let source = &diagnostic.source;
    let (first, last) = source.line_span(diagnostic.range);
    // Where the codes of a directive already on the line end (a bare `# noqa` covers the
    // finding already: the finding would not be reported).
    let listed_end = |line: usize| {
        let directive = suppressions.lines.iter().find(|d| d.line == line)?;
        match &directive.codes {
            mrt_core::noqa::Codes::Listed(codes) => codes.last().map(|(_, range)| range.end()),
            mrt_core::noqa::Codes::All => None,
        }
    };
    for line in [first, last] {
        let (offset, insert) = if let Some(after_codes) = listed_end(line) {
            (after_codes, format!(", {code}"))
        } else {
            let end = index.line_end(text, line.saturating_sub(1));
            let marker = if sql { "--" } else { "#" };
            (end, format!("  {marker} noqa: {code}"))
        };
        let mut edited = text.to_owned();
        edited.insert_str(offset.to_usize(), &insert);
        let project = Project::from_sources([SourceFile::new(source.path.clone(), edited)]);
        let covered = project.migrations.first().is_some_and(|m| {
            m.suppressions
                .suppresses(code, diagnostic.rule.aliases, (line, line))
        });
        if covered {
            return Some(TextEdit {
                range: index.range(text, TextRange::empty(offset)),
                new_text: insert,
            });
        }
    }
    None
}

/// A code action with one file's edits.
fn action(
    title: String,
    kind: CodeActionKind,
    uri: &Url,
    edits: Vec<TextEdit>,
    diagnostic: Option<lsp_types::Diagnostic>,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: diagnostic.map(|d| vec![d]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

fn to_lsp(diagnostic: &Diagnostic, index: &LineIndex, text: &str) -> lsp_types::Diagnostic {
    let message = match &diagnostic.help {
        Some(help) => format!("{}\n{help}", diagnostic.message),
        None => diagnostic.message.clone(),
    };
    lsp_types::Diagnostic {
        range: index.range(text, diagnostic.range),
        severity: Some(match diagnostic.severity() {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code().to_owned())),
        source: Some("mrt".to_owned()),
        message,
        ..lsp_types::Diagnostic::default()
    }
}

fn publish(uri: Url, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) -> Message {
    Message::Notification(Notification::new(
        lsp_types::notification::PublishDiagnostics::METHOD.to_owned(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    ))
}

fn show_error(message: &str) -> Message {
    Message::Notification(Notification::new(
        lsp_types::notification::ShowMessage::METHOD.to_owned(),
        lsp_types::ShowMessageParams {
            typ: lsp_types::MessageType::ERROR,
            message: format!("mrt: {message}"),
        },
    ))
}

/// The word (letters and digits) around a byte offset, with its range.
fn word_at(text: &str, offset: usize) -> Option<(TextRange, &str)> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let offset = offset.min(text.len());
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(at, _)| at);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(at, _)| offset + at);
    let word = text.get(start..end).filter(|word| !word.is_empty())?;
    Some((TextRange::new(size(start), size(end)), word))
}

fn size(offset: usize) -> TextSize {
    TextSize::try_from(offset).unwrap_or(TextSize::new(u32::MAX))
}

fn file_path(uri: &Url) -> Option<PathBuf> {
    if uri.scheme() != "file" {
        return None;
    }
    uri.to_file_path().ok()
}

fn dir_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

type Failure = (lsp_server::ErrorCode, String);

/// A message's parameters; a message whose parameters do not fit is an error to log, not a crash.
fn params<T: serde::de::DeserializeOwned>(message: impl Into<Message>) -> Result<T, Failure> {
    let (method, value) = match message.into() {
        Message::Request(request) => (request.method, request.params),
        Message::Notification(notification) => (notification.method, notification.params),
        Message::Response(_) => {
            return Err((
                lsp_server::ErrorCode::InvalidRequest,
                "a response has no parameters".to_owned(),
            ));
        }
    };
    serde_json::from_value(value).map_err(|error| {
        (
            lsp_server::ErrorCode::InvalidParams,
            format!("`{method}`: invalid parameters: {error}"),
        )
    })
}

fn to_json(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The main loop: `initialize`, then each message until `exit`.
pub(crate) fn serve(connection: &Connection, policy: impl Policy) -> Result<(), String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|error| format!("no initialize request: {error}"))?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_else(|error| {
        log(&format!(
            "`initialize`: parameters not understood ({error}); going on with none"
        ));
        InitializeParams::default()
    });
    let result = lsp_types::InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "mrt".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    connection
        .initialize_finish(id, to_json(&result))
        .map_err(|error| format!("initialization failed: {error}"))?;
    let mut session = Session::new(policy);
    let send = |message: Message| connection.sender.send(message).is_ok();
    for message in session.after_initialize(&params) {
        send(message);
    }
    for message in &connection.receiver {
        if let Message::Notification(notification) = &message
            && notification.method == lsp_types::notification::Exit::METHOD
        {
            return if session.is_shut_down() {
                Ok(())
            } else {
                Err("`exit` before `shutdown`".to_owned())
            };
        }
        for out in session.handle(message) {
            if !send(out) {
                return Err("the client's connection closed".to_owned());
            }
        }
    }
    // The input ended without `exit`.
    if session.is_shut_down() {
        Ok(())
    } else {
        Err("the client closed the connection without `shutdown`".to_owned())
    }
}
