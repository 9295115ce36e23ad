use std::path::Path;

use rates::db::embedded::{EmbeddedOptions, EmbeddedPostgres};

/// A cluster of a test's own, which it may stop and start again on the same
/// port (an outage); removed when dropped.
pub struct PrivateCluster {
    root: tempfile::TempDir,
    pg: Option<EmbeddedPostgres>,
    pub port: u16,
    /// The superuser's URL to database `rates`.
    pub url: String,
}

impl PrivateCluster {
    pub async fn start() -> Self {
        let root = tempfile::Builder::new()
            .prefix("rates-private-")
            .tempdir_in(std::env::temp_dir())
            .unwrap();
        let pg = Self::launch(root.path(), 0).await;
        let password = std::fs::read_to_string(root.path().join("superuser.password")).unwrap();
        let port = pg.port();
        let url = format!(
            "postgres://rates:{}@127.0.0.1:{port}/rates",
            password.trim()
        );
        Self {
            root,
            pg: Some(pg),
            port,
            url,
        }
    }

    async fn launch(root: &Path, port: u16) -> EmbeddedPostgres {
        EmbeddedPostgres::start(EmbeddedOptions {
            data_root: root.to_owned(),
            bin_dir: None,
            port,
            fast_unsafe: true,
            extra_conf: Vec::new(),
        })
        .await
        .expect("starting a private PostgreSQL")
    }

    pub async fn stop(&mut self) {
        if let Some(pg) = self.pg.take() {
            pg.stop().await.expect("stopping the private PostgreSQL");
        }
    }

    /// Starts it again, on the same port.
    pub async fn restart(&mut self) {
        assert!(self.pg.is_none(), "already running");
        self.pg = Some(Self::launch(self.root.path(), self.port).await);
    }
}
