//! Diagnostics: a rule's finding placed in its file, with the rule that made it.

use std::cmp::Ordering;
use std::path::Path;
use std::sync::Arc;

use ruff_text_size::TextRange;

use crate::rule::{RuleMeta, Severity};
use crate::source::{Location, SourceFile};

/// A finding, ready to print.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// The rule that reported it.
    pub rule: &'static RuleMeta,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<std::borrow::Cow<'static, str>>,
    /// The node at fault.
    pub range: TextRange,
    /// The file, with its text.
    pub source: Arc<SourceFile>,
    /// The revision id of the migration, if it was read (shared by the migration's findings).
    pub revision: Option<Arc<str>>,
    /// The fix of the rule's remedy, when the linter had a [`crate::fix::Fixer`] and it could
    /// write one. Boxed: most findings have none, and a project may have tens of thousands.
    pub fix: Option<Box<crate::fix::Fix>>,
}

impl Diagnostic {
    /// The rule's code.
    pub fn code(&self) -> &'static str {
        self.rule.code
    }

    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.source.path
    }

    /// Line and column where the range starts.
    pub fn start(&self) -> Location {
        self.source.location(self.range.start())
    }

    /// Line and column where the range ends.
    pub fn end(&self) -> Location {
        self.source.location(self.range.end())
    }

    /// Output order: path, offset, code.
    pub fn cmp_for_output(&self, other: &Self) -> Ordering {
        // Findings of one file share its source: their paths need no comparing.
        let path = if Arc::ptr_eq(&self.source, &other.source) {
            Ordering::Equal
        } else {
            self.path().cmp(other.path())
        };
        path.then_with(|| self.range.start().cmp(&other.range.start()))
            .then_with(|| self.code().cmp(other.code()))
            .then_with(|| self.message.cmp(&other.message))
    }
}
