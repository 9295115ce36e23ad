//! The demo's region tree, hubs (sub-continent centres, for prices) and real
//! ports, and writing the regions and ports tables.

use super::segment;
use crate::import::copy::{CopySender, LineIndex, ProduceError};
use crate::import::table::Table;

pub(super) fn write_regions(out: &mut CopySender) -> Result<(), ProduceError> {
    out.begin(segment(Table::Regions))?;
    for &(slug, name, parent) in REGIONS {
        out.push_fields([Some(slug), Some(name), parent])?;
    }
    out.end(LineIndex::default())
}

pub(super) fn write_ports(out: &mut CopySender) -> Result<(), ProduceError> {
    out.begin(segment(Table::Ports))?;
    for port in ports() {
        out.push_fields([Some(port.code), Some(port.name), Some(port.region)])?;
    }
    out.end(LineIndex::default())
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Port {
    pub code: &'static str,
    name: &'static str,
    pub region: &'static str,
}

pub(super) fn ports() -> Vec<Port> {
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
pub(super) struct Hub {
    pub position: (f64, f64),
    pub root: &'static str,
}

pub(super) fn hub_of(region: &'static str) -> Hub {
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
pub(super) const REGIONS: &[(&str, &str, Option<&str>)] = &[
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
    use std::collections::HashSet;

    use super::*;

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
}
