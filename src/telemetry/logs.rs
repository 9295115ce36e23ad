//! Logs: human-readable text on a terminal, JSON lines for log shippers.
//! Lines are written by a background thread, in batches: logging a request
//! costs the request a channel send, not a write to stderr.

use std::io::{BufWriter, IsTerminal};

use tracing::{Subscriber, level_filters::LevelFilter};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{EnvFilter, Layer, fmt, registry::LookupSpan};

use crate::config::{LogFormat, Settings};

/// The formatting layer, and the guard that flushes it when dropped.
pub fn layer<S>(settings: &Settings) -> (super::traces::BoxedLayer<S>, WorkerGuard)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let (writer, guard) = NonBlockingBuilder::default()
        // Block rather than drop lines when the writer falls behind.
        .lossy(false)
        .finish(BufWriter::new(std::io::stderr()));
    let color = std::io::stderr().is_terminal() && !settings.platform.no_color();
    let layer = match settings.log.format {
        LogFormat::Text => fmt::layer().with_writer(writer).with_ansi(color).boxed(),
        // The same lines as tracing-subscriber's JSON format, at a fraction
        // of its cost per line (it re-parses the span's fields every time).
        LogFormat::Json => json_subscriber::fmt::layer()
            .with_writer(writer)
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    };
    (layer, guard)
}

/// The configured filter (validated when the settings loaded). PostgreSQL's
/// notices ("... does not exist, skipping") are only shown at DEBUG, or
/// when the filter names sqlx itself.
pub fn filter(directives: &str) -> EnvFilter {
    let filter = EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let verbose = filter
        .max_level_hint()
        .is_some_and(|level| level >= LevelFilter::DEBUG);
    if verbose || directives.contains("sqlx") {
        return filter;
    }
    filter.add_directive(
        "sqlx::postgres::notice=warn"
            .parse()
            .expect("a valid directive"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_quiet_unless_debugging() {
        assert!(
            filter("info")
                .to_string()
                .contains("sqlx::postgres::notice=warn")
        );
        assert!(!filter("debug").to_string().contains("notice"));
        assert!(!filter("info,sqlx=info").to_string().contains("notice=warn"));
    }
}
