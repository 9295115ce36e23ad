//! Test harness shared by the test binaries: one private PostgreSQL per test
//! process (started on first use, stopped and deleted at exit), a fresh
//! database per test cloned from a migrated template, and the application
//! served on a random port through the same `Application` seam as production.
#![allow(dead_code)] // each test binary uses a different part

use std::{
    path::{Path, PathBuf},
    sync::{
        OnceLock,
        atomic::{AtomicU32, Ordering},
    },
};

use rates::{
    config::{DatabaseMode, Settings, value::DatabaseUrl},
    db::{
        self,
        embedded::{EmbeddedOptions, EmbeddedPostgres},
    },
    import::{ImportMode, ImportOptions},
    startup::Application,
};
use serde_json::Value;
use sqlx::{Executor, PgPool, postgres::PgPoolOptions};
use tokio::sync::OnceCell;

mod oracle;
mod ports;
mod private_cluster;

// Each test binary uses a different part.
#[allow(unused_imports)]
pub use oracle::{assert_rates_match, expected_rates};
#[allow(unused_imports)]
pub use ports::free_port;
#[allow(unused_imports)]
pub use private_cluster::PrivateCluster;

/// A dataset a test database starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// Migrated schema, no rows.
    Empty,
    /// `../shared/data/xeneta-rates-2021.sql`, imported.
    Xeneta2021,
    /// `../shared/data/xeneta-rates-2016.sql`, imported.
    Xeneta2016,
}

impl Dataset {
    fn template(self) -> &'static str {
        match self {
            Dataset::Empty => "tpl_empty",
            Dataset::Xeneta2021 => "tpl_xeneta_2021",
            Dataset::Xeneta2016 => "tpl_xeneta_2016",
        }
    }

    /// The dump file, when the dataset comes from one.
    pub fn dump(self) -> Option<&'static str> {
        match self {
            Dataset::Empty => None,
            Dataset::Xeneta2021 => Some("xeneta-rates-2021.sql"),
            Dataset::Xeneta2016 => Some("xeneta-rates-2016.sql"),
        }
    }
}

