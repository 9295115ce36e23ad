//! Start-up and shutdown: the one seam that production and the tests share.
//!
//! [`Application::build`] binds the listener first, so a taken port fails
//! before anything else happens and tests learn the port. [`Application::run_until`]
//! opens the database, serves at once (`/livez` answers while the database is
//! still being reached; `/readyz` says why it is not ready), prepares the
//! database in the background, and on shutdown drains within a bounded time.

mod lifecycle;
mod prepare;

use std::{
    future::Future,
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use tokio::net::TcpListener;

use crate::{
    config::Settings,
    db::Database,
    http::{self, ApiConfig, AppState, server::ServerOptions},
    read_model::ReadModel,
};
pub use lifecycle::Lifecycle;

/// Time left after the grace period for closing the pool and stopping the
/// embedded PostgreSQL, within the promised delay + grace + 1 s.
const CLEANUP_BUDGET: Duration = Duration::from_millis(800);

/// A bound, not yet serving, application.
pub struct Application {
    settings: Settings,
    listener: TcpListener,
    /// `/metrics` on an address of its own (`metrics_listen`).
    metrics_listener: Option<TcpListener>,
}

impl Application {
    /// Binds the listen addresses (port 0 picks a free one, see
    /// [`Self::port`]), before anything else happens.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let metrics_listener = match settings.metrics_listen.filter(|_| settings.metrics) {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .with_context(|| format!("cannot listen on {address} (metrics_listen)"))?,
            ),
            None => None,
        };
        Ok(Self {
            settings,
            listener,
            metrics_listener,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// Serves until `shutdown` completes, then drains: `/readyz` says
    /// "draining" while requests are still served for the shutdown delay,
    /// then in-flight requests get the grace period, then background tasks
    /// stop and the database is closed; all within delay + grace + 1 s.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Self {
            settings,
            listener,
            metrics_listener,
        } = self;
        let address = listener.local_addr()?;
        let database = Database::open(&settings).await?;
        let lifecycle = Arc::new(Lifecycle::new());
        let model = Arc::new(ReadModel::default());
        let state = AppState {
            pool: database.pool.clone(),
            model: model.clone(),
            config: Arc::new(ApiConfig::from_settings(&settings)),
            credentials: database.credential_status(),
            lifecycle: lifecycle.clone(),
        };
        let preparation = tokio::spawn(prepare::run(
            settings.clone(),
            database.pool.clone(),
            database.is_embedded(),
            lifecycle.clone(),
            model,
        ));
        log_listening(address);
        let with_metrics = settings.metrics && metrics_listener.is_none();
        // Scrapes need no draining: this listener goes when the process does.
        let metrics_server = metrics_listener.map(|listener| {
            tracing::info!(address = ?listener.local_addr().ok(), "metrics on their own listener");
            tokio::spawn(http::serve_metrics(listener, state.clone()))
        });

        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel();
        let signal = async move {
            shutdown.await;
            let _ = stopping_tx.send(Instant::now());
        };
        let options = ServerOptions::from_settings(&settings);
        let router = http::router(state, with_metrics);
        let served = http::server::serve(listener, router, lifecycle, options, signal).await;
        if let Some(metrics_server) = metrics_server {
            metrics_server.abort();
        }

        // Background work stops first: it may be waiting on a database that
        // is gone, and must not hold up the exit.
        preparation.abort();
        if let Ok(sync) = preparation.await {
            sync.stop();
        }
        let budget = match stopping_rx.await {
            Ok(signalled) => {
                let deadline = signalled
                    + Duration::from_secs(
                        settings.shutdown_delay_secs + settings.shutdown_grace_secs,
                    )
                    + CLEANUP_BUDGET;
                deadline
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(300))
            }
            Err(_) => CLEANUP_BUDGET,
        };
        database.close(budget).await;
        served.context("serving HTTP")
    }
}

/// One line with the addresses a person wants: the UI and the API docs.
fn log_listening(address: SocketAddr) {
    let host = if address.ip().is_unspecified() {
        "localhost".to_owned()
    } else if address.is_ipv6() {
        format!("[{}]", address.ip())
    } else {
        address.ip().to_string()
    };
    let base = format!("http://{host}:{}", address.port());
    tracing::info!(
        %address,
        ui = format!("{base}/ui"),
        docs = format!("{base}/docs/"),
        "listening: web UI {base}/ui, API docs {base}/docs/"
    );
}

/// Completes on SIGTERM (orchestrators) or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("installing the SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("installing the SIGINT handler");
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM received"),
        _ = int.recv() => tracing::info!("SIGINT received"),
    }
}
