use chrono::NaiveDate;

/// Fewer prices than this on a day and the average is withheld: with one or
/// two quotes it says more about those quotes than about the market.
pub const MIN_PRICES_FOR_AVERAGE: u64 = 3;

/// One day of the `/rates` answer.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"count": 3, "day": "2021-01-31", "price": 1154.3333333333333}))]
pub struct DailyRate {
    /// Number of prices that day on the lane(s).
    #[schema(example = 3)]
    pub count: u64,
    #[schema(value_type = String, format = Date, example = "2021-01-31")]
    pub day: NaiveDate,
    /// Mean price in USD, or null when `count` is below 3.
    #[schema(example = 1154.3333333333333)]
    pub price: Option<f64>,
}

impl DailyRate {
    /// From a day's sum and count of prices. The sum is exact (integers), so
    /// the mean is the correctly rounded quotient.
    pub fn from_sum(day: NaiveDate, count: u64, sum: i128) -> Self {
        let price = (count >= MIN_PRICES_FOR_AVERAGE).then(|| sum as f64 / count as f64);
        Self { count, day, price }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_withheld_below_three_prices() {
        let d = NaiveDate::from_ymd_opt(2021, 1, 31).unwrap();
        assert_eq!(DailyRate::from_sum(d, 0, 0).price, None);
        assert_eq!(DailyRate::from_sum(d, 2, 10).price, None);
        assert_eq!(
            DailyRate::from_sum(d, 3, 3463).price,
            Some(1154.3333333333333)
        );
        assert_eq!(DailyRate::from_sum(d, 3, 3465).price, Some(1155.0));
    }
}
