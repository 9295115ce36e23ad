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

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::unistd::{Gid, Pid, Uid, User, geteuid, getpid, getppid};
use rand::distr::{Alphanumeric, SampleString};
use secrecy::{ExposeSecret, SecretString};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use tracing::{debug, info, warn};

const SUPERUSER: &str = "rates";
const APP_DB: &str = "rates";
const CREATE_APP_DB: &str = "create database rates";
const PGDATA_DIR: &str = "pgdata";
const STAGING_DIR: &str = "pgdata.initdb";
const PASSWORD_FILE: &str = "superuser.password";
const INITDB_PWFILE: &str = ".initdb-pwfile";
const OWNER_PID_FILE: &str = "owner.pid";
const LOG_FILE: &str = "postgres.log";
const LOCK_FILE: &str = ".lock";
/// Set by operators when discovery fails; also named in our error messages.
const BIN_DIR_ENV: &str = "RATES_PG_BIN_DIR";
const MIN_MAJOR_VERSION: u32 = 14;
const PORT_ATTEMPTS: u32 = 3;
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const POLL_INTERVAL: Duration = Duration::from_millis(50);
const LOG_TAIL_LINES: usize = 20;
/// Fast shutdown first; escalate only if the server hangs.
const SHUTDOWN_STEPS: [(Signal, Duration); 3] = [
    (Signal::SIGINT, Duration::from_secs(10)),
    (Signal::SIGQUIT, Duration::from_secs(5)),
    (Signal::SIGKILL, Duration::from_secs(5)),
];
/// Durability is worthless for throwaway test clusters; speed is not.
const FAST_UNSAFE_SETTINGS: [&str; 4] = [
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "shared_buffers=16MB",
];

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

/// Why the embedded server could not be set up, started or stopped.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "PostgreSQL server binaries (`postgres`, `initdb`) not found in {searched}; on \
         Debian/Ubuntu run `apt-get install postgresql`, elsewhere install PostgreSQL server \
         {MIN_MAJOR_VERSION}+ or set {BIN_DIR_ENV} to its bin directory"
    )]
    BinariesNotFound { searched: String },
    #[error(
        "{dir} does not contain the PostgreSQL server binaries `postgres` and `initdb`; point \
         {BIN_DIR_ENV} at the server's bin directory (e.g. /usr/lib/postgresql/15/bin)"
    )]
    InvalidBinDir { dir: PathBuf },
    #[error(
        "PostgreSQL {major} in {dir} is too old; install PostgreSQL server \
         {MIN_MAJOR_VERSION}+ or set {BIN_DIR_ENV} to a newer bin directory"
    )]
    UnsupportedVersion { dir: PathBuf, major: u32 },
    #[error(
        "running as root, but neither a `postgres` nor a `nobody` user exists to run PostgreSQL \
         as (initdb and postgres refuse to run as root); create a `postgres` system user"
    )]
    NoUnprivilegedUser,
    #[error(
        "user `{user}` cannot traverse {dir}, so PostgreSQL (which refuses to run as root and \
         runs as `{user}`) cannot reach the data root below it; choose a data root elsewhere \
         (e.g. under /var/lib) or allow traversal with `chmod o+x {dir}`"
    )]
    NotTraversable { dir: PathBuf, user: String },
    #[error("{path} exists but is not a PostgreSQL cluster; remove it or choose another data root")]
    NotACluster { path: PathBuf },
    #[error(
        "the cluster in {pgdata} has no superuser password file {password_file}; restore it, or \
         remove the data root to start with an empty database"
    )]
    MissingPassword {
        pgdata: PathBuf,
        password_file: PathBuf,
    },
    #[error("initdb failed ({status}):\n{output}")]
    Initdb { status: String, output: String },
    #[error("PostgreSQL exited during startup ({status}); last lines of {log}:\n{tail}")]
    ServerExited {
        status: String,
        log: PathBuf,
        tail: String,
    },
    #[error(
        "PostgreSQL did not accept connections on port {port} within {secs} s (last error: \
         {last_error}); last lines of {log}:\n{tail}"
    )]
    NotReady {
        port: u16,
        secs: u64,
        last_error: String,
        log: PathBuf,
        tail: String,
    },
    #[error("PostgreSQL server (pid {pid}) did not exit even after SIGKILL")]
    ShutdownFailed { pid: i32 },
    #[error("{postmaster_pid} names a running server (pid {pid}) but no port; stop that server")]
    UnknownPort { postmaster_pid: PathBuf, pid: i32 },
    #[error(
        "cannot clone {template}: a PostgreSQL server (pid {pid}) is running on it; stop it first"
    )]
    TemplateInUse { template: PathBuf, pid: i32 },
    #[error("cannot clone into {target}: it already exists and is not empty")]
    TargetExists { target: PathBuf },
    #[error("copying {template} to {target} failed ({status}): {stderr}")]
    CopyFailed {
        template: PathBuf,
        target: PathBuf,
        status: String,
        stderr: String,
    },
    #[error("could not {action}")]
    Database {
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("could not {action}")]
    Io {
        action: String,
        #[source]
        source: io::Error,
    },
}

