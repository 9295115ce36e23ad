//! A `rates serve` process started by a test: on a port of its own, its
//! stderr kept in a file, with bounded waits on its readiness and its exit.

use std::{
    path::PathBuf,
    process::{ExitStatus, Stdio},
    time::{Duration, Instant},
};

use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use serde_json::Value;
use tokio::process::{Child, Command};

use crate::support::free_port;

pub struct Served {
    child: Child,
    pub port: u16,
    pub base: String,
    pub log: PathBuf,
    client: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
}

impl Served {
    /// Starts `cmd` (a `rates` command without arguments) as `rates serve`
    /// with `env`, logging to `log` (a new temporary file when `None`).
    pub fn start(cmd: Command, env: &[(String, String)], log: Option<PathBuf>) -> Self {
        Self::launch(cmd, env, log, free_port())
    }

    /// Like [`Self::start`], on `port` (a replica restarted where it was).
    pub fn start_on(cmd: Command, env: &[(String, String)], port: u16) -> Self {
        Self::launch(cmd, env, None, port)
    }

    fn launch(mut cmd: Command, env: &[(String, String)], log: Option<PathBuf>, port: u16) -> Self {
        let (log, dir) = match log {
            Some(path) => (path, None),
            None => {
                let dir = tempfile::tempdir().unwrap();
                (dir.path().join("serve.log"), Some(dir))
            }
        };
        let child = cmd
            .arg("serve")
            .envs(env.iter().cloned())
            .env("RATES_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        Self {
            child,
            port,
            base: format!("http://127.0.0.1:{port}"),
            log,
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Result<reqwest::Response> {
        self.client.get(format!("{}{path}", self.base)).send().await
    }

    /// `/readyz`'s status and body; status 0 when nothing answers.
    pub async fn readyz(&self) -> (u16, Value) {
        match self.get("/readyz").await {
            Ok(r) => (r.status().as_u16(), r.json().await.unwrap_or_default()),
            Err(_) => (0, Value::Null),
        }
    }

    /// Waits until `/readyz` answers `status`; panics (with the log) after
    /// `within`, or if the process exits first.
    pub async fn wait_for(&mut self, status: u16, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if self.readyz().await.0 == status {
                return;
            }
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!(
                    "rates serve exited ({exit}) before /readyz answered {status}:\n{}",
                    self.logs()
                );
            }
            assert!(
                Instant::now() < deadline,
                "/readyz never answered {status} within {within:?}:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn wait_ready(&mut self) {
        self.wait_for(200, Duration::from_secs(60)).await;
    }

    pub fn signal(&self, signal: Signal) {
        let pid = self.child.id().expect("the process is running");
        kill(Pid::from_raw(pid as i32), signal).unwrap();
    }

    /// The exit status, or `None` if it still runs after `within`.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        tokio::time::timeout(within, self.child.wait())
            .await
            .ok()
            .map(Result::unwrap)
    }

    /// Sends SIGTERM and returns how long the process took to exit and how.
    pub async fn terminate(&mut self, within: Duration) -> (Duration, ExitStatus) {
        let started = Instant::now();
        self.signal(Signal::SIGTERM);
        let status = self.wait_exit(within).await.unwrap_or_else(|| {
            panic!(
                "rates serve still runs {within:?} after SIGTERM:\n{}",
                self.logs()
            )
        });
        (started.elapsed(), status)
    }

    /// What it logged so far.
    pub fn logs(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    /// Stops it (SIGTERM, then SIGKILL after 30 s) and returns all it logged.
    pub async fn stop(mut self) -> String {
        if self.child.try_wait().ok().flatten().is_none() {
            self.signal(Signal::SIGTERM);
            if self.wait_exit(Duration::from_secs(30)).await.is_none() {
                let _ = self.child.start_kill();
                let _ = self.child.wait().await;
            }
        }
        self.logs()
    }

    /// The user `/readyz` says the pool logs in as now.
    pub async fn current_user(&self) -> Option<String> {
        self.readyz().await.1["credentials"]["user"]
            .as_str()
            .map(str::to_owned)
    }
}
