//! The data root we own: its layout, lock file, superuser password, `owner.pid`, the log, and
//! the initdb password file and `postmaster.pid` of the cluster inside it.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use nix::unistd::{Pid, getpid};
use rand::distr::{Alphanumeric, SampleString};
use secrecy::{ExposeSecret, SecretString};
use tracing::{info, warn};

use super::STOP_BUDGET;
use super::SUPERUSER;
use super::error::{EmbeddedError, IoContext};
use super::fs_util::{create_ancestors, exists, remove_if_exists};
use super::process::{
    is_alive, is_rates_process, parse_pid, process_name, serves_cluster, terminate, wait_until_gone,
};
use super::runner::Runner;

pub(super) const PGDATA_DIR: &str = "pgdata";
const STAGING_DIR: &str = "pgdata.initdb";
const PASSWORD_FILE: &str = "superuser.password";
const INITDB_PWFILE: &str = ".initdb-pwfile";
pub(super) const OWNER_PID_FILE: &str = "owner.pid";
pub(super) const LOG_FILE: &str = "postgres.log";
const LOCK_FILE: &str = ".lock";
const LOG_TAIL_LINES: usize = 20;

/// A data root (absolute, canonical) and who runs PostgreSQL in it.
#[derive(Debug, Clone)]
pub(super) struct DataRoot {
    pub(super) path: PathBuf,
    pub(super) runner: Option<Runner>,
}

impl DataRoot {
    pub(super) fn open(path: &Path) -> Result<Self, EmbeddedError> {
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

    pub(super) fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    pub(super) fn pgdata(&self) -> PathBuf {
        self.file(PGDATA_DIR)
    }

    /// Exclusive lock on the data root, released when the returned file is dropped.
    pub(super) fn lock(&self) -> Result<File, EmbeddedError> {
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
    pub(super) fn command(&self, program: &Path) -> Command {
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
    pub(super) fn is_initialised(&self) -> Result<bool, EmbeddedError> {
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
    pub(super) fn init_cluster(&self, bin: &Path, fast_unsafe: bool) -> Result<(), EmbeddedError> {
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

    pub(super) fn read_password(&self) -> Result<SecretString, EmbeddedError> {
        let path = self.file(PASSWORD_FILE);
        let text = fs::read_to_string(&path).ctx(|| format!("read {}", path.display()))?;
        Ok(SecretString::from(text.trim()))
    }

    /// Decides what to do with a server already running on our cluster: returns its port when it
    /// belongs to another live `rates` process (reuse), stops it when it is stale.
    pub(super) fn take_over_running_server(&self) -> Result<Option<u16>, EmbeddedError> {
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
        terminate(pm.pid, STOP_BUDGET, |grace| wait_until_gone(pm.pid, grace))?;
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

    pub(super) fn write_owner_pid(&self) -> Result<(), EmbeddedError> {
        let path = self.file(OWNER_PID_FILE);
        fs::write(&path, format!("{}\n", getpid())).ctx(|| format!("write {}", path.display()))
    }

    /// Removes owner.pid unless another process has since taken it over.
    pub(super) fn remove_owner_pid(&self) {
        if self.owner_pid() == Some(getpid()) {
            let _ = fs::remove_file(self.file(OWNER_PID_FILE));
        }
    }

    pub(super) fn log_len(&self) -> u64 {
        fs::metadata(self.file(LOG_FILE)).map_or(0, |m| m.len())
    }

    /// The last lines the server logged since `start`, for error messages.
    pub(super) fn log_tail(&self, start: u64) -> String {
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
pub(super) struct PostmasterPid {
    pub(super) pid: Pid,
    port: Option<u16>,
}

impl PostmasterPid {
    pub(super) fn read(pgdata: &Path) -> Result<Option<Self>, EmbeddedError> {
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

fn concat_os(prefix: &str, path: &Path) -> OsString {
    let mut arg = OsString::from(prefix);
    arg.push(OsStr::new(path));
    arg
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
