//! Issue 11, traces: with an OTLP endpoint configured, request spans reach
//! a collector (here a receiver on 127.0.0.1 that decodes what it gets),
//! named by method and route, in the caller's trace, with the status; the
//! JSON log lines carry the same ids.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Router, body::Bytes, extract::State, routing::post};
use opentelemetry_proto::tonic::{
    collector::trace::v1::ExportTraceServiceRequest, common::v1::any_value::Value as Any,
    trace::v1::Span,
};
use prost::Message;

use crate::{
    cli::rates_command,
    evidence::{RATES_QUERY, env, seeded_database},
    fakes::eventually,
    process::Served,
};

type Received = Arc<Mutex<Vec<Span>>>;

/// An OTLP/HTTP receiver: decodes every export and keeps its spans.
async fn receiver() -> (String, Received) {
    async fn export(State(spans): State<Received>, body: Bytes) -> &'static str {
        let request = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf export");
        let mut spans = spans.lock().unwrap();
        for resource in request.resource_spans {
            for scope in resource.scope_spans {
                spans.extend(scope.spans);
            }
        }
        ""
    }
    let spans = Received::default();
    let router = Router::new()
        .route("/v1/traces", post(export))
        .with_state(spans.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (address, spans)
}

fn attribute(span: &Span, key: &str) -> Option<Any> {
    span.attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.clone()?.value)
}

#[tokio::test]
async fn request_spans_reach_the_collector_in_the_callers_trace() {
    let (collector, spans) = receiver().await;
    let (_, url) = seeded_database().await;
    let mut served = Served::start(
        rates_command(),
        &env(&[
            ("DATABASE_URL", &url),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &collector),
            ("OTEL_SERVICE_NAME", "rates-under-test"),
            ("RATES_LOG_FORMAT", "json"),
        ]),
        None,
    );
    served.wait_ready().await;

    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent_id = "00f067aa0ba902b7";
    let response = reqwest::Client::new()
        .get(format!("{}{RATES_QUERY}", served.base))
        .header("traceparent", format!("00-{trace_id}-{parent_id}-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let traceparent = response.headers()["traceparent"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        traceparent.starts_with(&format!("00-{trace_id}-")),
        "{traceparent}"
    );
    let our_span_id = traceparent.split('-').nth(2).unwrap().to_owned();

    eventually(
        "the request's span at the collector",
        Duration::from_secs(30),
        async || spans.lock().unwrap().iter().any(|s| s.name == "GET /rates"),
    )
    .await;
    let span = spans
        .lock()
        .unwrap()
        .iter()
        .find(|s| s.name == "GET /rates")
        .cloned()
        .unwrap();
    assert_eq!(hex(&span.trace_id), trace_id, "joined the caller's trace");
    assert_eq!(hex(&span.parent_span_id), parent_id);
    assert_eq!(hex(&span.span_id), our_span_id);
    assert_eq!(span.kind, 2, "SPAN_KIND_SERVER");
    assert_eq!(
        attribute(&span, "http.response.status_code"),
        Some(Any::IntValue(200))
    );
    assert_eq!(
        attribute(&span, "http.route"),
        Some(Any::StringValue("/rates".into()))
    );
    assert_eq!(
        attribute(&span, "http.request.method"),
        Some(Any::StringValue("GET".into()))
    );

    let logs = served.stop().await;
    let line = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["fields"]["message"] == "request" && l["span"]["route"] == "/rates")
        .expect("the request's log line");
    assert_eq!(line["span"]["trace_id"], trace_id, "{line}");
    assert_eq!(line["span"]["span_id"], our_span_id.as_str(), "{line}");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
