//! What the loaded data covers, finding ports and regions, and one
//! location's place in the tree and busiest lanes: all from the read model,
//! serialized once per snapshot where the answer does not depend on input.

use axum::{
    extract::{Path, Query, State, rejection::QueryRejection},
    response::Response,
};
use bytes::Bytes;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{ApiError, AppState, ErrorBody, error::InvalidRequest, json_response};
use crate::{
    domain::{InvalidInput, LocationCode},
    read_model::{
        Reference, Snapshot,
        coverage::Window,
        lanes::LaneTotal,
        places::{Kind, Place},
    },
};

/// Every price in the data is in this currency (the reference dumps' and
/// the demo generator's).
pub const CURRENCY: &str = "USD";
/// Lanes listed by `/coverage` and `/locations/{code}`.
const LANES_LISTED: usize = 10;
/// Longest `/locations` search text, in characters.
const MAX_QUERY_CHARS: usize = 64;
const MAX_LIMIT: usize = 50;

#[derive(Serialize, utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LocationKind {
    Port,
    Region,
}

/// A port or region, by code and name.
#[derive(Serialize, utoipa::ToSchema, Clone, Debug)]
pub struct LocationRef {
    pub kind: LocationKind,
    /// Port code or region slug: what `/rates` takes.
    #[schema(example = "CNSGH")]
    pub code: String,
    #[schema(example = "Shanghai")]
    pub name: String,
}

impl From<Kind> for LocationKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Port => LocationKind::Port,
            Kind::Region => LocationKind::Region,
        }
    }
}

impl From<&Place> for LocationRef {
    fn from(p: &Place) -> Self {
        Self {
            kind: p.kind.into(),
            code: p.code.clone(),
            name: p.name.clone(),
        }
    }
}

/// Close matches of an unknown code, for "did you mean".
pub fn suggestions(reference: &Reference, unknown: &str) -> Vec<LocationRef> {
    reference
        .places()
        .suggest(unknown, 5)
        .into_iter()
        .map(LocationRef::from)
        .collect()
}

/// A search result: the location and the region it is in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Location {
    pub kind: LocationKind,
    #[schema(example = "CNSGH")]
    pub code: String,
    #[schema(example = "Shanghai")]
    pub name: String,
    /// The region it is in; null for a root region.
    pub parent: Option<LocationRef>,
}

/// A lane's prices over the window.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Lane {
    pub origin: LocationRef,
    pub destination: LocationRef,
    /// Prices in the window.
    #[schema(example = 93)]
    pub prices: u64,
    /// Days of the window with at least one price.
    #[schema(example = 31)]
    pub days_with_prices: u32,
    /// Days of the window with an average (3 prices or more).
    #[schema(example = 31)]
    pub days_with_average: u32,
    /// In `/locations/{code}` only: true when the lane starts in the
    /// location, false when it only ends there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbound: Option<bool>,
}

/// The last 30 days that have prices (fewer when the data has fewer).
#[derive(Serialize, utoipa::ToSchema, Clone, Copy)]
pub struct DataWindow {
    #[schema(value_type = String, format = Date, example = "2021-01-02")]
    pub date_from: NaiveDate,
    #[schema(value_type = String, format = Date, example = "2021-01-31")]
    pub date_to: NaiveDate,
    #[schema(example = 30)]
    pub days_with_prices: usize,
}

/// A `/rates` query that has prices.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SuggestedQuery {
    #[schema(value_type = String, format = Date, example = "2021-01-02")]
    pub date_from: NaiveDate,
    #[schema(value_type = String, format = Date, example = "2021-01-31")]
    pub date_to: NaiveDate,
    #[schema(example = "CNGGZ")]
    pub orig_code: String,
    #[schema(example = "EETLL")]
    pub dest_code: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CoverageResponse {
    /// First day with prices; null when there are none.
    #[schema(value_type = Option<String>, format = Date, example = "2021-01-01")]
    pub first_day: Option<NaiveDate>,
    /// Last day with prices; null when there are none.
    #[schema(value_type = Option<String>, format = Date, example = "2021-01-31")]
    pub last_day: Option<NaiveDate>,
    /// The last 30 days that have prices; null when there are none.
    pub window: Option<DataWindow>,
    /// The currency of every price.
    #[schema(example = "USD")]
    pub currency: &'static str,
    /// The busiest port-to-port lanes over the window, at most 10 (no more
    /// than two from or to one port while others have prices).
    pub lanes: Vec<Lane>,
    /// A first look: the lane with an average on the most days of the
    /// window, over the window (shortened to `max_range_days`); null when
    /// there are no prices.
    pub suggested: Option<SuggestedQuery>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LocationDetail {
    pub kind: LocationKind,
    #[schema(example = "china_main")]
    pub code: String,
    #[schema(example = "China Main")]
    pub name: String,
    /// The regions it is in, the root first.
    pub path: Vec<LocationRef>,
    /// Its direct child regions (none for a port).
    pub regions: Vec<LocationRef>,
    /// The ports directly in it (none for a port).
    pub ports: Vec<LocationRef>,
    /// How many ports it stands for in `/rates`.
    #[schema(example = 12)]
    pub port_count: usize,
    /// The window the lanes are counted over; null when there are no prices.
    pub window: Option<DataWindow>,
    /// Its busiest lanes, from or to it, over the window; at most 10.
    pub lanes: Vec<Lane>,
    /// The currency of every price.
    #[schema(example = "USD")]
    pub currency: &'static str,
}

#[utoipa::path(get, path = "/coverage", tag = "rates",
    summary = "What the loaded data covers, and a query worth a first look",
    description = "The first and last day with prices, the last 30 days that have prices, the \
        busiest lanes then, and a suggested `/rates` query. Served from memory; computed once \
        per change of the data.",
    responses(
        (status = 200, description = "The coverage of the loaded data", body = CoverageResponse),
        (status = 503, description = "Starting up: the rates are not loaded yet", body = ErrorBody)))]
