//! Our postgres child: spawning it as the runner with a parent-death signal, watching for its
//! exit, waiting until it accepts connections, and stopping it.

use std::fs::OpenOptions;
use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::unistd::{Pid, getpid, getppid};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use tracing::info;

use super::EmbeddedOptions;
use super::data_root::{DataRoot, LOG_FILE};
use super::error::{EmbeddedError, IoContext, sql_state};
use super::process::terminate;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Durability is worthless for throwaway test clusters; speed is not.
const FAST_UNSAFE_SETTINGS: [&str; 4] = [
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "shared_buffers=16MB",
];

/// Our postgres child, spawned and waited for by a dedicated thread: PR_SET_PDEATHSIG fires when
/// the *thread* that forked exits, so that thread must live exactly as long as the child.
pub(super) struct OwnedServer {
    pub(super) pid: Pid,
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
    pub(super) fn exit_status(&self) -> Option<String> {
        self.watch().wait(Duration::ZERO)
    }

    fn watch(&self) -> std::sync::MutexGuard<'_, ExitWatch> {
        self.exit.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn shutdown(&self, budget: Duration) -> Result<(), EmbeddedError> {
        let mut watch = self.watch();
        if watch.wait(Duration::ZERO).is_some() {
            return Ok(());
        }
        terminate(self.pid, budget, |grace| watch.wait(grace).is_some())
    }
}

/// Stops our server and gives up ownership of the data root.
pub(super) fn release(
    root: &DataRoot,
    server: &OwnedServer,
    budget: Duration,
) -> Result<(), EmbeddedError> {
    let result = server.shutdown(budget);
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

pub(super) fn spawn_server(
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

pub(super) fn free_port() -> Result<u16, EmbeddedError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|addr| addr.port())
        .ctx(|| "find a free port on 127.0.0.1".into())
}

pub(super) fn is_port_conflict(e: &EmbeddedError) -> bool {
    matches!(e, EmbeddedError::ServerExited { tail, .. }
        if tail.contains("Address already in use") || tail.contains("could not bind"))
}

pub(super) enum ConnectFailure {
    /// Not up yet (refused, starting up, ...).
    Retry(String),
    /// Retrying cannot help (e.g. authentication failed).
    Fatal(sqlx::Error),
}

pub(super) async fn try_connect(options: &PgConnectOptions) -> Result<(), ConnectFailure> {
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
