//! PostgreSQL: connection, migrations, and the queries the API runs. SQL lives
//! next to the function that runs it.

pub mod embedded;
pub mod migrate;
pub mod reference;

use anyhow::Context;
use sqlx::{PgPool, postgres::PgPoolOptions};

use crate::config::{DatabaseSettings, Settings};
use embedded::{EmbeddedOptions, EmbeddedPostgres};

/// The pool the service uses, and the private server behind it when no
/// external database is configured.
pub struct Database {
    pub pool: PgPool,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Connects to the configured database, or starts the embedded one.
    pub async fn open(settings: &Settings) -> anyhow::Result<Self> {
        if settings.database.is_configured() {
            let options = settings.database.connect_options()?;
            let pool = pool_options(&settings.database).connect_lazy_with(options);
            return Ok(Self {
                pool,
                embedded: None,
            });
        }
        let embedded = EmbeddedPostgres::start(EmbeddedOptions {
            data_root: settings.embedded.data_dir.clone(),
            bin_dir: settings.embedded.pg_bin_dir.clone(),
            port: 0,
            fast_unsafe: false,
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
        })
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// Closes the pool, then stops the embedded server if we started it.
    pub async fn close(self) {
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
