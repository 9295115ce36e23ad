//! Deterministic demo dataset: a region tree, ~150 real ports and a stream of
//! daily price samples, loaded through the importer's `COPY` writer.
//!
//! Prices are streamed lane by lane and day by day, so memory does not grow
//! with `prices`. Everything derives from one seeded RNG, drawn in a fixed
//! order: the same options give the same rows.
//!
//! `geography` holds the region tree and the ports, `prices` the price
//! samples; this file drives them.

mod geography;
mod prices;

use std::time::Instant;

use chrono::{Days, NaiveDate};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use sqlx::PgPool;

use crate::import::copy::{self, CopySender, ProduceError, Segment};
use crate::import::table::{Layout, Table};
use crate::import::{ImportError, ImportMode, ImportSummary};
use geography::{write_ports, write_regions};
use prices::{choose_lanes, lane_count, market_index, write_prices};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoOptions {
    pub seed: u64,
    /// Exact number of price rows to generate.
    pub prices: u64,
    pub days: u32,
    pub first_day: NaiveDate,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            seed: 42,
            prices: 60_000,
            days: 31,
            first_day: NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid constant date"),
        }
    }
}

/// Longest period accepted; keeps the per-day tables small.
const MAX_DAYS: u32 = 36_525;

/// Replaces the content of regions, ports and prices with the demo dataset,
/// in one transaction.
pub async fn load_demo(pool: &PgPool, opts: &DemoOptions) -> Result<ImportSummary, ImportError> {
    let started = Instant::now();
    let days = day_labels(opts)?;
    let generator_opts = opts.clone();
    let counts = copy::load(pool, ImportMode::Replace, move |out| {
        generate(&generator_opts, &days, out)
    })
    .await?;
    let summary = ImportSummary::new(counts, started.elapsed(), ImportMode::Replace);
    tracing::info!(
        seed = opts.seed,
        prices = summary.prices,
        elapsed_ms = summary.elapsed.as_millis(),
        "demo data loaded"
    );
    Ok(summary)
}

/// `YYYY-MM-DD` for each day of the period, formatted once.
fn day_labels(opts: &DemoOptions) -> Result<Vec<String>, ImportError> {
    if opts.days == 0 && opts.prices > 0 {
        return Err(ImportError::InvalidOptions(
            "prices need at least one day".into(),
        ));
    }
    if opts.days > MAX_DAYS {
        return Err(ImportError::InvalidOptions(format!(
            "at most {MAX_DAYS} days"
        )));
    }
    (0..opts.days)
        .map(|offset| {
            opts.first_day
                .checked_add_days(Days::new(offset.into()))
                .map(|day| day.format("%Y-%m-%d").to_string())
                .ok_or_else(|| {
                    ImportError::InvalidOptions(
                        "period runs past the last representable date".into(),
                    )
                })
        })
        .collect()
}

fn generate(opts: &DemoOptions, days: &[String], out: &mut CopySender) -> Result<(), ProduceError> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(opts.seed);
    write_regions(out)?;
    write_ports(out)?;
    let lanes = choose_lanes(&mut rng, lane_count(opts.prices, days.len()));
    let market = market_index(&mut rng, days.len());
    write_prices(&mut rng, &lanes, &market, days, opts.prices, out)
}

fn segment(table: Table) -> Segment {
    Segment {
        layout: Layout::full(table),
        file: None,
    }
}

#[cfg(test)]
mod tests;
