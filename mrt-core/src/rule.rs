//! The [`Rule`] trait, rule metadata, and registration through `inventory`.
//!
//! Built-in rules live in `mrt-rules`; a house rule is written the same way in any crate:
//!
//! ```ignore
//! mrt_core::declare_rule! {
//!     /// ## What it does
//!     /// ...
//!     pub struct NoCommentsOnTables {
//!         code: "ACME001",
//!         name: "no-table-comments",
//!         severity: Warning,
//!         frameworks: [Alembic],
//!         fix: None,
//!         summary: "table comments are managed elsewhere",
//!     }
//! }
//! impl mrt_core::Rule for NoCommentsOnTables { /* check_migration */ }
//! ```
//!
//! `inventory` drops the registrations of a crate nothing names, so the registry is read through a
//! function of the crate that holds the rules (`mrt_rules::registry()`), which links them in.

use ruff_text_size::TextRange;

use crate::ir::{Framework, Migration};
use crate::settings::Settings;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Review before deploying; fails the check only with `--strict`.
    Warning,
    /// Data loss or a broken rollback; always fails the check.
    Error,
}

impl Severity {
    /// Lower-case name, as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Whether a rule can offer a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    /// Never.
    None,
    /// For some findings.
    Sometimes,
    /// For every finding.
    Always,
}

/// What a rule is: everything but its check. A `&'static` value, built by [`declare_rule!`](crate::declare_rule!).
#[derive(Debug)]
pub struct RuleMeta {
    /// The code (`MRT201`), as written in `# noqa` comments.
    pub code: &'static str,
    /// The kebab-case name of the risky pattern (`drop-column`).
    pub name: &'static str,
    /// Other codes mapped to this rule (codes of the same pattern in other frameworks).
    pub aliases: &'static [&'static str],
    /// Severity of its findings.
    pub severity: Severity,
    /// Frameworks whose migrations it checks.
    pub frameworks: &'static [Framework],
    /// Whether it can offer fixes.
    pub fix: FixAvailability,
    /// What its fix does, as offered (`Re-create the index in downgrade()`): the cure, where the
    /// name says the risk. `None` for a rule without fixes.
    pub fix_title: Option<&'static str>,
    /// Off unless selected explicitly.
    pub opt_in: bool,
    /// One line: what it catches.
    pub summary: &'static str,
    /// The rule's `///` documentation, as written (each line with its leading space).
    pub docs: &'static str,
}

impl RuleMeta {
    /// The documentation as Markdown, with the doc comments' leading space removed.
    pub fn explanation(&self) -> String {
        let mut text = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            text.push_str(line.strip_prefix(' ').unwrap_or(line));
            text.push('\n');
        }
        text.trim().to_owned() + "\n"
    }

    /// Whether `code` is this rule's code or one of its aliases (case-insensitive).
    pub fn answers_to(&self, code: &str) -> bool {
        self.code.eq_ignore_ascii_case(code)
            || self
                .aliases
                .iter()
                .any(|alias| alias.eq_ignore_ascii_case(code))
    }
}

/// Access to a rule's metadata; implemented by [`declare_rule!`](crate::declare_rule!).
pub trait RuleInfo {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;
}

/// What a rule sees of one migration.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct MigrationContext<'a> {
    /// The migration.
    pub migration: &'a Migration,
    /// The run's settings.
    pub settings: &'a Settings,
    /// What replaying the chain found for this revision, when some rule asked for the replay
    /// ([`Rule::uses_schema`]) or a release boundary was given.
    pub replay: Option<&'a crate::schema::RevisionReplay>,
    /// What many rules ask about the migration (new objects, boundary-aware), computed once.
    pub facts: &'a crate::facts::MigrationFacts,
}

impl<'a> MigrationContext<'a> {
    /// Builds a context; rules receive one from the [`crate::Linter`].
    pub fn new(
        migration: &'a Migration,
        settings: &'a Settings,
        facts: &'a crate::facts::MigrationFacts,
    ) -> Self {
        Self {
            migration,
            settings,
            replay: None,
            facts,
        }
    }

    /// Adds what the replay found for this revision.
    #[must_use]
    pub fn with_replay(mut self, replay: Option<&'a crate::schema::RevisionReplay>) -> Self {
        self.replay = replay;
        self
    }

    /// Whether `table` existed before this revision but was created after the release boundary
    /// (`--since`): it holds no production rows yet, like a table created in this migration.
    pub fn is_unreleased_table(&self, table: &str) -> bool {
        self.replay
            .is_some_and(|replay| replay.is_unreleased_table(table))
    }
}

/// What a rule sees of the whole project: every migration and the revision graph.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ProjectContext<'a> {
    /// The project.
    pub project: &'a crate::Project,
    /// The run's settings.
    pub settings: &'a Settings,
}

