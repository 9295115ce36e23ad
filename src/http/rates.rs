//! `GET /rates`: daily average prices between two locations.

use axum::{
    extract::{Query, State, rejection::QueryRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use super::{ApiError, AppState, ErrorBody};
use crate::{
    domain::{DailyRate, DayRange, InvalidInput, LocationCode, parse_day},
    read_model::{Side, digest, lanes::day_number},
};

/// Longest query string considered; real queries are under 100 bytes.
const MAX_QUERY_LEN: usize = 1024;

/// The query parameters, as documented. Parsed by hand (see [`RatesRequest::parse`])
/// so that aliases, duplicates and unknown names get precise errors.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct RatesParams {
    /// First day, inclusive (YYYY-MM-DD).
    #[param(example = "2021-01-01")]
    date_from: String,
    /// Last day, inclusive (YYYY-MM-DD).
    #[param(example = "2021-01-31")]
    date_to: String,
    /// Origin port code or region slug (alias: `origin`).
    #[param(example = "CNGGZ")]
    orig_code: String,
    /// Destination port code or region slug (alias: `destination`).
    #[param(example = "EETLL")]
    dest_code: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RatesResponse {
    /// One entry per day of the range, newest first.
    rates: Vec<DailyRate>,
}

/// A validated `/rates` request.
#[derive(Debug, PartialEq)]
struct RatesRequest {
    range: DayRange,
    origin: LocationCode,
    destination: LocationCode,
}

#[utoipa::path(get, path = "/rates", tag = "rates", params(RatesParams),
    responses(
        (status = 200, description = "Daily average prices, newest day first. \
            The `ETag` changes whenever the data does; send it back in `If-None-Match`.",
            body = RatesResponse),
        (status = 304, description = "Unchanged since the `ETag` given in `If-None-Match`"),
        (status = 400, description = "Invalid or unknown parameter", body = ErrorBody)))]
pub async fn rates(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(pairs) = query.map_err(|_| ApiError::BadRequest("malformed query string".into()))?;
    let request = RatesRequest::parse(&pairs, state.config.max_range_days)?;
    let snapshot = state.model.snapshot().ok_or(ApiError::Loading)?;
    let route = snapshot
        .route(&request.origin, &request.destination)
        .map_err(|side| unknown_location(side, &request))?;
    let etag = etag(snapshot.version());
    let validators = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    if matches_etag(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, validators).into_response());
    }
    let question = (
        request.origin.to_string(),
        request.destination.to_string(),
        day_number(request.range.from()),
        day_number(request.range.to()),
        "json",
    );
    let body = snapshot.answers().get_or_compute(question, || {
        let rates = route.daily_rates(request.range);
        serde_json::to_vec(&RatesResponse { rates })
            .expect("rates serialize")
            .into()
    });
    let json = [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    )];
    Ok((validators, json, body).into_response())
}

/// The content version with the release mixed in: a new release may answer
/// the same data differently, so caches must not keep the old answer.
fn etag(version: u64) -> HeaderValue {
    static RELEASE: std::sync::LazyLock<u64> =
        std::sync::LazyLock::new(|| digest::bytes(env!("CARGO_PKG_VERSION").as_bytes()));
    let tag = version ^ RELEASE.rotate_left(29);
    HeaderValue::try_from(format!("\"{tag:016x}\"")).expect("hex is a valid header value")
}

fn unknown_location(side: Side, request: &RatesRequest) -> ApiError {
    let (param, location) = match side {
        Side::Origin => ("orig_code", &request.origin),
        Side::Destination => ("dest_code", &request.destination),
    };
    InvalidInput::new(
        param,
        format!("unknown port code or region slug {location}"),
    )
    .into()
}

/// `If-None-Match` holds our current tag (or `*`); weak tags compare equal
/// to strong ones for this purpose (RFC 9110, 13.1.2).
fn matches_etag(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.to_str().unwrap_or_default();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == ours || tag == "*")
}

/// Canonical parameter names and their accepted aliases.
const PARAMS: [(&str, &str); 4] = [
    ("date_from", "date_from"),
    ("date_to", "date_to"),
    ("orig_code", "origin"),
    ("dest_code", "destination"),
];