/// Attaches what we were doing to OS errors (std and nix alike).
trait IoContext<T> {
    fn ctx(self, action: impl FnOnce() -> String) -> Result<T, EmbeddedError>;
}

impl<T, E: Into<io::Error>> IoContext<T> for Result<T, E> {
    fn ctx(self, action: impl FnOnce() -> String) -> Result<T, EmbeddedError> {
        self.map_err(|e| EmbeddedError::Io {
            action: action(),
            source: e.into(),
        })
    }
}

fn db_err(action: &'static str) -> impl FnOnce(sqlx::Error) -> EmbeddedError {
    move |source| EmbeddedError::Database { action, source }
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

    /// Fast shutdown (SIGINT to the postmaster), wait for exit (bounded, then SIGQUIT).
    /// A reused server belongs to its owner and is left running.
    pub async fn stop(mut self) -> Result<(), EmbeddedError> {
        let Some(server) = self.server.take() else {
            return Ok(());
        };
        let root = self.root.clone();
        blocking(move || release(&root, &server)).await
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
            && let Err(e) = release(&self.root, &server)
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

/// Find the PostgreSQL server binaries: explicit dir, else `$RATES_PG_BIN_DIR`, else the highest
/// /usr/lib/postgresql/<N>/bin, else `pg_config --bindir`, else on PATH.
pub fn find_bin_dir(explicit: Option<&Path>) -> Result<PathBuf, EmbeddedError> {
    let configured = explicit.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(BIN_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    let dir = match configured {
        Some(dir) if has_server_binaries(&dir) => dir,
        Some(dir) => return Err(EmbeddedError::InvalidBinDir { dir }),
        None => debian_bin_dir()
            .or_else(pg_config_bin_dir)
            .or_else(path_bin_dir)
            .ok_or_else(|| EmbeddedError::BinariesNotFound {
                searched: "/usr/lib/postgresql/*/bin, `pg_config --bindir` and PATH".into(),
            })?,
    };
    check_version(&dir)?;
    Ok(dir)
}

fn has_server_binaries(dir: &Path) -> bool {
    ["postgres", "initdb"].iter().all(|name| {
        fs::metadata(dir.join(name)).is_ok_and(|m| m.is_file() && m.mode() & 0o111 != 0)
    })
}

/// Debian/Ubuntu install side by side under /usr/lib/postgresql/<major>/bin; prefer the newest.
fn debian_bin_dir() -> Option<PathBuf> {
    fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let major: u32 = entry.file_name().to_str()?.parse().ok()?;
            Some((major, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_server_binaries(dir))
        .max_by_key(|(major, _)| *major)
        .map(|(_, dir)| dir)
}

fn pg_config_bin_dir() -> Option<PathBuf> {
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let dir = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    (out.status.success() && has_server_binaries(&dir)).then_some(dir)
}

fn path_bin_dir() -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).find(|dir| has_server_binaries(dir))
}

/// Rejects servers older than we support; an unparsable version is given the benefit of the doubt.
fn check_version(dir: &Path) -> Result<(), EmbeddedError> {
    let postgres = dir.join("postgres");
    let out = Command::new(&postgres)
        .arg("--version")
        .output()
        .ctx(|| format!("run `{} --version`", postgres.display()))?;
    match parse_major_version(&String::from_utf8_lossy(&out.stdout)) {
        Some(major) if major < MIN_MAJOR_VERSION => Err(EmbeddedError::UnsupportedVersion {
            dir: dir.to_path_buf(),
            major,
        }),
        _ => Ok(()),
    }
}

/// Parses e.g. "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)" or "... 17beta1".
fn parse_major_version(version: &str) -> Option<u32> {
    let rest = version.split_once("(PostgreSQL) ")?.1;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
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

/// The unprivileged account that runs PostgreSQL when we are root.
#[derive(Debug, Clone)]
struct Runner {
    name: String,
    uid: Uid,
    gid: Gid,
}

impl Runner {
    fn for_current_user() -> Result<Option<Self>, EmbeddedError> {
        if !geteuid().is_root() {
            return Ok(None);
        }
        for name in ["postgres", "nobody"] {
            if let Some(user) = User::from_name(name).ctx(|| format!("look up user `{name}`"))? {
                return Ok(Some(Self {
                    name: user.name,
                    uid: user.uid,
                    gid: user.gid,
                }));
            }
        }
        Err(EmbeddedError::NoUnprivilegedUser)
    }

    /// Mirrors the kernel's check; supplementary groups do not apply because std drops them
    /// when a root parent switches uid.
    fn can_traverse(&self, meta: &fs::Metadata) -> bool {
        let bit = if meta.uid() == self.uid.as_raw() {
            0o100
        } else if meta.gid() == self.gid.as_raw() {
            0o010
        } else {
            0o001
        };
        meta.mode() & bit != 0
    }

    /// Checks that every ancestor is traversable, then opens up the data root itself (we own it).
    fn ensure_can_reach(&self, root: &Path) -> Result<(), EmbeddedError> {
        for dir in root.ancestors().skip(1) {
            let meta = fs::metadata(dir).ctx(|| format!("inspect {}", dir.display()))?;
            if !self.can_traverse(&meta) {
                return Err(EmbeddedError::NotTraversable {
                    dir: dir.to_path_buf(),
                    user: self.name.clone(),
                });
            }
        }
        let meta = fs::metadata(root).ctx(|| format!("inspect {}", root.display()))?;
        if self.can_traverse(&meta) {
            return Ok(());
        }
        let mode = (meta.mode() & 0o7777) | 0o011;
        fs::set_permissions(root, Permissions::from_mode(mode))
            .ctx(|| format!("make {} traversable", root.display()))
    }
}

/// A data root (absolute, canonical) and who runs PostgreSQL in it.
#[derive(Debug, Clone)]
struct DataRoot {
    path: PathBuf,
    runner: Option<Runner>,
}

impl DataRoot {
    fn open(path: &Path) -> Result<Self, EmbeddedError> {
        let absolute = std::path::absolute(path).ctx(|| format!("resolve {}", path.display()))?;
        let runner = Runner::for_current_user()?;
        create_ancestors(&absolute, runner.is_some())?;
        match fs::DirBuilder::new().mode(0o700).create(&absolute) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            other => other.ctx(|| format!("create data root {}", absolute.display()))?,
        }
        let path = fs::canonicalize(&absolute)
            .ctx(|| format!("resolve data root {}", absolute.display()))?;
        if let Some(runner) = &runner {
            runner.ensure_can_reach(&path)?;
        }
        Ok(Self { path, runner })
    }

    fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    fn pgdata(&self) -> PathBuf {
        self.file(PGDATA_DIR)
    }

    /// Exclusive lock on the data root, released when the returned file is dropped.
    fn lock(&self) -> Result<File, EmbeddedError> {
        let path = self.file(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .ctx(|| format!("open {}", path.display()))?;
        file.lock().ctx(|| format!("lock {}", path.display()))?;
        Ok(file)
    }

    /// A command for a PostgreSQL binary, run as the unprivileged user when we are root.
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        // The runner may not be able to read our own working directory (e.g. /root).
        cmd.current_dir(&self.path).stdin(Stdio::null());
        if let Some(runner) = &self.runner {
            cmd.uid(runner.uid.as_raw()).gid(runner.gid.as_raw());
        }
        cmd
    }

    /// Hands a path we created to the runner, so PostgreSQL can use it.
    fn give_to_runner(&self, path: &Path) -> Result<(), EmbeddedError> {
        match &self.runner {
            Some(r) => std::os::unix::fs::chown(path, Some(r.uid.as_raw()), Some(r.gid.as_raw()))
                .ctx(|| format!("chown {} to `{}`", path.display(), r.name)),
            None => Ok(()),
        }
    }

    /// True once initdb completed. An empty `pgdata/` counts as not initialised (the staging
    /// rename replaces it); anything else without `PG_VERSION` is not ours to overwrite.
    fn is_initialised(&self) -> Result<bool, EmbeddedError> {
        let pgdata = self.pgdata();
        if exists(&pgdata.join("PG_VERSION"))? {
            let password_file = self.file(PASSWORD_FILE);
            if !exists(&password_file)? {
                return Err(EmbeddedError::MissingPassword {
                    pgdata,
                    password_file,
                });
            }
            return Ok(true);
        }
        if !exists(&pgdata)? {
            return Ok(false);
        }
        let mut entries = fs::read_dir(&pgdata).ctx(|| format!("list {}", pgdata.display()))?;
        match entries.next() {
            None => Ok(false),
            Some(_) => Err(EmbeddedError::NotACluster { path: pgdata }),
        }
    }

    /// initdb into a staging dir renamed into place only when complete, so a crash mid-initdb
    /// never leaves a half-built `pgdata/` behind.
    fn init_cluster(&self, bin: &Path, fast_unsafe: bool) -> Result<(), EmbeddedError> {
        let staging = self.file(STAGING_DIR);
        if exists(&staging)? {
            fs::remove_dir_all(&staging).ctx(|| format!("remove {}", staging.display()))?;
        }
        self.create_private_dir(&staging)?;
        let password = SecretString::from(Alphanumeric.sample_string(&mut rand::rng(), 32));
        let pwfile = TempSecretFile::create(self, &password)?;
        info!(data_root = %self.path.display(), "initialising PostgreSQL cluster");
        self.run_initdb(bin, &staging, &pwfile.path, fast_unsafe)?;
        drop(pwfile);
        self.write_password(&password)?;
        let pgdata = self.pgdata();
        fs::rename(&staging, &pgdata)
            .ctx(|| format!("move {} to {}", staging.display(), pgdata.display()))
    }

    fn create_private_dir(&self, dir: &Path) -> Result<(), EmbeddedError> {
        fs::DirBuilder::new()
            .mode(0o700)
            .create(dir)
            .ctx(|| format!("create {}", dir.display()))?;
        self.give_to_runner(dir)
    }

    fn run_initdb(
        &self,
        bin: &Path,
        pgdata: &Path,
        pwfile: &Path,
        fast_unsafe: bool,
    ) -> Result<(), EmbeddedError> {
        let initdb = bin.join("initdb");
        let mut cmd = self.command(&initdb);
        cmd.arg("-D")
            .arg(pgdata)
            .args(["-U", SUPERUSER, "--auth=scram-sha-256"])
            .args(["-E", "UTF8", "--locale=C.UTF-8"])
            .arg(concat_os("--pwfile=", pwfile));
        if fast_unsafe {
            cmd.arg("--no-sync");
        }
        let out = cmd.output().ctx(|| format!("run {}", initdb.display()))?;
        if out.status.success() {
            return Ok(());
        }
        let output = [out.stdout, out.stderr].concat();
        Err(EmbeddedError::Initdb {
            status: out.status.to_string(),
            output: last_lines(&String::from_utf8_lossy(&output), 30),
        })
    }

    /// Written atomically and readable only by us: it grants superuser access.
    fn write_password(&self, password: &SecretString) -> Result<(), EmbeddedError> {
        let path = self.file(PASSWORD_FILE);
        let tmp = self.file(".superuser.password.tmp");
        remove_if_exists(&tmp)?;
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .ctx(|| format!("create {}", tmp.display()))?;
        file.write_all(password.expose_secret().as_bytes())
            .and_then(|()| file.sync_all())
            .ctx(|| format!("write {}", tmp.display()))?;
        fs::rename(&tmp, &path).ctx(|| format!("move {} to {}", tmp.display(), path.display()))
    }

    fn read_password(&self) -> Result<SecretString, EmbeddedError> {
        let path = self.file(PASSWORD_FILE);
        let text = fs::read_to_string(&path).ctx(|| format!("read {}", path.display()))?;
        Ok(SecretString::from(text.trim()))
    }

    /// Decides what to do with a server already running on our cluster: returns its port when it
    /// belongs to another live `rates` process (reuse), stops it when it is stale.
    fn take_over_running_server(&self) -> Result<Option<u16>, EmbeddedError> {
        let pgdata = self.pgdata();
        let Some(pm) = PostmasterPid::read(&pgdata)? else {
            return Ok(None);
        };
        if !is_alive(pm.pid) {
            return Ok(None); // postgres replaces a dead lock file itself
        }
        if process_name(pm.pid).as_deref() != Some("postgres") {
            // The pid was reused (e.g. after a reboot or container restart); postgres would
            // refuse to start because the pid looks alive.
            warn!(
                pid = pm.pid.as_raw(),
                "removing stale postmaster.pid naming a non-PostgreSQL process"
            );
            return remove_if_exists(&pgdata.join("postmaster.pid")).map(|()| None);
        }
        if !serves_cluster(pm.pid, &pgdata) {
            return Ok(None); // someone else's server; postgres will report the conflict
        }
        if let Some(owner) = self.owner_pid()
            && owner != getpid()
            && is_alive(owner)
            && is_rates_process(owner)
        {
            info!(
                pid = pm.pid.as_raw(),
                owner = owner.as_raw(),
                "reusing the PostgreSQL server of another rates process"
            );
            return pm.port.map(Some).ok_or(EmbeddedError::UnknownPort {
                postmaster_pid: pgdata.join("postmaster.pid"),
                pid: pm.pid.as_raw(),
            });
        }
        terminate(pm.pid, |grace| wait_until_gone(pm.pid, grace))?;
        warn!(
            pid = pm.pid.as_raw(),
            "cleaned up a stale PostgreSQL server (pid {}) left by a previous run", pm.pid
        );
        Ok(None)
    }

    fn owner_pid(&self) -> Option<Pid> {
        let text = fs::read_to_string(self.file(OWNER_PID_FILE)).ok()?;
        parse_pid(&text)
    }

    fn write_owner_pid(&self) -> Result<(), EmbeddedError> {
        let path = self.file(OWNER_PID_FILE);
        fs::write(&path, format!("{}\n", getpid())).ctx(|| format!("write {}", path.display()))
    }

    /// Removes owner.pid unless another process has since taken it over.
    fn remove_owner_pid(&self) {
        if self.owner_pid() == Some(getpid()) {
            let _ = fs::remove_file(self.file(OWNER_PID_FILE));
        }
    }

    fn log_len(&self) -> u64 {
        fs::metadata(self.file(LOG_FILE)).map_or(0, |m| m.len())
    }

    /// The last lines the server logged since `start`, for error messages.
    fn log_tail(&self, start: u64) -> String {
        let read = || -> io::Result<String> {
            let mut file = File::open(self.file(LOG_FILE))?;
            let start = if start > file.metadata()?.len() {
                0
            } else {
                start
            };
            file.seek(SeekFrom::Start(start))?;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        };
        match read() {
            Ok(text) => last_lines(&text, LOG_TAIL_LINES),
            Err(e) => format!("(log unreadable: {e})"),
        }
    }
}

/// The initdb `--pwfile`: readable by the runner, deleted as soon as initdb is done (or failed).
struct TempSecretFile {
    path: PathBuf,
}

impl TempSecretFile {
    fn create(root: &DataRoot, secret: &SecretString) -> Result<Self, EmbeddedError> {
        let path = root.file(INITDB_PWFILE);
        remove_if_exists(&path)?;
        let file = Self { path };
        let mut handle = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&file.path)
            .ctx(|| format!("create {}", file.path.display()))?;
        writeln!(handle, "{}", secret.expose_secret())
            .ctx(|| format!("write {}", file.path.display()))?;
        root.give_to_runner(&file.path)?;
        Ok(file)
    }
}

impl Drop for TempSecretFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// The fields of `pgdata/postmaster.pid` we use.
struct PostmasterPid {
    pid: Pid,
    port: Option<u16>,
}

impl PostmasterPid {
    fn read(pgdata: &Path) -> Result<Option<Self>, EmbeddedError> {
        let path = pgdata.join("postmaster.pid");
        let text = match fs::read_to_string(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            other => other.ctx(|| format!("read {}", path.display()))?,
        };
        let mut lines = text.lines();
        // Line 1 is the postmaster's pid, line 4 its port.
        let Some(pid) = lines.next().and_then(parse_pid) else {
            return Ok(None); // half-written or single-user mode; postgres deals with it
        };
        let port = lines.nth(2).and_then(|l| l.trim().parse().ok());
        Ok(Some(Self { pid, port }))
    }
}

/// Our postgres child, spawned and waited for by a dedicated thread: PR_SET_PDEATHSIG fires when
/// the *thread* that forked exits, so that thread must live exactly as long as the child.
struct OwnedServer {
    pid: Pid,
    exit: Mutex<ExitWatch>,
}

/// Receives the child's exit status from the waiting thread and remembers it.
struct ExitWatch {
    rx: Receiver<String>,
    status: Option<String>,
}

impl ExitWatch {
    fn wait(&mut self, timeout: Duration) -> Option<String> {
        if self.status.is_none() {
            self.status = match self.rx.recv_timeout(timeout) {
                Ok(status) => Some(status),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => Some("unknown status".into()),
            };
        }
        self.status.clone()
    }
}

impl OwnedServer {
    fn spawn(mut cmd: Command) -> io::Result<Self> {
        set_parent_death_signal(&mut cmd);
        let (pid_tx, pid_rx) = mpsc::channel();
        let (exit_tx, exit_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("embedded-postgres".into())
            .spawn(move || match cmd.spawn() {
                Ok(mut child) => {
                    let _ = pid_tx.send(Ok(child.id()));
                    let status = child
                        .wait()
                        .map_or_else(|e| format!("wait failed: {e}"), |s| s.to_string());
                    let _ = exit_tx.send(status);
                }
                Err(e) => {
                    let _ = pid_tx.send(Err(e));
                }
            })?;
        let pid = pid_rx
            .recv()
            .map_err(|_| io::Error::other("the spawning thread died"))??;
        Ok(Self {
            pid: Pid::from_raw(pid as i32),
            exit: Mutex::new(ExitWatch {
                rx: exit_rx,
                status: None,
            }),
        })
    }

    /// The exit status if the server has exited, without waiting.
    fn exit_status(&self) -> Option<String> {
        self.watch().wait(Duration::ZERO)
    }

    fn watch(&self) -> std::sync::MutexGuard<'_, ExitWatch> {
        self.exit.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn shutdown(&self) -> Result<(), EmbeddedError> {
        let mut watch = self.watch();
        if watch.wait(Duration::ZERO).is_some() {
            return Ok(());
        }
        terminate(self.pid, |grace| watch.wait(grace).is_some())
    }
}

/// Stops our server and gives up ownership of the data root.
fn release(root: &DataRoot, server: &OwnedServer) -> Result<(), EmbeddedError> {
    let result = server.shutdown();
    root.remove_owner_pid();
    if result.is_ok() {
        info!(pid = server.pid.as_raw(), "embedded PostgreSQL stopped");
    }
    result
}

/// Makes the server get SIGINT (fast shutdown) when its parent dies, even by SIGKILL.
fn set_parent_death_signal(cmd: &mut Command) {
    let parent = getpid();
    // SAFETY: the closure only makes async-signal-safe syscalls (prctl, getppid) and does not
    // allocate. std runs it after switching uid, which would otherwise clear the setting.
    unsafe {
        cmd.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGINT)?;
            // The parent may have died before prctl took effect.
            if getppid() != parent {
                return Err(Errno::ESRCH.into());
            }
            Ok(())
        });
    }
}

