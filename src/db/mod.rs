//! PostgreSQL: connection, migrations, and the queries the API runs. SQL lives
//! next to the function that runs it.

pub mod audit;
pub mod connect;
pub mod embedded;
pub mod migrate;
pub mod reference;
pub mod roles;
pub mod rotate;

use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::{PgPool, Postgres, pool::PoolConnection, postgres::PgPoolOptions};

use crate::{
    config::{DbSettings, Settings},
    secrets::{CredentialSource, CredentialStatus, Refresher},
    telemetry::metrics as m,
};
use embedded::{EmbeddedOptions, EmbeddedPostgres};

/// The pool the service uses, and the private server behind it in embedded
/// mode.
pub struct Database {
    pub pool: PgPool,
    embedded: Option<EmbeddedPostgres>,
    /// Keeps the pool's credentials current (see `src/secrets/`).
    credentials: Refresher,
}

impl Database {
    /// Starts the embedded server, or prepares a pool for the external one
    /// (which connects lazily: call [`connect::check`] to learn whether it
    /// can be reached).
    pub async fn open(settings: &Settings) -> anyhow::Result<Self> {
        if !settings.is_embedded() {
            return Self::open_external(settings).await;
        }
        let data_dir = &settings.embedded.data_dir;
        let embedded = EmbeddedPostgres::start(EmbeddedOptions {
            data_root: data_dir.clone(),
            bin_dir: settings.embedded.pg_bin_dir.clone(),
            port: 0,
            fast_unsafe: false,
            extra_conf: Vec::new(),
        })
        .await
        .with_context(|| format!("starting the embedded PostgreSQL in {}", data_dir.display()))?;
        tracing::info!(
            data_dir = %data_dir.display(),
            port = embedded.port(),
            "database: embedded PostgreSQL (set RATES_DATABASE=external and DATABASE_URL to use your own)"
        );
        let pool = pool_options(&settings.db).connect_lazy_with(embedded.connect_options("rates"));
        Ok(Self {
            pool,
            embedded: Some(embedded),
            credentials: Refresher::idle("embedded", "rates"),
        })
    }

    /// The pool over credentials from the configured source, and the task
    /// that keeps them current.
    async fn open_external(settings: &Settings) -> anyhow::Result<Self> {
        let base = settings.db.connect_options()?;
        let source = CredentialSource::from_settings(settings).await?;
        let current = source
            .fetch()
            .await
            .context("reading the database credentials")?;
        let pool = pool_options(&settings.db).connect_lazy_with(current.apply(base.clone()));
        tracing::info!(
            target = %connect::target(&pool.connect_options()),
            credentials = source.name(),
            "database: external"
        );
        let credentials = if source.can_change() {
            let period = settings.credentials.refresh_secs.map(Duration::from_secs);
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

    /// Opens the database and checks that it answers, for one-shot jobs:
    /// an unreachable database is one clear error.
    pub async fn open_checked(settings: &Settings) -> anyhow::Result<Self> {
        let database = Self::open(settings).await?;
        if let Err(e) = connect::check(&database.pool, settings.db.acquire_timeout()).await {
            database.close(Duration::from_secs(5)).await;
            return Err(e.into());
        }
        Ok(database)
    }

    /// Which credentials the pool uses, for `/readyz`.
    pub fn credential_status(&self) -> CredentialStatus {
        self.credentials.status.clone()
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// Stops refreshing credentials, closes the pool, then stops the
    /// embedded server if we started it, all within `budget` (a pool whose
    /// server is gone cannot hold up the exit).
    pub async fn close(self, budget: Duration) {
        let started = std::time::Instant::now();
        drop(self.credentials);
        if tokio::time::timeout(budget / 2, self.pool.close())
            .await
            .is_err()
        {
            tracing::warn!("database connections did not close in time; leaving them");
        }
        if let Some(embedded) = self.embedded {
            let left = budget.saturating_sub(started.elapsed());
            if let Err(e) = embedded.stop_within(left).await {
                tracing::warn!(error = %e, "stopping the embedded PostgreSQL");
            }
        }
    }
}

/// Pool settings shared by every way of connecting.
pub fn pool_options(db: &DbSettings) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(db.max_connections)
        .acquire_timeout(db.acquire_timeout())
        .max_lifetime(db.max_lifetime())
}

/// How long a request waits for the credentials to be re-read after a
/// refused login (a token or file is read in milliseconds).
const REREAD_BOUND: Duration = Duration::from_secs(1);

/// A connection from the pool for a request's queries, timed and counted
/// while waited for (the pool itself says nothing about waiting), and tried
/// once more after a refused login, when the credentials have been re-read.
pub async fn acquire(pool: &PgPool) -> Result<PoolConnection<Postgres>, sqlx::Error> {
    let started = Instant::now();
    metrics::gauge!(m::POOL_PENDING).increment(1.0);
    let mut conn = pool.acquire().await;
    // A refused login: the credentials changed under us (a token renewed, a
    // password rotated). Once the source is re-read, one more try.
    if let Err(e) = &conn
        && crate::secrets::reread_after_refused_login(e, REREAD_BOUND).await
    {
        conn = pool.acquire().await;
    }
    metrics::gauge!(m::POOL_PENDING).decrement(1.0);
    metrics::histogram!(m::POOL_ACQUIRE).record(started.elapsed().as_secs_f64());
    conn
}

/// True when the database answers a trivial query.
pub async fn ping(pool: &PgPool) -> bool {
    sqlx::query("SELECT 1").execute(pool).await.is_ok()
}
