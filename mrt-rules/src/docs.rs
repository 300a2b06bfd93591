//! The rules' documentation as Markdown: `docs/rules.md` and `mrt rule CODE` are made from it.

use std::fmt::Write as _;

use mrt_core::{FixAvailability, Registry, RuleMeta};

/// The sections every rule's docs must have, in order.
pub const REQUIRED_SECTIONS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "Use instead:",
    "## Known problems",
];

/// The section a rule with a fix must add.
pub const FIX_SECTION: &str = "## Fix safety";

/// The headings missing from a rule's docs, or out of order.
pub fn missing_sections(meta: &RuleMeta) -> Vec<&'static str> {
    let explanation = meta.explanation();
    let mut required: Vec<&'static str> = REQUIRED_SECTIONS.to_vec();
    if meta.fix != FixAvailability::None {
        required.insert(required.len() - 1, FIX_SECTION);
    }
    let mut position = 0;
    let mut missing = Vec::new();
    for heading in required {
        match explanation[position..].find(heading) {
            Some(found) => position += found + heading.len(),
            None => missing.push(heading),
        }
    }
    missing
}

/// One rule as `mrt rule CODE` prints it.
pub fn rule_page(meta: &RuleMeta) -> String {
    let mut page = format!("# {} ({})\n\n", meta.name, meta.code);
    let _ = writeln!(page, "{}\n", properties(meta));
    page.push_str(&demote_headings(&meta.explanation(), 0));
    page
}

fn properties(meta: &RuleMeta) -> String {
    let frameworks: Vec<&str> = meta.frameworks.iter().map(|f| f.as_str()).collect();
    let mut line = format!(
        "Severity: {}. Frameworks: {}. Fix: {}.",
        meta.severity.as_str(),
        frameworks.join(", "),
        match meta.fix {
            FixAvailability::None => "none",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Always => "always",
        }
    );
    if !meta.aliases.is_empty() {
        let _ = write!(line, " Aliases: {}.", meta.aliases.join(", "));
    }
    if meta.opt_in {
        line.push_str(" Opt-in: runs only when selected.");
    }
    line
}

/// squawk's rules (its PostgreSQL linter, whose names users coming from it know), each with the
/// codes that cover it, or, when none does, why it is left out. Every covering rule names the
/// squawk rule in its docs (checked by a test).
pub const SQUAWK_RULES: &[(&str, &[&str], &str)] = &[
    ("adding-field-with-default", &["MRT404", "MRT405"], ""),
    ("adding-foreign-key-constraint", &["MRT415"], ""),
    ("adding-not-nullable-field", &["MRT213"], ""),
    ("adding-required-field", &["MRT401"], ""),
    ("adding-serial-primary-key-field", &["MRT416"], ""),
    (
        "ban-alter-domain-with-add-constraint",
        &[],
        "domains are not modelled: the statement is kept as opaque SQL",
    ),
    (
        "ban-char-field",
        &[],
        "a column type preference, not a migration hazard",
    ),
    (
        "ban-concurrent-index-creation-in-transaction",
        &["MRT414"],
        "",
    ),
    (
        "ban-create-domain-with-constraint",
        &[],
        "domains are not modelled: the statement is kept as opaque SQL",
    ),
    ("ban-drop-column", &["MRT201"], ""),
    (
        "ban-drop-database",
        &[],
        "migrations do not drop their own database; nothing lowers the statement",
    ),
    (
        "ban-drop-not-null",
        &[],
        "a nullable column breaks no writer; readers that assume a value are application code, which is not read",
    ),
    ("ban-drop-table", &["MRT202"], ""),
    ("ban-truncate-cascade", &["MRT203"], ""),
    ("changing-column-type", &["MRT303"], ""),
    ("constraint-missing-not-valid", &["MRT415"], ""),
    ("disallowed-unique-constraint", &["MRT416"], ""),
    (
        "prefer-big-int",
        &[],
        "a column type preference, not a migration hazard",
    ),
    (
        "prefer-bigint-over-int",
        &[],
        "a column type preference, not a migration hazard",
    ),
    (
        "prefer-bigint-over-smallint",
        &[],
        "a column type preference, not a migration hazard",
    ),
    (
        "prefer-identity",
        &[],
        "a column type preference, not a migration hazard",
    ),
    (
        "prefer-robust-stmts",
        &[],
        "Alembic and Django record what ran; `IF NOT EXISTS` would hide a schema that drifted from the revisions",
    ),
    (
        "prefer-text-field",
        &[],
        "a column type preference, not a migration hazard",
    ),
    (
        "prefer-timestamptz",
        &[],
        "a column type preference, not a migration hazard",
    ),
    ("renaming-column", &["MRT302", "MRT702"], ""),
    ("renaming-table", &["MRT301", "MRT703"], ""),
    ("require-concurrent-index-creation", &["MRT407"], ""),
    ("require-concurrent-index-deletion", &["MRT417"], ""),
    ("require-timeout-settings", &["MRT418"], ""),
    (
        "transaction-nesting",
        &[],
        "the frameworks open and commit the transaction; a migration file does not",
    ),
];

/// The section of `docs/rules.md` that maps squawk's rules to ours.
fn squawk_section() -> String {
    let mut section = String::from(
        "\n## Coming from squawk\n\nsquawk's rules and the rules that cover them here; the ones left out, and why.\n\n| squawk | here |\n|---|---|\n",
    );
    for (name, codes, why) in SQUAWK_RULES {
        let here = if codes.is_empty() {
            format!("left out: {why}")
        } else {
            codes
                .iter()
                .map(|code| format!("[{code}](#{})", code.to_lowercase()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(section, "| `{name}` | {here} |");
    }
    section
}

/// `docs/rules.md`: a table of every rule, then how squawk's rules map to them, then one section
/// per rule.
pub fn rules_markdown(registry: &Registry) -> String {
    let mut doc = String::from(
        "# Rules\n\n<!-- Generated from the rules' doc comments by `MRT_UPDATE_DOCS=1 cargo test -p mrt-rules --test docs`. Do not edit. -->\n\n",
    );
    doc.push_str("| code | name | severity | frameworks | summary |\n|---|---|---|---|---|\n");
    for rule in registry.rules() {
        let meta = rule.meta();
        let frameworks: Vec<&str> = meta.frameworks.iter().map(|f| f.as_str()).collect();
        let _ = writeln!(
            doc,
            "| [{code}](#{anchor}) | {name} | {severity} | {frameworks} | {summary} |",
            code = meta.code,
            anchor = meta.code.to_lowercase(),
            name = meta.name,
            severity = meta.severity.as_str(),
            frameworks = frameworks.join(", "),
            summary = meta.summary,
        );
    }
    doc.push_str(&squawk_section());
    for rule in registry.rules() {
        let meta = rule.meta();
        let _ = write!(
            doc,
            "\n## {code}\n\n**{name}**. {properties}\n\n{body}",
            code = meta.code,
            name = meta.name,
            properties = properties(meta),
            body = demote_headings(&meta.explanation(), 1),
        );
    }
    doc
}

/// Pushes Markdown headings `levels` deeper, leaving code blocks alone.
fn demote_headings(text: &str, levels: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with('#') {
            out.push_str(&"#".repeat(levels));
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
