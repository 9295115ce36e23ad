//! Issue 7, one settings model, through the binary: each setting arrives the
//! same way from a flag, the environment or the file (`rates config` says
//! which), and an invalid one stops `rates` before it does anything.

use std::time::{Duration, Instant};

use crate::cli::rates_command;

/// `rates config`'s line for `key`: (value, source).
async fn effective(key: &str, args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let out = rates_command()
        .arg("config")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(key))
        .unwrap_or_else(|| panic!("no {key} in:\n{stdout}"));
    let mut parts = line.split_whitespace();
    parts.next();
    let value = parts.next().unwrap().to_owned();
    (value, parts.collect::<Vec<_>>().join(" "))
}

#[tokio::test]
async fn flag_env_and_file_give_the_same_effective_setting() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rates.toml");
    std::fs::write(&file, "[db]\nmax_connections = 7\n").unwrap();
    let file = file.to_str().unwrap();
    let key = "db.max_connections";
    assert_eq!(
        effective(key, &[], &[]).await,
        ("16".into(), "default".into())
    );
    assert_eq!(
        effective(key, &["--db-max-connections", "7"], &[]).await,
        ("7".into(), "flag --db-max-connections".into())
    );
    assert_eq!(
        effective(key, &[], &[("RATES_DB_MAX_CONNECTIONS", "7")]).await,
        ("7".into(), "env RATES_DB_MAX_CONNECTIONS".into())
    );
    assert_eq!(
        effective(key, &[], &[("RATES_CONFIG", file)]).await,
        ("7".into(), format!("file {file}"))
    );
    // Precedence: flag over environment over file.
    assert_eq!(
        effective(
            key,
            &["--db-max-connections", "9"],
            &[("RATES_CONFIG", file), ("RATES_DB_MAX_CONNECTIONS", "8")]
        )
        .await
        .0,
        "9"
    );
    // Secrets are shown redacted.
    let (value, source) = effective(
        "db.url",
        &[],
        &[("DATABASE_URL", "postgres://u:hunter2@db/rates")],
    )
    .await;
    assert_eq!(
        (value.as_str(), source.as_str()),
        ("postgres://u:***@db/rates", "env DATABASE_URL")
    );
}

/// Every kind of invalid setting fails in well under a second, with one
/// line naming the setting, where it came from and what is accepted, and
/// before the embedded PostgreSQL is even set up.
#[tokio::test]
async fn invalid_settings_fail_before_any_side_effect() {
    type Env<'a> = &'a [(&'a str, &'a str)];
    let cases: &[(Env, &[&str], &str)] = &[
        (&[("RATES_LISTEN", "3691")], &[], "listen"),
        (&[], &["--db-max-connections", "0"], "db.max_connections"),
        (&[("RATES_MAX_RANGE_DAYS", "100000")], &[], "max_range_days"),
        (
            &[("RATES_MAX_CLIENT_CONNECTIONS", "0")],
            &[],
            "max_client_connections",
        ),
        (
            &[("RATES_CONFIG", "/nonexistent/rates.toml")],
            &[],
            "config",
        ),
        (
            &[("PGPASSWORD_FILE", "/nonexistent/password")],
            &[],
            "db.password_file",
        ),
        (&[("PGPASSWORD", "hunter2-secret")], &[], "the host"),
        (&[("PGPORT", "5433")], &[], "the database name"),
        (
            &[("RATES_DATABASE", "embedded"), ("PGHOST", "db")],
            &[],
            "db.host",
        ),
        (
            &[("RATES_SHUTDOWN_GRACE_SECS", "-5")],
            &[],
            "shutdown_grace_secs",
        ),
        (&[("RATES_LOG_FILTER", "info,[")], &[], "log.filter"),
        (
            &[("RATES_MAX_RANGE_DAYZ", "31")],
            &[],
            "RATES_MAX_RANGE_DAYS",
        ),
    ];
    for (env, flags, named) in cases {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let started = Instant::now();
        let out = rates_command()
            .arg("serve")
            .args(*flags)
            .envs(env.iter().copied())
            .env("RATES_EMBEDDED_DATA_DIR", &data_dir)
            .output()
            .await
            .unwrap();
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{env:?} {flags:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains(named), "{env:?} {flags:?}: {stderr}");
        assert!(!stderr.contains("hunter2-secret"), "{stderr}");
        assert!(
            !data_dir.exists(),
            "{env:?}: the data directory was created"
        );
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}

/// A port in use is found before the embedded PostgreSQL is set up.
#[tokio::test]
async fn a_taken_port_fails_before_the_database_is_touched() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let out = rates_command()
        .arg("serve")
        .env("RATES_LISTEN", format!("127.0.0.1:{port}"))
        .env("RATES_EMBEDDED_DATA_DIR", &data_dir)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(!data_dir.exists());
}
