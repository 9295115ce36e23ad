//! Deterministic demo dataset: a region tree, ~150 real ports and a stream of
//! daily price samples, loaded through the importer's `COPY` writer.
//!
//! Prices are streamed lane by lane and day by day, so memory does not grow
//! with `prices`. Everything derives from one seeded RNG, drawn in a fixed
//! order: the same options give the same rows.

use std::fmt::Write as _;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use sqlx::PgPool;

use crate::import::copy::{self, CopySender, LineIndex, ProduceError, Segment};
use crate::import::table::{Layout, Table};
use crate::import::{ImportError, ImportMode, ImportSummary};

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
/// Average samples per lane and day; sets how many lanes are used.
const SAMPLES_PER_LANE_DAY: f64 = 2.5;

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

fn write_regions(out: &mut CopySender) -> Result<(), ProduceError> {
    out.begin(segment(Table::Regions))?;
    for &(slug, name, parent) in REGIONS {
        out.push_fields([Some(slug), Some(name), parent])?;
    }
    out.end(LineIndex::default())
}

fn write_ports(out: &mut CopySender) -> Result<(), ProduceError> {
    out.begin(segment(Table::Ports))?;
    for port in ports() {
        out.push_fields([Some(port.code), Some(port.name), Some(port.region)])?;
    }
    out.end(LineIndex::default())
}

