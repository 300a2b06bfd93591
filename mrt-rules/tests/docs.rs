//! Every rule documents itself, and `docs/rules.md` is generated from that documentation.

// A test that cannot read its own fixtures should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;

#[test]
fn every_rule_has_the_required_sections() {
    for rule in mrt_rules::registry().rules() {
        let meta = rule.meta();
        let missing = mrt_rules::docs::missing_sections(meta);
        assert!(missing.is_empty(), "{} lacks {missing:?}", meta.code);
        assert!(!meta.summary.is_empty(), "{} has no summary", meta.code);
    }
}

#[test]
fn rules_markdown_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    let expected = mrt_rules::docs::rules_markdown(mrt_rules::registry());
    if std::env::var_os("MRT_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("docs/rules.md is writable");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is stale: run `MRT_UPDATE_DOCS=1 cargo test -p mrt-rules --test docs`"
    );
}

#[test]
fn every_squawk_rule_is_covered_or_explained_and_named_by_its_rules() {
    let registry = mrt_rules::registry();
    for (squawk, codes, why) in mrt_rules::docs::SQUAWK_RULES {
        assert!(
            !codes.is_empty() || !why.is_empty(),
            "{squawk}: neither covered nor explained"
        );
        for code in *codes {
            let rule = registry
                .rules()
                .iter()
                .find(|rule| rule.meta().code == *code)
                .unwrap_or_else(|| panic!("{squawk}: no rule {code}"));
            assert!(
                rule.meta().explanation().contains(&format!("`{squawk}`")),
                "{code}'s docs do not name squawk's `{squawk}`"
            );
        }
    }
}
