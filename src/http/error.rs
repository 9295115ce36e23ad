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

use crate::domain::InvalidInput;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
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

/// What the access log adds to a failed request's line: the cause behind a
/// 5xx (never sent to the client), or that a 503 is only the warm-up.
#[derive(Clone, Debug)]
pub enum Failure {
    Cause(String),
    WarmUp,
}

impl From<InvalidInput> for ApiError {
    fn from(e: InvalidInput) -> Self {
        Self::BadRequest(e.to_string())
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
        let body = ErrorBody {
            error: self.to_string(),
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let Some(failure) = failure {
            response.extensions_mut().insert(failure);
        }
        response
    }
}

pub async fn not_found(uri: Uri) -> ApiError {
    let path: String = uri.path().chars().take(200).collect();
    ApiError::NotFound(format!("no such endpoint: {path}"))
}

pub async fn method_not_allowed() -> (StatusCode, Json<ErrorBody>) {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(ErrorBody {
            error: "method not allowed: this API is read-only, use GET".into(),
        }),
    )
}
