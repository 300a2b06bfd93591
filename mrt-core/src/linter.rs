//! The linter: runs the enabled rules over a project and turns findings into diagnostics.

use std::collections::HashSet;
use std::hash::{Hash as _, Hasher as _};
use std::sync::Arc;

use rayon::prelude::*;

use crate::cache::CacheDir;
use crate::cache::findings::{self, Encoded, Found, StoredFindings};
use crate::diagnostic::Diagnostic;
use crate::facts::MigrationFacts;
use crate::fix::{Fix, FixDetail, Fixer, Remedy};
use crate::ir::Migration;
use crate::noqa::DirectiveRef;
use crate::project::Project;
use crate::rule::{Finding, FixAvailability, MigrationContext, ProjectContext, Rule, RuleMeta};
use crate::schema::JudgedRevision;
use crate::settings::Settings;
use crate::source::SourceFile;

/// Runs a set of rules with some settings.
#[derive(Debug, Clone)]
pub struct Linter {
    rules: Vec<&'static dyn Rule>,
    settings: Settings,
    fixer: Option<Arc<dyn Fixer>>,
    fix_detail: FixDetail,
}

/// The findings file as read, with the entries a run judged that it did not hold and the keys of
/// all it judged, to be written to the next.
type Unkept = (StoredFindings, Vec<Encoded>, Vec<u64>);

/// What [`Linter::check_cached`] took from its findings cache and gave back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FindingsUse {
    /// Revisions whose findings were read back (all that were judged, or none).
    pub reused: usize,
    /// Revisions the replay judged this run, whose findings were then kept.
    pub judged: usize,
    /// Whether the cache was written (it is left alone when nothing was judged).
    pub written: bool,
    /// Why it could not be written, naming the directory.
    pub write_error: Option<String>,
}

impl Linter {
    /// A linter running `rules` (see [`crate::Registry::select`]).
    #[must_use]
    pub fn new(rules: Vec<&'static dyn Rule>, settings: Settings) -> Self {
        Self {
            rules,
            settings,
            fixer: None,
            fix_detail: FixDetail::Edits,
        }
    }

    /// Has `fixer` write the remedies of findings as fixes, handed out on the diagnostics
    /// ([`Diagnostic::fix`]). They are written by the replay the rules read, on the thread pool.
    #[must_use]
    pub fn with_fixer(mut self, fixer: Arc<dyn Fixer>) -> Self {
        self.fixer = Some(fixer);
        self
    }

    /// Asks the fixer for this much of each fix: [`FixDetail::Outline`] for a report that shows
    /// which findings have a fix but applies none (the default is [`FixDetail::Edits`]).
    #[must_use]
    pub fn with_fix_detail(mut self, detail: FixDetail) -> Self {
        self.fix_detail = detail;
        self
    }

