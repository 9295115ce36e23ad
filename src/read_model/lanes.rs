//! Daily counts and sums per lane (origin port, destination port), holding
//! only the days that have prices, shared copy-on-write between snapshots per
//! origin port. Memory grows with lane-days that have data (16 bytes each),
//! not with the span between a lane's first and last day.

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
    lane_days: usize,
}

/// An origin port's lanes, sorted by destination.
#[derive(Clone, Default)]
struct OriginLanes {
    lanes: Vec<(PortId, Series)>,
}

/// One lane's days that have prices, in day order.
#[derive(Clone, Default)]
struct Series {
    days: Vec<Day>,
}

/// 16 bytes. A count above `u32::MAX` prices on one lane and day would need
/// four billion quotes; it is clamped (and logged) rather than wrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Day {
    day: i32,
    count: u32,
    sum: i64,
}

pub fn day_number(day: NaiveDate) -> i32 {
    day.num_days_from_ce()
}

impl Lanes {
    pub fn empty(ports: usize) -> Self {
        Self {
            by_origin: vec![Arc::default(); ports],
            digest: 0,
            lane_days: 0,
        }
    }

    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// Lane-days with prices held (the memory formula's unit).
    pub fn lane_days(&self) -> usize {
        self.lane_days
    }

    /// Sets one lane-day to the values stored for it (absolute, not a delta,
    /// so replaying a change is harmless); a count of 0 removes the day.
    pub fn set(&mut self, origin: PortId, destination: PortId, day: i32, count: u32, sum: i64) {
        let lanes = &mut Arc::make_mut(&mut self.by_origin[origin as usize]).lanes;
        let at = match lanes.binary_search_by_key(&destination, |(d, _)| *d) {
            Ok(at) => at,
            Err(_) if count == 0 => return,
            Err(at) => {
                lanes.insert(at, (destination, Series::default()));
                at
            }
        };
        let series = &mut lanes[at].1;
        let old = series.replace(Day { day, count, sum });
        if series.days.is_empty() {
            lanes.remove(at);
        }
        let (old_count, old_sum) = old.map_or((0, 0), |d| (d.count, d.sum));
        self.lane_days = self.lane_days + usize::from(count != 0) - usize::from(old.is_some());
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
    /// Stores a day (removing it when its count is 0) and returns what was
    /// there. Loading in day order only ever appends.
    fn replace(&mut self, new: Day) -> Option<Day> {
        let keep = new.count != 0;
        if self.days.last().is_none_or(|last| last.day < new.day) {
            if keep {
                self.days.push(new);
            }
            return None;
        }
        match self.days.binary_search_by_key(&new.day, |d| d.day) {
            Ok(i) if keep => Some(std::mem::replace(&mut self.days[i], new)),
            Ok(i) => Some(self.days.remove(i)),
            Err(i) => {
                if keep {
                    self.days.insert(i, new);
                }
                None
            }
        }
    }

    /// Adds the days this series has in `[from, from + counts.len())`.
    fn add_into(&self, from: i32, counts: &mut [u64], sums: &mut [i128]) {
        let end = from + counts.len() as i32;
        let start = self.days.partition_point(|d| d.day < from);
        for d in self.days[start..].iter().take_while(|d| d.day < end) {
            let i = (d.day - from) as usize;
            counts[i] += u64::from(d.count);
            sums[i] += i128::from(d.sum);
        }
    }
}

/// Digest of one lane-day; an empty day digests to 0, as if absent.
fn cell_digest(origin: PortId, destination: PortId, day: i32, count: u32, sum: i64) -> u64 {
    if count == 0 && sum == 0 {
        return 0;
    }
    digest::combine(&[
        u64::from(origin),
        u64::from(destination),
        day as u64,
        u64::from(count),
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
                        o + 3,
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

    #[test]
    fn lanes_cost_what_their_days_with_prices_cost() {
        let mut lanes = Lanes::empty(2);
        lanes.set(0, 1, day("0001-01-01"), 3, 3);
        lanes.set(0, 1, day("9999-12-31"), 3, 6);
        assert_eq!(lanes.lane_days(), 2);
        assert_eq!(lanes.by_origin[0].lanes[0].1.days.len(), 2);
        let rates = lanes.daily_rates(&[0], &[1], range("9999-12-30", "9999-12-31"));
        assert_eq!(rates[0].price, Some(2.0));
        assert_eq!(rates[1].count, 0);
    }

    #[test]
    fn emptied_days_and_lanes_are_removed() {
        let mut lanes = Lanes::empty(2);
        lanes.set(0, 1, 10, 3, 3);
        lanes.set(0, 1, 12, 3, 3);
        lanes.set(0, 1, 11, 1, 1);
        assert_eq!(lanes.lane_days(), 3);
        lanes.set(0, 1, 11, 0, 0);
        lanes.set(0, 1, 10, 0, 0);
        assert_eq!(lanes.lane_days(), 1);
        lanes.set(0, 1, 12, 0, 0);
        assert_eq!(lanes.lane_days(), 0);
        assert!(lanes.by_origin[0].lanes.is_empty());
        assert_eq!(lanes.digest(), 0);
    }
}
