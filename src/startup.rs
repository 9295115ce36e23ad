//! Start-up and shutdown: the one seam that production and the tests share.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::{
    config::Settings,
    http::{self, ApiConfig, AppState},
    read_model,
    secrets::CredentialStatus,
};

/// A bound, not yet serving, HTTP application.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    shutdown_grace: Duration,
}

impl Application {
    /// Binds the listen address (port 0 picks a free one, see [`Self::port`]).
    pub async fn build(settings: &Settings, pool: PgPool) -> anyhow::Result<Self> {
        Self::build_with_credentials(settings, pool, None).await
    }

    /// Like [`Self::build`], with the credential status `/readyz` reports.
    pub async fn build_with_credentials(
        settings: &Settings,
        pool: PgPool,
        credentials: Option<CredentialStatus>,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let config = ApiConfig {
            container_name: settings.container_name(),
            max_range_days: settings.max_range_days,
            request_timeout: Duration::from_secs(settings.request_timeout_secs),
        };
        let model = read_model::sync::start(pool.clone());
        let state = AppState {
            pool,
            model,
            config: Arc::new(config),
            credentials,
        };
        Ok(Self {
            listener,
            router: http::router(state),
            shutdown_grace: Duration::from_secs(settings.shutdown_grace_secs),
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

    /// Serves until `shutdown` completes, then stops accepting and lets
    /// in-flight requests finish, for at most the grace period.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        tracing::info!(address = %self.local_addr(), "listening");
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down: draining in-flight requests");
            let _ = stopping_tx.send(());
        };
        let serve = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(signal)
            .into_future();
        let grace = self.shutdown_grace;
        tokio::select! {
            served = serve => served,
            _ = async { if stopping_rx.await.is_ok() { tokio::time::sleep(grace).await } else { std::future::pending().await } } => {
                tracing::warn!(grace_secs = grace.as_secs(), "grace period over; closing remaining connections");
                Ok(())
            }
        }
    }
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
