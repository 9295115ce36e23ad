//! Issue 4, least privilege and audit: the roles `rates db bootstrap` makes,
//! the append-only audit log, and the shipped pgaudit configuration loaded
//! into a real server.

use std::{path::Path, time::Duration};

use rates::db::embedded::{EmbeddedOptions, EmbeddedPostgres};
use serde_json::Value;
use sqlx::{Connection, Executor};

use crate::{
    evidence::{Evidence, env, rates, seeded_database, superuser_pool},
    fakes::eventually,
    support::{Dataset, cluster, fresh_database, required_file},
};

/// The API's roles can read and nothing more; bootstrap is idempotent.
#[tokio::test]
async fn bootstrap_creates_least_privilege_roles_idempotently() {
    let (_, admin_url) = seeded_database().await;
    let mut evidence = Evidence::new();
    let dir = tempfile::tempdir().unwrap();
    let admin_env = env(&[
        ("DATABASE_URL", &admin_url),
        ("RATES_DB_ROLE_PREFIX", "lp"),
        (
            "RATES_ROTATE_PASSWORD_FILE",
            dir.path().join("pw").to_str().unwrap(),
        ),
        (
            "RATES_ROTATE_USER_FILE",
            dir.path().join("user").to_str().unwrap(),
        ),
    ]);
    let first = evidence.run(&["db", "bootstrap"], &admin_env).await;
    let second = evidence.run(&["db", "bootstrap"], &admin_env).await;
    // Roles are cluster-wide: another test binary run may have made them.
    assert!(
        first.contains("lp_api_a") || first.contains("already"),
        "{first}"
    );
    assert!(second.contains("already in place"), "{second}");
    evidence.run(&["db", "rotate"], &admin_env).await;
    let user = std::fs::read_to_string(dir.path().join("user")).unwrap();
    let password = std::fs::read_to_string(dir.path().join("pw")).unwrap();
    evidence.secret(password.clone());

    let pool = superuser_pool(&admin_url).await;
    let super_or_owner: Vec<(String, bool)> = sqlx::query_as(
        "SELECT rolname::text, rolsuper FROM pg_roles WHERE rolname LIKE 'lp\\_%' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        super_or_owner
            .iter()
            .map(|(r, _)| r.as_str())
            .collect::<Vec<_>>(),
        ["lp_api", "lp_api_a", "lp_api_b", "lp_owner", "lp_writer"]
    );
    assert!(super_or_owner.iter().all(|(_, s)| !s));
    let owners: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT tableowner::text FROM pg_tables WHERE schemaname = 'public'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(owners, ["lp_owner"]);

    let api_url = admin_url.replacen(
        &admin_url[..admin_url.find('@').unwrap()],
        &format!("postgres://{user}:{password}"),
        1,
    );
    let mut api = sqlx::PgConnection::connect(&api_url).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM prices")
        .fetch_one(&mut api)
        .await
        .unwrap();
    assert_eq!(n, 400);
    for forbidden in [
        "UPDATE prices SET price = 0",
        "DELETE FROM ports",
        "CREATE TABLE t (x int)",
        "SELECT * FROM audit_log",
        "ALTER ROLE lp_api_b PASSWORD 'x'",
    ] {
        let err = api.execute(forbidden).await.unwrap_err();
        assert!(
            matches!(&err, sqlx::Error::Database(d) if d.code().as_deref() == Some("42501")),
            "{forbidden}: {err}"
        );
    }
    api.close().await.unwrap();
    pool.close().await;
    evidence.assert_no_secret_logged(&cluster().await.pg.log_file());
}