fn spawn_server(
    root: &DataRoot,
    bin: &Path,
    port: u16,
    opts: &EmbeddedOptions,
) -> Result<OwnedServer, EmbeddedError> {
    let log_path = root.file(LOG_FILE);
    let log = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(&log_path)
        .ctx(|| format!("open {}", log_path.display()))?;
    let log_err = log
        .try_clone()
        .ctx(|| format!("duplicate handle of {}", log_path.display()))?;
    let mut cmd = root.command(&bin.join("postgres"));
    cmd.arg("-D")
        .arg(root.pgdata())
        .arg("-p")
        .arg(port.to_string())
        .args(["-c", "listen_addresses=127.0.0.1"])
        .args(["-c", "unix_socket_directories="]);
    if opts.fast_unsafe {
        cmd.args(FAST_UNSAFE_SETTINGS.iter().flat_map(|s| ["-c", s]));
    }
    for (name, value) in &opts.extra_conf {
        cmd.arg("-c").arg(format!("{name}={value}"));
    }
    // Own process group: a terminal's Ctrl-C reaches only us, and we shut the server down in order.
    cmd.stdout(log).stderr(log_err).process_group(0);
    OwnedServer::spawn(cmd).ctx(|| format!("start {}", bin.join("postgres").display()))
}

fn free_port() -> Result<u16, EmbeddedError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|addr| addr.port())
        .ctx(|| "find a free port on 127.0.0.1".into())
}

