//! `GET /rates`: daily average prices between two locations.

use axum::{
    extract::{Query, State, rejection::QueryRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use super::{
    ApiError, AppState, ErrorBody,
    error::{InvalidRequest, Problem},
    locations, negotiate,
};
use crate::{
    domain::{DailyRate, DayRange, InvalidInput, LocationCode, parse_day},
    read_model::{Reference, Side, digest, lanes::day_number},
};

/// Longest query string considered; real queries are under 100 bytes.
const MAX_QUERY_LEN: usize = 1024;

/// The query parameters, as documented (dates: `YYYY-MM-DD` from year 0001,
/// month 01-12, day 01-31; codes: what [`LocationCode`] accepts). Parsed by hand (see [`RatesRequest::parse`])
/// so that aliases, duplicates and unknown names get precise errors. The
/// served document adds the loaded codes and slugs as an `enum` of
/// `orig_code` and `dest_code`, and examples that have prices (`openapi`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct RatesParams {
    /// First day, inclusive (YYYY-MM-DD), at most `max_range_days` (366) before `date_to`.
    #[param(value_type = String, format = Date, example = "2021-01-01", pattern = "^([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", min_length = 10, max_length = 10)]
    date_from: String,
    /// Last day, inclusive (YYYY-MM-DD), not before `date_from`.
    #[param(value_type = String, format = Date, example = "2021-01-31", pattern = "^([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", min_length = 10, max_length = 10)]
    date_to: String,
    /// Origin port code or region slug (alias: `origin`).
    #[param(
        example = "CNGGZ",
        pattern = "^[A-Za-z0-9_-]+$",
        min_length = 1,
        max_length = 64
    )]
    orig_code: String,
    /// Destination port code or region slug (alias: `destination`).
    #[param(
        example = "EETLL",
        pattern = "^[A-Za-z0-9_-]+$",
        min_length = 1,
        max_length = 64
    )]
    dest_code: String,
    /// `csv` for `text/csv` (same rows, a header line, an empty price for null);
    /// without it, `Accept: text/csv` chooses CSV too. Default: JSON.
    #[param(inline, example = "json")]
    format: Option<Format>,
}

/// The representation of a `/rates` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = RatesFormat)]
#[allow(dead_code)] // named in the document only
enum Format {
    #[schema(rename = "json")]
    Json,
    #[schema(rename = "csv")]
    Csv,
}

impl Format {
    fn parse(raw: &str) -> Result<Self, InvalidInput> {
        match raw {
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            _ => Err(InvalidInput::new("format", "expected json or csv")),
        }
    }

    /// The answer cache's representation key.
    fn key(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }

    fn negotiated(headers: &HeaderMap) -> Self {
        match negotiate::preferred(headers, &[JSON, CSV]) {
            Some(CSV) => Self::Csv,
            _ => Self::Json,
        }
    }
}

const JSON: &str = "application/json";
const CSV: &str = "text/csv";

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
    format: Option<Format>,
}

#[utoipa::path(get, path = "/rates", tag = "rates", params(RatesParams),
    summary = "Daily average prices between two ports or regions",
    description = "One entry per day of the inclusive range, newest first: `count` prices that \
        day from any port of the origin to any port of the destination, and `price`, their mean \
        in USD, or null when there are fewer than 3. A region stands for every port below it, \
        however deep. JSON by default; CSV with `format=csv` or `Accept: text/csv`.",
    responses(
        (status = 200, description = "Daily average prices, newest day first. \
            The `ETag` changes whenever the data does; send it back in `If-None-Match`.",
            headers(
                ("ETag" = String, description = "The version of this answer"),
                ("Vary" = String, description = "Accept")),
            content(
                (RatesResponse = "application/json"),
                (String = "text/csv", example = "day,count,price\n2021-01-31,3,1154.3333333333333\n2021-01-30,2,\n"))),
        (status = 304, description = "Unchanged since the `ETag` given in `If-None-Match`"),
        (status = 400, description = "Invalid or unknown parameter, or an unknown port code or \
            region slug (with `suggestions`)", body = InvalidRequest),
        (status = 503, description = "Starting up: the rates are not loaded yet; or the request \
            took too long", body = ErrorBody)))]
pub async fn rates(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(pairs) = query.map_err(|_| ApiError::BadRequest("malformed query string".into()))?;
    let request = RatesRequest::parse(&pairs, state.config.max_range_days)?;
    let format = request
        .format
        .unwrap_or_else(|| Format::negotiated(&headers));
    let snapshot = state.model.snapshot().ok_or(ApiError::Loading)?;
    let route = snapshot
        .route(&request.origin, &request.destination)
        .map_err(|side| unknown_location(side, &request, snapshot.reference()))?;
    let etag = etag(snapshot.version(), format);
    let validators = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::VARY, HeaderValue::from_static("Accept")),
    ];
    if negotiate::if_none_match(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, validators).into_response());
    }
    let question = (
        request.origin.to_string(),
        request.destination.to_string(),
        day_number(request.range.from()),
        day_number(request.range.to()),
        format.key(),
    );
    let body = snapshot.answers().get_or_compute(question, || {
        let rates = route.daily_rates(request.range);
        match format {
            Format::Json => serde_json::to_vec(&RatesResponse { rates })
                .expect("rates serialize")
                .into(),
            Format::Csv => csv(&rates).into(),
        }
    });
    let mut response = (validators, body).into_response();
    let headers = response.headers_mut();
    match format {
        Format::Json => {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
        }
        Format::Csv => {
            let csv = HeaderValue::from_static("text/csv; charset=utf-8; header=present");
            headers.insert(header::CONTENT_TYPE, csv);
            headers.insert(header::CONTENT_DISPOSITION, attachment(&request));
        }
    }
    Ok(response)
}

