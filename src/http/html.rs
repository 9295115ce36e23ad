//! Security headers for what a browser renders: the explorer's pages and
//! assets, and the Swagger UI. The JSON API does not need them.

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, HeaderName, HeaderValue, Response, header},
    middleware,
};

/// The explorer: scripts and styles only from this origin (no inline script
/// or style at all), requests only to this origin, never framed.
pub const EXPLORER_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// Swagger UI: its React components set inline styles and its CSS uses
/// data: images; no inline script either.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// Adds the headers every rendered page gets, with `csp`.
pub fn protect(headers: &mut HeaderMap, csp: &'static str) {
    let set = |headers: &mut HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, csp);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    // For browsers that predate frame-ancestors.
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
}

/// `router` with the headers (and `csp`) on every response.
pub fn protected<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    csp: &'static str,
) -> Router<S> {
    router.layer(middleware::map_response(
        move |mut response: Response<Body>| async move {
            protect(response.headers_mut(), csp);
            response
        },
    ))
}
