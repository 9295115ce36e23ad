//! The HTTP API: routes, shared state and the middleware every request passes.

mod health;
mod openapi;
mod rates;
mod reference;
mod ui;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{MatchedPath, Request},
    http::{HeaderName, StatusCode, Uri},
    routing::get,
};
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{error::ApiError, read_model::ReadModel};
pub use openapi::ApiDoc;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub model: Arc<ReadModel>,
    pub config: Arc<ApiConfig>,
    /// Where the database credentials come from, for `/readyz`.
    pub credentials: Option<crate::secrets::CredentialStatus>,
}

/// The settings handlers need, resolved once at start-up.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub container_name: String,
    pub max_range_days: u32,
    pub request_timeout: Duration,
}

pub fn router(state: AppState) -> Router {
    let timeout = state.config.request_timeout;
    Router::new()
        .route("/", get(health::hello))
        .route("/health", get(health::health))
        .route("/livez", get(health::livez))
        .route("/readyz", get(health::readyz))
        .route("/number_of_tables", get(health::number_of_tables))
        .route("/rates", get(rates::rates))
        .route("/ports", get(reference::ports))
        .route("/ports/{code}", get(reference::port))
        .route("/regions", get(reference::regions))
        .route("/regions/{slug}", get(reference::region))
        .route("/ui", get(ui::page))
        .merge(openapi::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
                .layer(CatchPanicLayer::custom(|_| {
                    axum::response::IntoResponse::into_response(ApiError::Internal(
                        anyhow::anyhow!("handler panicked"),
                    ))
                }))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    timeout,
                )),
        )
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// One span per request, named by the matched route (not the raw path, which
/// would make every port code its own route in the logs).
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("<unmatched>", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %request.method(), route, request_id)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::NotFound(format!("no such endpoint: {}", uri.path()))
}

async fn method_not_allowed() -> (StatusCode, axum::Json<crate::error::ErrorBody>) {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(crate::error::ErrorBody {
            error: "method not allowed: this API is read-only, use GET".into(),
        }),
    )
}
