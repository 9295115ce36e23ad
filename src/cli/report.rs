//! How a failed command says so: one line, the cause chain without
//! repetition, as a JSON log line when logs are JSON, else as `error: ...`.

use crate::config::LogFormat;

pub fn error(e: &anyhow::Error, format: LogFormat) {
    let message = chain(e);
    match format {
        LogFormat::Json => tracing::error!(error = %message, "rates failed"),
        LogFormat::Text => eprintln!("error: {message}"),
    }
}

/// "a: b: c", leaving out a cause whose text the message already holds (many
/// errors repeat their source in their own text).
pub fn chain(e: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if text.is_empty() || message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let io = std::io::Error::other("connection refused");
        let e = anyhow::Error::new(io)
            .context("cannot connect to 127.0.0.1:1: connection refused")
            .context("opening the database");
        assert_eq!(
            chain(&e),
            "opening the database: cannot connect to 127.0.0.1:1: connection refused"
        );
    }
}