fn write_prices(
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
fn lane_count(prices: u64, days: usize) -> usize {
    if prices == 0 || days == 0 {
        return 0;
    }
    let wanted = (prices as f64 / (days as f64 * SAMPLES_PER_LANE_DAY)).ceil() as usize;
    wanted.clamp(1, lane_pairs().len())
}

/// A market-wide index per day: a gentle random walk around 1.
fn market_index(rng: &mut Xoshiro256PlusPlus, days: usize) -> Vec<f64> {
    let mut level = 1.0_f64;
    (0..days)
        .map(|_| {
            let current = level;
            level = (level * (1.0 + 0.015 * normal(rng))).clamp(0.5, 2.0);
            current
        })
        .collect()
}

struct Lane {
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
fn choose_lanes(rng: &mut Xoshiro256PlusPlus, count: usize) -> Vec<Lane> {
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

#[derive(Clone, Copy, Debug)]
struct Port {
    code: &'static str,
    name: &'static str,
    region: &'static str,
}

fn ports() -> Vec<Port> {
    PORTS
        .iter()
        .flat_map(|&(region, list)| {
            list.iter()
                .map(move |&(code, name)| Port { code, name, region })
        })
        .collect()
}

fn parent_of(slug: &str) -> Option<&'static str> {
    REGIONS
        .iter()
        .find(|(s, _, _)| *s == slug)
        .and_then(|&(_, _, parent)| parent)
}

/// Nearest ancestor (or self) with a hub position, and the tree's root.
struct Hub {
    position: (f64, f64),
    root: &'static str,
}

fn hub_of(region: &'static str) -> Hub {
    let mut position = None;
    let mut current = region;
    loop {
        if position.is_none() {
            position = HUBS
                .iter()
                .find(|(slug, _, _)| *slug == current)
                .map(|&(_, lat, lon)| (lat, lon));
        }
        match parent_of(current) {
            Some(parent) => current = parent,
            None => break,
        }
    }
    Hub {
        // The unit tests check every port region has a hub.
        position: position.unwrap_or_default(),
        root: current,
    }
}

/// (slug, name, parent slug), parents first.
#[rustfmt::skip]
const REGIONS: &[(&str, &str, Option<&str>)] = &[
    ("asia", "Asia", None),
    ("china_main", "China Main", Some("asia")),
    ("china_north_main", "China North Main", Some("china_main")),
    ("china_east_main", "China East Main", Some("china_main")),
    ("china_south_main", "China South Main", Some("china_main")),
    ("north_east_asia", "North East Asia", Some("asia")),
    ("japan_main", "Japan Main", Some("north_east_asia")),
    ("korea_main", "Korea Main", Some("north_east_asia")),
    ("taiwan_main", "Taiwan Main", Some("north_east_asia")),
    ("south_east_asia", "South East Asia", Some("asia")),
    ("malacca_strait", "Malacca Strait", Some("south_east_asia")),
    ("indochina", "Indochina", Some("south_east_asia")),
    ("indonesia_philippines", "Indonesia & Philippines", Some("south_east_asia")),
    ("indian_subcontinent", "Indian Subcontinent", Some("asia")),
    ("india_west_coast", "India West Coast", Some("indian_subcontinent")),
    ("bay_of_bengal", "Bay of Bengal", Some("indian_subcontinent")),
    ("middle_east", "Middle East", Some("asia")),
    ("persian_gulf", "Persian Gulf", Some("middle_east")),
    ("red_sea", "Red Sea", Some("middle_east")),
    ("europe", "Europe", None),
    ("northern_europe", "Northern Europe", Some("europe")),
    ("scandinavia", "Scandinavia", Some("northern_europe")),
    ("norway_south_east", "Norway South East", Some("scandinavia")),
    ("norway_south_west", "Norway South West", Some("scandinavia")),
    ("norway_north_west", "Norway North West", Some("scandinavia")),
    ("kattegat", "Kattegat", Some("scandinavia")),
    ("stockholm_area", "Stockholm Area", Some("scandinavia")),
    ("baltic", "Baltic", Some("northern_europe")),
    ("finland_main", "Finland Main", Some("baltic")),
    ("baltic_main", "Baltic Main", Some("baltic")),
    ("poland_main", "Poland Main", Some("baltic")),
    ("russia_north_west", "Russia North West", Some("northern_europe")),
    ("north_europe_main", "North Europe Main", Some("northern_europe")),
    ("uk_main", "UK Main", Some("north_europe_main")),
    ("north_europe_sub", "North Europe Sub", Some("northern_europe")),
    ("uk_sub", "UK Sub", Some("north_europe_sub")),
    ("mediterranean", "Mediterranean", Some("europe")),
    ("west_med", "West Mediterranean", Some("mediterranean")),
    ("east_med", "East Mediterranean", Some("mediterranean")),
    ("north_america", "North America", None),
    ("usa", "United States", Some("north_america")),
    ("us_east_coast", "US East Coast", Some("usa")),
    ("us_gulf_coast", "US Gulf Coast", Some("usa")),
    ("us_west_coast", "US West Coast", Some("usa")),
    ("canada", "Canada", Some("north_america")),
    ("central_america_caribbean", "Central America & Caribbean", Some("north_america")),
    ("south_america", "South America", None),
    ("east_coast_south_america", "East Coast South America", Some("south_america")),
    ("brazil_main", "Brazil Main", Some("east_coast_south_america")),
    ("river_plate", "River Plate", Some("east_coast_south_america")),
    ("west_coast_south_america", "West Coast South America", Some("south_america")),
    ("africa", "Africa", None),
    ("west_africa", "West Africa", Some("africa")),
    ("southern_africa", "Southern Africa", Some("africa")),
    ("east_africa", "East Africa", Some("africa")),
    ("oceania", "Oceania", None),
    ("australia_main", "Australia Main", Some("oceania")),
    ("new_zealand_main", "New Zealand Main", Some("oceania")),
];

/// Approximate centre (latitude, longitude) of a sub-continent, for prices.
const HUBS: &[(&str, f64, f64)] = &[
    ("china_main", 30.0, 121.0),
    ("north_east_asia", 35.0, 130.0),
    ("south_east_asia", 5.0, 104.0),
    ("indian_subcontinent", 15.0, 76.0),
    ("middle_east", 24.0, 50.0),
    ("northern_europe", 54.0, 8.0),
    ("mediterranean", 38.0, 15.0),
    ("usa", 33.0, -95.0),
    ("us_east_coast", 36.0, -76.0),
    ("us_west_coast", 37.0, -122.0),
    ("canada", 49.0, -100.0),
    ("central_america_caribbean", 14.0, -80.0),
    ("east_coast_south_america", -28.0, -48.0),
    ("west_coast_south_america", -15.0, -77.0),
    ("west_africa", 6.0, 1.0),
    ("southern_africa", -32.0, 28.0),
    ("east_africa", -5.0, 40.0),
    ("oceania", -34.0, 150.0),
    ("new_zealand_main", -37.0, 175.0),
];

/// Real UN/LOCODEs by region; one line per region keeps the table readable.
type PortList = &'static [(&'static str, &'static str)];
#[rustfmt::skip]
const PORTS: &[(&str, PortList)] = &[
    ("china_north_main", &[("CNTXG", "Tianjin Xingang"), ("CNDLC", "Dalian"), ("CNTAO", "Qingdao"), ("CNLYG", "Lianyungang"), ("CNYNT", "Yantai")]),
    ("china_east_main", &[("CNSHA", "Shanghai"), ("CNNGB", "Ningbo"), ("CNTAG", "Taicang"), ("CNNKG", "Nanjing"), ("CNFOC", "Fuzhou"), ("CNXMN", "Xiamen")]),
    ("china_south_main", &[("CNYTN", "Yantian"), ("CNSHK", "Shekou"), ("CNCWN", "Chiwan"), ("CNNSA", "Nansha"), ("HKHKG", "Hong Kong"), ("CNSWA", "Shantou")]),
    ("japan_main", &[("JPTYO", "Tokyo"), ("JPYOK", "Yokohama"), ("JPNGO", "Nagoya"), ("JPUKB", "Kobe")]),
    ("korea_main", &[("KRPUS", "Busan"), ("KRKAN", "Gwangyang")]),
    ("taiwan_main", &[("TWKHH", "Kaohsiung"), ("TWKEL", "Keelung")]),
    ("malacca_strait", &[("SGSIN", "Singapore"), ("MYPKG", "Port Klang"), ("MYTPP", "Tanjung Pelepas")]),
    ("indochina", &[("THLCH", "Laem Chabang"), ("VNSGN", "Ho Chi Minh City"), ("VNHPH", "Haiphong"), ("VNCMT", "Cai Mep")]),
    ("indonesia_philippines", &[("IDJKT", "Jakarta"), ("IDSUB", "Surabaya"), ("PHMNL", "Manila")]),
    ("india_west_coast", &[("INNSA", "Nhava Sheva"), ("INMUN", "Mundra"), ("PKKHI", "Karachi")]),
    ("bay_of_bengal", &[("INMAA", "Chennai"), ("LKCMB", "Colombo"), ("BDCGP", "Chittagong")]),
    ("persian_gulf", &[("AEJEA", "Jebel Ali"), ("AEAUH", "Abu Dhabi"), ("SADMM", "Dammam"), ("QAHMD", "Hamad")]),
    ("red_sea", &[("SAJED", "Jeddah"), ("OMSLL", "Salalah"), ("DJJIB", "Djibouti")]),
    ("north_europe_main", &[("NLRTM", "Rotterdam"), ("BEANR", "Antwerp"), ("DEHAM", "Hamburg"), ("DEBRV", "Bremerhaven"), ("FRLEH", "Le Havre"), ("BEZEE", "Zeebrugge")]),
    ("uk_main", &[("GBFXT", "Felixstowe"), ("GBSOU", "Southampton"), ("GBLGP", "London Gateway")]),
    ("north_europe_sub", &[("DEBRE", "Bremen"), ("DEWVN", "Wilhelmshaven"), ("FRDKK", "Dunkerque"), ("IEDUB", "Dublin"), ("IEORK", "Cork"), ("ESBIO", "Bilbao")]),
    ("uk_sub", &[("GBTIL", "Tilbury"), ("GBLIV", "Liverpool"), ("GBTEE", "Teesport"), ("GBIMM", "Immingham")]),
    ("scandinavia", &[("NOMAY", "Måløy")]),
    ("norway_south_east", &[("NOOSL", "Oslo"), ("NOFRK", "Fredrikstad"), ("NOLAR", "Larvik")]),
    ("norway_south_west", &[("NOSVG", "Stavanger"), ("NOKRS", "Kristiansand"), ("NOBGO", "Bergen")]),
    ("norway_north_west", &[("NOAES", "Ålesund"), ("NOKSU", "Kristiansund"), ("NOTRD", "Trondheim")]),
    ("kattegat", &[("SEGOT", "Göteborg"), ("DKAAR", "Aarhus"), ("DKCPH", "Copenhagen (København)"), ("DKFRC", "Fredericia")]),
    ("stockholm_area", &[("SESTO", "Stockholm"), ("SENYN", "Nynäshamn"), ("SESOE", "Södertälje")]),
    ("finland_main", &[("FIHEL", "Helsinki"), ("FIKTK", "Kotka"), ("FIRAU", "Rauma")]),
    ("baltic_main", &[("EETLL", "Tallinn"), ("LVRIX", "Riga"), ("LTKLJ", "Klaipėda")]),
    ("poland_main", &[("PLGDN", "Gdańsk"), ("PLGDY", "Gdynia")]),
    ("russia_north_west", &[("RULED", "Saint Petersburg"), ("RUULU", "Ust-Luga")]),
    ("west_med", &[("ESVLC", "Valencia"), ("ESALG", "Algeciras"), ("ESBCN", "Barcelona"), ("FRFOS", "Fos-sur-Mer"), ("ITGOA", "Genoa"), ("MAPTM", "Tanger Med")]),
    ("east_med", &[("GRPIR", "Piraeus"), ("ITGIT", "Gioia Tauro"), ("SIKOP", "Koper"), ("TRMER", "Mersin"), ("TRAMR", "Ambarli"), ("EGPSD", "Port Said")]),
    ("us_east_coast", &[("USNYC", "New York"), ("USSAV", "Savannah"), ("USCHS", "Charleston"), ("USORF", "Norfolk"), ("USBAL", "Baltimore")]),
    ("us_gulf_coast", &[("USHOU", "Houston"), ("USMSY", "New Orleans")]),
    ("us_west_coast", &[("USLAX", "Los Angeles"), ("USLGB", "Long Beach"), ("USOAK", "Oakland"), ("USSEA", "Seattle")]),
    ("canada", &[("CAVAN", "Vancouver"), ("CAPRR", "Prince Rupert"), ("CAMTR", "Montréal"), ("CAHAL", "Halifax")]),
    ("central_america_caribbean", &[("MXZLO", "Manzanillo"), ("MXVER", "Veracruz"), ("PABLB", "Balboa"), ("JMKIN", "Kingston"), ("COCTG", "Cartagena")]),
    ("brazil_main", &[("BRSSZ", "Santos"), ("BRRIG", "Rio Grande"), ("BRPNG", "Paranaguá"), ("BRITJ", "Itajaí")]),
    ("river_plate", &[("ARBUE", "Buenos Aires"), ("UYMVD", "Montevideo")]),
    ("west_coast_south_america", &[("CLSAI", "San Antonio"), ("PECLL", "Callao"), ("ECGYE", "Guayaquil"), ("COBUN", "Buenaventura")]),
    ("west_africa", &[("NGAPP", "Apapa"), ("GHTEM", "Tema"), ("CIABJ", "Abidjan"), ("TGLFW", "Lomé")]),
    ("southern_africa", &[("ZADUR", "Durban"), ("ZACPT", "Cape Town"), ("ZAPLZ", "Port Elizabeth")]),
    ("east_africa", &[("KEMBA", "Mombasa"), ("TZDAR", "Dar es Salaam")]),
    ("australia_main", &[("AUSYD", "Sydney"), ("AUMEL", "Melbourne"), ("AUBNE", "Brisbane"), ("AUFRE", "Fremantle")]),
    ("new_zealand_main", &[("NZAKL", "Auckland"), ("NZTRG", "Tauranga")]),
];

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

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
    fn reference_tables_are_consistent() {
        let slugs: HashSet<_> = REGIONS.iter().map(|r| r.0).collect();
        assert_eq!(slugs.len(), REGIONS.len(), "duplicate region slug");
        for (slug, _, parent) in REGIONS {
            assert!(
                parent.is_none_or(|p| slugs.contains(p)),
                "{slug} has unknown parent"
            );
        }
        let depth = |mut slug: &str| {
            let mut depth = 1;
            while let Some(parent) = parent_of(slug) {
                slug = parent;
                depth += 1;
                assert!(depth < 10, "cycle at {slug}");
            }
            depth
        };
        assert!(REGIONS.iter().map(|r| depth(r.0)).max() >= Some(4));
        let roots = REGIONS.iter().filter(|r| r.2.is_none()).count();
        assert!(roots >= 5, "{roots} roots");

        let ports = ports();
        assert!((140..=160).contains(&ports.len()), "{} ports", ports.len());
        let codes: HashSet<_> = ports.iter().map(|p| p.code).collect();
        assert_eq!(codes.len(), ports.len(), "duplicate port code");
        for port in &ports {
            assert!(
                port.code.len() == 5 && port.code.bytes().all(|b| b.is_ascii_uppercase()),
                "{}",
                port.code
            );
            assert!(
                slugs.contains(port.region),
                "{} in unknown region",
                port.code
            );
            assert!(
                HUBS.iter().any(|h| depth_chain(port.region).contains(&h.0)),
                "{} has no hub",
                port.code
            );
        }
        assert!(HUBS.iter().all(|h| slugs.contains(h.0)));
    }

    fn depth_chain(mut slug: &'static str) -> Vec<&'static str> {
        let mut chain = vec![slug];
        while let Some(parent) = parent_of(slug) {
            chain.push(parent);
            slug = parent;
        }
        chain
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