/// The same rows as the JSON: `day,count,price`, newest first, the price
/// written exactly as in JSON and empty for null.
pub(super) fn csv(rates: &[DailyRate]) -> Vec<u8> {
    let mut out = String::with_capacity(16 + rates.len() * 32);
    out.push_str("day,count,price\n");
    for r in rates {
        let price = r
            .price
            .map(|p| serde_json::to_string(&p).expect("a finite mean"))
            .unwrap_or_default();
        out.push_str(&format!("{},{},{}\n", r.day, r.count, price));
    }
    out.into_bytes()
}

/// A file name for saving: codes and slugs are `[A-Za-z0-9_-]`.
fn attachment(request: &RatesRequest) -> HeaderValue {
    let name = format!(
        "attachment; filename=\"rates_{}_{}_{}_{}.csv\"",
        request.origin,
        request.destination,
        request.range.from(),
        request.range.to()
    );
    HeaderValue::try_from(name).expect("a valid header value")
}

/// The content version with the release mixed in: a new release may answer
/// the same data differently, so caches must not keep the old answer. Each
/// representation has its own tag (a tag names one representation).
fn etag(version: u64, format: Format) -> HeaderValue {
    static RELEASE: std::sync::LazyLock<u64> =
        std::sync::LazyLock::new(|| digest::bytes(env!("CARGO_PKG_VERSION").as_bytes()));
    let tag = version ^ RELEASE.rotate_left(29);
    let suffix = match format {
        Format::Json => "",
        Format::Csv => "-csv",
    };
    HeaderValue::try_from(format!("\"{tag:016x}{suffix}\"")).expect("hex is a valid header value")
}

fn unknown_location(side: Side, request: &RatesRequest, reference: &Reference) -> ApiError {
    let (param, location) = match side {
        Side::Origin => ("orig_code", &request.origin),
        Side::Destination => ("dest_code", &request.destination),
    };
    let input = InvalidInput::new(
        param,
        format!("unknown port code or region slug {location}"),
    );
    ApiError::BadRequest(Problem::with_suggestions(
        input,
        locations::suggestions(reference, location.as_str()),
    ))
}

/// Canonical parameter names and their accepted aliases.
const PARAMS: [(&str, &str); 5] = [
    ("date_from", "date_from"),
    ("date_to", "date_to"),
    ("orig_code", "origin"),
    ("dest_code", "destination"),
    ("format", "format"),
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
        let mut values: [Option<&str>; 5] = [None; 5];
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
        let format = values[4].map(Format::parse).transpose()?;
        Ok(Self {
            range: DayRange::new(from, to, max_days)?,
            origin,
            destination,
            format,
        })
    }
}

fn unknown_parameter(key: &str) -> InvalidInput {
    let shown: String = key.chars().take(32).collect();
    InvalidInput::new(
        "query",
        format!(
            "unknown parameter {shown:?}; expected date_from, date_to, orig_code (or origin), dest_code (or destination), format"
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
        for (i, (name, _)) in PARAMS.iter().enumerate().take(OK.len()) {
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
        let (a, b) = (etag(1, Format::Json), etag(2, Format::Json));
        assert_ne!(a, b);
        assert_ne!(a.to_str().unwrap(), format!("\"{:016x}\"", 1));
        assert_ne!(
            etag(1, Format::Csv),
            a,
            "each representation has its own tag"
        );
    }

    #[test]
    fn format_is_json_or_csv() {
        let mut q = OK.to_vec();
        q.push(("format", "csv"));
        assert_eq!(parse(&q).unwrap().format, Some(Format::Csv));
        q[4].1 = "xml";
        assert_eq!(parse(&q).unwrap_err().param, "format");
        assert_eq!(parse(&OK).unwrap().format, None);
    }

    #[test]
    fn csv_has_the_json_rows() {
        let day = |s: &str| s.parse().unwrap();
        let rates = [
            DailyRate::from_sum(day("2021-01-02"), 3, 3463),
            DailyRate::from_sum(day("2021-01-01"), 3, 3465),
            DailyRate::from_sum(day("2020-12-31"), 1, 7),
        ];
        assert_eq!(
            String::from_utf8(csv(&rates)).unwrap(),
            "day,count,price\n2021-01-02,3,1154.3333333333333\n2021-01-01,3,1155.0\n2020-12-31,1,\n"
        );
    }

    #[test]
    fn empty_location_is_rejected() {
        let mut q = OK;
        q[3].1 = "";
        let err = parse(&q).unwrap_err();
        assert_eq!(err.param, "dest_code");
    }
}
