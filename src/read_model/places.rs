//! Ports and regions by name: where each sits in the tree, and finding them
//! from what a person types (a name, a code or a slug, in any case, with
//! typos), for the location search and "did you mean" suggestions.

use std::{cmp::Reverse, collections::HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Region,
    Port,
}

#[derive(Debug, Clone)]
pub struct Place {
    pub kind: Kind,
    /// Port code or region slug.
    pub code: String,
    pub name: String,
    /// The region it belongs to (a root region has none).
    pub parent: Option<String>,
    /// `code` and `name` folded for matching (see [`fold`]).
    code_key: String,
    name_key: String,
}

/// Every port and region, with the tree's edges both ways.
#[derive(Default)]
pub struct Places {
    all: Vec<Place>,
    /// Code or slug -> index in `all`; a code that is both a port and a
    /// region is found as the region (the port is still searchable).
    by_code: HashMap<String, usize>,
    /// Region slug -> indices of its direct children (regions, then ports).
    children: HashMap<String, Vec<usize>>,
}

/// Closest matches first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    ExactCode,
    ExactName,
    CodePrefix,
    NamePrefix,
    WordPrefix,
    Contains,
}

impl Places {
    /// From `(code, region, name)` ports and `(slug, parent, name)` regions.
    pub fn build(
        ports: &[(String, String, String)],
        regions: &[(String, Option<String>, String)],
    ) -> Self {
        let mut all: Vec<Place> = regions
            .iter()
            .map(|(slug, parent, name)| Place::new(Kind::Region, slug, name, parent.clone()))
            .chain(ports.iter().map(|(code, region, name)| {
                Place::new(Kind::Port, code, name, Some(region.clone()))
            }))
            .collect();
        all.sort_by(|a, b| (a.kind, &a.name, &a.code).cmp(&(b.kind, &b.name, &b.code)));
        let mut by_code = HashMap::with_capacity(all.len());
        let mut children: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, place) in all.iter().enumerate() {
            by_code.entry(place.code.clone()).or_insert(i);
            if let Some(parent) = &place.parent {
                children.entry(parent.clone()).or_default().push(i);
            }
        }
        Self {
            all,
            by_code,
            children,
        }
    }

    pub fn get(&self, code: &str) -> Option<&Place> {
        self.by_code.get(code).map(|i| &self.all[*i])
    }

    pub fn is_port(&self, code: &str) -> bool {
        self.all
            .iter()
            .any(|p| p.kind == Kind::Port && p.code == code)
    }

    pub fn is_region(&self, slug: &str) -> bool {
        self.get(slug).is_some_and(|p| p.kind == Kind::Region)
    }

    /// Every code and slug, sorted and distinct.
    pub fn codes(&self) -> Vec<&str> {
        let mut codes: Vec<&str> = self.all.iter().map(|p| p.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    }

    /// The regions above `place`, root first (a cycle is walked once).
    pub fn ancestors(&self, place: &Place) -> Vec<&Place> {
        let mut path: Vec<&Place> = Vec::new();
        let mut next = place.parent.as_deref();
        while let Some(slug) = next {
            let Some(region) = self.get(slug).filter(|r| r.kind == Kind::Region) else {
                break;
            };
            if region.code == place.code || path.iter().any(|p| p.code == region.code) {
                break;
            }
            path.push(region);
            next = region.parent.as_deref();
        }
        path.reverse();
        path
    }

    /// A region's direct child regions and ports, each by name.
    pub fn children(&self, slug: &str) -> (Vec<&Place>, Vec<&Place>) {
        let direct = self.children.get(slug).map(Vec::as_slice).unwrap_or(&[]);
        direct
            .iter()
            .map(|i| &self.all[*i])
            .partition(|p| p.kind == Kind::Region)
    }

    /// Places matching `query` (case- and accent-insensitive): exact code or
    /// name first, then prefixes, then substrings; regions before ports
    /// within a tier, then by name.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Place> {
        let q = fold(query.trim());
        if q.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<(Tier, &Place)> = self
            .all
            .iter()
            .filter_map(|p| p.tier(&q).map(|t| (t, p)))
            .collect();
        found.sort_by(|(ta, a), (tb, b)| {
            (ta, a.kind, a.name.len()).cmp(&(tb, b.kind, b.name.len()))
        });
        found.into_iter().take(limit).map(|(_, p)| p).collect()
    }

    /// "Did you mean": what [`Places::search`] finds, else the places whose
    /// code or name is closest to `unknown` by edit similarity.
    pub fn suggest(&self, unknown: &str, limit: usize) -> Vec<&Place> {
        let found = self.search(unknown, limit);
        if !found.is_empty() {
            return found;
        }
        let q = fold(unknown.trim());
        if q.chars().count() < 2 {
            return Vec::new();
        }
        let mut scored: Vec<(u32, &Place)> = self
            .all
            .iter()
            .map(|p| {
                let best = strsim::jaro_winkler(&q, &p.code_key)
                    .max(strsim::jaro_winkler(&q, &p.name_key));
                ((best * 1000.0) as u32, p)
            })
            .filter(|(score, _)| *score >= 800)
            .collect();
        scored.sort_by_key(|(score, p)| (Reverse(*score), p.kind, p.name.len()));
        scored.into_iter().take(limit).map(|(_, p)| p).collect()
    }
}

