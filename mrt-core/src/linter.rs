//! The linter: runs the enabled rules over a project and turns findings into diagnostics.

use std::collections::HashSet;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::facts::MigrationFacts;
use crate::ir::Migration;
use crate::noqa::DirectiveRef;
use crate::project::Project;
use crate::rule::{Finding, MigrationContext, ProjectContext, Rule};
use crate::settings::Settings;
use crate::source::SourceFile;

/// Runs a set of rules with some settings.
#[derive(Debug, Clone)]
pub struct Linter {
    rules: Vec<&'static dyn Rule>,
    settings: Settings,
}

impl Linter {
    /// A linter running `rules` (see [`crate::Registry::select`]).
    #[must_use]
    pub fn new(rules: Vec<&'static dyn Rule>, settings: Settings) -> Self {
        Self { rules, settings }
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
        self.check_with_boundary::<()>(project, None, &|_| None).0
    }

    /// Like [`Linter::check`], also computing `extra` for each revision as the schema replay
    /// judges it ([`crate::schema::replay_with_extra`]): work that reads the schema before a
    /// revision (the fixes of its findings) is done by the replay the rules read, instead of a
    /// second one. The extras come per migration; `None` when no rule read the replay.
    #[must_use]
    pub fn check_with_extra<T: Send + Sync>(
        &self,
        project: &Project,
        extra: &crate::schema::RevisionExtra<'_, T>,
    ) -> (Vec<Diagnostic>, Option<Vec<Option<T>>>) {
        self.check_with_boundary(project, None, extra)
    }

    fn check_with_boundary<T: Send + Sync>(
        &self,
        project: &Project,
        since: Option<usize>,
        extra: &crate::schema::RevisionExtra<'_, T>,
    ) -> (Vec<Diagnostic>, Option<Vec<Option<T>>>) {
        // The replay is sequential (each revision starts from its parents' schema); it runs only
        // when a rule reads it or a release boundary makes "new table" reach across revisions.
        // Without a boundary only the rules that read the schema wait for it: the others run
        // meanwhile.
        let (schema_rules, other_rules): (Vec<&'static dyn Rule>, Vec<&'static dyn Rule>) = self
            .rules
            .iter()
            .partition(|rule| since.is_some() || rule.uses_schema());
        let replay_project =
            || crate::schema::replay_with_extra(project, &self.settings, since, extra);
        let (replay, extras, mut raw) = if schema_rules.is_empty() {
            (
                None,
                None,
                self.raw_by_migration(project, None, &other_rules),
            )
        } else {
            let ((replay, extras), raw) = rayon::join(replay_project, || {
                self.raw_by_migration(project, None, &other_rules)
            });
            (Some(replay), Some(extras), raw)
        };
        if let Some(replay) = &replay {
            let more = self.raw_by_migration(project, Some(replay), &schema_rules);
            for (slot, found) in raw.iter_mut().zip(more) {
                slot.extend(found);
            }
        }
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
                    slot.push((*rule, found.finding));
                }
            }
        }
        let mut diagnostics: Vec<Diagnostic> = raw
            .into_par_iter()
            .zip(project.migrations.par_iter())
            .enumerate()
            .filter(|(index, _)| project.is_in_scope(*index))
            .flat_map_iter(|(_, (findings, migration))| self.place(migration, findings))
            .collect();
        diagnostics.sort_by(Diagnostic::cmp_for_output);
        (diagnostics, extras)
    }

    /// Per migration (in scope), what `rules` find in it.
    fn raw_by_migration(
        &self,
        project: &Project,
        replay: Option<&crate::schema::Replay>,
        rules: &[&'static dyn Rule],
    ) -> Vec<Vec<(&'static dyn Rule, Finding)>> {
        if rules.is_empty() {
            return vec![Vec::new(); project.migrations.len()];
        }
        project
            .migrations
            .par_iter()
            .enumerate()
            .map(|(index, migration)| {
                if project.is_in_scope(index) {
                    let revision = replay.and_then(|replay| replay.revision(index));
                    self.raw_findings(migration, revision, rules)
                } else {
                    Vec::new()
                }
            })
            .collect()
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
        let (mut diagnostics, _) =
            self.check_with_boundary::<()>(project, Some(boundary), &|_| None);
        diagnostics.retain(|diagnostic| keep.binary_search(&diagnostic.path()).is_ok());
        Ok(diagnostics)
    }

    /// Checks one migration with the per-migration rules (suppression comments applied).
    pub fn check_migration(&self, migration: &Migration) -> Vec<Diagnostic> {
        self.place(migration, self.raw_findings(migration, None, &self.rules))
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
            raw.extend(findings.drain(..).map(|finding| (*rule, finding)));
        }
        raw
    }

    /// Applies suppression comments to a migration's findings, then runs the rules that judge the
    /// comments themselves.
    fn place(
        &self,
        migration: &Migration,
        raw: Vec<(&'static dyn Rule, Finding)>,
    ) -> Vec<Diagnostic> {
        let mut used: HashSet<DirectiveRef> = HashSet::new();
        let mut diagnostics = Vec::new();
        for (rule, finding) in raw {
            let by = suppressed_by(rule, migration, &finding);
            if by.is_empty() {
                diagnostics.push(diagnostic(rule, migration, finding));
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
                    diagnostics.push(diagnostic(*rule, migration, finding));
                }
            }
        }
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

/// Places a finding in its file.
fn diagnostic(rule: &'static dyn Rule, migration: &Migration, finding: Finding) -> Diagnostic {
    Diagnostic {
        rule: rule.meta(),
        message: finding.message,
        help: finding.help,
        range: finding.range,
        source: Arc::clone(&migration.source),
        revision: migration.revision_id().map(str::to_owned),
    }
}
