//! Liveness, readiness and the reference API's small informational endpoints.

use std::time::Duration;

use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

use super::{ApiError, AppState};
use crate::db;

/// Probes must answer within an orchestrator's timeout (Kubernetes: 1 s)
/// even when the database hangs.
const PROBE_TIMEOUT: Duration = Duration::from_millis(800);

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
        (status = 200, description = "This replica can serve `/rates`: its data is loaded and fresh. \
            `database` may say `unreachable` during an outage shorter than `max_staleness_secs`, \
            while the rates are served from memory. `credentials` says which source is in use and \
            when it was last read"),
        (status = 503, description = "Not ready: starting (`reason` says why, e.g. the database \
            cannot be reached), draining after a stop signal, or the data is staler than \
            `max_staleness_secs`")))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (code, mut body) = readiness(&state).await;
    // Which source and when it was last read: never the secret.
    body["credentials"] = state.credentials.to_json();
    (code, Json(body))
}

async fn readiness(state: &AppState) -> (StatusCode, Value) {
    let unready = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "not ready", "reason": reason }),
        )
    };
    if state.lifecycle.is_draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "draining" }),
        );
    }
    if let Some(reason) = state.lifecycle.start_reason() {
        return unready(reason);
    }
    let (Some(snapshot), Some(age)) = (state.model.snapshot(), state.model.staleness()) else {
        return unready("rates still loading".into());
    };
    let check = tokio::time::timeout(PROBE_TIMEOUT, db::migrate::is_up_to_date(&state.pool));
    let database = match check.await {
        Ok(Ok(true)) => "reachable",
        Ok(Ok(false)) => return unready("migrations not applied".into()),
        Ok(Err(_)) | Err(_) => "unreachable",
    };
    let max = state.config.max_staleness;
    if age > max {
        return unready(format!(
            "the rates were last synced {} s ago (max_staleness_secs = {}); database {database}",
            age.as_secs(),
            max.as_secs()
        ));
    }
    (
        StatusCode::OK,
        json!({
            "status": "ready",
            "database": database,
            "migrations": if database == "reachable" { "applied" } else { "unknown" },
            "rates": "loaded",
            "lane_days": snapshot.lane_days(),
            "synced_secs_ago": age.as_secs(),
        }),
    )
}

#[utoipa::path(get, path = "/number_of_tables", tag = "info",
    responses(
        (status = 200, description = "The number of tables PostgreSQL lists", body = TableCount),
        (status = 503, description = "The database cannot be reached", body = super::ErrorBody)))]
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
