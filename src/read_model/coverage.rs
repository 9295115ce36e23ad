//! What the data covers: the first and last day with prices, the most recent
//! days that have prices (the window a first look shows), and the busiest
//! lanes over that window. Computed once per snapshot, on first use.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{
    lanes::{LaneTotal, Lanes, day_of},
    reference::PortId,
};

/// How many of the most recent days with prices make the window.
pub const WINDOW_DAYS: usize = 30;

pub struct Coverage {
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub window: Option<Window>,
    /// Every lane with prices in the window, busiest first.
    pub lanes: Vec<LaneTotal>,
}

/// The last [`WINDOW_DAYS`] days that have prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days_with_prices: usize,
}

impl Coverage {
    pub fn of(lanes: &Lanes) -> Self {
        let bounds = lanes.day_bounds();
        let recent = lanes.recent_days(WINDOW_DAYS);
        let window = match (recent.first(), recent.last()) {
            (Some(from), Some(to)) => day_of(*from).zip(day_of(*to)).map(|(from, to)| Window {
                from,
                to,
                days_with_prices: recent.len(),
            }),
            _ => None,
        };
        let mut busiest = match (recent.first(), recent.last()) {
            (Some(from), Some(to)) => lanes.totals(*from, *to),
            _ => Vec::new(),
        };
        busiest.sort_by(|a, b| {
            (b.prices, b.days_with_average, a.origin, a.destination).cmp(&(
                a.prices,
                a.days_with_average,
                b.origin,
                b.destination,
            ))
        });
        Self {
            first_day: bounds.and_then(|(first, _)| day_of(first)),
            last_day: bounds.and_then(|(_, last)| day_of(last)),
            window,
            lanes: busiest,
        }
    }

    /// The lane a first look should show: the one with an average on the
    /// most days of the window, then the busiest.
    pub fn suggested(&self) -> Option<&LaneTotal> {
        self.lanes
            .iter()
            .enumerate()
            .max_by_key(|(i, lane)| (lane.days_with_average, lane.prices, std::cmp::Reverse(*i)))
            .map(|(_, lane)| lane)
    }

    /// The `limit` busiest lanes (see [`varied`]).
    pub fn busiest(&self, limit: usize) -> Vec<&LaneTotal> {
        varied(self.lanes.iter().collect(), limit)
    }

    /// The busiest lanes from or to one of `ports` (sorted ids).
    pub fn lanes_touching(&self, ports: &[PortId], limit: usize) -> Vec<&LaneTotal> {
        self.lanes
            .iter()
            .filter(|l| {
                ports.binary_search(&l.origin).is_ok()
                    || ports.binary_search(&l.destination).is_ok()
            })
            .take(limit)
            .collect()
    }
}

/// The first `limit` of `lanes` (busiest first), taking no more than two
/// from one port or to one port while other lanes are left, in their order:
/// in data where many lanes tie (every lane of the reference dumps has 3
/// prices a day) a plain top 10 shows one port's lanes only.
fn varied(lanes: Vec<&LaneTotal>, limit: usize) -> Vec<&LaneTotal> {
    let mut from: HashMap<PortId, usize> = HashMap::new();
    let mut to: HashMap<PortId, usize> = HashMap::new();
    let mut picked = vec![false; lanes.len()];
    let mut chosen = Vec::with_capacity(limit);
    for (i, lane) in lanes.iter().enumerate() {
        if chosen.len() == limit {
            break;
        }
        let (f, t) = (
            from.entry(lane.origin).or_default(),
            to.entry(lane.destination).or_default(),
        );
        if *f < 2 && *t < 2 {
            *f += 1;
            *t += 1;
            picked[i] = true;
            chosen.push(i);
        }
    }
    let rest: Vec<usize> = (0..lanes.len()).filter(|i| !picked[*i]).collect();
    chosen.extend(rest.into_iter().take(limit.saturating_sub(chosen.len())));
    chosen.sort_unstable();
    chosen.into_iter().map(|i| lanes[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_model::lanes::day_number;

    fn day(s: &str) -> i32 {
        day_number(s.parse().unwrap())
    }

    #[test]
    fn window_is_the_last_days_with_prices_and_lanes_rank_by_prices() {
        let mut lanes = Lanes::empty(4);
        // 40 days on lane 0->1 (2 prices a day: no average), a gap, then
        // 3 prices a day on lane 2->3 for the last 5 days.
        for i in 0..40 {
            lanes.set(0, 1, day("2024-01-01") + i, 2, 200);
        }
        for i in 0..5 {
            lanes.set(2, 3, day("2024-03-01") + i, 3, 300);
        }
        let c = Coverage::of(&lanes);
        assert_eq!(c.first_day, Some("2024-01-01".parse().unwrap()));
        assert_eq!(c.last_day, Some("2024-03-05".parse().unwrap()));
        let w = c.window.unwrap();
        assert_eq!(
            (w.to.to_string(), w.days_with_prices),
            ("2024-03-05".into(), 30)
        );
        // 25 days of lane 0->1 fall in the window: 50 prices, no averages.
        assert_eq!(w.from.to_string(), "2024-01-16");
        assert_eq!((c.lanes[0].origin, c.lanes[0].prices), (0, 50));
        assert_eq!((c.lanes[1].origin, c.lanes[1].prices), (2, 15));
        // The first look prefers a lane with averages.
        assert_eq!(c.suggested().unwrap().origin, 2);
        assert_eq!(c.lanes_touching(&[3], 5).len(), 1);
        assert_eq!(c.lanes_touching(&[1, 2], 5).len(), 2);
    }

    #[test]
    fn busiest_lanes_vary_their_ports_when_there_are_enough() {
        let mut lanes = Lanes::empty(8);
        // Port 0 has the busiest lanes, to every other port.
        for d in 1..8 {
            lanes.set(0, d, day("2024-01-01"), 10, 100);
        }
        lanes.set(5, 6, day("2024-01-01"), 4, 40);
        lanes.set(6, 7, day("2024-01-01"), 3, 30);
        let c = Coverage::of(&lanes);
        let pairs: Vec<(u32, u32)> = c
            .busiest(4)
            .iter()
            .map(|l| (l.origin, l.destination))
            .collect();
        assert_eq!(
            pairs,
            [(0, 1), (0, 2), (5, 6), (6, 7)],
            "two from port 0, then others"
        );
        assert_eq!(c.busiest(20).len(), 9, "all lanes when asked for more");
    }

    #[test]
    fn no_prices_no_window() {
        let c = Coverage::of(&Lanes::empty(2));
        assert!(c.first_day.is_none() && c.window.is_none() && c.suggested().is_none());
    }
}