fn is_port_conflict(e: &EmbeddedError) -> bool {
    matches!(e, EmbeddedError::ServerExited { tail, .. }
        if tail.contains("Address already in use") || tail.contains("could not bind"))
}

enum ConnectFailure {
    /// Not up yet (refused, starting up, ...).
    Retry(String),
    /// Retrying cannot help (e.g. authentication failed).
    Fatal(sqlx::Error),
}

async fn try_connect(options: &PgConnectOptions) -> Result<(), ConnectFailure> {
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(options)).await {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
        // Class 28: invalid authorization.
        Ok(Err(e)) if sql_state(&e).is_some_and(|s| s.starts_with("28")) => {
            Err(ConnectFailure::Fatal(e))
        }
        Ok(Err(e)) => Err(ConnectFailure::Retry(e.to_string())),
        Err(_) => Err(ConnectFailure::Retry("connection attempt timed out".into())),
    }
}

fn sql_state(e: &sqlx::Error) -> Option<String> {
    e.as_database_error()?.code().map(|c| c.into_owned())
}

/// Signals `pid` with escalating severity until `exited(grace)` reports it gone.
fn terminate(pid: Pid, mut exited: impl FnMut(Duration) -> bool) -> Result<(), EmbeddedError> {
    for (signal, grace) in SHUTDOWN_STEPS {
        match kill(pid, signal) {
            Ok(()) => {}
            Err(Errno::ESRCH) => return Ok(()),
            Err(e) => return Err(e).ctx(|| format!("send {signal} to PostgreSQL (pid {pid})")),
        }
        if exited(grace) {
            return Ok(());
        }
        warn!(pid = pid.as_raw(), %signal, "PostgreSQL did not exit within {grace:?}");
    }
    Err(EmbeddedError::ShutdownFailed { pid: pid.as_raw() })
}

