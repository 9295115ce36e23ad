//! `GET /metrics`: Prometheus text. Values cheaper to read than to track
//! (readiness, the read model, the pool, credentials, the process) are set
//! just before rendering.

use axum::{
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

use super::{ApiError, AppState};
use crate::telemetry::metrics as m;

pub async fn metrics(State(state): State<AppState>) -> Response {
    let Some(handle) = m::handle() else {
        return ApiError::NotFound("metrics are off (metrics = false)".into()).into_response();
    };
    record(&state);
    let content_type = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    ([(header::CONTENT_TYPE, content_type)], handle.render()).into_response()
}

fn record(state: &AppState) {
    let model = &state.model;
    let staleness = model.staleness();
    let fresh = staleness.is_some_and(|age| age <= state.config.max_staleness);
    let ready = fresh && state.lifecycle.start_reason().is_none() && !state.lifecycle.is_draining();
    metrics::gauge!(m::READY).set(f64::from(u8::from(ready)));

    let snapshot = model.snapshot();
    metrics::gauge!(m::MODEL_LOADED).set(f64::from(u8::from(snapshot.is_some())));
    if let Some(snapshot) = &snapshot {
        metrics::gauge!(m::MODEL_LANE_DAYS).set(snapshot.lane_days() as f64);
        metrics::gauge!(m::CACHE_BYTES).set(snapshot.answers().bytes() as f64);
        metrics::gauge!(m::MODEL_VERSION).set(model.data_version() as f64);
    }
    if let Some(age) = staleness {
        metrics::gauge!(m::MODEL_SYNC_AGE).set(age.as_secs_f64());
    }

    let pool = &state.pool;
    metrics::gauge!(m::POOL_CONNECTIONS).set(f64::from(pool.size()));
    metrics::gauge!(m::POOL_IDLE).set(pool.num_idle() as f64);
    metrics::gauge!(m::POOL_MAX).set(f64::from(pool.options().get_max_connections()));

    let (source, expires_at) = state.credentials.source_and_expiry();
    metrics::gauge!(m::CREDENTIALS_INFO, "source" => source).set(1.0);
    if let Some(at) = expires_at {
        let left = (at - chrono::Utc::now()).num_milliseconds() as f64 / 1000.0;
        metrics::gauge!(m::CREDENTIALS_EXPIRY).set(left);
    }
    m::record_process();
}
