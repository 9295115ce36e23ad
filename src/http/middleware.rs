//! What every request passes through, outermost first: a sane request id, a
//! span, metrics and one access-log line (`observe`), JSON bodies for every
//! error (whoever produced it), panics caught, and a time limit.

use std::time::Duration;

use axum::{
    Json, Router,
    body::Body,
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Response, header},
    middleware::{self, Next},
    response::IntoResponse,
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
};

use super::{ApiConfig, ApiError, ErrorBody, observe};

pub(super) static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Longer or odd client ids are replaced: they are echoed and logged.
const MAX_REQUEST_ID: usize = 128;

/// Wraps `router` in the stack. `Router::layer` runs after routing, so the
/// matched route is known.
pub fn apply(router: Router, config: &ApiConfig) -> Router {
    let (access_log, timeout) = (config.access_log, config.request_timeout);
    router.layer(
        ServiceBuilder::new()
            .layer(middleware::map_request(sanitize_request_id))
            .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
            .layer(middleware::from_fn_with_state(access_log, observe::request))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
            .layer(middleware::map_response(json_errors))
            .layer(CatchPanicLayer::custom(|_| {
                ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
            }))
            .layer(middleware::from_fn_with_state(timeout, time_limit)),
    )
}

async fn sanitize_request_id(mut request: Request) -> Request {
    let acceptable = request.headers().get(&REQUEST_ID).is_none_or(|id| {
        let id = id.as_bytes();
        !id.is_empty() && id.len() <= MAX_REQUEST_ID && id.iter().all(|b| (0x20..0x7f).contains(b))
    });
    if !acceptable {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// Errors from outside our handlers (the docs UI's 404, extractor
/// rejections) get the same JSON body as ours.
async fn json_errors<B>(response: Response<B>) -> Response<Body>
where
    B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response.map(Body::new);
    }
    let (mut parts, _) = response.into_parts();
    let error = status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase();
    let body = Json(ErrorBody { error }).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, body.into_body())
}

async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response<Body> {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout(limit).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn odd_or_long_request_ids_are_dropped() {
        for (id, kept) in [
            ("abc-123", true),
            ("x".repeat(128).as_str(), true),
            ("x".repeat(129).as_str(), false),
            ("tab\there", false),
        ] {
            let request = Request::builder()
                .header("x-request-id", HeaderValue::from_str(id).unwrap())
                .body(Body::empty())
                .unwrap();
            let request = sanitize_request_id(request).await;
            assert_eq!(request.headers().contains_key("x-request-id"), kept, "{id}");
        }
    }
}