/// Migrations and imports are audited, and the audit log cannot be changed.
#[tokio::test]
async fn audit_log_records_jobs_and_is_append_only() {
    let name = fresh_database(Dataset::Empty).await.unwrap();
    let url = cluster().await.url(&name);
    let mut evidence = Evidence::new();
    evidence
        .run(&["migrate"], &env(&[("DATABASE_URL", &url)]))
        .await;
    let failed_import = rates()
        .args(["import", "/nonexistent/prices.csv"])
        .env("DATABASE_URL", &url)
        .output()
        .await
        .unwrap();
    assert!(!failed_import.status.success());

    let pool = superuser_pool(&url).await;
    let rows: Vec<(String, String, Option<String>, String, Value)> = sqlx::query_as(
        "SELECT action, outcome, os_user, db_role, detail FROM audit_log ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let actions: Vec<(&str, &str)> = rows
        .iter()
        .map(|(a, o, ..)| (a.as_str(), o.as_str()))
        .collect();
    assert_eq!(actions, [("migrate", "success"), ("import", "failure")]);
    assert!(rows.iter().all(|r| r.2.is_some() && r.3 == "rates"));
    assert_eq!(rows[1].4["files"][0], "/nonexistent/prices.csv");

    for change in [
        "UPDATE audit_log SET outcome = 'success'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = pool.execute(change).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{change}: {err}");
    }
    pool.close().await;
}

/// The shipped pgaudit configuration, loaded into a real server: role
/// changes and the API role's statements are in the server log; passwords
/// are not (rotation sends SCRAM verifiers).
#[tokio::test]
async fn pgaudit_config_logs_role_changes_and_api_statements() {
    let bin = rates::db::embedded::find_bin_dir(None).unwrap();
    let lib = bin.parent().unwrap().join("lib/pgaudit.so");
    if required_file(lib, "apt-get install postgresql-15-pgaudit; .ci/run does").is_none() {
        return;
    }
    let conf = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/postgres/pgaudit.conf"),
    )
    .unwrap();
    let root = tempfile::Builder::new()
        .prefix("rates-pgaudit-")
        .tempdir_in(std::env::temp_dir())
        .unwrap();
    let pg = EmbeddedPostgres::start(EmbeddedOptions {
        data_root: root.path().to_owned(),
        bin_dir: None,
        port: 0,
        fast_unsafe: true,
        extra_conf: parse_conf(&conf),
    })
    .await
    .unwrap();
    let superuser_password =
        std::fs::read_to_string(root.path().join("superuser.password")).unwrap();
    let admin_url = format!(
        "postgres://rates:{}@127.0.0.1:{}/rates",
        superuser_password.trim(),
        pg.port()
    );
    let mut evidence = Evidence::new();
    evidence.secret(superuser_password.trim());
    let store = tempfile::tempdir().unwrap();
    let admin_env = env(&[
        ("DATABASE_URL", &admin_url),
        ("RATES_DB_ROLE_PREFIX", "audited"),
        (
            "RATES_ROTATE_PASSWORD_FILE",
            store.path().join("pw").to_str().unwrap(),
        ),
        (
            "RATES_ROTATE_USER_FILE",
            store.path().join("user").to_str().unwrap(),
        ),
    ]);
    evidence
        .run(&["migrate"], &env(&[("DATABASE_URL", &admin_url)]))
        .await;
    evidence.run(&["db", "bootstrap"], &admin_env).await;
    evidence.run(&["db", "rotate"], &admin_env).await;
    let password = std::fs::read_to_string(store.path().join("pw")).unwrap();
    evidence.secret(password.clone());

    let api_url = format!(
        "postgres://audited_api_a:{password}@127.0.0.1:{}/rates",
        pg.port()
    );
    let mut api = sqlx::PgConnection::connect(&api_url).await.unwrap();
    sqlx::query("SELECT count(*) FROM ports WHERE code = 'AUDITME'")
        .execute(&mut api)
        .await
        .unwrap();
    api.close().await.unwrap();

    let log_file = pg.log_file();
    let mut log = String::new();
    eventually(
        "pgaudit lines in the server log",
        Duration::from_secs(10),
        async || {
            log = std::fs::read_to_string(&log_file).unwrap_or_default();
            log.contains("AUDITME")
        },
    )
    .await;
    let audit_lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("AUDIT: SESSION"))
        .collect();
    let has = |needle: &str| audit_lines.iter().any(|l| l.contains(needle));
    assert!(has("CREATE ROLE audited_api_a"), "{log}");
    // pgaudit redacts the password; it would only have seen a verifier anyway.
    assert!(has("ALTER ROLE audited_api_a WITH LOGIN PASSWORD"), "{log}");
    assert!(has("ALTER ROLE audited_api_a SET pgaudit.log"), "{log}");
    assert!(has("GRANT audited_api TO audited_api_a"), "{log}");
    let api_line = audit_lines
        .iter()
        .find(|l| l.contains("AUDITME"))
        .expect("the API role's statement");
    assert!(api_line.contains("audited_api_a@rates"), "{api_line}");
    assert!(api_line.contains("READ,SELECT"), "{api_line}");
    eprintln!(
        "pgaudit: {} audit lines, e.g. {api_line}",
        audit_lines.len()
    );

    evidence.assert_no_secret_logged(&log_file);
    pg.stop().await.unwrap();
}

