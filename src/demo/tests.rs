//! Tests of the whole generator: the rows it sends, their count and their
//! determinism.

use std::collections::{HashMap, HashSet};

use super::geography::{REGIONS, ports};
use super::*;
use crate::import::copy::{CopyEvent, CopySender, Message};

/// Runs the generator on a thread, as `copy::load` does, and collects the
/// rows of each table.
fn generated(opts: &DemoOptions) -> HashMap<&'static str, Vec<String>> {
    let days = day_labels(opts).expect("valid options");
    let opts = opts.clone();
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let producer = std::thread::spawn(move || {
        let mut out = CopySender::to_loader(tx);
        generate(&opts, &days, &mut out).is_ok()
    });
    let mut tables: HashMap<&'static str, Vec<String>> = HashMap::new();
    let mut current = "";
    while let Some(message) = rx.blocking_recv() {
        let Message::Copy(event) = message else {
            panic!("the generator sends no statements");
        };
        match event {
            CopyEvent::Begin(segment) => current = segment.layout.table.name(),
            CopyEvent::Rows(chunk) => {
                let text = String::from_utf8(chunk).expect("utf-8");
                tables
                    .entry(current)
                    .or_default()
                    .extend(text.lines().map(str::to_owned));
            }
            CopyEvent::End(_) => {}
        }
    }
    assert!(producer.join().expect("no panic"), "generator failed");
    tables
}

fn options(prices: u64, days: u32, seed: u64) -> DemoOptions {
    DemoOptions {
        seed,
        prices,
        days,
        ..DemoOptions::default()
    }
}

#[test]
fn generates_exactly_the_requested_prices() {
    for (prices, days) in [(60_000, 31), (1, 1), (0, 31), (7, 3), (100_000, 2)] {
        let tables = generated(&options(prices, days, 42));
        let rows = tables.get("prices").map_or(0, Vec::len);
        assert_eq!(rows as u64, prices, "{prices} prices over {days} days");
        assert_eq!(tables["regions"].len(), REGIONS.len());
        assert_eq!(tables["ports"].len(), ports().len());
    }
}

#[test]
fn prices_look_like_the_reference_data() {
    let opts = DemoOptions::default();
    let tables = generated(&opts);
    let codes: HashSet<_> = ports().iter().map(|p| p.code).collect();
    let days = day_labels(&opts).expect("valid");
    let mut lanes = HashSet::new();
    let mut lane_days = HashSet::new();
    for row in &tables["prices"] {
        let fields: Vec<_> = row.split('\t').collect();
        assert_eq!(fields.len(), 4, "{row}");
        assert!(
            codes.contains(fields[0]) && codes.contains(fields[1]),
            "{row}"
        );
        assert_ne!(fields[0], fields[1]);
        assert!(days.iter().any(|d| d == fields[2]), "{row}");
        let price: i32 = fields[3].parse().expect("integer price");
        assert!((50..20_000).contains(&price), "{row}");
        lanes.insert((fields[0], fields[1]));
        lane_days.insert((fields[0], fields[1], fields[2]));
    }
    assert!((500..1_000).contains(&lanes.len()), "{} lanes", lanes.len());
    // Some lane-days have no sample at all, like the real data.
    assert!(lane_days.len() < lanes.len() * days.len());
}

#[test]
fn same_seed_same_data() {
    let first = generated(&options(5_000, 10, 7));
    assert_eq!(first, generated(&options(5_000, 10, 7)));
    assert_ne!(first["prices"], generated(&options(5_000, 10, 8))["prices"]);
}

#[test]
fn rejects_impossible_periods() {
    assert!(day_labels(&options(10, 0, 1)).is_err());
    assert!(day_labels(&options(0, 0, 1)).is_ok_and(|d| d.is_empty()));
    assert!(day_labels(&options(10, MAX_DAYS + 1, 1)).is_err());
    let late = DemoOptions {
        first_day: NaiveDate::MAX,
        ..options(10, 2, 1)
    };
    assert!(day_labels(&late).is_err());
}
