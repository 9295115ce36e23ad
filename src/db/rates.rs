//! Daily price aggregates over `prices`.

use chrono::NaiveDate;
use sqlx::PgPool;

use crate::domain::{DailyRate, DayRange};

/// One entry per day of `range`, newest first, for prices from any of
/// `origins` to any of `destinations`.
pub async fn daily_rates(
    pool: &PgPool,
    origins: &[String],
    destinations: &[String],
    range: DayRange,
) -> Result<Vec<DailyRate>, sqlx::Error> {
    // Sums are exact in bigint; the mean is taken in Rust from sum and count.
    let rows: Vec<(NaiveDate, i64, i64)> = sqlx::query_as(
        "SELECT day, count(*), sum(price)::bigint
           FROM prices
          WHERE orig_code = ANY($1) AND dest_code = ANY($2) AND day BETWEEN $3 AND $4
          GROUP BY day
          ORDER BY day DESC",
    )
    .bind(origins)
    .bind(destinations)
    .bind(range.from())
    .bind(range.to())
    .fetch_all(pool)
    .await?;

    let mut rows = rows.into_iter().peekable();
    Ok(range
        .newest_first()
        .map(|day| match rows.next_if(|(d, _, _)| *d == day) {
            Some((_, count, sum)) => DailyRate::from_sum(day, count as u64, sum),
            None => DailyRate::from_sum(day, 0, 0),
        })
        .collect())
}
