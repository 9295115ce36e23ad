//! What the credential tests share: running `rates` with a clean
//! environment, keeping every log it writes and every secret used, and
//! checking that none of those secrets is in any of those logs; plus a small
//! seeded database and clients that load `/rates`.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use serde_json::Value;
use sqlx::{Connection, Executor, PgPool};
use tokio::process::Command;

pub use crate::process::Served;
use crate::{
    cli::rates_command,
    support::{Dataset, cluster, fresh_database},
};

/// A day range and lane present in [`seed`]'s data.
pub const RATES_QUERY: &str =
    "/rates?date_from=2024-01-01&date_to=2024-01-07&orig_code=CNSHA&dest_code=china_main";

/// `rates`, with no credential settings inherited from the developer's shell.
pub fn rates() -> Command {
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
pub struct Evidence {
    pub dir: tempfile::TempDir,
    pub logs: Vec<PathBuf>,
    pub secrets: Vec<String>,
}

impl Evidence {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            logs: Vec::new(),
            secrets: Vec::new(),
        }
    }

    /// A new log file of this test, checked for secrets at the end.
    pub fn log_path(&mut self, name: &str) -> PathBuf {
        let path = self
            .dir
            .path()
            .join(format!("{}-{name}.log", self.logs.len()));
        self.logs.push(path.clone());
        path
    }

    pub fn secret(&mut self, secret: impl Into<String>) {
        let secret = secret.into();
        assert!(secret.len() >= 8, "too short to grep for meaningfully");
        if !self.secrets.contains(&secret) {
            self.secrets.push(secret);
        }
    }

    /// Runs `rates ARGS` to completion, keeping its output; panics on failure.
    pub async fn run(&mut self, args: &[&str], env: &[(String, String)]) -> String {
        let out = rates()
            .args(args)
            .envs(env.iter().cloned())
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let name: String = args.join("-").replace('/', "_").chars().take(60).collect();
        let mut file = std::fs::File::create(self.log_path(&name)).unwrap();
        use std::io::Write;
        writeln!(file, "{stdout}\n{stderr}").unwrap();
        assert!(
            out.status.success(),
            "rates {args:?} failed:\n{stdout}\n{stderr}"
        );
        stdout
    }

    /// Starts `rates serve` with `env`, and waits until it is ready.
    pub async fn serve(&mut self, env: &[(String, String)]) -> Served {
        self.serve_until(env, 200).await
    }

    /// Starts `rates serve` and waits until `/readyz` answers `status`.
    pub async fn serve_until(&mut self, env: &[(String, String)], status: u16) -> Served {
        let log = self.log_path("serve-stderr");
        let mut served = Served::start(rates(), env, Some(log));
        served.wait_for(status, Duration::from_secs(60)).await;
        served
    }

    /// No secret in any log of this test, nor in the server's log.
    pub fn assert_no_secret_logged(&self, server_log: &Path) {
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

pub fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A fresh database with a small dataset, and its superuser URL.
pub async fn seeded_database() -> (String, String) {
    let name = fresh_database(Dataset::Empty).await.unwrap();
    let url = cluster().await.url(&name);
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    seed(&mut conn).await;
    conn.close().await.unwrap();
    (name, url)
}

pub async fn seed(conn: &mut sqlx::PgConnection) {
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

pub async fn superuser_pool(url: &str) -> PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .unwrap()
}

/// Region detail is read from PostgreSQL on every request (`/rates` is served
/// from memory), so the load goes through the pool's connections too.
pub const DATABASE_QUERY: &str = "/regions/china_main";

/// Clients alternating `/rates` and a database-backed endpoint until `stop`:
/// (requests made, requests failed).
pub fn load(
    base: &str,
    clients: usize,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<(u64, u64)> {
    let made = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let urls = [
        format!("{base}{RATES_QUERY}"),
        format!("{base}{DATABASE_QUERY}"),
    ];
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (made, failed, stop, urls) =
                (made.clone(), failed.clone(), stop.clone(), urls.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                // Bounded in count as well as by `stop`.
                for i in 0..100_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    made.fetch_add(1, Ordering::Relaxed);
                    let ok = match client.get(&urls[i % 2]).send().await {
                        Ok(r) if r.status() == 200 => r.json::<Value>().await.is_ok_and(|b| {
                            b["rates"].as_array().is_some_and(|r| r.len() == 7)
                                || b["slug"] == "china_main"
                        }),
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