pub async fn coverage(State(state): State<AppState>) -> Result<Response, ApiError> {
    let snapshot = state.model.snapshot().ok_or(ApiError::Loading)?;
    let max_days = state.config.max_range_days;
    let body = snapshot
        .answers()
        .get_or_compute((String::new(), String::new(), 0, 0, "coverage"), || {
            json_bytes(&coverage_of(&snapshot, max_days))
        });
    Ok(json_response(body))
}

pub fn coverage_of(snapshot: &Snapshot, max_days: u32) -> CoverageResponse {
    let coverage = snapshot.coverage();
    let reference = snapshot.reference();
    let window = coverage.window.map(DataWindow::from);
    let suggested = coverage
        .suggested()
        .zip(coverage.window)
        .map(|(lane, w)| SuggestedQuery {
            date_from: shortened(w, max_days),
            date_to: w.to,
            orig_code: reference.code(lane.origin).to_owned(),
            dest_code: reference.code(lane.destination).to_owned(),
        });
    CoverageResponse {
        first_day: coverage.first_day,
        last_day: coverage.last_day,
        window,
        currency: CURRENCY,
        lanes: coverage
            .busiest(LANES_LISTED)
            .into_iter()
            .map(|l| lane(reference, l))
            .collect(),
        suggested,
    }
}

/// The window's first day, or later so the range fits `max_days`.
fn shortened(w: Window, max_days: u32) -> NaiveDate {
    let earliest =
        w.to.checked_sub_days(Days::new(u64::from(max_days.max(1)) - 1))
            .unwrap_or(w.from);
    w.from.max(earliest)
}

impl From<Window> for DataWindow {
    fn from(w: Window) -> Self {
        Self {
            date_from: w.from,
            date_to: w.to,
            days_with_prices: w.days_with_prices,
        }
    }
}

fn lane(reference: &Reference, l: &LaneTotal) -> Lane {
    let place = |id| {
        let code = reference.code(id);
        reference.places().get(code).map_or_else(
            || LocationRef {
                kind: LocationKind::Port,
                code: code.to_owned(),
                name: code.to_owned(),
            },
            LocationRef::from,
        )
    };
    Lane {
        origin: place(l.origin),
        destination: place(l.destination),
        prices: l.prices,
        days_with_prices: l.days_with_prices,
        days_with_average: l.days_with_average,
        outbound: None,
    }
}

/// The `/locations` query: parsed by hand so unknown parameters are named.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct SearchParams {
    /// Part of a name, code or slug, in any case ("shang", "cnsgh", "china main").
    #[param(example = "shang", max_length = 64)]
    q: Option<String>,
    /// Most results (1 to 50, default 10).
    #[param(example = 10, minimum = 1, maximum = 50)]
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/locations", tag = "reference",
    summary = "Find ports and regions by name, code or slug",
    description = "Case- and accent-insensitive: exact codes and names first, then prefixes, \
        then substrings. Without `q`, no results.",
    params(SearchParams),
    responses(
        (status = 200, description = "Matching ports and regions, best first", body = [Location]),
        (status = 400, description = "Invalid or unknown parameter", body = InvalidRequest),
        (status = 503, description = "Starting up: the rates are not loaded yet", body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(pairs) = query.map_err(|_| ApiError::BadRequest("malformed query string".into()))?;
    let (q, limit) = parse_search(&pairs)?;
    let snapshot = state.model.snapshot().ok_or(ApiError::Loading)?;
    let places = snapshot.reference().places();
    let found: Vec<Location> = places
        .search(&q, limit)
        .into_iter()
        .map(|p| Location {
            parent: p
                .parent
                .as_deref()
                .and_then(|slug| places.get(slug))
                .map(LocationRef::from),
            kind: p.kind.into(),
            code: p.code.clone(),
            name: p.name.clone(),
        })
        .collect();
    Ok(json_response(json_bytes(&found)))
}

fn parse_search(pairs: &[(String, String)]) -> Result<(String, usize), InvalidInput> {
    let (mut q, mut limit) = (None, None);
    for (key, value) in pairs {
        let slot = match key.as_str() {
            "q" => &mut q,
            "limit" => &mut limit,
            other => {
                let shown: String = other.chars().take(32).collect();
                return Err(InvalidInput::new(
                    "query",
                    format!("unknown parameter {shown:?}; expected q, limit"),
                ));
            }
        };
        if slot.replace(value.as_str()).is_some() {
            let param = if key == "q" { "q" } else { "limit" };
            return Err(InvalidInput::new(param, "given more than once"));
        }
    }
    let q = q.unwrap_or_default();
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(InvalidInput::new(
            "q",
            format!("is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = match limit {
        None => 10,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                InvalidInput::new(
                    "limit",
                    format!("expected an integer from 1 to {MAX_LIMIT}"),
                )
            })?,
    };
    Ok((q.to_owned(), limit))
}

#[utoipa::path(get, path = "/locations/{code}", tag = "reference",
    summary = "A port or region: where it is in the tree, what is in it, its busiest lanes",
    params(("code" = String, Path, description = "Port code or region slug",
        example = "china_main", min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_-]+$")),
    responses(
        (status = 200, description = "The location", body = LocationDetail),
        (status = 400, description = "Malformed code", body = InvalidRequest),
        (status = 404, description = "No such port or region; `suggestions` has close matches",
            body = InvalidRequest),
        (status = 503, description = "Starting up: the rates are not loaded yet", body = ErrorBody)))]
