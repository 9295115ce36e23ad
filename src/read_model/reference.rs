//! Ports and the region tree, with every location resolved once to the ports
//! it stands for.

use std::collections::{HashMap, HashSet};

use super::{digest, places::Places};

/// Index of a port in [`Reference::codes`] (sorted by code).
pub type PortId = u32;

/// A `ports` row: code, region, name.
pub type PortRow = (String, String, String);
/// A `regions` row: slug, parent, name.
pub type RegionRow = (String, Option<String>, String);

pub struct Reference {
    codes: Vec<String>,
    ids: HashMap<String, PortId>,
    /// Port code or region slug -> sorted, distinct ports.
    locations: HashMap<String, Vec<PortId>>,
    places: Places,
    digest: u64,
}

impl Reference {
    /// From the `ports` and `regions` rows.
    pub fn build(mut ports: Vec<PortRow>, mut regions: Vec<RegionRow>) -> Self {
        ports.sort();
        regions.sort();
        // Names are not part of the digest: the rates do not depend on them.
        let digest = digest_of(&ports, &regions);
        let places = Places::build(&ports, &regions);
        let codes: Vec<String> = ports.iter().map(|(code, ..)| code.clone()).collect();
        let ids: HashMap<String, PortId> = codes
            .iter()
            .enumerate()
            .map(|(i, code)| (code.clone(), i as PortId))
            .collect();

        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for (slug, parent, _) in &regions {
            if let Some(parent) = parent {
                children.entry(parent).or_default().push(slug);
            }
        }
        let mut direct_ports: HashMap<&str, Vec<PortId>> = HashMap::new();
        for (id, (_, region, _)) in ports.iter().enumerate() {
            direct_ports.entry(region).or_default().push(id as PortId);
        }

        let mut locations: HashMap<String, Vec<PortId>> = regions
            .iter()
            .map(|(slug, ..)| (slug.clone(), ports_below(slug, &children, &direct_ports)))
            .collect();
        // A code that is both a port and a region stands for both.
        for (code, id) in &ids {
            let entry = locations.entry(code.clone()).or_default();
            if let Err(at) = entry.binary_search(id) {
                entry.insert(at, *id);
            }
        }
        Self {
            codes,
            ids,
            locations,
            places,
            digest,
        }
    }

    /// Names and the tree, for search and descriptions.
    pub fn places(&self) -> &Places {
        &self.places
    }

    /// The code of a port id.
    pub fn code(&self, id: PortId) -> &str {
        &self.codes[id as usize]
    }

    /// The ports a port code or region slug covers; `None` if it is neither.
    pub fn ports_of(&self, location: &str) -> Option<&[PortId]> {
        self.locations.get(location).map(Vec::as_slice)
    }

    pub fn id(&self, code: &str) -> Option<PortId> {
        self.ids.get(code).copied()
    }

    pub fn port_count(&self) -> usize {
        self.codes.len()
    }

    pub fn digest(&self) -> u64 {
        self.digest
    }
}

/// Every port in `root` and the regions below it, however deep; a cycle in
/// the tree is walked once.
fn ports_below(
    root: &str,
    children: &HashMap<&str, Vec<&str>>,
    direct_ports: &HashMap<&str, Vec<PortId>>,
) -> Vec<PortId> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stack = vec![root];
    let mut found = Vec::new();
    while let Some(region) = stack.pop() {
        if !seen.insert(region) {
            continue;
        }
        found.extend(direct_ports.get(region).into_iter().flatten());
        stack.extend(children.get(region).into_iter().flatten());
    }
    found.sort_unstable();
    found.dedup();
    found
}

fn digest_of(ports: &[PortRow], regions: &[RegionRow]) -> u64 {
    let mut words = Vec::with_capacity(2 * (ports.len() + regions.len()) + 1);
    for (code, region, _) in ports {
        words.extend([
            digest::bytes(code.as_bytes()),
            digest::bytes(region.as_bytes()),
        ]);
    }
    words.push(u64::MAX); // separates the two lists
    for (slug, parent, _) in regions {
        let parent = parent.as_deref().map_or(0, |p| digest::bytes(p.as_bytes()));
        words.extend([digest::bytes(slug.as_bytes()), parent]);
    }
    digest::combine(&words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Reference {
        let s = |v: &str| v.to_owned();
        Reference::build(
            vec![
                (s("PA"), s("a"), s("PA")),
                (s("PB"), s("b"), s("PB")),
                (s("PC"), s("c"), s("PC")),
                (s("PX"), s("x"), s("PX")),
            ],
            vec![
                (s("a"), None, s("a")),
                (s("b"), Some(s("a")), s("b")),
                (s("c"), Some(s("b")), s("c")),
                (s("x"), None, s("x")),
                (s("empty"), Some(s("a")), s("empty")),
            ],
        )
    }

    #[test]
    fn regions_cover_every_level_below() {
        let r = tree();
        let codes = |loc: &str| -> Vec<&str> {
            r.ports_of(loc)
                .unwrap()
                .iter()
                .map(|id| r.codes[*id as usize].as_str())
                .collect()
        };
        assert_eq!(codes("a"), ["PA", "PB", "PC"]);
        assert_eq!(codes("b"), ["PB", "PC"]);
        assert_eq!(codes("c"), ["PC"]);
        assert_eq!(codes("PB"), ["PB"]);
        assert!(r.ports_of("empty").unwrap().is_empty());
        assert!(r.ports_of("nowhere").is_none());
    }

    #[test]
    fn cycles_terminate() {
        let s = |v: &str| v.to_owned();
        let r = Reference::build(
            vec![(s("P1"), s("a"), s("P1")), (s("P2"), s("b"), s("P2"))],
            vec![
                (s("a"), Some(s("b")), s("a")),
                (s("b"), Some(s("a")), s("b")),
            ],
        );
        assert_eq!(r.ports_of("a").unwrap().len(), 2);
    }

    #[test]
    fn digest_depends_on_content_not_order() {
        let s = |v: &str| v.to_owned();
        let one = Reference::build(
            vec![(s("P1"), s("a"), s("P1")), (s("P2"), s("a"), s("P2"))],
            vec![(s("a"), None, s("a"))],
        );
        let same = Reference::build(
            vec![(s("P2"), s("a"), s("P2")), (s("P1"), s("a"), s("P1"))],
            vec![(s("a"), None, s("a"))],
        );
        let other = Reference::build(
            vec![(s("P1"), s("a"), s("P1"))],
            vec![(s("a"), None, s("a"))],
        );
        assert_eq!(one.digest(), same.digest());
        assert_ne!(one.digest(), other.digest());
    }
}
