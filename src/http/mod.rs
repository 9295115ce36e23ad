//! The HTTP API: routes, shared state and the middleware every request passes.

mod error;
mod health;
mod metrics;
mod middleware;
mod observe;
mod openapi;
mod rates;
mod reference;
pub mod server;
mod ui;

// The explorer's API, pages and headers.
mod html;
mod locations;
mod negotiate;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use bytes::Bytes;
use sqlx::PgPool;

use crate::{
    config::Settings, read_model::ReadModel, secrets::CredentialStatus, startup::Lifecycle,
};
pub use error::{ApiError, ErrorBody};
pub use openapi::ApiDoc;

/// Liveness: the process answers; never tied to the database.
pub const LIVENESS_PATH: &str = "/livez";
/// Readiness: this replica can serve `/rates` (see `health::readyz`).
pub const READINESS_PATH: &str = "/readyz";
/// The reference API's health check: 200 only when the database answers.
pub const HEALTH_PATH: &str = "/health";
/// Prometheus metrics (see `metrics`), on the main listener unless
/// `metrics_listen` moves them.
pub const METRICS_PATH: &str = "/metrics";
/// Every route, as matched (for the deploy kits' consistency check).
pub const ROUTES: &[&str] = &[
    "/",
    HEALTH_PATH,
    LIVENESS_PATH,
    READINESS_PATH,
    "/number_of_tables",
    "/rates",
    "/ports",
    "/ports/{code}",
    "/regions",
    "/regions/{slug}",
    "/ui",
    "/ui/",
    "/ui/ports/{code}",
    "/ui/regions/{slug}",
    "/ui/assets/{file}",
    "/coverage",
    "/locations",
    "/locations/{code}",
    "/openapi.json",
    "/docs/",
];

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub model: Arc<ReadModel>,
    pub config: Arc<ApiConfig>,
    /// Where the database credentials come from, for `/readyz`.
    pub credentials: CredentialStatus,
    pub lifecycle: Arc<Lifecycle>,
}

/// The settings handlers need, resolved once at start-up.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub container_name: String,
    pub max_range_days: u32,
    pub request_timeout: Duration,
    pub max_staleness: Duration,
    pub access_log: bool,
}

impl ApiConfig {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            container_name: settings.container_name(),
            max_range_days: settings.max_range_days,
            request_timeout: Duration::from_secs(settings.request_timeout_secs),
            max_staleness: Duration::from_secs(settings.max_staleness_secs),
            access_log: settings.access_log,
        }
    }
}

/// The API; `/metrics` is on it unless `metrics_listen` moves it (see
/// [`serve_metrics`]).
pub fn router(state: AppState, with_metrics: bool) -> Router {
    let config = state.config.clone();
    let mut routes = Router::new()
        .route("/", get(health::hello))
        .route(HEALTH_PATH, get(health::health))
        .route(LIVENESS_PATH, get(health::livez))
        .route(READINESS_PATH, get(health::readyz))
        .route("/number_of_tables", get(health::number_of_tables))
        .route("/rates", get(rates::rates))
        .route("/ports", get(reference::ports))
        .route("/ports/{code}", get(reference::port))
        .route("/regions", get(reference::regions))
        .route("/regions/{slug}", get(reference::region))
        .route("/coverage", get(locations::coverage))
        .route("/locations", get(locations::search))
        .route("/locations/{code}", get(locations::location))
        .merge(ui::routes())
        .route("/ui", get(ui::page))
        .merge(openapi::routes());
    if with_metrics {
        routes = routes.route(METRICS_PATH, get(metrics::metrics));
    }
    let routes = routes
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state);
    middleware::apply(routes, &config)
}

/// Serves `/metrics` alone on `listener`, the separate `metrics_listen`
/// address, until the process ends.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
) -> std::io::Result<()> {
    let config = state.config.clone();
    let routes = Router::new()
        .route(METRICS_PATH, get(metrics::metrics))
        .fallback(error::not_found)
        .with_state(state);
    axum::serve(listener, middleware::apply(routes, &config)).await
}

/// Probes are polled constantly: they log at DEBUG.
pub fn is_probe(route: &str) -> bool {
    matches!(route, LIVENESS_PATH | READINESS_PATH | HEALTH_PATH)
}

/// A JSON body already serialized (cached answers are kept as bytes).
fn json_response(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}
