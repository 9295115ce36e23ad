//! Ports and regions.

use axum::{
    Json,
    extract::{Path, State},
};

use super::{ApiError, AppState, ErrorBody, error::InvalidRequest, locations};
use crate::{
    db::reference::{self, Port, Region, RegionDetail},
    domain::LocationCode,
};

#[utoipa::path(get, path = "/ports", tag = "reference",
    summary = "Every port",
    responses(
        (status = 200, description = "All ports, by code", body = [Port]),
        (status = 503, description = "The database cannot be reached", body = ErrorBody)))]
pub async fn ports(State(state): State<AppState>) -> Result<Json<Vec<Port>>, ApiError> {
    Ok(Json(reference::ports(&state.pool).await?))
}

#[utoipa::path(get, path = "/ports/{code}", tag = "reference",
    summary = "One port",
    params(("code" = String, Path, description = "Port code", example = "CNGGZ",
        min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_-]+$")),
    responses(
        (status = 200, description = "The port", body = Port),
        (status = 400, description = "Malformed code", body = InvalidRequest),
        (status = 404, description = "No such port; `suggestions` has close matches", body = InvalidRequest),
        (status = 503, description = "The database cannot be reached", body = ErrorBody)))]
pub async fn port(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Port>, ApiError> {
    let code = LocationCode::parse("code", &code)?;
    reference::port(&state.pool, code.as_str())
        .await?
        .map(Json)
        .ok_or_else(|| {
            locations::unknown(
                &state,
                "code",
                format!("no port with code {code}"),
                code.as_str(),
            )
        })
}

#[utoipa::path(get, path = "/regions", tag = "reference",
    summary = "Every region",
    responses(
        (status = 200, description = "All regions, by slug", body = [Region]),
        (status = 503, description = "The database cannot be reached", body = ErrorBody)))]
pub async fn regions(State(state): State<AppState>) -> Result<Json<Vec<Region>>, ApiError> {
    Ok(Json(reference::regions(&state.pool).await?))
}

#[utoipa::path(get, path = "/regions/{slug}", tag = "reference",
    summary = "One region, with its parent, child regions and ports",
    params(("slug" = String, Path, description = "Region slug", example = "china_main",
        min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_-]+$")),
    responses(
        (status = 200, description = "The region, its parent, child regions and ports", body = RegionDetail),
        (status = 400, description = "Malformed slug", body = InvalidRequest),
        (status = 404, description = "No such region; `suggestions` has close matches", body = InvalidRequest),
        (status = 503, description = "The database cannot be reached", body = ErrorBody)))]
pub async fn region(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<RegionDetail>, ApiError> {
    let slug = LocationCode::parse("slug", &slug)?;
    reference::region(&state.pool, slug.as_str())
        .await?
        .map(Json)
        .ok_or_else(|| {
            locations::unknown(
                &state,
                "slug",
                format!("no region with slug {slug}"),
                slug.as_str(),
            )
        })
}
