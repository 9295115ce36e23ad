//! Logging: human-readable text on a terminal, JSON lines for log shippers.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

pub use crate::config::LogFormat;
use crate::config::LogSettings;

/// Installs the global subscriber. Logs go to stderr so stdout stays free for
/// command output.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_new(&settings.filter).unwrap_or_else(|e| {
        eprintln!(
            "invalid log filter {:?} ({e}); using \"info\"",
            settings.filter
        );
        EnvFilter::new("info")
    });
    let registry = tracing_subscriber::registry().with(filter);
    let layer = fmt::layer().with_writer(std::io::stderr);
    // A second init (tests) keeps the first subscriber.
    let _ = match settings.format {
        LogFormat::Text => registry.with(layer).try_init(),
        LogFormat::Json => registry
            .with(layer.json().with_current_span(true).with_span_list(false))
            .try_init(),
    };
}
