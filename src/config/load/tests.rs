use std::path::Path;

use super::*;
use crate::config::{DatabaseMode, Env};

fn flags(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |key| {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    }
}

fn none(_: &str) -> Option<String> {
    None
}

fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(pairs.iter().copied())
}

fn file(dir: &Path, text: &str) -> String {
    let path = dir.join("rates.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn the_same_value_arrives_the_same_way_from_flag_env_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(
        dir.path(),
        "max_range_days = 31\n[db]\nmax_connections = 7\n",
    );
    let from_file = load(Commands::SERVE, &none, &env(&[("RATES_CONFIG", &path)])).unwrap();
    let from_env = load(
        Commands::SERVE,
        &none,
        &env(&[
            ("RATES_MAX_RANGE_DAYS", "31"),
            ("RATES_DB_MAX_CONNECTIONS", "7"),
        ]),
    )
    .unwrap();
    let from_flags = load(
        Commands::SERVE,
        &flags(&[("max_range_days", "31"), ("db.max_connections", "7")]),
        &Env::default(),
    )
    .unwrap();
    for loaded in [&from_file, &from_env, &from_flags] {
        assert_eq!(loaded.settings.max_range_days, 31);
        assert_eq!(loaded.settings.db.max_connections, 7);
    }
    assert!(matches!(
        from_file.source_of("max_range_days"),
        Some(Source::File(_))
    ));
    assert_eq!(
        from_env.source_of("db.max_connections"),
        Some(&Source::Env("RATES_DB_MAX_CONNECTIONS".into()))
    );
    assert_eq!(
        from_flags.source_of("db.max_connections"),
        Some(&Source::Flag("db-max-connections".into()))
    );
    assert_eq!(from_env.source_of("listen"), Some(&Source::Default));
}

#[test]
fn flags_beat_env_beat_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(
        dir.path(),
        "max_range_days = 10\nrequest_timeout_secs = 11\n",
    );
    let e = env(&[("RATES_CONFIG", &path), ("RATES_MAX_RANGE_DAYS", "20")]);
    let loaded = load(Commands::SERVE, &flags(&[("max_range_days", "30")]), &e).unwrap();
    assert_eq!(loaded.settings.max_range_days, 30);
    assert_eq!(loaded.settings.request_timeout_secs, 11);
    let loaded = load(Commands::SERVE, &none, &e).unwrap();
    assert_eq!(loaded.settings.max_range_days, 20);
}

#[test]
fn invalid_values_name_the_setting_the_source_and_what_is_accepted() {
    let cases: &[(&str, &str, &str)] = &[
        ("RATES_MAX_RANGE_DAYS", "0", "from 1 to 3660"),
        ("RATES_MAX_RANGE_DAYS", "3661", "from 1 to 3660"),
        ("RATES_DB_MAX_CONNECTIONS", "0", "from 1 to 1000"),
        ("RATES_LISTEN", "3691", "IP:PORT"),
        ("RATES_LOG_FORMAT", "xml", "text, json"),
        ("PGPASSWORD_FILE", "/nonexistent/pw", "a readable file"),
        ("RATES_SHUTDOWN_DELAY_SECS", "-1", "from 0 to 300"),
    ];
    for (name, value, expected) in cases {
        let err = load(Commands::SERVE, &none, &env(&[(name, value)]))
            .err()
            .unwrap_or_else(|| panic!("{name}={value} accepted"))
            .to_string();
        let key = SETTINGS
            .iter()
            .find(|s| s.env_names().iter().any(|n| n == name))
            .unwrap()
            .key;
        assert!(err.contains(key), "{err}");
        assert!(err.contains(&format!("env {name}")), "{err}");
        assert!(err.contains(expected), "{err}");
    }
    let err = load(
        Commands::SERVE,
        &flags(&[("listen", "nope")]),
        &Env::default(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("flag --listen"), "{err}");
}

#[test]
fn secrets_are_never_echoed_in_errors() {
    let err = load(
        Commands::SERVE,
        &none,
        &env(&[("DATABASE_URL", "postgres://u:hunter2@h:notaport/db")]),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("db.url") && !err.contains("hunter2"), "{err}");
}

#[test]
fn unknown_names_are_errors_with_a_suggestion() {
    let err = load(
        Commands::SERVE,
        &none,
        &env(&[("RATES_MAX_RANGE_DAY", "5")]),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("did you mean RATES_MAX_RANGE_DAYS"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path(), "[db]\nmax_conections = 3\n");
    let err = load(Commands::SERVE, &none, &env(&[("RATES_CONFIG", &path)]))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("did you mean db.max_connections"), "{err}");
}

#[test]
fn passwords_cannot_come_from_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path(), "[db]\npassword = \"hunter2\"\n");
    let err = load(Commands::SERVE, &none, &env(&[("RATES_CONFIG", &path)]))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("db.password cannot be set in the file"),
        "{err}"
    );
    assert!(!err.contains("hunter2"));
}