/// `../shared/data/NAME` (or `$TEST_SHARED_DATA/NAME`), if present; see
/// [`required_file`].
pub fn shared_data(name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("TEST_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    required_file(dir.join(name), "set TEST_SHARED_DATA")
}

/// `path`, if it is a file. When it is not, a test needing it fails under
/// `CI` (which must run every test) and, locally, skips saying how to get it.
pub fn required_file(path: impl Into<PathBuf>, how_to_get_it: &str) -> Option<PathBuf> {
    let path = path.into();
    if path.is_file() {
        return Some(path);
    }
    let missing = format!("{} not found ({how_to_get_it})", path.display());
    assert!(
        std::env::var_os("CI").is_none(),
        "{missing}: CI must run every test"
    );
    eprintln!("SKIPPED: {missing}");
    None
}

pub struct TestApp {
    pub address: String,
    pub pool: PgPool,
    pub database: String,
    client: reqwest::Client,
}

impl TestApp {
    pub async fn get(&self, path_and_query: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path_and_query))
            .send()
            .await
            .expect("request failed")
    }

    /// A GET with request headers.
    pub async fn get_with(
        &self,
        path_and_query: &str,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self
            .client
            .get(format!("{}{}", self.address, path_and_query));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request failed")
    }

    /// Status and JSON body of a GET.
    pub async fn get_json(&self, path_and_query: &str) -> (u16, Value) {
        let response = self.get(path_and_query).await;
        let status = response.status().as_u16();
        let body = response.json().await.expect("body is not JSON");
        (status, body)
    }

    /// GETs `path` until `done` holds for the body (the read model follows
    /// writes asynchronously, within milliseconds); panics after 10 s.
    pub async fn get_json_until(&self, path: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (_, body) = self.get_json(path).await;
            if done(&body) {
                return body;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{path} never satisfied the condition: {body}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// A URL to this test's database, for running the `rates` binary on it.
    pub async fn database_url(&self) -> String {
        cluster().await.url(&self.database)
    }

    /// The database refuses new connections and drops open ones: an outage
    /// of this test's database only.
    pub async fn cut_database(&self) {
        let cluster = cluster().await;
        let db = &self.database;
        cluster
            .admin(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS false"))
            .await;
        cluster
            .admin(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"
            ))
            .await;
    }

    pub async fn restore_database(&self) {
        let db = &self.database;
        cluster()
            .await
            .admin(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"))
            .await;
    }
}

/// An app over an empty, migrated database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Dataset::Empty)
        .await
        .expect("the empty dataset needs no files")
}

/// An app over the demo data `rates serve` loads into an empty database,
/// once its read model has caught up with it.
pub async fn spawn_demo_app() -> TestApp {
    let app = spawn_app().await;
    rates::demo::load_demo(&app.pool, &rates::demo::DemoOptions::default())
        .await
        .expect("loading the demo data");
    app.get_json_until("/coverage", |c| !c["suggested"].is_null())
        .await;
    app
}

/// An app over a copy of `dataset`; `None` when its dump is not available.
pub async fn spawn_app_with(dataset: Dataset) -> Option<TestApp> {
    spawn_app_configured(dataset, "", |_| {}).await
}

/// An app over an empty database into which `seed` (SQL) was run first.
pub async fn spawn_app_seeded(seed: &str) -> TestApp {
    spawn_app_configured(Dataset::Empty, seed, |_| {})
        .await
        .expect("the empty dataset needs no files")
}

/// An app over `dataset` plus `seed` (SQL), with adjusted settings.
pub async fn spawn_app_configured(
    dataset: Dataset,
    seed: &str,
    configure: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    init_test_logging();
    let database = fresh_database(dataset).await?;
    let cluster = cluster().await;
    let pool = PgPoolOptions::new()
        .max_connections(5)
        .connect_with(cluster.pg.connect_options(&database))
        .await
        .expect("connecting to the test database");
    sqlx::raw_sql(sqlx::AssertSqlSafe(seed))
        .execute(&pool)
        .await
        .expect("seeding the test database");

    let mut settings = test_settings(&cluster.url(&database));
    configure(&mut settings);
    // The process's one recorder, as `rates serve` installs it.
    rates::telemetry::metrics::install(settings.metrics);
    let app = Application::build(settings)
        .await
        .expect("building the app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    let app = TestApp {
        address,
        pool,
        database,
        client: reqwest::Client::new(),
    };
    // The rates load in the background: tests start once they are served.
    app.get_json_until("/readyz", |body| body["status"] == "ready")
        .await;
    Some(app)
}

/// Settings for an app serving the (migrated) database at `url` on a free
/// port: what `rates serve` would load from `DATABASE_URL`.
pub fn test_settings(url: &str) -> Settings {
    let mut settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        container_name: Some("test-container".into()),
        database: Some(DatabaseMode::External),
        ..Settings::default()
    };
    settings.db.url = Some(DatabaseUrl::parse(url).expect("a valid test database URL"));
    settings.db.max_connections = 4;
    settings
}

/// A new database cloned from the dataset's template.
pub async fn fresh_database(dataset: Dataset) -> Option<String> {
    let template = template(dataset).await?;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!("test_{}", NEXT.fetch_add(1, Ordering::Relaxed));
    cluster()
        .await
        .admin(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await;
    Some(name)
}

async fn template(dataset: Dataset) -> Option<&'static str> {
    static EMPTY: OnceCell<()> = OnceCell::const_new();
    static X2021: OnceCell<()> = OnceCell::const_new();
    static X2016: OnceCell<()> = OnceCell::const_new();
    let cell = match dataset {
        Dataset::Empty => &EMPTY,
        Dataset::Xeneta2021 => &X2021,
        Dataset::Xeneta2016 => &X2016,
    };
    let dump = match dataset.dump() {
        Some(name) => Some(shared_data(name)?),
        None => None,
    };
    cell.get_or_init(|| build_template(dataset.template(), dump))
        .await;
    Some(dataset.template())
}

