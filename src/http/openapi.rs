//! The OpenAPI 3.1 document, generated from the handlers and fitted to the
//! loaded data (examples that have prices, the codes `/rates` accepts), and
//! an offline docs UI (Swagger UI's assets are vendored into the binary).

use std::sync::LazyLock;

use axum::{Router, extract::State, response::Response, routing::get};
use bytes::Bytes;
use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::{AppState, health, html, locations, rates, reference};
use crate::{
    domain::{DayRange, LocationCode},
    read_model::Snapshot,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "rates",
        description = "Daily freight-rate averages between ports and regions, in USD.\n\n\
            Browse them in the **[rates explorer](/ui)**. The examples below are taken from the \
            data this server holds (see `/coverage`), so *Try it out* answers with prices.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0")
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "rates", description = "Average prices per day, and what the data covers"),
        (name = "reference", description = "Ports, regions and finding them"),
        (name = "health", description = "Probes"),
        (name = "info", description = "The reference API's informational endpoints"),
    ),
    paths(
        rates::rates,
        locations::coverage,
        locations::search,
        locations::location,
        reference::ports,
        reference::port,
        reference::regions,
        reference::region,
        health::hello,
        health::health,
        health::livez,
        health::readyz,
        health::number_of_tables,
    )
)]
pub struct ApiDoc;

/// Up to this many codes and slugs are listed as the `enum` of `/rates`'
/// locations; more would bloat the document.
const MAX_ENUM: usize = 2000;

static BASE: LazyLock<Value> =
    LazyLock::new(|| serde_json::to_value(ApiDoc::openapi()).expect("the document serializes"));

/// `/openapi.json` and the docs UI at `/docs`, which links back to the
/// explorer (in the document's description).
pub fn routes() -> Router<AppState> {
    let config = Config::new(["/openapi.json"])
        .validator_url("none")
        .try_it_out_enabled(true)
        .display_request_duration(true);
    let docs: Router<AppState> = SwaggerUi::new("/docs").config(config).into();
    Router::new()
        .route("/openapi.json", get(document))
        .merge(html::protected(docs, html::DOCS_CSP))
}

async fn document(State(state): State<AppState>) -> Response {
    let max_days = state.config.max_range_days;
    let body = match state.model.snapshot() {
        Some(snapshot) => snapshot
            .answers()
            .get_or_compute((String::new(), String::new(), 0, 0, "openapi"), || {
                render(Some(&snapshot), max_days)
            }),
        None => render(None, max_days),
    };
    super::json_response(body)
}

fn render(snapshot: Option<&Snapshot>, max_days: u32) -> Bytes {
    let mut doc = BASE.clone();
    if let Some(snapshot) = snapshot {
        fit(&mut doc, snapshot, max_days);
    }
    serde_json::to_vec(&doc)
        .expect("the document serializes")
        .into()
}

/// Examples from the data (a lane with prices, its ports and regions) and
/// the codes `/rates` accepts.
pub fn fit(doc: &mut Value, snapshot: &Snapshot, max_days: u32) {
    let places = snapshot.reference().places();
    let codes = places.codes();
    if !codes.is_empty() && codes.len() <= MAX_ENUM {
        for name in ["orig_code", "dest_code"] {
            if let Some(p) = param(doc, "/rates", name) {
                p["schema"]["enum"] = json!(codes);
            }
        }
    }
    let coverage = locations::coverage_of(snapshot, max_days);
    let Some(q) = coverage.suggested else {
        return;
    };
    for (name, value) in [
        ("date_from", q.date_from.to_string()),
        ("date_to", q.date_to.to_string()),
        ("orig_code", q.orig_code.clone()),
        ("dest_code", q.dest_code.clone()),
    ] {
        if let Some(p) = param(doc, "/rates", name) {
            p["example"] = json!(value);
        }
    }
    if let Some(p) = param(doc, "/ports/{code}", "code") {
        p["example"] = json!(q.orig_code);
    }
    let origin = places.get(&q.orig_code);
    if let Some(region) = origin.and_then(|o| o.parent.clone()) {
        for (path, name) in [("/regions/{slug}", "slug"), ("/locations/{code}", "code")] {
            if let Some(p) = param(doc, path, name) {
                p["example"] = json!(region);
            }
        }
    }
    if let Some(word) = origin.and_then(|o| o.name.split_whitespace().next()) {
        let prefix: String = word.chars().take(4).flat_map(char::to_lowercase).collect();
        if let Some(p) = param(doc, "/locations", "q") {
            p["example"] = json!(prefix);
        }
    }
    // The first days of the suggested answer, as the 200 example.
    if let (Ok(o), Ok(d)) = (
        LocationCode::parse("orig_code", &q.orig_code),
        LocationCode::parse("dest_code", &q.dest_code),
    ) && let Ok(route) = snapshot.route(&o, &d)
        && let Ok(range) = DayRange::new(q.date_from, q.date_to, max_days)
    {
        let rates: Vec<_> = route.daily_rates(range).into_iter().take(3).collect();
        let content = &mut doc["paths"]["/rates"]["get"]["responses"]["200"]["content"];
        content["application/json"]["example"] = json!({ "rates": rates });
        let csv = String::from_utf8(rates::csv(&rates)).expect("CSV is UTF-8");
        content["text/csv"]["example"] = json!(csv);
    }
}

/// The parameter `name` of `GET path`.
fn param<'a>(doc: &'a mut Value, path: &str, name: &str) -> Option<&'a mut Value> {
    doc["paths"][path]["get"]["parameters"]
        .as_array_mut()?
        .iter_mut()
        .find(|p| p["name"] == name)
}
