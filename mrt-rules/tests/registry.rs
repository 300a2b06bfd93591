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

#[test]
fn opt_in_rules_run_only_when_selected_explicitly() {
    let registry = mrt_rules::registry();
    let codes = |select: &[&str]| -> Vec<&'static str> {
        let select: Vec<String> = select.iter().map(|s| (*s).to_owned()).collect();
        registry
            .select(&select, &[], &[])
            .expect("known selectors")
            .iter()
            .map(|rule| rule.meta().code)
            .collect()
    };
    let rolling = ["MRT701", "MRT702", "MRT703", "MRT704", "MRT705"];
    for code in rolling {
        let rule = registry.find(code).expect("a rolling-deploy rule");
        assert!(rule.meta().opt_in, "{code} is not opt-in");
        assert!(
            mrt_rules::is_builtin(code),
            "{code} is not in BUILTIN_CODES"
        );
    }
    let default = codes(&[]);
    let all = codes(&["ALL"]);
    assert!(default.contains(&"MRT201") && all.contains(&"MRT201"));
    assert!(
        rolling
            .iter()
            .all(|code| !default.contains(code) && !all.contains(code)),
        "default {default:?}, ALL {all:?}"
    );
    assert_eq!(codes(&["MRT7"]), rolling);
    assert_eq!(codes(&["rolling-drop-column"]), ["MRT701"]);
}

#[test]
fn every_registered_rule_is_a_builtin_code() {
    for rule in mrt_rules::registry().rules() {
        let code = rule.meta().code;
        assert!(
            mrt_rules::is_builtin(code),
            "{code} is missing from BUILTIN_CODES"
        );
    }
}

#[test]
fn a_rule_with_a_fix_declares_what_it_does() {
    for rule in mrt_rules::registry().rules() {
        let meta = rule.meta();
        match (meta.fix, meta.fix_title) {
            (mrt_core::FixAvailability::None, None) => {}
            (mrt_core::FixAvailability::None, Some(title)) => {
                panic!("{} has no fix but a fix title: {title}", meta.code)
            }
            (_, None) => panic!("{} has a fix but no fix_title", meta.code),
            (_, Some(title)) => assert!(
                title.starts_with(|c: char| c.is_ascii_uppercase()),
                "{}: a fix title is a sentence: {title}",
                meta.code
            ),
        }
    }
}
