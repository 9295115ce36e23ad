//! PostgreSQL: connection, migrations, and the queries the API runs. SQL lives
//! next to the function that runs it.

pub mod audit;
pub mod embedded;
pub mod migrate;
pub mod reference;
pub mod roles;
pub mod rotate;

use anyhow::Context;
use sqlx::{PgPool, postgres::PgPoolOptions};

use crate::{
    config::{DatabaseSettings, Settings},
    secrets::{CredentialSource, CredentialStatus, Refresher},
};
use embedded::{EmbeddedOptions, EmbeddedPostgres};

/// The pool the service uses, and the private server behind it when no
/// external database is configured.
pub struct Database {
    pub pool: PgPool,
    embedded: Option<EmbeddedPostgres>,
    /// Keeps the pool's credentials current (see `src/secrets/`).
    credentials: Refresher,
}

impl Database {
    /// Connects to the configured database, or starts the embedded one.
    pub async fn open(settings: &Settings) -> anyhow::Result<Self> {
        if settings.database.is_configured() || settings.credentials.is_external() {
            return Self::open_external(settings).await;
        }
        let embedded = EmbeddedPostgres::start(EmbeddedOptions {
            data_root: settings.embedded.data_dir.clone(),
            bin_dir: settings.embedded.pg_bin_dir.clone(),
            port: 0,
            fast_unsafe: false,
            extra_conf: Vec::new(),
        })
        .await
        .context("starting the embedded PostgreSQL")?;
        tracing::info!(
            data_dir = %settings.embedded.data_dir.display(),
            port = embedded.port(),
            "embedded PostgreSQL is up"
        );
        let pool = pool_options(&settings.database)
            .connect_with(embedded.connect_options("rates"))
            .await
            .context("connecting to the embedded PostgreSQL")?;
        Ok(Self {
            pool,
            embedded: Some(embedded),
            credentials: Refresher::idle("embedded", "rates"),
        })
    }

    /// The pool over credentials from the configured source, and the task
    /// that keeps them current.
    async fn open_external(settings: &Settings) -> anyhow::Result<Self> {
        let base = settings.database.connect_options()?;
        let source = CredentialSource::from_settings(settings).await?;
        let current = source
            .fetch()
            .await
            .context("reading the database credentials")?;
        let pool = pool_options(&settings.database).connect_lazy_with(current.apply(base.clone()));
        let credentials = if source.can_change() {
            let period = settings
                .credentials
                .refresh_secs
                .map(std::time::Duration::from_secs);
            Refresher::spawn(pool.clone(), base, source, current, period)
        } else {
            Refresher::idle(source.name(), current.apply(base).get_username())
        };
        Ok(Self {
            pool,
            embedded: None,
            credentials,
        })
    }

    /// Which credentials the pool uses, for `/readyz`.
    pub fn credential_status(&self) -> CredentialStatus {
        self.credentials.status.clone()
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// Closes the pool, then stops the embedded server if we started it.
    pub async fn close(self) {
        drop(self.credentials);
        self.pool.close().await;
        if let Some(embedded) = self.embedded
            && let Err(e) = embedded.stop().await
        {
            tracing::warn!(error = %e, "stopping the embedded PostgreSQL");
        }
    }
}

/// Pool settings shared by every way of connecting.
pub fn pool_options(db: &DatabaseSettings) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(db.max_connections)
        .acquire_timeout(db.acquire_timeout())
        .max_lifetime(db.max_lifetime())
}

/// True when the database answers a trivial query.
pub async fn ping(pool: &PgPool) -> bool {
    sqlx::query("SELECT 1").execute(pool).await.is_ok()
}
