//! A private PostgreSQL server managed by this process.
//!
//! `rates serve` uses it when no database is configured (persistent data root)
//! and the test harness uses it for throwaway clusters. We own the data root:
//!
//! - `pgdata/`: the cluster (owned by the unprivileged runner when we are root,
//!   because `initdb` and `postgres` refuse to run as root)
//! - `superuser.password`: the generated superuser password (0600, ours)
//! - `owner.pid`: the process whose server is running, for stale detection
//! - `postgres.log`: server output, appended
//! - `.lock`: serialises concurrent initialise/start on the same data root

mod binaries;
mod data_root;
mod error;
mod fs_util;
mod process;
mod runner;
mod server;

use std::fmt;
use std::fs::File;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use tracing::{debug, info, warn};

pub use binaries::find_bin_dir;
pub use error::EmbeddedError;

use data_root::{DataRoot, LOG_FILE, OWNER_PID_FILE, PostmasterPid};
use error::{db_err, sql_state};
use fs_util::{copy_tree, prepare_clone_target, remove_if_exists};
use process::is_alive;
use server::{
    ConnectFailure, OwnedServer, free_port, is_port_conflict, release, spawn_server, try_connect,
};

const SUPERUSER: &str = "rates";
const APP_DB: &str = "rates";
const CREATE_APP_DB: &str = "create database rates";
const PORT_ATTEMPTS: u32 = 3;
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// How long stopping a server may take when nobody is waiting on a deadline.
const STOP_BUDGET: Duration = Duration::from_secs(20);

/// How to run the embedded server.
#[derive(Debug, Clone)]
pub struct EmbeddedOptions {
    /// Directory we own: `pgdata/`, the superuser password file, `owner.pid`, the log.
    pub data_root: PathBuf,
    /// Explicit PostgreSQL bin directory; discovered when `None`.
    pub bin_dir: Option<PathBuf>,
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Trade durability for speed (tests only).
    pub fast_unsafe: bool,
    /// More server settings, `-c name=value` each (e.g. loading pgaudit).
    pub extra_conf: Vec<(String, String)>,
}

/// A running (or reused) PostgreSQL server on 127.0.0.1.
pub struct EmbeddedPostgres {
    root: DataRoot,
    port: u16,
    password: SecretString,
    /// `None` when we reuse a server owned by another `rates` process: we must not stop it.
    server: Option<OwnedServer>,
}

impl fmt::Debug for EmbeddedPostgres {
    // Hand-written so the password can never end up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedPostgres")
            .field("data_root", &self.root.path)
            .field("port", &self.port)
            .field("pid", &self.server.as_ref().map(|s| s.pid.as_raw()))
            .field("owned", &self.server.is_some())
            .finish_non_exhaustive()
    }
}

impl EmbeddedPostgres {
    /// initdb if data_root/pgdata is not initialised (idempotent), detect a stale server, start,
    /// wait until it accepts connections, create database `rates` if missing.
    pub async fn start(opts: EmbeddedOptions) -> Result<Self, EmbeddedError> {
        let prep_opts = opts.clone();
        let prepared = blocking(move || prepare(&prep_opts)).await?;
        let pg = match prepared.reuse_port {
            Some(port) => {
                let pg = Self {
                    root: prepared.root,
                    port,
                    password: prepared.password,
                    server: None,
                };
                pg.wait_ready(pg.root.log_len()).await?;
                pg
            }
            None => Self::launch(prepared.root, &prepared.bin, prepared.password, &opts).await?,
        };
        pg.ensure_app_database().await?;
        // Held until now so a concurrent starter sees a ready server and reuses it.
        drop(prepared.lock);
        Ok(pg)
    }