pub async fn location(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let code = LocationCode::parse("code", &code)?;
    let snapshot = state.model.snapshot().ok_or(ApiError::Loading)?;
    let reference = snapshot.reference();
    if reference.places().get(code.as_str()).is_none() {
        return Err(not_found(reference, &code));
    }
    let question = (code.to_string(), String::new(), 0, 0, "location");
    let body = snapshot.answers().get_or_compute(question, || {
        json_bytes(&detail(&snapshot, code.as_str()).expect("checked above"))
    });
    Ok(json_response(body))
}

fn not_found(reference: &Reference, code: &LocationCode) -> ApiError {
    let input = InvalidInput::new("code", format!("no port or region {code}"));
    ApiError::NotFound(super::error::Problem::with_suggestions(
        input,
        suggestions(reference, code.as_str()),
    ))
}

fn detail(snapshot: &Snapshot, code: &str) -> Option<LocationDetail> {
    let reference = snapshot.reference();
    let places = reference.places();
    let place = places.get(code)?;
    let (regions, ports) = places.children(code);
    let refs = |v: Vec<&Place>| v.into_iter().map(LocationRef::from).collect::<Vec<_>>();
    let covered = reference.ports_of(code).unwrap_or(&[]);
    let coverage = snapshot.coverage();
    Some(LocationDetail {
        kind: place.kind.into(),
        code: place.code.clone(),
        name: place.name.clone(),
        path: refs(places.ancestors(place)),
        regions: if place.kind == Kind::Region {
            refs(regions)
        } else {
            Vec::new()
        },
        ports: if place.kind == Kind::Region {
            refs(ports)
        } else {
            Vec::new()
        },
        port_count: covered.len(),
        window: coverage.window.map(DataWindow::from),
        lanes: coverage
            .lanes_touching(covered, LANES_LISTED)
            .into_iter()
            .map(|l| Lane {
                outbound: Some(covered.binary_search(&l.origin).is_ok()),
                ..lane(reference, l)
            })
            .collect(),
        currency: CURRENCY,
    })
}

fn json_bytes(value: &impl Serialize) -> Bytes {
    serde_json::to_vec(value).expect("serializes").into()
}

/// For 404s of the database-backed `/ports/{code}` and `/regions/{slug}`.
pub fn unknown(state: &AppState, param: &'static str, message: String, code: &str) -> ApiError {
    let suggestions = state
        .model
        .snapshot()
        .map(|s| suggestions(s.reference(), code))
        .unwrap_or_default();
    ApiError::NotFound(super::error::Problem::with_suggestions(
        InvalidInput::new(param, message),
        suggestions,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn search_parameters_are_checked() {
        assert_eq!(parse_search(&pairs(&[])).unwrap(), (String::new(), 10));
        assert_eq!(
            parse_search(&pairs(&[("q", "sha"), ("limit", "3")])).unwrap(),
            ("sha".into(), 3)
        );
        for bad in [
            vec![("limit", "0")],
            vec![("limit", "51")],
            vec![("limit", "x")],
            vec![("q", "a"), ("q", "b")],
            vec![("query", "a")],
        ] {
            assert!(parse_search(&pairs(&bad)).is_err(), "{bad:?}");
        }
        let long = "é".repeat(65);
        assert_eq!(
            parse_search(&pairs(&[("q", &long)])).unwrap_err().param,
            "q"
        );
        assert!(parse_search(&pairs(&[("q", &long[2..])])).is_ok());
    }

    #[test]
    fn suggested_range_fits_the_maximum() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let w = Window {
            from: day("2020-01-01"),
            to: day("2021-06-30"),
            days_with_prices: 30,
        };
        assert_eq!(shortened(w, 366), day("2020-06-30"));
        assert_eq!(shortened(w, 10000), day("2020-01-01"));
        assert_eq!(shortened(w, 1), day("2021-06-30"));
    }
}
