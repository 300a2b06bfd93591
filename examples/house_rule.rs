//! A house rule written outside `mrt`: declared with `mrt_core::declare_rule!`, registered through
//! `inventory`, and reported next to the built-in rules.
//!
//! This one forbids `op.create_table_comment`: the team keeps table comments in its data catalogue.
//!
//! ```text
//! cargo run --example house_rule
//! ```

use std::process::ExitCode;

use mrt_core::ir::OpKind;
use mrt_core::{Finding, Linter, MigrationContext, Project, Rule, Settings};

mrt_core::declare_rule! {
    /// ## What it does
    /// Reports `op.create_table_comment` in an upgrade.
    ///
    /// ## Why is this bad?
    /// Table comments are kept in the data catalogue; comments written by migrations drift from it.
    ///
    /// ## Example
    /// ```python
    /// op.create_table_comment("users", "People who log in")
    /// ```
    ///
    /// Use instead:
    ///
    /// Describe the table in the catalogue.
    ///
    /// ## Known problems
    /// Comments set through SQL (`COMMENT ON TABLE`) are not reported.
    pub struct NoTableComments {
        code: "ACME001",
        name: "no-table-comments",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "table comments belong in the data catalogue",
    }
}

impl Rule for NoTableComments {
    fn check_migration(&self, cx: &MigrationContext<'_>, findings: &mut Vec<Finding>) {
        let Some(upgrade) = &cx.migration.upgrade else {
            return;
        };
        for op in &upgrade.ops {
            if let OpKind::Other { name, .. } = &op.kind
                && name == "create_table_comment"
            {
                findings.push(
                    Finding::new(op.range, "Table comment set in a migration")
                        .with_help("Describe the table in the data catalogue instead"),
                );
            }
        }
    }
}

fn main() -> ExitCode {
    // The registry holds the built-in rules and every rule registered in this program.
    let registry = mrt_rules::registry();
    let Some(house_rule) = registry.find("ACME001") else {
        eprintln!("the house rule was not registered");
        return ExitCode::FAILURE;
    };
    println!(
        "registered: {} ({}) next to {} built-in rules",
        house_rule.meta().code,
        house_rule.meta().name,
        registry.rules().len() - 1
    );

    let rules = match registry.select(&[], &[], &[]) {
        Ok(rules) => rules,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let (project, errors) = Project::load(&[mrt_examples::example_versions_dir()]);
    for error in &errors {
        eprintln!("{error}");
    }
    let linter = Linter::new(rules, Settings::default());
    for diagnostic in linter.check(&project) {
        let start = diagnostic.start();
        let file = diagnostic
            .path()
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        println!(
            "{file}:{}:{}: {} [{}] {}",
            start.line,
            start.column,
            diagnostic.code(),
            diagnostic.severity().as_str(),
            diagnostic.message
        );
    }
    ExitCode::SUCCESS
}
