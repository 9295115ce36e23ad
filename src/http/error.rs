//! The one error type of the HTTP API. Client mistakes say exactly what is
//! wrong; server faults are answered without internals, and their cause is
//! handed to the access log (one line per failure, see `middleware`).

use std::time::Duration;

use axum::{
    Json,
    http::{StatusCode, Uri},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use super::locations::LocationRef;
use crate::domain::InvalidInput;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(Problem),
    #[error("{0}")]
    NotFound(Problem),
    /// The database cannot be reached (or is too slow): retrying may help.
    #[error("database unavailable, retry shortly")]
    Unavailable(#[source] sqlx::Error),
    /// The read model has not finished its first load.
    #[error("starting up: the rates are not loaded yet, retry shortly")]
    Loading,
    #[error("the request took longer than {} s", .0.as_secs())]
    Timeout(Duration),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// The JSON body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What is wrong, naming the parameter when there is one.
    #[schema(example = "date_from: 2021-02-30 is not a valid calendar date")]
    pub error: String,
}

/// A client's mistake: what is wrong, the parameter at fault, and what
/// they may have meant.
#[derive(Debug)]
pub struct Problem {
    message: String,
    param: Option<&'static str>,
    suggestions: Vec<LocationRef>,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            param: None,
            suggestions: Vec::new(),
        }
    }

    /// For `input`, with close matches (named in the message too, for
    /// people reading it in a terminal).
    pub fn with_suggestions(input: InvalidInput, suggestions: Vec<LocationRef>) -> Self {
        let mut message = input.to_string();
        if !suggestions.is_empty() {
            let named: Vec<String> = suggestions
                .iter()
                .map(|s| format!("{} ({})", s.code, s.name))
                .collect();
            message.push_str(&format!("; did you mean {}?", named.join(", ")));
        }
        Self {
            message,
            param: Some(input.param),
            suggestions,
        }
    }
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

impl From<InvalidInput> for Problem {
    fn from(input: InvalidInput) -> Self {
        Self::with_suggestions(input, Vec::new())
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The body of a 400 or 404.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InvalidRequest {
    /// What is wrong, naming the parameter when there is one.
    #[schema(
        example = "orig_code: unknown port code or region slug CNGGX; did you mean CNGGZ (Guangzhou)?"
    )]
    pub error: String,
    /// The parameter at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "orig_code")]
    pub param: Option<&'static str>,
    /// Close matches of an unknown port code or region slug, best first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<LocationRef>,
}

/// What the access log adds to a failed request's line: the cause behind a
/// 5xx (never sent to the client), or that a 503 is only the warm-up.
#[derive(Clone, Debug)]
pub enum Failure {
    Cause(String),
    WarmUp,
}

impl From<InvalidInput> for ApiError {
    fn from(e: InvalidInput) -> Self {
        Self::BadRequest(e.into())
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        // A refused login means the credentials changed under us: re-read
        // them now, and tell the client to retry.
        if crate::secrets::report_if_auth_failure(&e) {
            return Self::Unavailable(e);
        }
        if crate::db::connect::is_unavailable(&e) {
            Self::Unavailable(e)
        } else {
            Self::Internal(e.into())
        }
    }
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unavailable(_) | Self::Loading | Self::Timeout(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn failure(&self) -> Option<Failure> {
        match self {
            Self::Unavailable(e) => Some(Failure::Cause(crate::db::connect::why(e))),
            Self::Internal(e) => Some(Failure::Cause(format!("{e:#}"))),
            Self::Loading => Some(Failure::WarmUp),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let failure = self.failure();
        let status = self.status();
        let mut response = match self {
            Self::BadRequest(problem) | Self::NotFound(problem) => {
                let body = InvalidRequest {
                    error: problem.message,
                    param: problem.param,
                    suggestions: problem.suggestions,
                };
                (status, Json(body)).into_response()
            }
            other => {
                let body = ErrorBody {
                    error: other.to_string(),
                };
                (status, Json(body)).into_response()
            }
        };
        if let Some(failure) = failure {
            response.extensions_mut().insert(failure);
        }
        response
    }
}

pub async fn not_found(uri: Uri) -> ApiError {
    let path: String = uri.path().chars().take(200).collect();
    ApiError::NotFound(format!("no such endpoint: {path}").into())
}

pub async fn method_not_allowed() -> (StatusCode, Json<ErrorBody>) {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(ErrorBody {
            error: "method not allowed: this API is read-only, use GET".into(),
        }),
    )
}