fn wait_until_gone(pid: Pid, grace: Duration) -> bool {
    let deadline = Instant::now() + grace;
    while is_alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(POLL_INTERVAL);
    }
    true
}

/// Alive and not a zombie (a zombie holds its pid but is gone for our purposes).
fn is_alive(pid: Pid) -> bool {
    match kill(pid, None) {
        Ok(()) | Err(Errno::EPERM) => !is_zombie(pid),
        Err(_) => false,
    }
}

fn is_zombie(pid: Pid) -> bool {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // Format: "pid (comm) state ..."; comm may contain spaces and parentheses.
    stat.rsplit_once(')')
        .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
}

fn process_name(pid: Pid) -> Option<String> {
    let comm = fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(comm.trim_end().to_owned())
}

/// The postmaster runs with the data directory as its working directory.
fn serves_cluster(pid: Pid, pgdata: &Path) -> bool {
    let cwd = fs::read_link(format!("/proc/{pid}/cwd"));
    matches!((cwd, fs::canonicalize(pgdata)), (Ok(a), Ok(b)) if a == b)
}

/// A `rates` binary, or the same executable as ours (e.g. a test binary).
fn is_rates_process(pid: Pid) -> bool {
    if process_name(pid).as_deref() == Some("rates") {
        return true;
    }
    let theirs = fs::read_link(format!("/proc/{pid}/exe")).ok();
    let ours = std::env::current_exe().ok();
    match (theirs, ours) {
        (Some(theirs), Some(ours)) => exe_name(&theirs) == exe_name(&ours),
        _ => false,
    }
}

