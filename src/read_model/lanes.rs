//! Daily counts and sums per lane (origin port, destination port), dense by
//! day, shared copy-on-write between snapshots per origin port.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use super::{digest, reference::PortId};
use crate::domain::{DailyRate, DayRange};

/// Below this many destination ports, lanes are found by binary search;
/// above it, by scanning the origin's lanes against a bitmap.
const SEARCH_LIMIT: usize = 16;

#[derive(Clone)]
pub struct Lanes {
    by_origin: Vec<Arc<OriginLanes>>,
    digest: u64,
}

/// An origin port's lanes, sorted by destination.
#[derive(Clone, Default)]
struct OriginLanes {
    lanes: Vec<(PortId, Series)>,
}

/// One lane's days from `first_day` on, without gaps.
#[derive(Clone)]
struct Series {
    first_day: i32,
    counts: Vec<u64>,
    sums: Vec<i64>,
}

pub fn day_number(day: NaiveDate) -> i32 {
    day.num_days_from_ce()
}

impl Lanes {
    pub fn empty(ports: usize) -> Self {
        Self {
            by_origin: vec![Arc::default(); ports],
            digest: 0,
        }
    }

    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// Sets one lane-day to the values stored for it (absolute, not a delta,
    /// so replaying a change is harmless).
    pub fn set(&mut self, origin: PortId, destination: PortId, day: i32, count: u64, sum: i64) {
        let lanes = &mut Arc::make_mut(&mut self.by_origin[origin as usize]).lanes;
        let at = match lanes.binary_search_by_key(&destination, |(d, _)| *d) {
            Ok(at) => at,
            Err(_) if count == 0 => return,
            Err(at) => {
                lanes.insert(at, (destination, Series::starting(day)));
                at
            }
        };
        let (old_count, old_sum) = lanes[at].1.replace(day, count, sum);
        self.digest ^= cell_digest(origin, destination, day, old_count, old_sum);
        self.digest ^= cell_digest(origin, destination, day, count, sum);
    }

    /// Counts and means per day of `range`, newest first, over every lane
    /// from one of `origins` to one of `destinations`.
    pub fn daily_rates(
        &self,
        origins: &[PortId],
        destinations: &[PortId],
        range: DayRange,
    ) -> Vec<DailyRate> {
        let from = day_number(range.from());
        let len = range.len() as usize;
        let mut counts = vec![0u64; len];
        let mut sums = vec![0i128; len];
        let mut add = |series: &Series| series.add_into(from, &mut counts, &mut sums);

        if destinations.len() <= SEARCH_LIMIT {
            for origin in origins {
                let lanes = &self.by_origin[*origin as usize].lanes;
                for destination in destinations {
                    if let Ok(at) = lanes.binary_search_by_key(destination, |(d, _)| *d) {
                        add(&lanes[at].1);
                    }
                }
            }
        } else {
            let mut wanted = vec![false; self.by_origin.len()];
            for d in destinations {
                wanted[*d as usize] = true;
            }
            for origin in origins {
                for (destination, series) in &self.by_origin[*origin as usize].lanes {
                    if wanted[*destination as usize] {
                        add(series);
                    }
                }
            }
        }
        range
            .newest_first()
            .zip((0..len).rev())
            .map(|(day, i)| DailyRate::from_sum(day, counts[i], sums[i]))
            .collect()
    }
}

impl Series {
    fn starting(day: i32) -> Self {
        Self {
            first_day: day,
            counts: Vec::new(),
            sums: Vec::new(),
        }
    }

    /// Stores a day's values and returns the previous ones.
    fn replace(&mut self, day: i32, count: u64, sum: i64) -> (u64, i64) {
        if day < self.first_day {
            let gap = (self.first_day - day) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, gap));
            self.sums.splice(0..0, std::iter::repeat_n(0, gap));
            self.first_day = day;
        }
        let i = (day - self.first_day) as usize;
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
            self.sums.resize(i + 1, 0);
        }
        let old = (self.counts[i], self.sums[i]);
        self.counts[i] = count;
        self.sums[i] = sum;
        old
    }

    /// Adds the days this series shares with `[from, from + counts.len())`.
    fn add_into(&self, from: i32, counts: &mut [u64], sums: &mut [i128]) {
        let start = from.max(self.first_day);
        let end = (from + counts.len() as i32).min(self.first_day + self.counts.len() as i32);
        for day in start..end {
            let (src, dst) = ((day - self.first_day) as usize, (day - from) as usize);
            counts[dst] += self.counts[src];
            sums[dst] += i128::from(self.sums[src]);
        }
    }
}

