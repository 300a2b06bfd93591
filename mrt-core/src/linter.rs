//! The linter: runs the enabled rules over a project and turns findings into diagnostics.

use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::ir::Migration;
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
    /// dropped; the rest come sorted by path, offset and code.
    #[must_use]
    pub fn check(&self, project: &Project) -> Vec<Diagnostic> {
        let mut diagnostics: Vec<Diagnostic> = project
            .migrations
            .par_iter()
            .enumerate()
            .filter(|(index, _)| project.is_in_scope(*index))
            .flat_map_iter(|(_, migration)| self.check_migration(migration))
            .collect();

        let cx = ProjectContext {
            project,
            settings: &self.settings,
        };
        for rule in &self.rules {
            let mut findings = Vec::new();
            rule.check_project(&cx, &mut findings);
            diagnostics.extend(findings.into_iter().filter_map(|found| {
                if !project.is_in_scope(found.migration) {
                    return None;
                }
                let migration = project.migrations.get(found.migration)?;
                diagnostic(*rule, migration, found.finding)
            }));
        }
        diagnostics.sort_by(Diagnostic::cmp_for_output);
        diagnostics
    }

    /// Like [`Linter::check`], keeping only the findings in revisions that descend from `since` (a
    /// release boundary). Rules about the graph still see the whole graph.
    pub fn check_since(
        &self,
        project: &Project,
        since: &str,
    ) -> Result<Vec<Diagnostic>, crate::Error> {
        let keep: Vec<&std::path::Path> = project
            .descendants_of(since)?
            .into_iter()
            .map(|index| project.migrations[index].path())
            .collect();
        let mut diagnostics = self.check(project);
        diagnostics.retain(|diagnostic| keep.binary_search(&diagnostic.path()).is_ok());
        Ok(diagnostics)
    }

    /// Checks one migration with the per-migration rules.
    pub fn check_migration(&self, migration: &Migration) -> Vec<Diagnostic> {
        let cx = MigrationContext::new(migration, &self.settings);
        let mut diagnostics = Vec::new();
        let mut findings = Vec::new();
        for rule in &self.rules {
            if !rule.meta().frameworks.contains(&migration.framework) {
                continue;
            }
            rule.check_migration(&cx, &mut findings);
            diagnostics.extend(
                findings
                    .drain(..)
                    .filter_map(|finding| diagnostic(*rule, migration, finding)),
            );
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

/// Places a finding in its file, unless a suppression comment covers it: on any line of the
/// finding's range or of the whole operation it is about, or file-wide.
fn diagnostic(
    rule: &'static dyn Rule,
    migration: &Migration,
    finding: Finding,
) -> Option<Diagnostic> {
    let meta = rule.meta();
    let source: &Arc<SourceFile> = &migration.source;
    let spans = std::iter::once(finding.range).chain(finding.operation);
    for range in spans {
        let lines = source.line_span(range);
        if migration
            .suppressions
            .suppresses(meta.code, meta.aliases, lines)
        {
            return None;
        }
    }
    Some(Diagnostic {
        rule: meta,
        message: finding.message,
        help: finding.help,
        range: finding.range,
        source: Arc::clone(source),
        revision: migration.revision_id().map(str::to_owned),
    })
}