/// The file name of an executable, ignoring the " (deleted)" suffix of a replaced binary.
fn exe_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy();
    Some(name.strip_suffix(" (deleted)").unwrap_or(&name).to_owned())
}

fn prepare_clone_target(target: &Path) -> Result<(), EmbeddedError> {
    if exists(target)? {
        fs::remove_dir(target).map_err(|_| EmbeddedError::TargetExists {
            target: target.to_path_buf(),
        })?;
    }
    let target = std::path::absolute(target).ctx(|| format!("resolve {}", target.display()))?;
    create_ancestors(&target, geteuid().is_root())
}

/// `cp -a` preserves ownership (the runner owns pgdata/) and modes, which std::fs cannot do simply.
fn copy_tree(template: &Path, target: &Path) -> Result<(), EmbeddedError> {
    let out = Command::new("cp")
        .arg("-a")
        .arg("--")
        .arg(template)
        .arg(target)
        .stdin(Stdio::null())
        .output()
        .ctx(|| "run `cp -a`".into())?;
    if out.status.success() {
        return Ok(());
    }
    Err(EmbeddedError::CopyFailed {
        template: template.to_path_buf(),
        target: target.to_path_buf(),
        status: out.status.to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    })
}

/// Creates the missing ancestors of `dir`. When a runner needs to traverse them, they get 0755
/// explicitly, whatever our umask; otherwise the umask is respected.
fn create_ancestors(dir: &Path, for_runner: bool) -> Result<(), EmbeddedError> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .skip(1)
        .take_while(|p| !p.exists())
        .collect();
    for dir in missing.into_iter().rev() {
        match fs::DirBuilder::new().mode(0o755).create(dir) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue, // lost a race
            other => other.ctx(|| format!("create {}", dir.display()))?,
        }
        if for_runner {
            fs::set_permissions(dir, Permissions::from_mode(0o755))
                .ctx(|| format!("make {} traversable", dir.display()))?;
        }
    }
    Ok(())
}