impl RatesRequest {
    fn parse(pairs: &[(String, String)], max_days: u32) -> Result<Self, InvalidInput> {
        let total: usize = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        if total > MAX_QUERY_LEN {
            return Err(InvalidInput::new(
                "query",
                format!("longer than {MAX_QUERY_LEN} bytes"),
            ));
        }
        let mut values: [Option<&str>; 4] = [None; 4];
        for (key, value) in pairs {
            let slot = PARAMS
                .iter()
                .position(|(name, alias)| key == name || key == alias)
                .ok_or_else(|| unknown_parameter(key))?;
            if values[slot].replace(value).is_some() {
                return Err(InvalidInput::new(PARAMS[slot].0, "given more than once"));
            }
        }
        let required = |slot: usize| {
            values[slot].ok_or_else(|| InvalidInput::new(PARAMS[slot].0, "is required"))
        };
        let from = parse_day("date_from", required(0)?)?;
        let to = parse_day("date_to", required(1)?)?;
        let origin = LocationCode::parse("orig_code", required(2)?)?;
        let destination = LocationCode::parse("dest_code", required(3)?)?;
        Ok(Self {
            range: DayRange::new(from, to, max_days)?,
            origin,
            destination,
        })
    }
}

fn unknown_parameter(key: &str) -> InvalidInput {
    let shown: String = key.chars().take(32).collect();
    InvalidInput::new(
        "query",
        format!(
            "unknown parameter {shown:?}; expected date_from, date_to, orig_code (or origin), dest_code (or destination)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &[(&str, &str)]) -> Result<RatesRequest, InvalidInput> {
        let pairs: Vec<_> = q
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        RatesRequest::parse(&pairs, 366)
    }

    const OK: [(&str, &str); 4] = [
        ("date_from", "2021-01-01"),
        ("date_to", "2021-01-31"),
        ("orig_code", "CNGGZ"),
        ("dest_code", "EETLL"),
    ];

    #[test]
    fn parses_a_complete_query() {
        let r = parse(&OK).unwrap();
        assert_eq!(r.origin.as_str(), "CNGGZ");
        assert_eq!(r.range.len(), 31);
    }

    #[test]
    fn accepts_aliases() {
        let mut q = OK;
        q[2].0 = "origin";
        q[3].0 = "destination";
        assert_eq!(parse(&q).unwrap(), parse(&OK).unwrap());
    }

    #[test]
    fn each_missing_parameter_is_named() {
        for (i, (name, _)) in PARAMS.iter().enumerate() {
            let q: Vec<_> = OK
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, p)| *p)
                .collect();
            let err = parse(&q).unwrap_err();
            assert_eq!(err.param, *name);
            assert!(err.message.contains("required"));
        }
    }

    #[test]
    fn duplicates_and_alias_clashes_are_rejected() {
        let mut q = OK.to_vec();
        q.push(("origin", "CNSGH"));
        assert_eq!(parse(&q).unwrap_err().param, "orig_code");
        let mut q = OK.to_vec();
        q.push(("date_to", "2021-01-31"));
        assert_eq!(parse(&q).unwrap_err().param, "date_to");
    }

    #[test]
    fn unknown_and_oversized_parameters_are_rejected() {
        let mut q = OK.to_vec();
        q.push(("date_form", "x"));
        assert!(parse(&q).unwrap_err().message.contains("date_form"));
        let long = "A".repeat(2000);
        let mut q = OK.to_vec();
        q[2].1 = &long;
        assert_eq!(parse(&q).unwrap_err().param, "query");
    }

    #[test]
    fn etags_change_with_the_release_as_well_as_the_data() {
        let (a, b) = (etag(1), etag(2));
        assert_ne!(a, b);
        assert_ne!(a.to_str().unwrap(), format!("\"{:016x}\"", 1));
    }

    #[test]
    fn empty_location_is_rejected() {
        let mut q = OK;
        q[3].1 = "";
        let err = parse(&q).unwrap_err();
        assert_eq!(err.param, "dest_code");
    }
}