#[test]
fn settings_of_other_commands_are_not_read() {
    // The same environment serves every container of a stack.
    let loaded = load(
        Commands::MIGRATE,
        &none,
        &env(&[("RATES_LISTEN", "nonsense")]),
    );
    assert!(loaded.is_ok());
}

#[test]
fn the_database_is_embedded_only_when_nothing_says_otherwise() {
    let loaded = load(Commands::SERVE, &none, &Env::default()).unwrap();
    assert_eq!(loaded.settings.database, Some(DatabaseMode::Embedded));

    let loaded = load(
        Commands::SERVE,
        &none,
        &env(&[("DATABASE_URL", "postgres://u:p@db.internal/rates")]),
    )
    .unwrap();
    assert_eq!(loaded.settings.database, Some(DatabaseMode::External));
    let loaded = load(
        Commands::SERVE,
        &none,
        &env(&[("PGHOST", "db"), ("PGUSER", "u"), ("PGDATABASE", "rates")]),
    )
    .unwrap();
    assert_eq!(loaded.settings.db.host.as_deref(), Some("db"));
}

#[test]
fn a_lone_database_setting_is_an_error_naming_what_is_missing() {
    for (name, value) in [("PGPASSWORD", "secret"), ("PGPORT", "5433")] {
        let err = load(Commands::SERVE, &none, &env(&[(name, value)]))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains(&format!("env {name}")), "{err}");
        for missing in ["the host", "the user", "the database name"] {
            assert!(err.contains(missing), "{err}");
        }
        assert!(!err.contains("secret"), "{err}");
    }
    let err = load(
        Commands::SERVE,
        &none,
        &env(&[("RATES_DATABASE", "external")]),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("database = external (from env RATES_DATABASE)"),
        "{err}"
    );
}

#[test]
fn embedded_with_database_settings_is_a_contradiction() {
    let err = load(
        Commands::SERVE,
        &none,
        &env(&[("RATES_DATABASE", "embedded"), ("PGHOST", "db")]),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("db.host (env PGHOST)"), "{err}");
}

#[test]
fn secret_stores_supply_the_connection_themselves() {
    let loaded = load(
        Commands::SERVE,
        &none,
        &env(&[
            ("RATES_CREDENTIALS_SOURCE", "key_vault"),
            ("RATES_KEY_VAULT_URL", "https://v.vault.azure.net"),
        ]),
    )
    .unwrap();
    assert_eq!(loaded.settings.database, Some(DatabaseMode::External));
    let err = load(
        Commands::SERVE,
        &none,
        &env(&[("RATES_CREDENTIALS_SOURCE", "secrets_manager")]),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("secrets_manager.secret_id"), "{err}");
}

#[test]
fn rotation_needs_its_store() {
    let url = ("DATABASE_URL", "postgres://admin:p@db/rates");
    let err = load(Commands::ROTATE, &none, &env(&[url]))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("rotate.password_file"), "{err}");
    let ok = load(
        Commands::ROTATE,
        &none,
        &env(&[
            url,
            ("RATES_ROTATE_PASSWORD_FILE", "/run/api/password"),
            ("RATES_ROTATE_USER_FILE", "/run/api/user"),
        ]),
    );
    assert!(ok.is_ok());
}
