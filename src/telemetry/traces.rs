//! OpenTelemetry traces over OTLP/HTTP, off unless a collector is configured
//! (the standard `OTEL_*` variables, see `otel.*` settings). Request spans
//! (see `http::middleware`) become server spans named by method and route.

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use opentelemetry::{KeyValue, trace::TracerProvider as _};
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::{
    Resource,
    propagation::TraceContextPropagator,
    runtime,
    trace::{Sampler, SdkTracerProvider, span_processor_with_async_runtime::BatchSpanProcessor},
};
use tracing::Subscriber;
use tracing_subscriber::{Layer, registry::LookupSpan};

use crate::config::{OtelSettings, value::TracesSampler};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// True once a span exporter is installed: requests then join callers'
/// traces (skipped otherwise, as it costs a few allocations).
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// A boxed `tracing` layer.
pub type BoxedLayer<S> = Box<dyn Layer<S> + Send + Sync>;

/// The tracing layer and its provider (to flush at exit), when tracing is on.
/// Must run inside the Tokio runtime: spans are exported by a task on it.
pub fn layer<S>(
    settings: &OtelSettings,
) -> anyhow::Result<Option<(BoxedLayer<S>, SdkTracerProvider)>>
where
    S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
{
    let Some(url) = settings.traces_url() else {
        return Ok(None);
    };
    let client = opentelemetry_http::hyper::HyperClient::new(
        hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()?
            .https_or_http()
            .enable_http1()
            .build(),
        Duration::from_secs(10),
        None,
    );
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_endpoint(url.clone())
        .with_timeout(Duration::from_secs(10))
        .build()?;
    let processor = BatchSpanProcessor::builder(exporter, runtime::Tokio).build();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_sampler(sampler(settings))
        .with_resource(
            Resource::builder()
                .with_service_name(settings.service_name.clone())
                .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
                .build(),
        )
        .build();
    // W3C `traceparent` / `tracestate`, in and out.
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let tracer = provider.tracer("rates");
    tracing::info!(endpoint = %url, service = %settings.service_name, "tracing: exporting spans over OTLP/HTTP");
    let layer = tracing_opentelemetry::layer().with_tracer(tracer).boxed();
    ENABLED.store(true, Ordering::Relaxed);
    Ok(Some((layer, provider)))
}

fn sampler(settings: &OtelSettings) -> Sampler {
    let ratio = settings.traces_sampler_arg;
    match settings.traces_sampler {
        TracesSampler::AlwaysOn => Sampler::AlwaysOn,
        TracesSampler::AlwaysOff => Sampler::AlwaysOff,
        TracesSampler::Traceidratio => Sampler::TraceIdRatioBased(ratio),
        TracesSampler::ParentbasedAlwaysOn => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
        TracesSampler::ParentbasedAlwaysOff => Sampler::ParentBased(Box::new(Sampler::AlwaysOff)),
        TracesSampler::ParentbasedTraceidratio => {
            Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(ratio)))
        }
    }
}
