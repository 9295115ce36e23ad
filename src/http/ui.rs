//! A one-page web UI over the API, compiled into the binary (no CDN, works
//! offline).

use axum::response::Html;

pub async fn page() -> Html<&'static str> {
    Html(include_str!("assets/ui.html"))
}
