//! Content negotiation on `Accept` (RFC 9110, 12.5.1), for the few
//! endpoints that answer more than one media type, and conditional requests
//! on `If-None-Match`.

use axum::http::{HeaderMap, HeaderValue, header};

/// `If-None-Match` holds our current tag (or `*`); weak tags compare equal
/// to strong ones for this purpose (RFC 9110, 13.1.2).
pub fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.to_str().unwrap_or_default();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == ours || tag == "*")
}

/// The media type of `offered` the request's `Accept` prefers: the highest
/// q-value, the most specific range deciding each type's q-value, and the
/// order of `offered` breaking ties (so a client that accepts anything gets
/// the first). Without an `Accept` header, the first; `None` when the header
/// rules every offered type out.
pub fn preferred(headers: &HeaderMap, offered: &[&'static str]) -> Option<&'static str> {
    let ranges: Vec<Range> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(Range::parse)
        .collect();
    if ranges.is_empty() {
        return offered.first().copied();
    }
    let mut best: Option<(&'static str, u16)> = None;
    for media in offered {
        let q = ranges
            .iter()
            .filter_map(|r| r.specificity(media).map(|s| (s, r.q)))
            .max_by_key(|(specificity, _)| *specificity)
            .map_or(0, |(_, q)| q);
        if q > 0 && best.is_none_or(|(_, best_q)| q > best_q) {
            best = Some((media, q));
        }
    }
    best.map(|(media, _)| media)
}

struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    /// Thousandths.
    q: u16,
}

impl<'a> Range<'a> {
    fn parse(raw: &'a str) -> Option<Self> {
        let mut parts = raw.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        let mut q = 1000;
        for param in parts {
            if let Some((name, value)) = param.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                q = value
                    .trim()
                    .parse::<f32>()
                    .map_or(0, |v| (v.clamp(0.0, 1.0) * 1000.0).round() as u16);
            }
        }
        Some(Self { kind, subtype, q })
    }

    /// How closely this range matches `media` (2 exact, 1 `type/*`, 0
    /// `*/*`), or `None`.
    fn specificity(&self, media: &str) -> Option<u8> {
        let (kind, subtype) = media.split_once('/')?;
        match (self.kind, self.subtype) {
            ("*", "*") => Some(0),
            (k, "*") if k.eq_ignore_ascii_case(kind) => Some(1),
            (k, s) if k.eq_ignore_ascii_case(kind) && s.eq_ignore_ascii_case(subtype) => Some(2),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn pick(accept: Option<&str>, offered: &[&'static str]) -> Option<&'static str> {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept {
            headers.insert(header::ACCEPT, HeaderValue::from_str(accept).unwrap());
        }
        preferred(&headers, offered)
    }

    const JSON_HTML: [&str; 2] = ["application/json", "text/html"];
    const JSON_CSV: [&str; 2] = ["application/json", "text/csv"];

    #[test]
    fn browsers_get_html_and_api_clients_json() {
        let browser =
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
        assert_eq!(pick(Some(browser), &JSON_HTML), Some("text/html"));
        for api in [
            None,
            Some("*/*"),
            Some("application/json"),
            Some("application/json, text/html"),
        ] {
            assert_eq!(pick(api, &JSON_HTML), Some("application/json"), "{api:?}");
        }
    }

    #[test]
    fn csv_when_asked_for_and_preferred() {
        assert_eq!(pick(Some("text/csv"), &JSON_CSV), Some("text/csv"));
        assert_eq!(pick(Some("text/*"), &JSON_CSV), Some("text/csv"));
        assert_eq!(
            pick(Some("application/json;q=0.5, text/csv"), &JSON_CSV),
            Some("text/csv")
        );
        assert_eq!(
            pick(Some("text/csv;q=0.4, */*;q=0.5"), &JSON_CSV),
            Some("application/json")
        );
        assert_eq!(
            pick(Some("text/csv;q=0, */*"), &JSON_CSV),
            Some("application/json")
        );
        assert_eq!(pick(Some("image/png"), &JSON_CSV), None);
        assert_eq!(pick(Some("garbage"), &JSON_CSV), Some("application/json"));
    }
}
