//! What an admin page answers when it cannot do what was asked: a redirect to
//! the sign-in page, or an HTML page with the status and the reason (the same
//! `ApiError` the API uses, so the rules and statuses are the same).

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};

use super::document;
use crate::error::ApiError;

#[derive(Debug)]
pub enum PageError {
    /// No live session: go to the sign-in page.
    SignIn,
    /// Refused or failed, shown as a page with the error's status.
    Api(ApiError),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<diesel::result::Error> for PageError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Api(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = match self {
            Self::SignIn => return Redirect::to("/admin/login").into_response(),
            Self::Api(err) => err,
        };
        let status = err.status();
        let detail = err.problem().detail;
        match &err {
            ApiError::Internal(cause) => {
                tracing::error!(error = ?cause, "admin page failed");
                sentry::integrations::anyhow::capture_anyhow(cause);
            }
            ApiError::Unavailable(reason) => tracing::warn!(%reason, "service unavailable"),
            _ => {}
        }
        let mut response = (status, document::error_page(status, &detail)).into_response();
        if let ApiError::TooManyRequests { retry_after_secs } = err {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)));
        }
        response
    }
}

/// What every page handler answers.
pub type PageResult<T = Response> = Result<T, PageError>;

/// A 404 in the panel's words.
pub fn not_found(what: &str) -> PageError {
    PageError::Api(ApiError::not_found(what))
}
