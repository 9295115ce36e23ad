//! Ports and regions.

use axum::{
    Json,
    extract::{Path, State},
};

use super::{ApiError, AppState, ErrorBody};
use crate::{
    db::reference::{self, Port, Region, RegionDetail},
    domain::LocationCode,
};

#[utoipa::path(get, path = "/ports", tag = "reference",
    responses((status = 200, description = "All ports, by code", body = [Port])))]
pub async fn ports(State(state): State<AppState>) -> Result<Json<Vec<Port>>, ApiError> {
    Ok(Json(reference::ports(&state.pool).await?))
}

#[utoipa::path(get, path = "/ports/{code}", tag = "reference",
    params(("code" = String, Path, description = "Port code", example = "CNGGZ")),
    responses(
        (status = 200, body = Port),
        (status = 400, description = "Malformed code", body = ErrorBody),
        (status = 404, description = "No such port", body = ErrorBody)))]
pub async fn port(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Port>, ApiError> {
    let code = LocationCode::parse("code", &code)?;
    reference::port(&state.pool, code.as_str())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no port with code {code}")))
}

#[utoipa::path(get, path = "/regions", tag = "reference",
    responses((status = 200, description = "All regions, by slug", body = [Region])))]
pub async fn regions(State(state): State<AppState>) -> Result<Json<Vec<Region>>, ApiError> {
    Ok(Json(reference::regions(&state.pool).await?))
}

#[utoipa::path(get, path = "/regions/{slug}", tag = "reference",
    params(("slug" = String, Path, description = "Region slug", example = "china_main")),
    responses(
        (status = 200, description = "The region, its parent, child regions and ports", body = RegionDetail),
        (status = 400, description = "Malformed slug", body = ErrorBody),
        (status = 404, description = "No such region", body = ErrorBody)))]
pub async fn region(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<RegionDetail>, ApiError> {
    let slug = LocationCode::parse("slug", &slug)?;
    reference::region(&state.pool, slug.as_str())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no region with slug {slug}")))
}
