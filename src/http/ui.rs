//! The rates explorer: a few static files compiled into the binary (no CDN,
//! works offline), served gzip-compressed to browsers that accept it, with
//! the security headers of `html`. The pages are shells that `app.js` fills
//! from the JSON API.

use std::{collections::HashMap, io::Write, sync::LazyLock};

use axum::{
    Router,
    extract::{Path, RawQuery},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use bytes::Bytes;
use flate2::{Compression, write::GzEncoder};

use super::{AppState, html};
use crate::read_model::digest;

/// Files under `/ui/assets/`: name, content type, content.
const ASSETS: [(&str, &str, &str); 3] = [
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/ui/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("assets/ui/app.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("assets/ui/favicon.svg"),
    ),
];
const HTML: &str = "text/html; charset=utf-8";

/// One file as served: plain and gzipped, and its tag.
struct File {
    content_type: &'static str,
    plain: Bytes,
    gzip: Bytes,
    /// A digest of the content: the `ETag`, and `?v=` in the pages' links.
    version: String,
}

impl File {
    fn new(content_type: &'static str, content: String) -> Self {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(content.as_bytes()).expect("writing to memory");
        let gzip = gz.finish().expect("writing to memory");
        Self {
            content_type,
            version: format!("{:016x}", digest::bytes(content.as_bytes())),
            plain: content.into(),
            gzip: gzip.into(),
        }
    }

    /// The file, gzipped when the client accepts it; `immutable` when the
    /// request names this version (`?v=`), so it is never fetched twice.
    fn serve(&self, request: &HeaderMap, immutable: bool) -> Response {
        let gzip = accepts_gzip(request);
        let etag = format!("\"{}{}\"", self.version, if gzip { "-gz" } else { "" });
        let etag = HeaderValue::try_from(etag).expect("hex is a valid header value");
        let cache = if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        let mut response = if super::negotiate::if_none_match(request, &etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else if gzip {
            let mut r = self.gzip.clone().into_response();
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        } else {
            self.plain.clone().into_response()
        };
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        headers.insert(header::ETAG, etag);
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        html::protect(headers, html::EXPLORER_CSP);
        response
    }
}

static FILES: LazyLock<HashMap<&'static str, File>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|(name, kind, content)| (*name, File::new(kind, (*content).to_owned())))
        .collect()
});

/// A page with its asset links versioned.
fn page_file(template: &str) -> File {
    let mut page = template.to_owned();
    for (name, file) in FILES.iter() {
        let link = format!("/ui/assets/{name}?v={}", &file.version[..12]);
        page = page.replace(&format!("{{{{{name}}}}}"), &link);
    }
    File::new(HTML, page)
}

static EXPLORER: LazyLock<File> =
    LazyLock::new(|| page_file(include_str!("assets/ui/explorer.html")));
static PLACE: LazyLock<File> = LazyLock::new(|| page_file(include_str!("assets/ui/place.html")));

/// The explorer, at `/ui`.
pub async fn page(headers: HeaderMap) -> Response {
    EXPLORER.serve(&headers, false)
}

/// `/ui/ports/{code}`, `/ui/regions/{slug}` and the assets.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/", get(|| async { Redirect::permanent("/ui") }))
        .route("/ui/ports/{code}", get(place_page))
        .route("/ui/regions/{slug}", get(place_page))
        .route("/ui/assets/{file}", get(asset))
}

/// The page finds out itself whether the location exists, and says so
/// (with suggestions). Always 200: error statuses get JSON bodies here.
async fn place_page(headers: HeaderMap) -> Response {
    PLACE.serve(&headers, false)
}

async fn asset(
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some(file) = FILES.get(name.as_str()) else {
        return super::ApiError::NotFound(
            format!(
                "no such asset: {}",
                name.chars().take(64).collect::<String>()
            )
            .into(),
        )
        .into_response();
    };
    let immutable =
        query.as_deref().and_then(|q| q.strip_prefix("v=")) == Some(&file.version[..12]);
    file.serve(&headers, immutable)
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

#[cfg(test)]
/// Sizes of the explorer's first load (page and assets): plain and gzipped.
pub fn page_weight() -> (usize, usize) {
    std::iter::once(&*EXPLORER)
        .chain(FILES.values())
        .fold((0, 0), |(plain, gz), f| {
            (plain + f.plain.len(), gz + f.gzip.len())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_link_their_assets_by_version() {
        for page in [&*EXPLORER, &*PLACE] {
            let html = std::str::from_utf8(&page.plain).unwrap();
            assert!(!html.contains("{{"), "an unreplaced placeholder");
            for (name, file) in FILES.iter() {
                assert!(
                    html.contains(&format!("/ui/assets/{name}?v={}", &file.version[..12])),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn the_explorer_weighs_under_150_kb_compressed() {
        let (plain, gzip) = page_weight();
        assert!(gzip < 150 * 1024, "{gzip} bytes gzipped ({plain} plain)");
    }

    #[test]
    fn gzip_unless_refused() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            accepts_gzip(&h)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, gzip;q=0.8"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("br"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
