//! Liveness, readiness and the reference API's small informational endpoints.

use std::time::Duration;

use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

use super::AppState;
use crate::{db, error::ApiError};

/// Probes must answer quickly even when the database hangs.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Serialize, utoipa::ToSchema)]
pub struct Greeting {
    #[schema(example = "Hello world!")]
    message: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HealthStatus {
    /// `Healthy!` or `Unhealthy`.
    #[schema(example = "Healthy!")]
    status: &'static str,
    /// The container (host) name of this replica.
    container: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TableCount {
    /// Count of information_schema.tables, as a string (as the reference API does).
    #[schema(example = "201")]
    number_of_tables: String,
}

#[utoipa::path(get, path = "/", tag = "info",
    responses((status = 200, description = "A greeting", body = Greeting)))]
pub async fn hello() -> Json<Greeting> {
    Json(Greeting {
        message: "Hello world!",
    })
}

#[utoipa::path(get, path = "/health", tag = "health",
    responses(
        (status = 200, description = "The database answers", body = HealthStatus),
        (status = 503, description = "The database does not answer", body = HealthStatus)))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<HealthStatus>) {
    let healthy = database_answers(&state).await;
    let (code, status) = if healthy {
        (StatusCode::OK, "Healthy!")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "Unhealthy")
    };
    let container = state.config.container_name.clone();
    (code, Json(HealthStatus { status, container }))
}

#[utoipa::path(get, path = "/livez", tag = "health",
    responses((status = 200, description = "The process is up (no database call)")))]
pub async fn livez() -> Json<Value> {
    Json(json!({ "status": "alive" }))
}

#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Database reachable and migrations applied; `credentials` says which source is in use and when it was last read"),
        (status = 503, description = "Not ready; `reason` says why")))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let check = tokio::time::timeout(PROBE_TIMEOUT, db::migrate::is_up_to_date(&state.pool));
    let reason = match check.await {
        Ok(Ok(true)) if state.model.is_loaded() => None,
        Ok(Ok(true)) => Some("rates still loading"),
        Ok(Ok(false)) => Some("migrations not applied"),
        Ok(Err(_)) | Err(_) => Some("database unreachable"),
    };
    let (code, mut body) = match reason {
        None => (
            StatusCode::OK,
            json!({ "status": "ready", "database": "reachable", "migrations": "applied", "rates": "loaded" }),
        ),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "not ready", "reason": reason }),
        ),
    };
    // Which source and when it was last read: never the secret.
    if let Some(credentials) = &state.credentials {
        body["credentials"] = credentials.to_json();
    }
    (code, Json(body))
}

#[utoipa::path(get, path = "/number_of_tables", tag = "info",
    responses((status = 200, body = TableCount)))]
pub async fn number_of_tables(State(state): State<AppState>) -> Result<Json<TableCount>, ApiError> {
    let n = db::reference::number_of_tables(&state.pool).await?;
    Ok(Json(TableCount {
        number_of_tables: n.to_string(),
    }))
}

async fn database_answers(state: &AppState) -> bool {
    tokio::time::timeout(PROBE_TIMEOUT, db::ping(&state.pool))
        .await
        .unwrap_or(false)
}