/// A rule's finding, before the linter adds the rule, the file and the revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The most specific node at fault.
    pub range: TextRange,
    /// What is wrong, naming the objects involved.
    pub message: String,
    /// What to do about it: most rules say the same for every finding, so a fixed text is not
    /// copied into each one.
    pub help: Option<std::borrow::Cow<'static, str>>,
    /// The whole operation the finding is about: a suppression comment on any of its lines counts.
    pub operation: Option<TextRange>,
    /// What would answer it, when the rule knows: the linter's [`crate::fix::Fixer`] writes it as
    /// the finding's fix.
    pub remedy: Option<crate::fix::Remedy>,
}

impl Finding {
    /// A finding at `range`.
    pub fn new(range: TextRange, message: impl Into<String>) -> Self {
        Self {
            range,
            message: message.into(),
            help: None,
            operation: None,
            remedy: None,
        }
    }

    /// Adds a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Names the whole operation, so suppression comments on any of its lines apply.
    #[must_use]
    pub fn within(mut self, operation: TextRange) -> Self {
        self.operation = Some(operation);
        self
    }

    /// Says what would answer it (see [`crate::fix`]).
    #[must_use]
    pub fn with_remedy(mut self, remedy: Option<crate::fix::Remedy>) -> Self {
        self.remedy = remedy;
        self
    }
}

/// A finding of a project-wide rule, about one migration of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFinding {
    /// Index into [`crate::Project::migrations`].
    pub migration: usize,
    /// The finding in that migration's file.
    pub finding: Finding,
}

/// A lint rule. Rules run on the IR, never on the Python AST.
///
/// Implement [`Rule::check_migration`] for rules about one migration, [`Rule::check_project`] for
/// rules about the set (the revision graph); the defaults find nothing.
pub trait Rule: RuleInfo + Send + Sync + 'static {
    /// Checks one migration.
    fn check_migration(&self, _cx: &MigrationContext<'_>, _findings: &mut Vec<Finding>) {}

    /// Whether the rule reads [`MigrationContext::replay`]: the linter replays the chain's schema
    /// only when some rule does.
    fn uses_schema(&self) -> bool {
        false
    }

    /// Checks the whole project.
    fn check_project(&self, _cx: &ProjectContext<'_>, _findings: &mut Vec<ProjectFinding>) {}

    /// Checks a migration's suppression comments once every other rule has run: `uses` says, for
    /// each directive and code, whether it suppressed a finding.
    fn check_suppressions(
        &self,
        _cx: &MigrationContext<'_>,
        _uses: &[crate::noqa::DirectiveUse],
        _findings: &mut Vec<Finding>,
    ) {
    }
}

impl std::fmt::Debug for dyn Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.meta().code)
    }
}

/// An entry of the rule registry, submitted by [`declare_rule!`](crate::declare_rule!).
#[derive(Debug)]
pub struct RuleRegistration {
    /// The rule.
    pub rule: &'static dyn Rule,
}

impl RuleRegistration {
    /// Wraps a rule for `inventory::submit!`.
    pub const fn new(rule: &'static dyn Rule) -> Self {
        Self { rule }
    }
}

inventory::collect!(RuleRegistration);