/// `name = 'value'` lines of a postgresql.conf fragment.
fn parse_conf(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|l| l.split_once('#').map_or(l, |(setting, _)| setting).trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, value) = l.split_once('=').expect("name = value");
            let value = value.trim();
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(value);
            (name.trim().to_owned(), value.to_owned())
        })
        .collect()
}

/// `rates demo`, and the migration `rates import` runs on a database that
/// needs one, are audited like every other job.
#[tokio::test]
async fn demo_and_the_migrations_jobs_run_first_are_audited() {
    let cluster = cluster().await;
    let mut evidence = Evidence::new();
    for (name, args) in [
        ("audit_demo", vec!["demo", "--prices", "1000"]),
        ("audit_import", vec!["import", "PRICES"]),
    ] {
        cluster.admin(&format!("CREATE DATABASE {name}")).await;
        let url = cluster.url(name);
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("regions.csv");
        std::fs::write(&csv, "slug,name,parent_slug\nworld,World,\n").unwrap();
        let args: Vec<&str> = args
            .iter()
            .map(|a| {
                if *a == "PRICES" {
                    csv.to_str().unwrap()
                } else {
                    a
                }
            })
            .collect();
        evidence.run(&args, &env(&[("DATABASE_URL", &url)])).await;
        let pool = superuser_pool(&url).await;
        let actions: Vec<(String, String)> =
            sqlx::query_as("SELECT action, outcome FROM audit_log ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        let job = args[0];
        assert_eq!(
            actions,
            [
                ("migrate".into(), "success".into()),
                (job.into(), "success".into())
            ],
            "{name}"
        );
        pool.close().await;
    }
}

/// Bootstrap can give the owner a password (from a file), so that
/// `rates migrate` runs as the owner rather than as an administrator.
#[tokio::test]
async fn migrations_run_as_the_owner_with_the_password_bootstrap_set() {
    let (database, admin_url) = seeded_database().await;
    let mut evidence = Evidence::new();
    let dir = tempfile::tempdir().unwrap();
    let owner_password = crate::fakes::random(32);
    evidence.secret(owner_password.clone());
    let file = dir.path().join("owner");
    std::fs::write(&file, format!("{owner_password}\n")).unwrap();
    evidence
        .run(
            &["db", "bootstrap"],
            &env(&[
                ("DATABASE_URL", &admin_url),
                ("RATES_DB_ROLE_PREFIX", "owned"),
                (
                    "RATES_BOOTSTRAP_OWNER_PASSWORD_FILE",
                    file.to_str().unwrap(),
                ),
            ]),
        )
        .await;
    let port = cluster().await.pg.port();
    let owner_url = format!("postgres://owned_owner@127.0.0.1:{port}/{database}");
    evidence
        .run(
            &["migrate"],
            &env(&[
                ("DATABASE_URL", &owner_url),
                ("PGPASSWORD_FILE", file.to_str().unwrap()),
            ]),
        )
        .await;
    let pool = superuser_pool(&admin_url).await;
    let role: String = sqlx::query_scalar(
        "SELECT db_role FROM audit_log WHERE action = 'migrate' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(role, "owned_owner");
    pool.close().await;
    evidence.assert_no_secret_logged(&cluster().await.pg.log_file());
}