/// Only positive pids: 0 and negative values would address process groups in kill(2).
fn parse_pid(text: &str) -> Option<Pid> {
    let pid: i32 = text.trim().parse().ok()?;
    (pid > 0).then(|| Pid::from_raw(pid))
}

fn exists(path: &Path) -> Result<bool, EmbeddedError> {
    path.try_exists()
        .ctx(|| format!("inspect {}", path.display()))
}

fn remove_if_exists(path: &Path) -> Result<(), EmbeddedError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other.ctx(|| format!("remove {}", path.display())),
    }
}

fn concat_os(prefix: &str, path: &Path) -> OsString {
    let mut arg = OsString::from(prefix);
    arg.push(OsStr::new(path));
    arg
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    // The test harness keeps the server in a static.
    const _: fn() = || {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<EmbeddedPostgres>();
    };

    fn options(data_root: &Path) -> EmbeddedOptions {
        EmbeddedOptions {
            data_root: data_root.to_path_buf(),
            bin_dir: None,
            port: 0,
            fast_unsafe: true,
            extra_conf: Vec::new(),
        }
    }

    async fn connect(pg: &EmbeddedPostgres) -> PgConnection {
        PgConnection::connect_with(&pg.connect_options(APP_DB))
            .await
            .expect("connect to database `rates`")
    }

    fn server_pid(pg: &EmbeddedPostgres) -> Pid {
        pg.server.as_ref().expect("owned server").pid
    }

    #[tokio::test]
    async fn starts_answers_and_stops() {
        let dir = TempDir::new().unwrap();
        // Missing ancestors are created traversable for the unprivileged runner.
        let root = dir.path().join("missing/root");
        let pg = EmbeddedPostgres::start(options(&root)).await.unwrap();
        let mut conn = connect(&pg).await;
        let one: i32 = sqlx::query_scalar("select 1")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(one, 1);
        conn.close().await.unwrap();

        let pid = server_pid(&pg);
        assert!(root.join(OWNER_PID_FILE).exists());
        let debug = format!("{pg:?}");
        assert!(!debug.contains(pg.password.expose_secret()), "{debug}");
        pg.stop().await.unwrap();
        assert!(!is_alive(pid));
        assert!(!root.join(OWNER_PID_FILE).exists());
    }

    #[tokio::test]
    async fn restart_keeps_data() {
        let dir = TempDir::new().unwrap();
        let pg = EmbeddedPostgres::start(options(dir.path())).await.unwrap();
        let mut conn = connect(&pg).await;
        sqlx::query("create table kept (id int)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        pg.stop().await.unwrap();

        let pg = EmbeddedPostgres::start(options(dir.path())).await.unwrap();
        let mut conn = connect(&pg).await;
        let rows: i64 = sqlx::query_scalar("select count(*) from kept")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(rows, 0);
        conn.close().await.unwrap();
        pg.stop().await.unwrap();
    }

    #[tokio::test]
    async fn stale_server_is_cleaned_up() {
        let dir = TempDir::new().unwrap();
        let first = EmbeddedPostgres::start(options(dir.path())).await.unwrap();
        let stale_pid = server_pid(&first);
        std::mem::forget(first);
        // Pretend the owner crashed: name a pid that no longer exists.
        let mut dead = Command::new("true").spawn().unwrap();
        dead.wait().unwrap();
        fs::write(dir.path().join(OWNER_PID_FILE), format!("{}\n", dead.id())).unwrap();

        let pg = EmbeddedPostgres::start(options(dir.path())).await.unwrap();
        assert!(!is_alive(stale_pid));
        assert_ne!(server_pid(&pg), stale_pid);
        let mut conn = connect(&pg).await;
        sqlx::query("select 1").execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        pg.stop().await.unwrap();
    }

    #[tokio::test]
    async fn cloned_template_starts() {
        let dir = TempDir::new().unwrap();
        let template = dir.path().join("template");
        let clone = dir.path().join("clones/1");
        initialize(&template, None, true).unwrap();
        initialize(&template, None, true).unwrap(); // idempotent
        clone_data_root(&template, &clone).unwrap();

        let pg = EmbeddedPostgres::start(options(&clone)).await.unwrap();
        let mut conn = connect(&pg).await;
        sqlx::query("select 1").execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        pg.stop().await.unwrap();
        assert!(!template.join(PGDATA_DIR).join("postmaster.pid").exists());
    }

    #[tokio::test]
    async fn drop_stops_server() {
        let dir = TempDir::new().unwrap();
        let pg = EmbeddedPostgres::start(options(dir.path())).await.unwrap();
        let pid = server_pid(&pg);
        drop(pg);
        assert!(!is_alive(pid));
        assert!(!dir.path().join(OWNER_PID_FILE).exists());
    }

    #[tokio::test]
    async fn taken_port_is_reported_as_conflict() {
        let dir = TempDir::new().unwrap();
        let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let mut opts = options(dir.path());
        opts.port = taken.local_addr().unwrap().port();
        let err = EmbeddedPostgres::start(opts).await.unwrap_err();
        assert!(is_port_conflict(&err), "{err}");
        assert!(!dir.path().join(OWNER_PID_FILE).exists());
    }

    #[test]
    fn explicit_bin_dir_without_binaries_is_rejected() {
        let dir = TempDir::new().unwrap();
        let err = find_bin_dir(Some(dir.path())).unwrap_err();
        assert!(matches!(err, EmbeddedError::InvalidBinDir { .. }), "{err}");
    }

    #[test]
    fn parses_server_versions() {
        let v = "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)";
        assert_eq!(parse_major_version(v), Some(15));
        assert_eq!(
            parse_major_version("postgres (PostgreSQL) 17beta1"),
            Some(17)
        );
        assert_eq!(parse_major_version("garbage"), None);
    }
}
