//! `Authed<A>`: the caller of app `A`, from `Authorization: <scheme> <token>`
//! (or a `token` query parameter where the app's spec passes it so).

use std::marker::PhantomData;

use axum::{
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::{header, request::Parts},
};

use super::{revocations, token::Claims};
use crate::{error::ApiError, state::AppState};

/// What tells one app's tokens from another's.
pub trait Audience: Send + Sync + 'static {
    /// The `aud` claim of this app's user tokens.
    const AUD: &'static str;
    /// Words accepted before the token in `Authorization`.
    const SCHEMES: &'static [&'static str] = &["Bearer"];
    /// Whether a `token` query parameter may carry the token.
    const QUERY_TOKEN: bool = false;
}

/// An authenticated user of app `A`: signature, expiry, audience and
/// revocation all checked.
#[derive(Debug, Clone)]
pub struct Authed<A> {
    pub user_id: i64,
    pub claims: Claims,
    _app: PhantomData<A>,
}

impl<A: Audience> Authed<A> {
    /// Authenticates a raw token (from wherever the app takes it).
    pub async fn from_token(state: &AppState, raw: &str) -> Result<Self, ApiError> {
        let claims = state.tokens.verify(raw, A::AUD)?;
        if revocations::is_revoked(state, &claims.jti, claims.exp).await? {
            return Err(ApiError::Unauthorized("the token has been revoked".into()));
        }
        Ok(Self { user_id: claims.user_id()?, claims, _app: PhantomData })
    }
}

/// The answer to a valid token whose user row has been deleted since.
pub fn user_gone() -> ApiError {
    ApiError::Unauthorized("the token's user no longer exists".into())
}

/// For the paths where the caller's own row was not found: 401 when the
/// caller's user is gone (`exists` says), else `otherwise`. Success paths,
/// whose rows prove the user exists, never pay this lookup.
pub fn gone_or(exists: diesel::QueryResult<bool>, otherwise: ApiError) -> ApiError {
    match exists {
        Ok(true) => otherwise,
        Ok(false) => user_gone(),
        Err(e) => e.into(),
    }
}

/// The raw token of a request, if it carries one; `Err` when `Authorization`
/// is present but not of an accepted scheme. Public for extractors that take
/// more than one kind of token (/ar's user or app tokens).
pub fn bearer_token<A: Audience>(parts: &Parts) -> Result<Option<String>, ApiError> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| ApiError::Unauthorized("the Authorization header is not text".into()))?;
        let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
        let accepted = A::SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme));
        let token = rest.trim();
        if !accepted || token.is_empty() {
            return Err(ApiError::Unauthorized(format!(
                "expected `Authorization: {} <token>`",
                A::SCHEMES[0]
            )));
        }
        return Ok(Some(token.to_owned()));
    }
    if A::QUERY_TOKEN
        && let Some(token) = parts.uri.query().and_then(form_urlencoded_token)
    {
        return Ok(Some(token));
    }
    Ok(None)
}

fn form_urlencoded_token(query: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, v)| k == "token" && !v.is_empty())
        .map(|(_, v)| v)
}

impl<A: Audience> FromRequestParts<AppState> for Authed<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match bearer_token::<A>(parts)? {
            Some(raw) => Self::from_token(state, &raw).await,
            None => Err(ApiError::Unauthorized(missing_token::<A>())),
        }
    }
}

/// What a request without any token is told: every way this app takes one.
fn missing_token<A: Audience>() -> String {
    if A::QUERY_TOKEN {
        format!(
            "a token is required: `Authorization: {} <token>` or a `token` query parameter",
            A::SCHEMES[0]
        )
    } else {
        "a bearer token is required".into()
    }
}

/// `Option<Authed<A>>`: `None` only when no token was sent at all; a bad token
/// is still refused.
impl<A: Audience> OptionalFromRequestParts<AppState> for Authed<A> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match bearer_token::<A>(parts)? {
            Some(raw) => Self::from_token(state, &raw).await.map(Some),
            None => Ok(None),
        }
    }
}