impl Place {
    fn new(kind: Kind, code: &str, name: &str, parent: Option<String>) -> Self {
        Self {
            kind,
            code: code.to_owned(),
            name: name.to_owned(),
            parent,
            code_key: fold(code),
            name_key: fold(name),
        }
    }

    fn tier(&self, q: &str) -> Option<Tier> {
        let (code, name) = (self.code_key.as_str(), self.name_key.as_str());
        if code == q {
            Some(Tier::ExactCode)
        } else if name == q {
            Some(Tier::ExactName)
        } else if code.starts_with(q) {
            Some(Tier::CodePrefix)
        } else if name.starts_with(q) {
            Some(Tier::NamePrefix)
        } else if name
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| word.starts_with(q))
        {
            Some(Tier::WordPrefix)
        } else if name.contains(q) || code.contains(q) {
            Some(Tier::Contains)
        } else {
            None
        }
    }
}

/// Lower case without the accents of the Latin letters in port names
/// ("Malmö" is found as "malmo"); '_' and '-' as spaces ("china main"
/// finds `china_main`).
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ı' => 'i',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
            'ý' | 'ÿ' => 'y',
            'ś' | 'š' | 'ş' => 's',
            'ź' | 'ż' | 'ž' => 'z',
            'ł' => 'l',
            'ř' => 'r',
            'ť' | 'ţ' => 't',
            'ď' => 'd',
            'æ' => 'a',
            '_' | '-' => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Places {
        let s = |v: &str| v.to_owned();
        Places::build(
            &[
                (s("CNSGH"), s("china_east_main"), s("Shanghai")),
                (s("CNSHK"), s("china_south_main"), s("Shekou")),
                (s("SEMMA"), s("kattegat"), s("Malmö")),
                (s("CNGGZ"), s("china_south_main"), s("Guangzhou")),
            ],
            &[
                (s("china_main"), None, s("China Main")),
                (
                    s("china_east_main"),
                    Some(s("china_main")),
                    s("China East Main"),
                ),
                (
                    s("china_south_main"),
                    Some(s("china_main")),
                    s("China South Main"),
                ),
                (s("kattegat"), None, s("Kattegat")),
            ],
        )
    }

    fn codes(found: Vec<&Place>) -> Vec<&str> {
        found.into_iter().map(|p| p.code.as_str()).collect()
    }

    #[test]
    fn finds_by_name_code_or_slug_in_any_case() {
        let p = places();
        assert_eq!(codes(p.search("shanghai", 5)), ["CNSGH"]);
        assert_eq!(codes(p.search("cnsgh", 5)), ["CNSGH"]);
        assert_eq!(codes(p.search("CHINA_MAIN", 5))[0], "china_main");
        assert_eq!(codes(p.search("china main", 5))[0], "china_main");
        assert_eq!(codes(p.search("malmo", 5)), ["SEMMA"]);
    }

    #[test]
    fn prefixes_rank_above_substrings() {
        let p = places();
        let found = codes(p.search("sh", 5));
        // Both names start with "sh"; the shorter (closer) name first.
        assert_eq!(found, ["CNSHK", "CNSGH"]);
        let found = codes(p.search("south", 5));
        assert_eq!(found, ["china_south_main"]);
    }

    #[test]
    fn suggests_close_codes_and_names() {
        let p = places();
        assert_eq!(codes(p.suggest("CNGGX", 3))[0], "CNGGZ");
        assert_eq!(codes(p.suggest("Shangai", 3))[0], "CNSGH");
        assert!(p.suggest("zzzzzzzz", 3).is_empty());
    }

    #[test]
    fn knows_the_tree() {
        let p = places();
        let sgh = p.get("CNSGH").unwrap();
        let path: Vec<&str> = p.ancestors(sgh).iter().map(|r| r.code.as_str()).collect();
        assert_eq!(path, ["china_main", "china_east_main"]);
        let (regions, ports) = p.children("china_main");
        assert_eq!(codes(regions), ["china_east_main", "china_south_main"]);
        assert!(ports.is_empty());
        let (_, ports) = p.children("china_south_main");
        assert_eq!(codes(ports), ["CNGGZ", "CNSHK"]);
        assert!(p.is_port("CNGGZ") && !p.is_region("CNGGZ") && p.is_region("kattegat"));
    }
}
