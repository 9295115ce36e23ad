//! What each request leaves behind: a span named by the matched route (not
//! the raw path, which would make every port code its own route), joined to
//! the caller's trace when tracing is on; RED metrics per route and status
//! class; and one access-log line: probes at DEBUG, failures at ERROR with
//! their cause, the rest at INFO (failures only, with the access log off).

use std::{collections::HashSet, sync::RwLock, time::Instant};

use axum::{
    body::Body,
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, Method, Response},
    middleware::Next,
};
use opentelemetry::{propagation::Extractor, trace::TraceContextExt};
use tracing::{Instrument, Level, field::Empty};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::{error::Failure, is_probe, middleware::REQUEST_ID};
use crate::telemetry::{metrics as m, traces};

pub async fn request(
    State(access_log): State<bool>,
    request: Request,
    next: Next,
) -> Response<Body> {
    let started = Instant::now();
    let route = route_label(request.extensions().get::<MatchedPath>());
    let method = method_label(request.method());
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let span = tracing::info_span!(
        "request",
        method,
        route,
        request_id = %request_id,
        trace_id = Empty,
        span_id = Empty,
        otel.name = Empty,
        otel.kind = Empty,
        otel.status_code = Empty,
        http.request.method = Empty,
        http.route = Empty,
        http.response.status_code = Empty,
    );
    let traceparent = traces::enabled()
        .then(|| join_trace(&span, request.headers(), method, route))
        .flatten();

    let in_flight = m::in_flight();
    let mut response = next.run(request).instrument(span.clone()).await;
    drop(in_flight);
    let elapsed = started.elapsed();
    let status = response.status();
    m::record_request(method, route, status.as_u16(), elapsed.as_secs_f64());
    if let Some(traceparent) = traceparent {
        span.record("http.response.status_code", i64::from(status.as_u16()));
        if status.is_server_error() {
            span.record("otel.status_code", "ERROR");
        }
        response.headers_mut().insert("traceparent", traceparent);
    }

    let failure = response.extensions().get::<Failure>();
    let level = if is_probe(route) {
        Level::DEBUG
    } else if status.is_server_error() && !matches!(failure, Some(Failure::WarmUp)) {
        Level::ERROR
    } else {
        Level::INFO
    };
    if access_log || level == Level::ERROR {
        let latency_us = elapsed.as_micros() as u64;
        let status = status.as_u16();
        let cause = match failure {
            Some(Failure::Cause(cause)) => Some(cause.as_str()),
            _ => None,
        };
        let _entered = span.enter();
        macro_rules! line {
            ($level:expr) => {
                tracing::event!($level, status, latency_us, error = cause, "request")
            };
        }
        match level {
            Level::ERROR => line!(Level::ERROR),
            Level::INFO => line!(Level::INFO),
            _ => line!(Level::DEBUG),
        }
    }
    response
}

/// Makes `span` a server span in the caller's trace (W3C `traceparent`),
/// puts its ids on the log lines, and returns the `traceparent` to answer
/// with, so the caller can find this span.
fn join_trace(
    span: &tracing::Span,
    headers: &HeaderMap,
    method: &str,
    route: &str,
) -> Option<HeaderValue> {
    let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&Headers(headers)));
    let _ = span.set_parent(parent);
    span.record("otel.name", format!("{method} {route}"));
    span.record("otel.kind", "server");
    // OpenTelemetry's semantic conventions, for tracing back ends.
    span.record("http.request.method", method);
    span.record("http.route", route);
    let cx = span.context();
    let ids = cx.span().span_context().clone();
    if !ids.is_valid() {
        return None;
    }
    span.record("trace_id", ids.trace_id().to_string());
    span.record("span_id", ids.span_id().to_string());
    let flags = if ids.is_sampled() { "01" } else { "00" };
    HeaderValue::try_from(format!("00-{}-{}-{flags}", ids.trace_id(), ids.span_id())).ok()
}

/// Reads propagation headers (`traceparent`, `tracestate`) from a request.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// Matched routes are a fixed set of templates: each is interned once, so
/// labelling a request allocates nothing.
fn route_label(matched: Option<&MatchedPath>) -> &'static str {
    static ROUTES: RwLock<Option<HashSet<&'static str>>> = RwLock::new(None);
    let Some(route) = matched.map(MatchedPath::as_str) else {
        return "<unmatched>";
    };
    if let Some(known) = ROUTES
        .read()
        .expect("routes lock")
        .as_ref()
        .and_then(|r| r.get(route))
    {
        return known;
    }
    let mut routes = ROUTES.write().expect("routes lock");
    let routes = routes.get_or_insert_with(HashSet::new);
    match routes.get(route) {
        Some(known) => known,
        None => {
            let leaked: &'static str = Box::leak(route.to_owned().into_boxed_str());
            routes.insert(leaked);
            leaked
        }
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
