//! Serving HTTP/1.1 connections: timeouts per connection phase, a cap on open
//! connections that leaves file descriptors in reserve, and the shutdown
//! sequence load balancers need.
//!
//! Over the cap, a connection is still accepted (from the reserve) for a
//! moment: probes (`/livez`, `/readyz`, `/health`) are answered, anything
//! else gets a quick 503, and the connection is closed. Past the reserve too,
//! it is closed at once. So an orchestrator's probes keep working however
//! many idle connections a client holds.
//!
//! On the stop signal: `/readyz` answers 503 "draining", and requests are
//! still served (each answered with `Connection: close`, so keep-alive
//! clients move on) for the shutdown delay; then the listener closes and
//! in-flight requests get the grace period.

mod limits;
mod timed_io;

use std::{convert::Infallible, net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    body::Body,
    http::{HeaderValue, Request, Response, StatusCode, header},
    response::IntoResponse,
};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore},
};
use tower::ServiceExt;

use super::{ErrorBody, is_probe};
use crate::{config::Settings, startup::Lifecycle, telemetry::metrics as m};
use timed_io::{ConnState, TimedIo};

/// Connections accepted past the cap, to answer probes and say "busy".
const OVERFLOW: usize = 32;
/// An overflow connection must send its request within this long.
const OVERFLOW_HEADER_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub header_read_timeout: Duration,
    pub keep_alive_timeout: Duration,
    pub max_connections: usize,
    /// Descriptors kept for everything but client connections (the database
    /// pool, the listener, log files).
    pub reserved_fds: usize,
    pub shutdown_delay: Duration,
    pub shutdown_grace: Duration,
}

impl ServerOptions {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(settings.header_read_timeout_secs),
            keep_alive_timeout: Duration::from_secs(settings.keep_alive_timeout_secs),
            max_connections: settings.max_client_connections as usize,
            reserved_fds: settings.db.max_connections as usize + 64,
            shutdown_delay: Duration::from_secs(settings.shutdown_delay_secs),
            shutdown_grace: Duration::from_secs(settings.shutdown_grace_secs),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then drains.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    lifecycle: Arc<Lifecycle>,
    options: ServerOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let cap = limits::connection_cap(options.max_connections, options.reserved_fds + OVERFLOW);
    let server = Server {
        router,
        lifecycle: lifecycle.clone(),
        slots: Arc::new(Semaphore::new(cap)),
        overflow: Arc::new(Semaphore::new(OVERFLOW)),
        graceful: GracefulShutdown::new(),
        options,
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => server.accepted(accepted).await,
            () = &mut shutdown => break,
        }
    }

    lifecycle.drain();
    let delay = server.options.shutdown_delay;
    tracing::info!(
        delay_secs = delay.as_secs(),
        grace_secs = server.options.shutdown_grace.as_secs(),
        "draining: /readyz answers 503; still serving for the shutdown delay"
    );
    let delay_over = tokio::time::sleep(delay);
    tokio::pin!(delay_over);
    loop {
        tokio::select! {
            accepted = listener.accept() => server.accepted(accepted).await,
            () = &mut delay_over => break,
        }
    }
    drop(listener);
    let open = server.graceful.count();
    tracing::info!(
        open_connections = open,
        "stopped accepting; finishing in-flight requests"
    );
    let grace = server.options.shutdown_grace;
    if tokio::time::timeout(grace, server.graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_secs = grace.as_secs(),
            "grace period over; closing remaining connections"
        );
    }
    Ok(())
}

struct Server {
    router: Router,
    lifecycle: Arc<Lifecycle>,
    slots: Arc<Semaphore>,
    overflow: Arc<Semaphore>,
    graceful: GracefulShutdown,
    options: ServerOptions,
}

impl Server {
    async fn accepted(&self, accepted: std::io::Result<(TcpStream, SocketAddr)>) {
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of descriptors despite the reserve, or a connection
                // reset before it was accepted: wait a little, do not spin.
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                return;
            }
        };
        let _ = stream.set_nodelay(true);
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            self.spawn(stream, permit, false);
            return;
        }
        metrics::counter!(m::HTTP_REJECTED).increment(1);
        if let Ok(permit) = self.overflow.clone().try_acquire_owned() {
            self.spawn(stream, permit, true);
        }
        // Else the stream is dropped here: closed at once.
    }

    fn spawn(&self, stream: TcpStream, permit: OwnedSemaphorePermit, overflow: bool) {
        let (header_timeout, keep_alive) = if overflow {
            (OVERFLOW_HEADER_TIMEOUT, Duration::ZERO)
        } else {
            (
                self.options.header_read_timeout,
                self.options.keep_alive_timeout,
            )
        };
        let state = ConnState::new(header_timeout, keep_alive);
        let io = TokioIo::new(TimedIo::new(stream, state.clone()));
        let (router, lifecycle) = (self.router.clone(), self.lifecycle.clone());
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let (router, lifecycle, state) = (router.clone(), lifecycle.clone(), state.clone());
            async move {
                state.busy();
                let mut response = if overflow && !is_probe(request.uri().path()) {
                    busy()
                } else {
                    let request = request.map(Body::new);
                    router.oneshot(request).await.unwrap_or_else(|e| match e {})
                };
                if overflow || lifecycle.is_draining() {
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                state.idle();
                Ok::<_, Infallible>(response)
            }
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .keep_alive(!overflow)
            // Our own timeouts apply (see `timed_io`), per phase.
            .header_read_timeout(None)
            .serve_connection(io, service);
        let connection = self.graceful.watch(connection);
        metrics::gauge!(m::HTTP_CONNECTIONS).increment(1.0);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            metrics::gauge!(m::HTTP_CONNECTIONS).decrement(1.0);
            drop(permit);
        });
    }
}

fn busy() -> Response<Body> {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(ErrorBody {
            error: "too many open connections; retry shortly".into(),
        }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}
