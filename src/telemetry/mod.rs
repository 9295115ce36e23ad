//! What `rates` tells operators: logs (`logs`), Prometheus metrics
//! (`metrics`) and OpenTelemetry traces (`traces`).

pub mod logs;
pub mod metrics;
pub mod traces;

use std::time::Duration;

use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::prelude::*;

use crate::config::Settings;

/// Keeps the log writer and the span exporter alive; [`Telemetry::shutdown`]
/// flushes both.
pub struct Telemetry {
    logs: Option<WorkerGuard>,
    traces: Option<SdkTracerProvider>,
}

/// Installs the global subscriber (a second call keeps the first) and the
/// metrics recorder. Call inside the Tokio runtime when tracing may be on.
pub fn init(settings: &Settings) -> Telemetry {
    let (fmt, guard) = logs::layer(settings);
    let traces = match traces::layer(&settings.otel) {
        Ok(traces) => traces,
        Err(e) => {
            eprintln!("error: tracing is configured but cannot start: {e:#}");
            None
        }
    };
    let (otel, provider) = match traces {
        Some((layer, provider)) => (Some(layer), Some(provider)),
        None => (None, None),
    };
    let installed = tracing_subscriber::registry()
        .with(logs::filter(&settings.log.filter))
        .with(fmt)
        .with(otel)
        .try_init()
        .is_ok();
    metrics::install(settings.metrics);
    Telemetry {
        logs: installed.then_some(guard),
        traces: provider,
    }
}

impl Telemetry {
    /// Sends the spans still buffered (bounded) and flushes the logs.
    pub fn shutdown(self) {
        if let Some(provider) = self.traces {
            let flushed =
                std::thread::spawn(move || provider.shutdown_with_timeout(Duration::from_secs(2)));
            let _ = flushed.join();
        }
        drop(self.logs);
    }
}