/// Digest of one lane-day; an empty day digests to 0, as if absent.
fn cell_digest(origin: PortId, destination: PortId, day: i32, count: u64, sum: i64) -> u64 {
    if count == 0 && sum == 0 {
        return 0;
    }
    digest::combine(&[
        u64::from(origin),
        u64::from(destination),
        day as u64,
        count,
        sum as u64,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parse_day;

    fn range(from: &str, to: &str) -> DayRange {
        DayRange::new(
            parse_day("f", from).unwrap(),
            parse_day("t", to).unwrap(),
            366,
        )
        .unwrap()
    }

    fn day(s: &str) -> i32 {
        day_number(parse_day("d", s).unwrap())
    }

    #[test]
    fn sums_lanes_and_days_within_the_range() {
        let mut lanes = Lanes::empty(4);
        lanes.set(0, 2, day("2024-01-02"), 3, 30);
        lanes.set(1, 2, day("2024-01-02"), 1, 40);
        lanes.set(0, 3, day("2024-01-01"), 2, 2);
        lanes.set(0, 2, day("2023-12-31"), 9, 9); // before the range
        let rates = lanes.daily_rates(&[0, 1], &[2, 3], range("2024-01-01", "2024-01-03"));
        let got: Vec<_> = rates.iter().map(|r| (r.count, r.price)).collect();
        assert_eq!(got, [(0, None), (4, Some(17.5)), (2, None)]);
    }

    #[test]
    fn both_lookup_strategies_agree() {
        let mut lanes = Lanes::empty(40);
        for o in 0..40u32 {
            for d in 0..40u32 {
                if (o * 7 + d) % 3 == 0 {
                    lanes.set(
                        o,
                        d,
                        day("2024-01-01") + (d % 5) as i32,
                        u64::from(o + 3),
                        i64::from(o * d),
                    );
                }
            }
        }
        let dests: Vec<PortId> = (0..40).filter(|d| d % 2 == 1).collect();
        let r = range("2024-01-01", "2024-01-07");
        let scanned = lanes.daily_rates(&[1, 2, 3], &dests, r);
        let searched: Vec<Vec<_>> = dests
            .chunks(SEARCH_LIMIT)
            .map(|c| lanes.daily_rates(&[1, 2, 3], c, r))
            .collect();
        for (i, rate) in scanned.iter().enumerate() {
            let count: u64 = searched.iter().map(|s| s[i].count).sum();
            assert_eq!(rate.count, count);
        }
    }

    #[test]
    fn digest_tracks_content_whatever_the_order() {
        let mut a = Lanes::empty(3);
        a.set(0, 1, 10, 3, 30);
        a.set(2, 1, 11, 1, 5);
        let mut b = Lanes::empty(3);
        b.set(2, 1, 11, 1, 5);
        b.set(0, 1, 12, 7, 7);
        b.set(0, 1, 10, 3, 30);
        b.set(0, 1, 12, 0, 0); // set then cleared
        assert_eq!(a.digest(), b.digest());
        b.set(0, 1, 10, 3, 31);
        assert_ne!(a.digest(), b.digest());
    }

    #[test]
    fn days_before_the_first_extend_the_series() {
        let mut lanes = Lanes::empty(2);
        lanes.set(0, 1, day("2024-01-05"), 3, 3);
        lanes.set(0, 1, day("2024-01-02"), 3, 6);
        let rates = lanes.daily_rates(&[0], &[1], range("2024-01-01", "2024-01-05"));
        let counts: Vec<u64> = rates.iter().map(|r| r.count).collect();
        assert_eq!(counts, [3, 0, 0, 3, 0]);
        assert_eq!(rates[3].price, Some(2.0));
    }
}