    /// Options for connecting to database `db` as the superuser.
    pub fn connect_options(&self, db: &str) -> PgConnectOptions {
        PgConnectOptions::new_without_pgpass()
            .host(&Ipv4Addr::LOCALHOST.to_string())
            .port(self.port)
            .username(SUPERUSER)
            .password(self.password.expose_secret())
            .database(db)
            .ssl_mode(PgSslMode::Disable)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's log (stderr of the postmaster), e.g. for pgaudit's lines.
    pub fn log_file(&self) -> PathBuf {
        self.root.file(LOG_FILE)
    }

    /// Fast shutdown (SIGINT to the postmaster), escalating to SIGQUIT and
    /// SIGKILL if it does not exit (see [`Self::stop_within`]).
    pub async fn stop(self) -> Result<(), EmbeddedError> {
        self.stop_within(STOP_BUDGET).await
    }

    /// Like [`Self::stop`], done within `budget`. A reused server belongs to
    /// its owner and is left running.
    pub async fn stop_within(mut self, budget: Duration) -> Result<(), EmbeddedError> {
        let Some(server) = self.server.take() else {
            return Ok(());
        };
        let root = self.root.clone();
        blocking(move || release(&root, &server, budget)).await
    }

    /// Spawns our own server, retrying with another free port if one was taken meanwhile.
    async fn launch(
        root: DataRoot,
        bin: &Path,
        password: SecretString,
        opts: &EmbeddedOptions,
    ) -> Result<Self, EmbeddedError> {
        let mut attempt = 1;
        loop {
            let port = match opts.port {
                0 => free_port()?,
                port => port,
            };
            let log_start = root.log_len();
            let server = spawn_server(&root, bin, port, opts)?;
            root.write_owner_pid()?;
            // Built before waiting so that any failure below stops the server via Drop.
            let pg = Self {
                root: root.clone(),
                port,
                password: password.clone(),
                server: Some(server),
            };
            match pg.wait_ready(log_start).await {
                Ok(()) => {
                    let data_root = root.path.display();
                    info!(port, pid = pg.pid(), %data_root, "embedded PostgreSQL started");
                    return Ok(pg);
                }
                Err(e) if opts.port == 0 && attempt < PORT_ATTEMPTS && is_port_conflict(&e) => {
                    debug!(port, "port taken before PostgreSQL could bind it; retrying");
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn pid(&self) -> Option<i32> {
        self.server.as_ref().map(|s| s.pid.as_raw())
    }

    /// Polls until the server accepts a connection, failing fast if it exits.
    async fn wait_ready(&self, log_start: u64) -> Result<(), EmbeddedError> {
        let options = self.connect_options("postgres");
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self.server.as_ref().and_then(OwnedServer::exit_status) {
                return Err(EmbeddedError::ServerExited {
                    status,
                    log: self.root.file(LOG_FILE),
                    tail: self.root.log_tail(log_start),
                });
            }
            let last_error = match try_connect(&options).await {
                Ok(()) => return Ok(()),
                Err(ConnectFailure::Fatal(e)) => {
                    return Err(db_err("authenticate to the embedded PostgreSQL server")(e));
                }
                Err(ConnectFailure::Retry(msg)) => msg,
            };
            if Instant::now() >= deadline {
                return Err(EmbeddedError::NotReady {
                    port: self.port,
                    secs: READY_TIMEOUT.as_secs(),
                    last_error,
                    log: self.root.file(LOG_FILE),
                    tail: self.root.log_tail(log_start),
                });
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    async fn ensure_app_database(&self) -> Result<(), EmbeddedError> {
        let mut conn = PgConnection::connect_with(&self.connect_options("postgres"))
            .await
            .map_err(db_err("connect to the embedded PostgreSQL server"))?;
        let exists: bool =
            sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
                .bind(APP_DB)
                .fetch_one(&mut conn)
                .await
                .map_err(db_err("look up database `rates`"))?;
        if !exists {
            match sqlx::query(CREATE_APP_DB).execute(&mut conn).await {
                Ok(_) => info!("created database `{APP_DB}`"),
                // Lost a race with another starter: the database is there, which is all we need.
                Err(e) if sql_state(&e).as_deref() == Some("42P04") => {}
                Err(e) => return Err(db_err("create database `rates`")(e)),
            }
        }
        let _ = conn.close().await;
        Ok(())
    }
}

impl Drop for EmbeddedPostgres {
    /// Best effort when `stop()` was not called: blocks for a bounded time.
    fn drop(&mut self) {
        if let Some(server) = self.server.take()
            && let Err(e) = release(&self.root, &server, STOP_BUDGET)
        {
            warn!(error = %e, "could not stop the embedded PostgreSQL server");
        }
    }
}

/// initdb into data_root if needed (used by the test harness to build a template once); idempotent.
pub fn initialize(
    data_root: &Path,
    bin_dir: Option<&Path>,
    fast_unsafe: bool,
) -> Result<(), EmbeddedError> {
    let root = DataRoot::open(data_root)?;
    let _lock = root.lock()?;
    if !root.is_initialised()? {
        root.init_cluster(&find_bin_dir(bin_dir)?, fast_unsafe)?;
    }
    Ok(())
}

/// Copy an initialised data_root (template) to a new data_root preserving ownership and modes,
/// so the test harness runs initdb once rather than per test process.
pub fn clone_data_root(template: &Path, target: &Path) -> Result<(), EmbeddedError> {
    let source = DataRoot {
        path: template.to_path_buf(),
        runner: None,
    };
    if !source.is_initialised()? {
        return Err(EmbeddedError::NotACluster {
            path: source.pgdata(),
        });
    }
    // A copy of a live cluster would be inconsistent, and its lock file would name that server.
    if let Some(pm) = PostmasterPid::read(&source.pgdata())?
        && is_alive(pm.pid)
    {
        return Err(EmbeddedError::TemplateInUse {
            template: template.to_path_buf(),
            pid: pm.pid.as_raw(),
        });
    }
    prepare_clone_target(target)?;
    copy_tree(template, target)?;
    // The template's owner is not the clone's owner.
    remove_if_exists(&target.join(OWNER_PID_FILE))
}

/// Everything `start` needs from the blocking preparation phase.
struct Prepared {
    root: DataRoot,
    bin: PathBuf,
    password: SecretString,
    lock: File,
    /// Port of a server owned by another live `rates` process, which we reuse.
    reuse_port: Option<u16>,
}

fn prepare(opts: &EmbeddedOptions) -> Result<Prepared, EmbeddedError> {
    let root = DataRoot::open(&opts.data_root)?;
    let lock = root.lock()?;
    let bin = find_bin_dir(opts.bin_dir.as_deref())?;
    if !root.is_initialised()? {
        root.init_cluster(&bin, opts.fast_unsafe)?;
    }
    let password = root.read_password()?;
    let reuse_port = root.take_over_running_server()?;
    Ok(Prepared {
        root,
        bin,
        password,
        lock,
        reuse_port,
    })
}

/// Runs blocking work (file system, process waits) off the async runtime's workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

#[cfg(test)]
mod tests;
