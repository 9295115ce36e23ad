//! Issue 4: credential sources, rotation under load, token expiry, least
//! privilege, audit and pgaudit, against real PostgreSQL and local fakes of
//! the cloud services (see `fakes`). Every test also checks that no secret it
//! used appears in any log it produced, nor in the PostgreSQL server's log.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use rates::db::embedded::{EmbeddedOptions, EmbeddedPostgres};
use serde_json::Value;
use sqlx::{Connection, Executor, PgPool};
use tokio::process::{Child, Command};

use crate::{
    cli::rates_command,
    fakes::{Identity, KeyVault, SecretsManager, eventually},
    support::{Dataset, cluster, fresh_database},
};

/// A day range and lane present in [`seed`]'s data.
const RATES_QUERY: &str =
    "/rates?date_from=2024-01-01&date_to=2024-01-07&orig_code=CNSHA&dest_code=china_main";

/// `rates`, with no credential settings inherited from the developer's shell.
fn rates() -> Command {
    let mut cmd = rates_command();
    for (name, _) in std::env::vars() {
        if name.starts_with("RATES_")
            || name.starts_with("AWS_")
            || name.starts_with("AZURE_")
            || [
                "IDENTITY_ENDPOINT",
                "IDENTITY_HEADER",
                "MSI_ENDPOINT",
                "PGUSER_FILE",
            ]
            .contains(&name.as_str())
        {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// Everything a test wrote to logs, and the secrets that must not be in them.
struct Evidence {
    dir: tempfile::TempDir,
    logs: Vec<PathBuf>,
    secrets: Vec<String>,
}

impl Evidence {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            logs: Vec::new(),
            secrets: Vec::new(),
        }
    }

    fn log_file(&mut self, name: &str) -> std::fs::File {
        let path = self
            .dir
            .path()
            .join(format!("{}-{name}.log", self.logs.len()));
        self.logs.push(path.clone());
        std::fs::File::create(path).unwrap()
    }

    fn secret(&mut self, secret: impl Into<String>) {
        let secret = secret.into();
        assert!(secret.len() >= 8, "too short to grep for meaningfully");
        if !self.secrets.contains(&secret) {
            self.secrets.push(secret);
        }
    }

    /// Runs `rates ARGS` to completion, keeping its output; panics on failure.
    async fn run(&mut self, args: &[&str], env: &[(String, String)]) -> String {
        let out = rates()
            .args(args)
            .envs(env.iter().cloned())
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let name = args.join("-");
        let mut file = self.log_file(&name);
        use std::io::Write;
        writeln!(file, "{stdout}\n{stderr}").unwrap();
        assert!(
            out.status.success(),
            "rates {args:?} failed:\n{stdout}\n{stderr}"
        );
        stdout
    }

    /// Starts `rates serve` with `env`, and waits until it is ready.
    async fn serve(&mut self, env: &[(String, String)]) -> Served {
        self.serve_until(env, 200).await
    }

    /// Starts `rates serve` and waits until `/readyz` answers `status`.
    async fn serve_until(&mut self, env: &[(String, String)], status: u16) -> Served {
        let port = free_port();
        let child = rates()
            .arg("serve")
            .envs(env.iter().cloned())
            .env("RATES_LISTEN", format!("127.0.0.1:{port}"))
            .env("RATES_MIGRATE", "false")
            .stdout(Stdio::from(self.log_file("serve-stdout")))
            .stderr(Stdio::from(self.log_file("serve-stderr")))
            .spawn()
            .unwrap();
        let served = Served {
            child,
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        };
        eventually(
            "rates serve to answer /readyz",
            Duration::from_secs(60),
            async || served.readyz().await.0 == status,
        )
        .await;
        served
    }

    /// No secret in any log of this test, nor in the server's log.
    fn assert_no_secret_logged(&self, server_log: &Path) {
        let mut files = self.logs.clone();
        files.push(server_log.to_owned());
        let mut checked = 0;
        for file in &files {
            let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
            checked += text.len();
            for secret in &self.secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "a secret ({}…) appears in {}",
                    &secret[..4],
                    file.display()
                );
            }
        }
        eprintln!(
            "checked {} secrets against {} log files ({checked} bytes): none found",
            self.secrets.len(),
            files.len()
        );
    }
}

struct Served {
    child: Child,
    base: String,
    client: reqwest::Client,
}