/// Declares a rule: a unit struct whose `///` docs are its explanation, its `&'static` metadata, and
/// its registration. The [`Rule`] impl is written next to it.
///
/// Fields, in this order: `code`, `name`, optional `aliases: [..]`, `severity` (`Error` or `Warning`),
/// `frameworks: [Alembic, Django]`, `fix` (`None`, `Sometimes`, `Always`), `fix_title` when it has
/// a fix (what the fix does), optional `opt_in: true`, `summary`.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            code: $code:literal,
            name: $rule_name:literal,
            $(aliases: [$($alias:literal),* $(,)?],)?
            severity: $severity:ident,
            frameworks: [$($framework:ident),* $(,)?],
            fix: $fix:ident,
            $(fix_title: $fix_title:literal,)?
            $(opt_in: $opt_in:literal,)?
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $crate::RuleInfo for $name {
            fn meta(&self) -> &'static $crate::RuleMeta {
                static META: $crate::RuleMeta = $crate::RuleMeta {
                    code: $code,
                    name: $rule_name,
                    aliases: &[$($($alias),*)?],
                    severity: $crate::Severity::$severity,
                    frameworks: &[$($crate::Framework::$framework),*],
                    fix: $crate::FixAvailability::$fix,
                    fix_title: $crate::__fix_title!($($fix_title)?),
                    opt_in: $crate::__opt_in!($($opt_in)?),
                    summary: $summary,
                    docs: concat!($($doc, "\n"),*),
                };
                &META
            }
        }

        $crate::inventory::submit! {
            $crate::RuleRegistration::new(&$name)
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __fix_title {
    () => {
        None
    };
    ($title:literal) => {
        Some($title)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __opt_in {
    () => {
        false
    };
    ($value:literal) => {
        $value
    };
}

/// The set of known rules, sorted by code.
#[derive(Debug, Clone)]
pub struct Registry {
    rules: Vec<&'static dyn Rule>,
}

impl Registry {
    /// Every rule submitted to `inventory` by the crates linked into this program. Call it through
    /// `mrt_rules::registry()`, which makes sure the built-in rules are linked.
    ///
    /// Fails when two rules answer to one code, alias or name ([`Registry::from_rules`]).
    pub fn from_inventory() -> Result<Self, crate::Error> {
        Self::from_rules(inventory::iter::<RuleRegistration>().map(|r| r.rule))
    }

    /// A registry of the given rules.
    ///
    /// Fails with [`crate::Error::DuplicateRule`] when two rules answer to one code, alias (codes
    /// compared case-insensitively) or name: a house rule reusing a built-in code would otherwise be
    /// dropped, or shadow the built-in one, without a word. The same rule given twice counts once.
    pub fn from_rules(
        rules: impl IntoIterator<Item = &'static dyn Rule>,
    ) -> Result<Self, crate::Error> {
        let mut rules: Vec<&'static dyn Rule> = rules.into_iter().collect();
        rules.sort_by_key(|rule| rule.meta().code);
        rules.dedup_by(|a, b| std::ptr::eq(a.meta(), b.meta()));
        let mut owners: std::collections::HashMap<String, &'static str> =
            std::collections::HashMap::new();
        for rule in &rules {
            let meta = rule.meta();
            let codes = std::iter::once(meta.code)
                .chain(meta.aliases.iter().copied())
                .map(str::to_ascii_uppercase);
            // Names live in their own namespace in the key (a name never looks like a code, but
            // nothing forbids it), so `name:` keeps them apart.
            let keys = codes.chain(std::iter::once(format!("name:{}", meta.name)));
            for key in keys {
                if let Some(first) = owners.insert(key.clone(), meta.code) {
                    return Err(crate::Error::DuplicateRule {
                        key: key.strip_prefix("name:").unwrap_or(&key).to_owned(),
                        first,
                        second: meta.code,
                    });
                }
            }
        }
        Ok(Self { rules })
    }

    /// Every rule, by code.
    pub fn rules(&self) -> &[&'static dyn Rule] {
        &self.rules
    }

    /// The rule with this code, alias or name (case-insensitive for codes).
    pub fn find(&self, key: &str) -> Option<&'static dyn Rule> {
        self.rules
            .iter()
            .copied()
            .find(|rule| rule.meta().answers_to(key) || rule.meta().name == key)
    }

    /// Whether any rule answers to this code or alias.
    pub fn knows_code(&self, code: &str) -> bool {
        self.rules.iter().any(|rule| rule.meta().answers_to(code))
    }

    /// The rules a selector names: `ALL`, a code, an alias, a name, or a code prefix (`MRT2`).
    pub fn matching(&self, selector: &str) -> Vec<&'static dyn Rule> {
        let upper = selector.to_ascii_uppercase();
        self.rules
            .iter()
            .copied()
            .filter(|rule| {
                let meta = rule.meta();
                upper == "ALL"
                    || meta.answers_to(&upper)
                    || meta.name == selector
                    || meta.code.starts_with(&upper)
                    || meta.aliases.iter().any(|alias| alias.starts_with(&upper))
            })
            .collect()
    }

    /// Resolves `select` / `extend_select` / `ignore` into the rules to run, in code order.
    ///
    /// An empty `select` means every rule that is not opt-in. `ignore` wins over both selects.
    /// Opt-in rules run only when a selector names them by code, alias, name or prefix other than
    /// `ALL`.
    pub fn select(
        &self,
        select: &[String],
        extend_select: &[String],
        ignore: &[String],
    ) -> Result<Vec<&'static dyn Rule>, crate::Error> {
        let resolve = |selectors: &[String]| -> Result<Vec<&'static dyn Rule>, crate::Error> {
            let mut rules = Vec::new();
            for selector in selectors {
                let matched = self.matching(selector);
                if matched.is_empty() {
                    return Err(crate::Error::UnknownSelector {
                        selector: selector.clone(),
                    });
                }
                let explicit = !selector.eq_ignore_ascii_case("ALL");
                rules.extend(
                    matched
                        .into_iter()
                        .filter(|rule| explicit || !rule.meta().opt_in),
                );
            }
            Ok(rules)
        };
        let mut chosen: Vec<&'static dyn Rule> = if select.is_empty() {
            self.rules
                .iter()
                .copied()
                .filter(|rule| !rule.meta().opt_in)
                .collect()
        } else {
            resolve(select)?
        };
        chosen.extend(resolve(extend_select)?);
        let ignored = resolve(ignore)?;
        chosen.retain(|rule| {
            !ignored
                .iter()
                .any(|other| other.meta().code == rule.meta().code)
        });
        chosen.sort_by_key(|rule| rule.meta().code);
        chosen.dedup_by_key(|rule| rule.meta().code);
        Ok(chosen)
    }
}
