//! The OpenAPI 3.1 document, generated from the handlers, and an offline docs
//! UI (Swagger UI's assets are vendored into the binary).

use axum::Router;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use super::{AppState, health, rates, reference};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "rates",
        description = "Daily freight-rate averages between ports and regions."
    ),
    paths(
        health::hello,
        health::health,
        health::livez,
        health::readyz,
        health::number_of_tables,
        rates::rates,
        reference::ports,
        reference::port,
        reference::regions,
        reference::region,
    )
)]
pub struct ApiDoc;

/// `/openapi.json` and the docs UI at `/docs`.
pub fn routes() -> Router<AppState> {
    SwaggerUi::new("/docs")
        .url("/openapi.json", ApiDoc::openapi())
        .into()
}