    /// The rules this linter runs.
    pub fn rules(&self) -> &[&'static dyn Rule] {
        &self.rules
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Checks every migration of a project, and the project as a whole. Suppressed findings are
    /// dropped; the rest come sorted by path, offset and code. Rules that judge suppression
    /// comments (MRT802) run last, knowing which comments suppressed something.
    #[must_use]
    pub fn check(&self, project: &Project) -> Vec<Diagnostic> {
        self.check_with_boundary(project, None)
    }

    /// Like [`Linter::check`], reusing the findings that `cache` kept of revisions whose chain
    /// (the revision and every revision before it) and whose linter (settings, rules, fixes) are
    /// what they were, and keeping this run's there for the next (see the `cache` module).
    /// A cache that cannot be read costs this run its speed, one that cannot be written the next
    /// run's: neither is an error. Rules about the graph and suppression comments are applied
    /// anew each run. The key holds for what rules are given (a migration and the replay of the
    /// chain before it); a [`Fixer`] given to this linter must likewise read no more of the
    /// project than the revision it fixes, or its fixes may be read back stale.
    #[must_use]
    pub fn check_cached(
        &self,
        project: &Project,
        cache: &CacheDir,
    ) -> (Vec<Diagnostic>, FindingsUse) {
        let mut used = FindingsUse::default();
        if !self.replays(None) {
            return (self.finish(project, self.found_by_migration(project)), used);
        }
        let (raw, unkept) = self.found_through_cache(project, cache, &mut used);
        let Some((stored, fresh, judged)) = unkept else {
            return (self.finish(project, raw), used);
        };
        // The findings file is written while the rules about the graph and suppression comments
        // are applied.
        let (diagnostics, written) = std::thread::scope(|scope| {
            let writing = scope.spawn(|| stored.write(cache, &fresh, &judged));
            let diagnostics = self.finish(project, raw);
            (diagnostics, writing.join())
        });
        match written {
            Ok(Ok(())) => used.written = true,
            Ok(Err(error)) => {
                used.write_error = Some(format!("{}: {error}", cache.dir().display()));
            }
            Err(_) => used.write_error = Some(format!("{}: not written", cache.dir().display())),
        }
        (diagnostics, used)
    }

    fn check_with_boundary(&self, project: &Project, since: Option<usize>) -> Vec<Diagnostic> {
        let raw = if self.replays(since) {
            self.found_in_replay(project, since)
        } else {
            self.found_by_migration(project)
        };
        self.finish(project, raw)
    }

    /// Adds what the rules about the graph find to what was found in each migration, then
    /// applies suppression comments.
    fn finish(&self, project: &Project, mut raw: Vec<Vec<Found>>) -> Vec<Diagnostic> {
        let cx = ProjectContext {
            project,
            settings: &self.settings,
        };
        for rule in &self.rules {
            let mut findings = Vec::new();
            rule.check_project(&cx, &mut findings);
            for found in findings {
                // A rule about the graph speaks only of migrations of its frameworks.
                let framework = project
                    .migrations
                    .get(found.migration)
                    .map(|m| m.framework.checked_as());
                if project.is_in_scope(found.migration)
                    && framework
                        .is_some_and(|framework| rule.meta().frameworks.contains(&framework))
                    && let Some(slot) = raw.get_mut(found.migration)
                {
                    slot.push((*rule, found.finding, None));
                }
            }
        }
        // `place` sorts each migration's findings and the project's migrations are in path
        // order, so joining them in index order sorts them all. Each migration's findings fill
        // its own slot (an indexed collect writes in place) and are joined once, into a vector of
        // the exact size.
        let placed: Vec<Vec<Diagnostic>> = raw
            .into_par_iter()
            .enumerate()
            .map(|(index, found)| {
                if project.is_in_scope(index) {
                    self.place(&project.migrations[index], found)
                } else {
                    Vec::new()
                }
            })
            .collect();
        let mut diagnostics = Vec::with_capacity(placed.iter().map(Vec::len).sum());
        for found in placed {
            diagnostics.extend(found);
        }
        diagnostics
    }

    /// Whether the chain's schema is replayed: some rule reads it, a release boundary makes "new
    /// table" reach across revisions, or fixes are written (they read the schema before each
    /// revision).
    fn replays(&self, since: Option<usize>) -> bool {
        since.is_some()
            || self.rules.iter().any(|rule| rule.uses_schema())
            || self.fixer.is_some()
                && self
                    .rules
                    .iter()
                    .any(|rule| rule.meta().fix != FixAvailability::None)
    }

    /// Per migration, what the rules find in it, each revision checked as the replay judges it
    /// (on the thread pool, while the walk through the chain goes on) with its fixes written then,
    /// while the part of the schema they read is at hand. Files the replay does not judge (not a
    /// revision, or in a cycle) are checked without it.
    fn found_in_replay(&self, project: &Project, since: Option<usize>) -> Vec<Vec<Found>> {
        let judged =
            crate::schema::replay_with_extra(project, &self.settings, since, &|revision| {
                let migration = &project.migrations[revision.index];
                project.is_in_scope(revision.index).then(|| {
                    let raw = self.raw_findings(migration, Some(revision.replay), &self.rules);
                    self.with_fixes(project, &revision, raw)
                })
            });
        judged
            .into_par_iter()
            .zip(project.migrations.par_iter())
            .enumerate()
            .map(|(index, (judged, migration))| {
                judged.unwrap_or_else(|| self.found_alone(project, index, migration))
            })
            .collect()
    }

    /// Per migration, what the rules find in it, read back from `cache` when every revision the
    /// replay would judge has its entry there; otherwise found by the replay, with the findings
    /// file as read and the entries to write to the next.
    fn found_through_cache(
        &self,
        project: &Project,
        cache: &CacheDir,
        used: &mut FindingsUse,
    ) -> (Vec<Vec<Found>>, Option<Unkept>) {
        let (stored, keys) = rayon::join(
            || cache.read_findings(),
            || findings::chain_keys(project, self.cache_salt()),
        );
        // The revisions the replay judges: those in scope (it judges no other).
        let judged: Vec<(usize, u64)> = keys
            .iter()
            .enumerate()
            .filter_map(|(index, key)| Some((index, (*key)?)))
            .filter(|(index, _)| project.is_in_scope(*index))
            .collect();
        // An entry that does not read back is written anew, never copied on.
        let mut unreadable = false;
        if !judged.is_empty() && judged.iter().all(|(_, key)| stored.has(*key)) {
            let read: Option<Vec<Vec<Found>>> = keys
                .par_iter()
                .zip(project.migrations.par_iter())
                .enumerate()
                .map(|(index, (key, migration))| match key {
                    Some(key) if project.is_in_scope(index) => stored.findings(*key, &self.rules),
                    _ => Some(self.found_alone(project, index, migration)),
                })
                .collect();
            if let Some(read) = read {
                used.reused = judged.len();
                return (read, None);
            }
            unreadable = true;
        }
        let found = self.found_in_replay(project, None);
        used.judged = judged.len();
        if judged.is_empty() {
            return (found, None);
        }
        // Revisions whose entry was there (all but those after an edit) need no encoding.
        let fresh: Vec<Encoded> = judged
            .par_iter()
            .filter(|(_, key)| unreadable || !stored.has(*key))
            .filter_map(|(index, key)| findings::encode(*key, &found[*index], &self.rules))
            .collect();
        let keys = judged.iter().map(|(_, key)| *key).collect();
        (found, Some((stored, fresh, keys)))
    }

    /// What the findings of a revision depend on besides the revisions of its chain: the
    /// settings, the rules in order (a stored finding names its rule by its place among them),
    /// and whether and how fixes are written.
    fn cache_salt(&self) -> u64 {
        let mut hasher = std::hash::DefaultHasher::new();
        self.settings.hash(&mut hasher);
        for rule in &self.rules {
            rule.meta().code.hash(&mut hasher);
        }
        self.fixer.is_some().hash(&mut hasher);
        self.fix_detail.hash(&mut hasher);
        hasher.finish()
    }

    /// The findings with the fixes the fixer writes for their remedies.
    fn with_fixes(
        &self,
        project: &Project,
        revision: &JudgedRevision<'_>,
        raw: Vec<(&'static dyn Rule, Finding)>,
    ) -> Vec<Found> {
        let Some(fixer) = &self.fixer else {
            return without_fixes(raw);
        };
        let wanted: Vec<(&'static RuleMeta, &Remedy)> = raw
            .iter()
            .filter_map(|(rule, finding)| Some((rule.meta(), finding.remedy.as_ref()?)))
            .collect();
        if wanted.is_empty() {
            return without_fixes(raw);
        }
        let mut fixes = fixer
            .fixes(project, &self.settings, revision, &wanted, self.fix_detail)
            .into_iter();
        raw.into_iter()
            .map(|(rule, finding)| {
                let fix = finding
                    .remedy
                    .is_some()
                    .then(|| fixes.next().flatten().map(Box::new))
                    .flatten();
                (rule, finding, fix)
            })
            .collect()
    }

    /// Per migration (in scope), what the rules find in it, without the replay.
    fn found_by_migration(&self, project: &Project) -> Vec<Vec<Found>> {
        project
            .migrations
            .par_iter()
            .enumerate()
            .map(|(index, migration)| self.found_alone(project, index, migration))
            .collect()
    }

    /// What the rules find in one migration read on its own (no replay, so no fixes); nothing
    /// for a migration out of scope.
    fn found_alone(&self, project: &Project, index: usize, migration: &Migration) -> Vec<Found> {
        if project.is_in_scope(index) {
            without_fixes(self.raw_findings(migration, None, &self.rules))
        } else {
            Vec::new()
        }
    }

    /// Like [`Linter::check`], keeping only the findings in revisions that descend from `since` (a
    /// release boundary). Rules about the graph still see the whole graph.
    pub fn check_since(
        &self,
        project: &Project,
        since: &str,
    ) -> Result<Vec<Diagnostic>, crate::Error> {
        let boundary = project.resolve_revision(since)?;
        let keep: Vec<&std::path::Path> = project
            .descendants_of(since)?
            .into_iter()
            .map(|index| project.migrations[index].path())
            .collect();
        let mut diagnostics = self.check_with_boundary(project, Some(boundary));
        diagnostics.retain(|diagnostic| keep.binary_search(&diagnostic.path()).is_ok());
        Ok(diagnostics)
    }

    /// Checks one migration with the per-migration rules (suppression comments applied).
    pub fn check_migration(&self, migration: &Migration) -> Vec<Diagnostic> {
        self.place(
            migration,
            without_fixes(self.raw_findings(migration, None, &self.rules)),
        )
    }

    fn raw_findings(
        &self,
        migration: &Migration,
        replay: Option<&crate::schema::RevisionReplay>,
        rules: &[&'static dyn Rule],
    ) -> Vec<(&'static dyn Rule, Finding)> {
        // Rules see the migration as it runs on the configured database: branches for other
        // dialects are left out.
        let names = self.settings.dialect.sqlalchemy_names();
        let filtered = if names.is_empty() {
            None
        } else {
            migration.for_dialect(names)
        };
        let migration = filtered.as_ref().unwrap_or(migration);
        let facts = MigrationFacts::new(migration, replay);
        let cx = MigrationContext::new(migration, &self.settings, &facts).with_replay(replay);
        let mut raw = Vec::new();
        let mut findings = Vec::new();
        for rule in rules {
            if !rule
                .meta()
                .frameworks
                .contains(&migration.framework.checked_as())
            {
                continue;
            }
            rule.check_migration(&cx, &mut findings);
            // Most rules find nothing in most migrations: no drain to make and drop.
            if !findings.is_empty() {
                raw.extend(findings.drain(..).map(|finding| (*rule, finding)));
            }
        }
        raw
    }

    /// Applies suppression comments to a migration's findings, then runs the rules that judge the
    /// comments themselves. The diagnostics come sorted for output.
    fn place(&self, migration: &Migration, found: Vec<Found>) -> Vec<Diagnostic> {
        let mut used: HashSet<DirectiveRef> = HashSet::new();
        let mut diagnostics = Vec::with_capacity(found.len());
        let revision: Option<Arc<str>> = migration.revision_id().map(Arc::from);
        for (rule, finding, fix) in found {
            let by = suppressed_by(rule, migration, &finding);
            if by.is_empty() {
                diagnostics.push(diagnostic(rule, migration, revision.as_ref(), finding, fix));
            } else {
                used.extend(by);
            }
        }
        // The same fact reached twice (a helper called with the same arguments from two
        // branches) is reported once.
        diagnostics.sort_by(Diagnostic::cmp_for_output);
        diagnostics
            .dedup_by(|a, b| a.code() == b.code() && a.range == b.range && a.message == b.message);
        let suppressions = &migration.suppressions;
        if suppressions.lines.is_empty() && suppressions.file.is_empty() {
            return diagnostics;
        }
        let uses = suppressions.uses(&used, |code| {
            self.rules.iter().any(|rule| rule.meta().answers_to(code))
        });
        // Rules judging suppression comments read the comments, not the operations: the facts of
        // the migration as written will do.
        let facts = MigrationFacts::new(migration, None);
        let cx = MigrationContext::new(migration, &self.settings, &facts);
        let mut findings = Vec::new();
        for rule in &self.rules {
            rule.check_suppressions(&cx, &uses, &mut findings);
            for finding in findings.drain(..) {
                // A blanket `# noqa` cannot excuse itself: only a comment naming the code, or a
                // file-level one, suppresses a finding about suppression comments.
                let by = suppressed_by(*rule, migration, &finding);
                if by.iter().all(|by| by.code.is_none() && !by.file_level) {
                    diagnostics.push(diagnostic(
                        *rule,
                        migration,
                        revision.as_ref(),
                        finding,
                        None,
                    ));
                }
            }
        }
        diagnostics.sort_by(Diagnostic::cmp_for_output);
        diagnostics
    }

    /// Checks one file's text on its own (an editor buffer). Rules about the revision graph see a
    /// project of this file alone.
    #[must_use]
    pub fn check_source(
        &self,
        path: impl Into<std::path::PathBuf>,
        text: impl Into<String>,
    ) -> Vec<Diagnostic> {
        let project = Project::from_sources([SourceFile::new(path, text)]);
        self.check(&project)
    }
}

/// The suppression comments that cover a finding: on any line of the finding's range or of the
/// whole operation it is about, or file-wide.
fn suppressed_by(
    rule: &'static dyn Rule,
    migration: &Migration,
    finding: &Finding,
) -> Vec<DirectiveRef> {
    let suppressions = &migration.suppressions;
    if suppressions.lines.is_empty() && suppressions.file.is_empty() {
        // Most files have no suppression comment: no line of them needs finding.
        return Vec::new();
    }
    let meta = rule.meta();
    std::iter::once(finding.range)
        .chain(finding.operation)
        .flat_map(|range| {
            let lines = migration.source.line_span(range);
            migration
                .suppressions
                .suppressing(meta.code, meta.aliases, lines)
        })
        .collect()
}

/// Findings with no fix.
fn without_fixes(raw: Vec<(&'static dyn Rule, Finding)>) -> Vec<Found> {
    raw.into_iter()
        .map(|(rule, finding)| (rule, finding, None))
        .collect()
}

/// Places a finding in its file.
fn diagnostic(
    rule: &'static dyn Rule,
    migration: &Migration,
    revision: Option<&Arc<str>>,
    finding: Finding,
    fix: Option<Box<Fix>>,
) -> Diagnostic {
    Diagnostic {
        rule: rule.meta(),
        message: finding.message,
        help: finding.help,
        range: finding.range,
        source: Arc::clone(&migration.source),
        revision: revision.cloned(),
        fix,
    }
}
