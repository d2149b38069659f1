//! `AdminForm<T>`: every POST of the panel. It needs a live session and the
//! session's CSRF token in the `_csrf` field (403 otherwise), then parses the
//! rest of the form into `T`. Taking it is the only way a handler gets form
//! data, so no form can skip the check.

use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::{Deserialize, de::DeserializeOwned};

use super::{error::PageError, session::Admin};
use crate::{error::ApiError, state::AppState};

/// Largest form body (product descriptions are at most 10,000 characters).
const FORM_LIMIT: usize = 64 * 1024;

pub struct AdminForm<T> {
    pub admin: Admin,
    pub data: T,
}

/// A form with no fields but its CSRF token (buttons).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

impl<T: DeserializeOwned> FromRequest<AppState> for AdminForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let admin = Admin::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| ApiError::PayloadTooLarge("the form is too large".into()))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| ApiError::BadRequest("the form is not URL-encoded".into()))?;
        let token = pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.as_str());
        if !admin.csrf_matches(token) {
            tracing::warn!(admin_id = admin.id, "admin form refused: missing or wrong CSRF token");
            return Err(ApiError::Forbidden(
                "this form's security token is missing or out of date: reload the page and try again".into(),
            )
            .into());
        }
        let data = serde_urlencoded::from_bytes(&bytes).map_err(|e| ApiError::Validation {
            detail: format!("the form is incomplete: {e}"),
            errors: vec![],
        })?;
        Ok(Self { admin, data })
    }
}
