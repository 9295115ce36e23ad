//! Domain types. Each validates when parsed, so the rest of the code only ever
//! sees valid values; the error names the offending parameter.

mod daily_rate;
mod day_range;
mod location;

pub use daily_rate::{DailyRate, MIN_PRICES_FOR_AVERAGE};
pub use day_range::{DayRange, parse_day};
pub use location::LocationCode;

/// Invalid input, with the name of the parameter it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{param}: {message}")]
pub struct InvalidInput {
    pub param: &'static str,
    pub message: String,
}

impl InvalidInput {
    pub fn new(param: &'static str, message: impl Into<String>) -> Self {
        Self {
            param,
            message: message.into(),
        }
    }
}
