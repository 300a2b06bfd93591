//! A house rule that reuses a built-in code is refused with an error naming both rules, instead of
//! being dropped (or shadowing the built-in rule) without a word.
//!
//! This test binary links one house rule that claims `MRT201`, so its registry is broken on
//! purpose; every other test binary links only the built-in rules.

use mrt_core::{Finding, MigrationContext, Rule};

mrt_core::declare_rule! {
    /// ## What it does
    /// Claims a built-in code, as a careless house rule might.
    pub struct ReusesBuiltinCode {
        code: "MRT201",
        name: "house-drop-column",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "a house rule reusing a built-in code",
    }
}

impl Rule for ReusesBuiltinCode {
    fn check_migration(&self, _cx: &MigrationContext<'_>, _findings: &mut Vec<Finding>) {}
}

mrt_core::declare_rule! {
    /// ## What it does
    /// Claims a built-in rule's name under a code of its own.
    pub struct ReusesBuiltinName {
        code: "ACME001",
        name: "drop-table",
        severity: Warning,
        frameworks: [Alembic],
        fix: None,
        summary: "a house rule reusing a built-in name",
    }
}

impl Rule for ReusesBuiltinName {
    fn check_migration(&self, _cx: &MigrationContext<'_>, _findings: &mut Vec<Finding>) {}
}

#[test]
fn a_house_rule_reusing_a_builtin_code_is_refused() {
    let error = mrt_rules::try_registry().expect_err("MRT201 is claimed twice");
    assert!(
        matches!(error, mrt_core::Error::DuplicateRule { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    // Codes sort before names are looked at, so the code clash is the one reported.
    assert!(message.contains("`MRT201`"), "{message}");
    assert!(message.contains("house rule"), "{message}");
}

#[test]
fn a_house_rule_reusing_a_builtin_name_is_refused() {
    // The linked registry is refused for the code already; pair the name clash with its built-in
    // rule alone.
    assert!(mrt_rules::try_registry().is_err());
    let drop_table = mrt_core::inventory::iter::<mrt_core::RuleRegistration>()
        .map(|registration| registration.rule)
        .find(|rule| rule.meta().code == "MRT202")
        .expect("MRT202 is built in");
    let error =
        mrt_core::Registry::from_rules([&ReusesBuiltinName as &'static dyn Rule, drop_table])
            .expect_err("drop-table is claimed twice");
    assert_eq!(
        error.to_string(),
        "rules `ACME001` and `MRT202` both answer to `drop-table`: give the house rule a code and name of its own"
    );
}

#[test]
fn the_same_rule_given_twice_counts_once() {
    let rule: &'static dyn Rule = &ReusesBuiltinName;
    let registry = mrt_core::Registry::from_rules([rule, rule]).expect("one rule");
    assert_eq!(registry.rules().len(), 1);
}
