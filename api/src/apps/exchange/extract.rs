//! `WithToken<T>`: a JSON body and its caller, whose token may come from
//! `Authorization: Bearer`, a `token` query parameter, or the body's own
//! `token` field (the spec passes the token "as a parameter").
//!
//! The caller is authenticated before the body's other fields are checked, so
//! a request without a valid token is a 401 whatever else is wrong with it.

use axum::{
    extract::{FromRequest, OptionalFromRequestParts, Request},
    http::request::Parts,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use validator::Validate;

use super::ExchangeUser;
use crate::{error::ApiError, extract::json_rejection, state::AppState};

pub const NO_TOKEN: &str =
    "a token is required: `Authorization: Bearer <token>`, a `token` query parameter or a `token` body field";

pub struct WithToken<T> {
    pub user: ExchangeUser,
    pub body: T,
}

/// The caller from the header or the query, if either carries a token.
async fn from_parts(parts: &mut Parts, state: &AppState) -> Result<Option<ExchangeUser>, ApiError> {
    <ExchangeUser as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state).await
}

/// The caller of a body-less POST: header, query, or a JSON `{"token"}` body if one was sent.
pub async fn caller(req: Request, state: &AppState) -> Result<ExchangeUser, ApiError> {
    let (mut parts, body) = req.into_parts();
    if let Some(user) = from_parts(&mut parts, state).await? {
        return Ok(user);
    }
    let bytes = axum::body::to_bytes(body, crate::extract::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::PayloadTooLarge("the request body is too large".into()))?;
    let token = serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| body_token(&v));
    match token {
        Some(raw) => ExchangeUser::from_token(state, &raw).await,
        None => Err(ApiError::Unauthorized(NO_TOKEN.into())),
    }
}

fn body_token(value: &Value) -> Option<String> {
    value.get("token").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_owned)
}

impl<T> FromRequest<AppState> for WithToken<T>
where
    T: DeserializeOwned + Validate,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let from_header = from_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let axum::Json(value) =
            axum::Json::<Value>::from_request(req, state).await.map_err(json_rejection)?;
        let user = match (from_header, body_token(&value)) {
            (Some(user), _) => user,
            (None, Some(raw)) => ExchangeUser::from_token(state, &raw).await?,
            (None, None) => return Err(ApiError::Unauthorized(NO_TOKEN.into())),
        };
        // Through axum's parser again, for its field paths in error messages.
        let bytes = serde_json::to_vec(&value).map_err(ApiError::internal)?;
        let axum::Json(body) = axum::Json::<T>::from_bytes(&bytes).map_err(json_rejection)?;
        body.validate()?;
        Ok(Self { user, body })
    }
}