impl Served {
    async fn readyz(&self) -> (u16, Value) {
        match self
            .client
            .get(format!("{}/readyz", self.base))
            .send()
            .await
        {
            Ok(r) => (r.status().as_u16(), r.json().await.unwrap_or_default()),
            Err(_) => (0, Value::Null),
        }
    }

    /// The user `/readyz` says the pool logs in as now.
    async fn current_user(&self) -> Option<String> {
        self.readyz().await.1["credentials"]["user"]
            .as_str()
            .map(str::to_owned)
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A fresh database with a small dataset, and its superuser URL.
async fn seeded_database() -> (String, String) {
    let name = fresh_database(Dataset::Empty).await.unwrap();
    let url = cluster().await.url(&name);
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    seed(&mut conn).await;
    conn.close().await.unwrap();
    (name, url)
}

async fn seed(conn: &mut sqlx::PgConnection) {
    conn.execute(
        "INSERT INTO regions VALUES ('china_main', 'China Main', NULL);
         INSERT INTO ports VALUES ('CNSHA', 'Shanghai', 'china_main'),
                                  ('CNNGB', 'Ningbo', 'china_main');
         INSERT INTO prices
         SELECT o, d, DATE '2024-01-01' + (i % 7), 1000 + i
           FROM generate_series(1, 200) i,
                (VALUES ('CNSHA', 'CNNGB'), ('CNSHA', 'CNSHA')) lanes(o, d)",
    )
    .await
    .unwrap();
}

async fn superuser_pool(url: &str) -> PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .unwrap()
}

/// Clients calling `/rates` until `stop`: (requests made, requests failed).
fn load(base: &str, clients: usize, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<(u64, u64)> {
    let made = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let url = format!("{base}{RATES_QUERY}");
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (made, failed, stop, url) =
                (made.clone(), failed.clone(), stop.clone(), url.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                // Bounded in count as well as by `stop`.
                for _ in 0..100_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    made.fetch_add(1, Ordering::Relaxed);
                    let ok = match client.get(&url).send().await {
                        Ok(r) if r.status() == 200 => r
                            .json::<Value>()
                            .await
                            .is_ok_and(|b| b["rates"].as_array().is_some_and(|r| r.len() == 7)),
                        Ok(r) => {
                            eprintln!("failed request: {} {:?}", r.status(), r.text().await);
                            false
                        }
                        Err(e) => {
                            eprintln!("failed request: {e}");
                            false
                        }
                    };
                    if !ok {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    tokio::spawn(async move {
        for task in tasks {
            task.await.unwrap();
        }
        (made.load(Ordering::Relaxed), failed.load(Ordering::Relaxed))
    })
}

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

    /// Settings that select this store (for `rotate` and `serve` alike).
    fn env(&self) -> Vec<(String, String)> {
        match self {
            Self::Files(dir) => vec![
                (
                    "PGPASSWORD_FILE".into(),
                    dir.path().join("password").display().to_string(),
                ),
                (
                    "PGUSER_FILE".into(),
                    dir.path().join("username").display().to_string(),
                ),
            ],
            Self::KeyVault(kv) => kv.env(),
            Self::SecretsManager(sm) => sm.env(SM_SECRET),
        }
    }

    /// What `serve` needs besides the store: for files, where the database is.
    fn serve_env(&self, database: &str) -> Vec<(String, String)> {
        let mut env = self.env();
        if let Self::Files(_) = self {
            let port = cluster_port();
            env.push((
                "DATABASE_URL".into(),
                format!("postgres://127.0.0.1:{port}/{database}?sslmode=disable"),
            ));
        }
        env
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

fn cluster_port() -> u16 {
    CLUSTER_PORT.load(Ordering::Relaxed) as u16
}

static CLUSTER_PORT: AtomicU64 = AtomicU64::new(0);

/// Clients call `/rates` while `rates db rotate` runs `rotations` times; the
/// service follows each rotation (checked through `/readyz`) before the next.
async fn rotation_under_load(kind: &str, rotations: usize, log_level: &str) -> (u64, u64) {
    let (database, admin_url) = seeded_database().await;
    CLUSTER_PORT.store(cluster().await.pg.port().into(), Ordering::Relaxed);
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

    let mut admin_env = store.env();
    admin_env.extend(env(&[
        ("DATABASE_URL", &admin_url),
        ("RATES_ROLE_PREFIX", &prefix),
        ("RATES_LOG", log_level),
    ]));
    evidence.run(&["db", "bootstrap"], &admin_env).await;
    evidence.run(&["db", "rotate"], &admin_env).await;
    let (first_user, password) = store.published();
    evidence.secret(password);

    let mut serve_env = store.serve_env(&database);
    serve_env.extend(env(&[
        ("RATES_CREDENTIALS_REFRESH_SECS", "1"),
        ("RATES_LOG", log_level),
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
        let traced = evidence.logs.iter().any(|f| {
            std::fs::read_to_string(f).is_ok_and(|t| t.contains("TRACE") && t.contains(sdk))
        });
        assert!(traced, "the trace-level logs hold no {sdk} trace output");
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
            &env(&[("DATABASE_URL", &admin_url), ("RATES_ROLE_PREFIX", "entra")]),
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
    std::fs::write(&config, "[database]\nmax_lifetime_secs = 2\n").unwrap();
    let port = cluster().await.pg.port();
    let mut serve_env = identity.env();
    serve_env.extend(env(&[
        ("RATES_CREDENTIALS_SOURCE", "entra_token"),
        (
            "DATABASE_URL",
            &format!("postgres://entra_api_a@127.0.0.1:{port}/{database}?sslmode=disable"),
        ),
        ("RATES_CONFIG", config.to_str().unwrap()),
        ("RATES_LOG", "debug"),
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

/// The API's roles can read and nothing more; bootstrap is idempotent.
#[tokio::test]
async fn bootstrap_creates_least_privilege_roles_idempotently() {
    let (_, admin_url) = seeded_database().await;
    let mut evidence = Evidence::new();
    let dir = tempfile::tempdir().unwrap();
    let admin_env = env(&[
        ("DATABASE_URL", &admin_url),
        ("RATES_ROLE_PREFIX", "lp"),
        ("PGPASSWORD_FILE", dir.path().join("pw").to_str().unwrap()),
        ("PGUSER_FILE", dir.path().join("user").to_str().unwrap()),
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

/// The shipped pgaudit configuration, loaded into a real server: role
/// changes and the API role's statements are in the server log; passwords
/// are not (rotation sends SCRAM verifiers).
#[tokio::test]
async fn pgaudit_config_logs_role_changes_and_api_statements() {
    let bin = rates::db::embedded::find_bin_dir(None).unwrap();
    let lib = bin.parent().unwrap().join("lib/pgaudit.so");
    if !lib.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: .ci/run installs postgresql-*-pgaudit",
            lib.display()
        );
        eprintln!(
            "SKIPPED: {} not found (apt-get install postgresql-15-pgaudit; .ci/run does)",
            lib.display()
        );
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
        ("RATES_ROLE_PREFIX", "audited"),
        ("PGPASSWORD_FILE", store.path().join("pw").to_str().unwrap()),
        ("PGUSER_FILE", store.path().join("user").to_str().unwrap()),
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

/// A password changed out of band (not by `rates db rotate`): the first
/// refused login makes the service re-read its source at once, long before
/// its (hour-long) refresh period.
#[tokio::test]
async fn a_refused_login_makes_the_service_reread_its_credentials() {
    let (database, admin_url) = seeded_database().await;
    let mut evidence = Evidence::new();
    let store = tempfile::tempdir().unwrap();
    let (pw_file, user_file) = (store.path().join("pw"), store.path().join("user"));
    let admin_env = env(&[
        ("DATABASE_URL", &admin_url),
        ("RATES_ROLE_PREFIX", "refused"),
        ("PGPASSWORD_FILE", pw_file.to_str().unwrap()),
        ("PGUSER_FILE", user_file.to_str().unwrap()),
    ]);
    evidence.run(&["db", "bootstrap"], &admin_env).await;
    evidence.run(&["db", "rotate"], &admin_env).await;
    let user = std::fs::read_to_string(&user_file).unwrap();
    evidence.secret(std::fs::read_to_string(&pw_file).unwrap());

    let config = evidence.dir.path().join("rates.toml");
    std::fs::write(&config, "[database]\nmax_lifetime_secs = 1\n").unwrap();
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
            ("RATES_CONFIG", config.to_str().unwrap()),
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
    // Pooled connections retire after a second; new ones use the old password.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let client = reqwest::Client::new();
    let url = format!("{}{RATES_QUERY}", served.base);
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
