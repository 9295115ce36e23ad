//! The error type of the embedded server and helpers to build it.

use std::io;
use std::path::PathBuf;

use super::binaries::{BIN_DIR_ENV, MIN_MAJOR_VERSION};

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
pub(super) trait IoContext<T> {
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

pub(super) fn db_err(action: &'static str) -> impl FnOnce(sqlx::Error) -> EmbeddedError {
    move |source| EmbeddedError::Database { action, source }
}

pub(super) fn sql_state(e: &sqlx::Error) -> Option<String> {
    e.as_database_error()?.code().map(|c| c.into_owned())
}
