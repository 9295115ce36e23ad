//! Signalling processes and inspecting them through /proc, for shutdown and stale detection.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tracing::warn;

use super::POLL_INTERVAL;
use super::error::{EmbeddedError, IoContext};

/// Fast shutdown first, then immediate, then kill, sharing `budget` 6:3:1:
/// a server that hangs must not hold up its owner's exit.
pub(super) fn shutdown_steps(budget: Duration) -> [(Signal, Duration); 3] {
    [
        (Signal::SIGINT, budget * 6 / 10),
        (Signal::SIGQUIT, budget * 3 / 10),
        (
            Signal::SIGKILL,
            (budget / 10).max(Duration::from_millis(100)),
        ),
    ]
}

/// Signals `pid` with escalating severity until `exited(grace)` reports it gone.
pub(super) fn terminate(
    pid: Pid,
    budget: Duration,
    mut exited: impl FnMut(Duration) -> bool,
) -> Result<(), EmbeddedError> {
    for (signal, grace) in shutdown_steps(budget) {
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

pub(super) fn wait_until_gone(pid: Pid, grace: Duration) -> bool {
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
pub(super) fn is_alive(pid: Pid) -> bool {
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

pub(super) fn process_name(pid: Pid) -> Option<String> {
    let comm = fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(comm.trim_end().to_owned())
}

/// The postmaster runs with the data directory as its working directory.
pub(super) fn serves_cluster(pid: Pid, pgdata: &Path) -> bool {
    let cwd = fs::read_link(format!("/proc/{pid}/cwd"));
    matches!((cwd, fs::canonicalize(pgdata)), (Ok(a), Ok(b)) if a == b)
}

/// A `rates` binary, or the same executable as ours (e.g. a test binary).
pub(super) fn is_rates_process(pid: Pid) -> bool {
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

/// Only positive pids: 0 and negative values would address process groups in kill(2).
pub(super) fn parse_pid(text: &str) -> Option<Pid> {
    let pid: i32 = text.trim().parse().ok()?;
    (pid > 0).then(|| Pid::from_raw(pid))
}
