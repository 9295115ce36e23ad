//! Logging: human-readable text on a terminal, JSON lines for log shippers.
//! Lines are written by a background thread, in batches: logging a request
//! costs the request a channel send, not a write to stderr.

use std::io::{BufWriter, IsTerminal};

use tracing::level_filters::LevelFilter;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::{LogFormat, Settings};

/// Keeps the writer thread alive; dropping it flushes what is queued.
pub struct LogGuard {
    _flush_on_drop: Option<WorkerGuard>,
}

/// Installs the global subscriber (a second call keeps the first). Logs go to
/// stderr so stdout stays free for command output.
pub fn init(settings: &Settings) -> LogGuard {
    let log = &settings.log;
    let (writer, guard) = NonBlockingBuilder::default()
        // Block rather than drop lines when the writer falls behind.
        .lossy(false)
        .finish(BufWriter::new(std::io::stderr()));
    let color = std::io::stderr().is_terminal() && !settings.platform.no_color();
    let layer = fmt::layer().with_writer(writer).with_ansi(color);
    let registry = tracing_subscriber::registry().with(filter(&log.filter));
    let installed = match log.format {
        LogFormat::Text => registry.with(layer).try_init(),
        LogFormat::Json => registry
            .with(layer.json().with_current_span(true).with_span_list(false))
            .try_init(),
    };
    LogGuard {
        _flush_on_drop: installed.is_ok().then_some(guard),
    }
}

/// The configured filter (validated when the settings loaded). PostgreSQL's
/// notices ("... does not exist, skipping") are only shown at DEBUG, or
/// when the filter names sqlx itself.
fn filter(directives: &str) -> EnvFilter {
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
