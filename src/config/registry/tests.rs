use std::collections::HashSet;

use super::*;

#[test]
fn names_follow_the_rule() {
    let s = Setting::find("db.max_connections").unwrap();
    assert_eq!(s.env(), "RATES_DB_MAX_CONNECTIONS");
    assert_eq!(s.flag().as_deref(), Some("db-max-connections"));
    let url = Setting::find("db.url").unwrap();
    assert_eq!(url.flag(), None, "secrets have no flag");
    assert_eq!(url.env_names(), ["RATES_DB_URL", "DATABASE_URL"]);
}

#[test]
fn keys_env_names_and_flags_are_unique() {
    let mut seen = HashSet::new();
    for s in SETTINGS {
        assert!(seen.insert(s.key.to_owned()), "{}", s.key);
        for env in s.env_names() {
            assert!(seen.insert(env.clone()), "{env}");
        }
        if let Some(flag) = s.flag() {
            assert!(seen.insert(format!("--{flag}")), "{flag}");
        }
    }
}

#[test]
fn every_default_is_accepted_by_its_own_parser() {
    let defaults = Settings::default();
    for s in SETTINGS {
        if s.is_secret() {
            continue;
        }
        if let Some(shown) = s.get(&defaults) {
            let mut fresh = Settings::default();
            // Paths that must exist are checked where they are used.
            if s.accepts == "FILE" || s.accepts == "DIR" {
                continue;
            }
            s.set(&mut fresh, &shown)
                .unwrap_or_else(|e| panic!("{}: default {shown:?} rejected: {e}", s.key));
            assert_eq!(s.get(&fresh), Some(shown), "{}", s.key);
        }
    }
}

#[test]
fn every_section_has_a_heading() {
    for s in SETTINGS {
        assert!(!s.heading().is_empty());
        assert!(!s.help().is_empty(), "{}", s.key);
    }
}
