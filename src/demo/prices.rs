//! Demo price samples: lanes between ports, a market index per day, and
//! per-lane-day counts that sum exactly to the requested total.

use std::fmt::Write as _;

use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;

use super::geography::{Port, hub_of, ports};
use super::segment;
use crate::import::copy::{CopySender, LineIndex, ProduceError};
use crate::import::table::Table;

/// Average samples per lane and day; sets how many lanes are used.
const SAMPLES_PER_LANE_DAY: f64 = 2.5;

pub(super) fn write_prices(
    rng: &mut Xoshiro256PlusPlus,
    lanes: &[Lane],
    market: &[f64],
    days: &[String],
    total: u64,
    out: &mut CopySender,
) -> Result<(), ProduceError> {
    out.begin(segment(Table::Prices))?;
    let weight_per_day: f64 = lanes.iter().map(|lane| lane.weight).sum();
    let mut slots = Slots {
        rows_left: total,
        weight_left: weight_per_day * days.len() as f64,
    };
    let mut price = String::new();
    for (l, lane) in lanes.iter().enumerate() {
        for (d, day) in days.iter().enumerate() {
            let last = l + 1 == lanes.len() && d + 1 == days.len();
            for _ in 0..slots.take(rng, lane.weight, last) {
                price.clear();
                let _ = write!(price, "{}", lane.sample(rng, market[d]));
                out.push_fields([
                    Some(lane.orig),
                    Some(lane.dest),
                    Some(day.as_str()),
                    Some(price.as_str()),
                ])?;
            }
        }
    }
    out.end(LineIndex::default())
}

/// Shares `rows_left` among lane-days in proportion to lane weight, drawing
/// each slot's count from the binomial distribution conditioned on what is
/// left: the counts are random (0 on some days) yet sum exactly to the total.
struct Slots {
    rows_left: u64,
    weight_left: f64,
}

impl Slots {
    fn take(&mut self, rng: &mut Xoshiro256PlusPlus, weight: f64, last: bool) -> u64 {
        let count = if last {
            self.rows_left
        } else {
            binomial(rng, self.rows_left, (weight / self.weight_left).min(1.0))
        };
        self.rows_left -= count;
        self.weight_left = (self.weight_left - weight).max(0.0);
        count
    }
}

/// Binomial(n, p): exact inversion for small means, normal approximation
/// otherwise (counts of 30+ need no more precision than that).
fn binomial(rng: &mut Xoshiro256PlusPlus, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if p > 0.5 {
        return n - binomial(rng, n, 1.0 - p);
    }
    let mean = n as f64 * p;
    if mean >= 30.0 {
        let sd = (mean * (1.0 - p)).sqrt();
        return (mean + sd * normal(rng)).round().clamp(0.0, n as f64) as u64;
    }
    let u: f64 = rng.random();
    let ratio = p / (1.0 - p);
    let mut pmf = (n as f64 * (-p).ln_1p()).exp();
    let mut cdf = pmf;
    let mut k = 0;
    while u > cdf && k < n && pmf > 0.0 {
        pmf *= (n - k) as f64 / (k + 1) as f64 * ratio;
        k += 1;
        cdf += pmf;
    }
    k
}

/// Standard normal variate (Box-Muller).
fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    let u1: f64 = rng.random();
    let u2: f64 = rng.random();
    (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Enough lanes for about `SAMPLES_PER_LANE_DAY` samples per lane and day,
/// at most one per ordered port pair.
pub(super) fn lane_count(prices: u64, days: usize) -> usize {
    if prices == 0 || days == 0 {
        return 0;
    }
    let wanted = (prices as f64 / (days as f64 * SAMPLES_PER_LANE_DAY)).ceil() as usize;
    wanted.clamp(1, lane_pairs().len())
}

/// A market-wide index per day: a gentle random walk around 1.
pub(super) fn market_index(rng: &mut Xoshiro256PlusPlus, days: usize) -> Vec<f64> {
    let mut level = 1.0_f64;
    (0..days)
        .map(|_| {
            let current = level;
            level = (level * (1.0 + 0.015 * normal(rng))).clamp(0.5, 2.0);
            current
        })
        .collect()
}

pub(super) struct Lane {
    orig: &'static str,
    dest: &'static str,
    /// Typical price, USD per container.
    base: f64,
    /// Relative share of samples.
    weight: f64,
}

impl Lane {
    fn sample(&self, rng: &mut Xoshiro256PlusPlus, market: f64) -> i32 {
        let noise = (1.0 + 0.05 * normal(rng)).max(0.5);
        (self.base * market * noise).round().max(50.0) as i32
    }
}

/// Picks `count` distinct lanes between ports of different regions, sorted
/// by origin and destination like the reference dumps.
pub(super) fn choose_lanes(rng: &mut Xoshiro256PlusPlus, count: usize) -> Vec<Lane> {
    let mut pairs = lane_pairs();
    let (chosen, _) = pairs.partial_shuffle(rng, count);
    chosen.sort_unstable_by_key(|(orig, dest)| (orig.code, dest.code));
    chosen
        .iter()
        .map(|(orig, dest)| Lane {
            orig: orig.code,
            dest: dest.code,
            base: base_price(orig, dest) * rng.random_range(0.85..1.15),
            weight: rng.random_range(0.3_f64..3.0),
        })
        .collect()
}

fn lane_pairs() -> Vec<(Port, Port)> {
    let ports = ports();
    let mut pairs = Vec::with_capacity(ports.len() * ports.len());
    for orig in &ports {
        for dest in &ports {
            if orig.region != dest.region {
                pairs.push((*orig, *dest));
            }
        }
    }
    pairs
}

/// Roughly distance-driven, with the Asia export premium of real markets.
fn base_price(orig: &Port, dest: &Port) -> f64 {
    let (o, d) = (hub_of(orig.region), hub_of(dest.region));
    let mut base = 250.0 + 0.13 * great_circle_km(o.position, d.position);
    if o.root == "asia" && d.root != "asia" {
        base *= 1.3;
    } else if d.root == "asia" && o.root != "asia" {
        base *= 0.75;
    }
    base
}

fn great_circle_km((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn binomial_stays_within_bounds() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for (n, p) in [
            (0, 0.5),
            (10, 0.0),
            (10, 1.0),
            (10, 0.9),
            (1_000_000, 0.5),
            (50, 0.01),
        ] {
            for _ in 0..100 {
                assert!(binomial(&mut rng, n, p) <= n);
            }
        }
        let mean = (0..10_000)
            .map(|_| binomial(&mut rng, 1_000, 0.003))
            .sum::<u64>() as f64
            / 10_000.0;
        assert!((mean - 3.0).abs() < 0.1, "mean {mean}");
    }
}
