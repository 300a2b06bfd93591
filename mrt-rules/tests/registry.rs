//! The registry holds every built-in rule once, with well-formed metadata.

// A test that cannot read its own fixtures should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashSet;

#[test]
fn every_builtin_rule_is_registered_once() {
    let registry = mrt_rules::registry();
    let codes: Vec<&str> = registry
        .rules()
        .iter()
        .map(|rule| rule.meta().code)
        .collect();
    for code in ["MRT101", "MRT102", "MRT201", "MRT902"] {
        assert!(codes.contains(&code), "{code} is not registered: {codes:?}");
        assert!(mrt_rules::is_builtin(code));
    }
    let unique: HashSet<&str> = codes.iter().copied().collect();
    assert_eq!(unique.len(), codes.len(), "duplicate codes: {codes:?}");
}

#[test]
fn names_and_aliases_are_unique_and_well_formed() {
    let registry = mrt_rules::registry();
    let mut seen = HashSet::new();
    for rule in registry.rules() {
        let meta = rule.meta();
        assert!(
            meta.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{} is not kebab-case",
            meta.name
        );
        assert!(seen.insert(meta.name), "name {} used twice", meta.name);
        for key in std::iter::once(meta.code).chain(meta.aliases.iter().copied()) {
            assert!(seen.insert(key), "code or alias {key} used twice");
        }
    }
}

#[test]
fn aliases_resolve_to_their_rule() {
    let registry = mrt_rules::registry();
    let rule = registry
        .find("mrt209")
        .expect("MRT209 is an alias of drop-column");
    assert_eq!(rule.meta().code, "MRT201");
    assert_eq!(
        registry.find("drop-column").map(|r| r.meta().code),
        Some("MRT201")
    );
}

#[test]
fn selection_by_prefix_and_ignore() {
    let registry = mrt_rules::registry();
    let selected = registry
        .select(&["MRT1".to_owned()], &[], &["MRT102".to_owned()])
        .expect("known selectors");
    let codes: Vec<&str> = selected.iter().map(|rule| rule.meta().code).collect();
    // Every MRT1xx rule but the ignored one, and nothing else (the exact list grows with the rules).
    assert!(codes.contains(&"MRT101"), "{codes:?}");
    assert!(codes.contains(&"MRT103"), "{codes:?}");
    assert!(codes.contains(&"MRT104"), "{codes:?}");
    assert!(!codes.contains(&"MRT102"), "{codes:?}");
    assert!(
        codes.iter().all(|code| code.starts_with("MRT1")),
        "{codes:?}"
    );
    let error = registry
        .select(&["MRT999".to_owned()], &[], &[])
        .expect_err("MRT999 names no rule");
    assert!(error.to_string().contains("MRT999"));
}
