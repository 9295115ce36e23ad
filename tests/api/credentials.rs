//! Issue 4, credential sources: rotation under load for each store, token
//! renewal, `/readyz`, recovery from a refused login, and no secret in any
//! log. Real PostgreSQL; local fakes of the cloud services (see `fakes`).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use sqlx::Executor;

use crate::{
    evidence::{DATABASE_QUERY, Evidence, env, load, seeded_database, superuser_pool},
    fakes::{Identity, KeyVault, SecretsManager, eventually},
    support::cluster,
};

/// The store a rotation test publishes to, and how the test reads it back.
enum Store {
    Files(tempfile::TempDir),
    KeyVault(KeyVault),
    SecretsManager(SecretsManager),
}

const SM_SECRET: &str = "rates/api";

impl Store {
    async fn new(kind: &str) -> Self {
        match kind {
            "files" => Self::Files(tempfile::tempdir().unwrap()),
            "key_vault" => {
                let identity = Identity::start(Duration::from_secs(3600), None).await;
                Self::KeyVault(KeyVault::start(identity).await)
            }
            "secrets_manager" => {
                let sm = SecretsManager::start().await;
                sm.create(SM_SECRET, r#"{"engine":"postgres"}"#);
                Self::SecretsManager(sm)
            }
            other => panic!("{other}"),
        }
    }

    fn files(dir: &tempfile::TempDir) -> (String, String) {
        let path = |name: &str| dir.path().join(name).display().to_string();
        (path("password"), path("username"))
    }

    /// Settings that make it `rates db rotate`'s store.
    fn rotate_env(&self) -> Vec<(String, String)> {
        let (mut env, store) = match self {
            Self::Files(dir) => {
                let (password, user) = Self::files(dir);
                let env = vec![
                    ("RATES_ROTATE_PASSWORD_FILE".into(), password),
                    ("RATES_ROTATE_USER_FILE".into(), user),
                ];
                (env, "files")
            }
            Self::KeyVault(kv) => (kv.env(), "key_vault"),
            Self::SecretsManager(sm) => (sm.env(SM_SECRET), "secrets_manager"),
        };
        env.push(("RATES_ROTATE_STORE".into(), store.into()));
        env
    }

    /// Settings that make it `serve`'s credential source (for files, with
    /// where the database is).
    fn serve_env(&self, database: &str, port: u16) -> Vec<(String, String)> {
        match self {
            Self::Files(dir) => {
                let (password, user) = Self::files(dir);
                vec![
                    ("PGPASSWORD_FILE".into(), password),
                    ("PGUSER_FILE".into(), user),
                    (
                        "DATABASE_URL".into(),
                        format!("postgres://127.0.0.1:{port}/{database}?sslmode=disable"),
                    ),
                ]
            }
            Self::KeyVault(kv) => {
                let mut env = kv.env();
                env.push(("RATES_CREDENTIALS_SOURCE".into(), "key_vault".into()));
                env
            }
            Self::SecretsManager(sm) => {
                let mut env = sm.env(SM_SECRET);
                env.push(("RATES_CREDENTIALS_SOURCE".into(), "secrets_manager".into()));
                env
            }
        }
    }

    /// The published (user, password).
    fn published(&self) -> (String, String) {
        match self {
            Self::Files(dir) => (
                std::fs::read_to_string(dir.path().join("username")).unwrap(),
                std::fs::read_to_string(dir.path().join("password")).unwrap(),
            ),
            Self::KeyVault(kv) => (
                kv.secret("Webapp-DB-Server-Username").unwrap(),
                kv.secret("Webapp-DB-Server-UserPassword").unwrap(),
            ),
            Self::SecretsManager(sm) => {
                let json = sm.secret(SM_SECRET).unwrap();
                (
                    json["username"].as_str().unwrap().to_owned(),
                    json["password"].as_str().unwrap().to_owned(),
                )
            }
        }
    }

    /// Secrets of the fakes themselves (identity header, tokens, AWS key).
    fn own_secrets(&self) -> Vec<String> {
        match self {
            Self::Files(_) => vec![],
            Self::KeyVault(kv) => {
                let mut s = kv.identity().issued();
                s.push(kv.identity().header.clone());
                s
            }
            Self::SecretsManager(sm) => vec![sm.secret_access_key.clone()],
        }
    }
}

/// Clients call `/rates` while `rates db rotate` runs `rotations` times; the
/// service follows each rotation (checked through `/readyz`) before the next.
async fn rotation_under_load(kind: &str, rotations: usize, log_level: &str) -> (u64, u64) {
    let (database, admin_url) = seeded_database().await;
    let store = Store::new(kind).await;
    let prefix = format!("rot_{kind}_{}", log_level);
    let mut evidence = Evidence::new();
    evidence.secret(
        admin_url
            .rsplit_once('@')
            .unwrap()
            .0
            .rsplit_once(':')
            .unwrap()
            .1,
    );

    let mut admin_env = store.rotate_env();
    admin_env.extend(env(&[
        ("DATABASE_URL", &admin_url),
        ("RATES_DB_ROLE_PREFIX", &prefix),
        ("RATES_LOG_FILTER", log_level),
    ]));
    evidence.run(&["db", "bootstrap"], &admin_env).await;
    evidence.run(&["db", "rotate"], &admin_env).await;
    let (first_user, password) = store.published();
    evidence.secret(password);

    let mut serve_env = store.serve_env(&database, cluster().await.pg.port());
    serve_env.extend(env(&[
        ("RATES_CREDENTIALS_REFRESH_SECS", "1"),
        ("RATES_LOG_FILTER", log_level),
    ]));
    let served = evidence.serve(&serve_env).await;
    let (_, ready) = served.readyz().await;
    assert_eq!(
        ready["credentials"]["source"],
        kind.replace("files", "static")
    );
    assert_eq!(ready["credentials"]["user"], first_user.as_str());
    assert!(ready["credentials"]["refreshed_at"].is_string(), "{ready}");

    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(&served.base, 4, stop.clone());
    let mut users = vec![first_user];
    for _ in 0..rotations {
        tokio::time::sleep(Duration::from_millis(700)).await;
        evidence.run(&["db", "rotate"], &admin_env).await;
        let (user, password) = store.published();
        evidence.secret(password);
        assert_ne!(users.last(), Some(&user), "rotation alternates users");
        eventually(
            "the service to follow the rotation",
            Duration::from_secs(20),
            async || served.current_user().await.as_deref() == Some(user.as_str()),
        )
        .await;
        users.push(user);
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.store(true, Ordering::Relaxed);
    let (made, failed) = clients.await.unwrap();
    served.stop().await;
    eprintln!(
        "rotation under load, store {kind}: {rotations} rotations, {made} requests made, {failed} failed"
    );

    // One audit row per rotation, and for the bootstrap.
    let pool = superuser_pool(&admin_url).await;
    let audited: Vec<(String, String, String)> =
        sqlx::query_as("SELECT action, outcome, coalesce(target, '') FROM audit_log ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let rotations_audited = audited
        .iter()
        .filter(|(a, o, _)| a == "rotate" && o == "success")
        .count();
    assert_eq!(rotations_audited, rotations + 1, "{audited:?}");
    assert!(audited.iter().any(|(a, _, _)| a == "bootstrap"));
    let details: Vec<String> = sqlx::query_scalar("SELECT detail::text FROM audit_log")
        .fetch_all(&pool)
        .await
        .unwrap();
    for secret in &evidence.secrets {
        assert!(details.iter().all(|d| !d.contains(secret.as_str())));
    }
    pool.close().await;

    for secret in store.own_secrets() {
        evidence.secret(secret);
    }
    evidence.assert_no_secret_logged(&cluster().await.pg.log_file());
    if log_level == "trace" {
        // The SDKs' own trace output is there, and was checked too.
        let sdk = match kind {
            "secrets_manager" => "aws_smithy",
            "key_vault" => "azure",
            _ => "sqlx",
        };
        // The most verbose lines the SDK writes (sqlx's statements are DEBUG).
        let traced = evidence.logs.iter().any(|f| {
            std::fs::read_to_string(f).is_ok_and(|t| {
                t.lines()
                    .any(|l| (l.contains("TRACE") || l.contains("DEBUG")) && l.contains(sdk))
            })
        });
        assert!(traced, "the trace-level logs hold no {sdk} output");
    }
    assert!(made > 0);
    (made, failed)
}

#[tokio::test]
async fn rotation_under_load_with_password_files() {
    let (_, failed) = rotation_under_load("files", 5, "debug").await;
    assert_eq!(failed, 0);
}

#[tokio::test]
async fn rotation_under_load_with_key_vault() {
    let (_, failed) = rotation_under_load("key_vault", 5, "debug").await;
    assert_eq!(failed, 0);
}

#[tokio::test]
async fn rotation_under_load_with_secrets_manager() {
    let (_, failed) = rotation_under_load("secrets_manager", 5, "debug").await;
    assert_eq!(failed, 0);
}

/// The most verbose logs (every SDK's and sqlx's trace output) of bootstrap,
/// rotation and serving, for each store: no secret in any of them.
#[tokio::test]
async fn no_secret_in_any_log_even_at_trace_level() {
    for kind in ["files", "key_vault", "secrets_manager"] {
        rotation_under_load(kind, 1, "trace").await;
    }
}

/// Entra ID tokens that expire within seconds; the test PostgreSQL role's
/// password is set to each token as it is issued, so an expired token is
/// also a refused login. The service keeps answering across the renewals.
#[tokio::test]
async fn short_lived_entra_tokens_are_renewed_without_failing_requests() {
    let (database, admin_url) = seeded_database().await;
    let mut evidence = Evidence::new();
    evidence
        .run(
            &["db", "bootstrap"],
            &env(&[
                ("DATABASE_URL", &admin_url),
                ("RATES_DB_ROLE_PREFIX", "entra"),
            ]),
        )
        .await;
    let admin = superuser_pool(&admin_url).await;
    let identity = Identity::start(
        Duration::from_secs(6),
        Some((admin.clone(), "entra_api_a".into())),
    )
    .await;
    let config = evidence.dir.path().join("rates.toml");
    // Connections are replaced often, so new ones keep needing a valid token.
    std::fs::write(&config, "[db]\nmax_lifetime_secs = 2\n").unwrap();
    let port = cluster().await.pg.port();
    let mut serve_env = identity.env();
    serve_env.extend(env(&[
        ("RATES_CREDENTIALS_SOURCE", "entra_token"),
        (
            "DATABASE_URL",
            &format!("postgres://entra_api_a@127.0.0.1:{port}/{database}?sslmode=disable"),
        ),
        ("RATES_CONFIG", config.to_str().unwrap()),
        ("RATES_LOG_FILTER", "debug"),
    ]));
    let served = evidence.serve(&serve_env).await;
    let (_, ready) = served.readyz().await;
    assert_eq!(ready["credentials"]["source"], "entra_token");
    assert!(ready["credentials"]["expires_at"].is_string(), "{ready}");

    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(&served.base, 2, stop.clone());
    // Bounded: until four renewals after the first token, or 40 s.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    while identity.issued().len() < 5 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Past the last token's half-life, so its successor is in use too.
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let (made, failed) = clients.await.unwrap();
    served.stop().await;
    let issued = identity.issued();
    eprintln!(
        "entra tokens: {} issued (6 s lifetime), {made} requests made, {failed} failed",
        issued.len()
    );
    assert!(
        issued.len() >= 5,
        "only {} tokens were issued",
        issued.len()
    );
    assert_eq!(failed, 0);
    assert!(made > 0);
    for token in issued {
        evidence.secret(token);
    }
    evidence.secret(identity.header.clone());
    evidence.assert_no_secret_logged(&cluster().await.pg.log_file());
    admin.close().await;
}

/// `/readyz` names the source and the refresh time, never a secret.
#[tokio::test]
async fn readyz_reports_the_credential_source() {
    let mut evidence = Evidence::new();
    let (database, admin_url) = seeded_database().await;
    let password = admin_url
        .rsplit_once('@')
        .unwrap()
        .0
        .rsplit_once(':')
        .unwrap()
        .1
        .to_owned();
    evidence.secret(password.clone());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pw"), format!("{password}\n")).unwrap();
    let port = cluster().await.pg.port();
    let served = evidence
        .serve(&env(&[
            (
                "DATABASE_URL",
                &format!("postgres://rates@127.0.0.1:{port}/{database}"),
            ),
            ("PGPASSWORD_FILE", dir.path().join("pw").to_str().unwrap()),
        ]))
        .await;
    let (status, body) = served.readyz().await;
    assert_eq!(status, 200);
    assert_eq!(body["credentials"]["source"], "static");
    assert_eq!(body["credentials"]["user"], "rates");
    assert!(body["credentials"]["refreshed_at"].is_string());
    assert!(!body.to_string().contains(&password));
    served.stop().await;
    evidence.assert_no_secret_logged(&cluster().await.pg.log_file());
}

/// A password changed out of band (not by `rates db rotate`): the first
/// refused login makes the service re-read its source at once, long before
/// its (hour-long) refresh period, and the request retries with it.
#[tokio::test]
async fn a_refused_login_makes_the_service_reread_its_credentials() {
    let (database, admin_url) = seeded_database().await;
    let mut evidence = Evidence::new();
    let store = tempfile::tempdir().unwrap();
    let (pw_file, user_file) = (store.path().join("pw"), store.path().join("user"));
    let admin_env = env(&[
        ("DATABASE_URL", &admin_url),
        ("RATES_DB_ROLE_PREFIX", "refused"),
        ("RATES_ROTATE_PASSWORD_FILE", pw_file.to_str().unwrap()),
        ("RATES_ROTATE_USER_FILE", user_file.to_str().unwrap()),
    ]);
    evidence.run(&["db", "bootstrap"], &admin_env).await;
    evidence.run(&["db", "rotate"], &admin_env).await;
    let user = std::fs::read_to_string(&user_file).unwrap();
    evidence.secret(std::fs::read_to_string(&pw_file).unwrap());

    let port = cluster().await.pg.port();
    let served = evidence
        .serve(&env(&[
            (
                "DATABASE_URL",
                &format!("postgres://127.0.0.1:{port}/{database}?sslmode=disable"),
            ),
            ("PGPASSWORD_FILE", pw_file.to_str().unwrap()),
            ("PGUSER_FILE", user_file.to_str().unwrap()),
            ("RATES_CREDENTIALS_REFRESH_SECS", "3600"),
        ]))
        .await;
    let refreshed_before = served.readyz().await.1["credentials"]["refreshed_at"].clone();

    // An outside rotator changes the password and the mounted file.
    let new_password = rates::secrets::scram::random_password();
    let verifier = rates::secrets::scram::verifier(&new_password);
    let new_password = secrecy::ExposeSecret::expose_secret(&new_password).to_owned();
    evidence.secret(new_password.clone());
    let admin = superuser_pool(&admin_url).await;
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "ALTER ROLE {user} PASSWORD '{verifier}'"
        )))
        .await
        .unwrap();
    std::fs::write(&pw_file, &new_password).unwrap();
    // The rotator ends the old sessions too: the service's next login, with
    // the password it holds, is refused.
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{user}'"
        )))
        .await
        .unwrap();

    let client = reqwest::Client::new();
    let url = format!("{}{DATABASE_QUERY}", served.base);
    let (mut refused, mut recovered) = (0, false);
    for _ in 0..100 {
        let status = client.get(&url).send().await.unwrap().status().as_u16();
        match status {
            200 => {
                recovered = true;
                break;
            }
            503 => refused += 1,
            other => panic!("unexpected status {other}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("refused login: {refused} requests answered 503 before recovery");
    assert!(recovered, "the service never re-read its password file");
    // The request that met the refused login waited for the re-read and
    // tried once more, so no client saw it.
    assert_eq!(refused, 0, "requests answered 503 before recovery");
    let refreshed_after = served.readyz().await.1["credentials"]["refreshed_at"].clone();
    assert_ne!(refreshed_before, refreshed_after);
    served.stop().await;
    admin.close().await;
    evidence.assert_no_secret_logged(&cluster().await.pg.log_file());
}

/// RDS IAM: the SigV4 token made from the SDK's credential chain is what the
/// service logs in with. No local server can validate it, so the login is
/// refused; the test checks the wiring and that nothing leaks.
#[tokio::test]
async fn rds_iam_tokens_are_generated_and_used_as_the_password() {
    let (database, _) = seeded_database().await;
    let mut evidence = Evidence::new();
    let secret_key = crate::fakes::random(40);
    evidence.secret(secret_key.clone());
    let port = cluster().await.pg.port();
    let url = format!("postgres://rds_iam_user@127.0.0.1:{port}/{database}?sslmode=disable");
    let served = evidence
        .serve_until(
            &env(&[
                ("RATES_CREDENTIALS_SOURCE", "rds_iam"),
                ("DATABASE_URL", &url),
                ("AWS_REGION", "eu-north-1"),
                ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE01"),
                ("AWS_SECRET_ACCESS_KEY", &secret_key),
                ("AWS_EC2_METADATA_DISABLED", "true"),
                ("AWS_CONFIG_FILE", "/nonexistent"),
                ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
            ]),
            503,
        )
        .await;
    // Start-up retries the refused login, saying why.
    eventually(
        "the refused RDS IAM login to show in /readyz",
        Duration::from_secs(30),
        async || {
            let reason = served.readyz().await.1["reason"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            reason.contains("authentication failed")
        },
    )
    .await;
    let (_, body) = served.readyz().await;
    assert_eq!(body["credentials"]["source"], "rds_iam");
    assert_eq!(body["credentials"]["user"], "rds_iam_user");
    let expires: chrono::DateTime<chrono::Utc> = body["credentials"]["expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let left = expires - chrono::Utc::now();
    assert!(left > chrono::Duration::minutes(14) && left <= chrono::Duration::minutes(15));
    served.stop().await;
    let log = std::fs::read_to_string(cluster().await.pg.log_file()).unwrap();
    assert!(log.contains("password authentication failed for user \"rds_iam_user\""));
    evidence.assert_no_secret_logged(&cluster().await.pg.log_file());
}