/// Creates a template database: migrated, then loaded from `dump`.
async fn build_template(name: &str, dump: Option<PathBuf>) {
    let cluster = cluster().await;
    cluster.admin(&format!("CREATE DATABASE {name}")).await;
    // A template must have no open connections when cloned: this pool is
    // closed before anyone clones it.
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(cluster.pg.connect_options(name))
        .await
        .expect("connecting to the template");
    db::migrate::run(&pool)
        .await
        .expect("migrating the template");
    if let Some(dump) = dump {
        let options = ImportOptions {
            mode: ImportMode::Replace,
            progress: false,
        };
        rates::import::import_files(&pool, &[dump], &options)
            .await
            .expect("importing the dump into the template");
        pool.execute("VACUUM ANALYZE").await.expect("vacuum");
    }
    pool.close().await;
}

/// The process's PostgreSQL.
pub struct Cluster {
    pub pg: EmbeddedPostgres,
    pub root: PathBuf,
}

impl Cluster {
    /// Runs a statement on the `postgres` maintenance database.
    pub async fn admin(&self, sql: &str) {
        let mut conn = sqlx::ConnectOptions::connect(&self.pg.connect_options("postgres"))
            .await
            .expect("connecting to the maintenance database");
        conn.execute(sqlx::AssertSqlSafe(sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Creates database `name` and loads `dump` into it with psql, as users
    /// of the Python reference do; returns its URL.
    pub async fn load_with_psql(&self, name: &str, dump: &Path) -> String {
        self.admin(&format!("CREATE DATABASE {name}")).await;
        let url = self.url(name);
        let psql = rates::db::embedded::find_bin_dir(None)
            .expect("PostgreSQL binaries")
            .join("psql");
        let out = std::process::Command::new(psql)
            .args(["-q", "-v", "ON_ERROR_STOP=1", "-d", &url, "-f"])
            .arg(dump)
            .output()
            .expect("running psql");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "psql -f {}: {stderr}", dump.display());
        url
    }

    /// `postgres://` URL with the generated superuser password.
    pub fn url(&self, database: &str) -> String {
        let password = std::fs::read_to_string(self.root.join("superuser.password"))
            .expect("reading the cluster password");
        format!(
            "postgres://rates:{}@127.0.0.1:{}/{database}",
            password.trim(),
            self.pg.port()
        )
    }
}

pub async fn cluster() -> &'static Cluster {
    static CLUSTER: OnceCell<Cluster> = OnceCell::const_new();
    CLUSTER
        .get_or_init(|| async {
            let base = std::env::temp_dir().join("rates-tests");
            remove_abandoned_clusters(&base);
            let root = base.join(std::process::id().to_string());
            let pg = EmbeddedPostgres::start(EmbeddedOptions {
                data_root: root.clone(),
                bin_dir: None,
                port: 0,
                fast_unsafe: true,
                extra_conf: Vec::new(),
            })
            .await
            .expect("starting the test PostgreSQL");
            stop_at_exit(&root);
            Cluster { pg, root }
        })
        .await
}

/// Statics are never dropped, so the cluster is stopped and deleted by an
/// `atexit` hook when the test binary exits.
fn stop_at_exit(root: &Path) {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    extern "C" fn cleanup() {
        if let Some(root) = ROOT.get() {
            stop_postmaster(root);
            let _ = std::fs::remove_dir_all(root);
        }
    }
    if ROOT.set(root.to_owned()).is_ok() {
        // SAFETY: registers a plain `extern "C" fn` with no captured state.
        unsafe { libc::atexit(cleanup) };
    }
}

fn stop_postmaster(root: &Path) {
    let Some(pid) = std::fs::read_to_string(root.join("pgdata/postmaster.pid"))
        .ok()
        .and_then(|s| s.lines().next()?.trim().parse::<i32>().ok())
    else {
        return;
    };
    // SAFETY: plain syscalls on a pid we started.
    unsafe {
        libc::kill(pid, libc::SIGINT);
        for _ in 0..100 {
            if libc::kill(pid, 0) != 0 {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        libc::kill(pid, libc::SIGQUIT);
    }
}

/// Clusters of test processes that died without cleaning up (their server
/// died with them, by the parent-death signal).
fn remove_abandoned_clusters(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let pid = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok());
        // SAFETY: signal 0 only checks that the process exists.
        if let Some(pid) = pid
            && unsafe { libc::kill(pid, 0) } != 0
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// `TEST_LOG=1` shows the service's logs while tests run.
fn init_test_logging() {
    if std::env::var_os("TEST_LOG").is_some() {
        rates::telemetry::init(&Default::default());
    }
}
