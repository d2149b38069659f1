//! Who calls an /ar route. The extractors check what the token alone tells
//! (signature, expiry, audience, revocation of user tokens, from memory); the checks
//! that need the database run inside the handler's one database closure.

use axum::{extract::FromRequestParts, http::request::Parts};
use diesel::PgConnection;

use super::{APP_AUD, Ar, models};
use crate::{
    auth::{Authed, Claims, extract::bearer_token},
    error::ApiError,
    state::AppState,
};

/// A user token or an app token, for the image target routes.
pub enum Caller {
    User(Authed<Ar>),
    /// An app token's claims; `scope` is its project.
    App(Claims),
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let raw = bearer_token::<Ar>(parts)?
            .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into()))?;
        match Authed::<Ar>::from_token(state, &raw).await {
            Ok(user) => Ok(Self::User(user)),
            // Not a live user token: it may still be an app token.
            Err(user_err) => match state.tokens.verify(&raw, APP_AUD) {
                Ok(claims) if claims.scope.is_some() => Ok(Self::App(claims)),
                _ => Err(user_err),
            },
        }
    }
}

impl Caller {
    /// Whether the caller may reach `project_id`'s targets: the owner of a live
    /// project, or a standing app token of that very project. Another
    /// project's targets answer 404, a token no longer standing 401.
    pub fn check_project(&self, conn: &mut PgConnection, project_id: i64) -> Result<(), ApiError> {
        match self {
            Self::User(user) => models::find_project(conn, user.user_id, project_id)?
                .map(|_| ())
                .ok_or_else(|| missing(conn, user.user_id, "project")),
            Self::App(claims) => match models::live_token_project(conn, &claims.jti)? {
                None => Err(ApiError::Unauthorized(
                    "the app token has been revoked, has expired, or its project was deleted".into(),
                )),
                Some(own) if own == project_id => Ok(()),
                Some(_) => Err(ApiError::not_found("project")),
            },
        }
    }
}

/// A user token only: user and project routes answer 403 to app tokens.
pub struct Owner {
    pub user_id: i64,
    pub claims: Claims,
}

impl FromRequestParts<AppState> for Owner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::User(user) => Ok(Self { user_id: user.user_id, claims: user.claims }),
            Caller::App(_) => Err(ApiError::Forbidden(
                "app tokens reach image targets only; this route takes a user token".into(),
            )),
        }
    }
}

impl Owner {
    /// Refuses the token of a user deleted since it was issued.
    pub fn check(&self, conn: &mut PgConnection) -> Result<(), ApiError> {
        match models::user_login(conn, self.user_id)? {
            Some(_) => Ok(()),
            None => Err(crate::auth::user_gone()),
        }
    }

    /// The caller's live project, or 404 (someone else's answers the same).
    pub fn project(&self, conn: &mut PgConnection, project_id: i64) -> Result<models::Project, ApiError> {
        models::find_project(conn, self.user_id, project_id)?
            .ok_or_else(|| missing(conn, self.user_id, "project"))
    }
}

/// 404 for `what`, or 401 when the caller's user is gone (their projects,
/// tokens and targets went with them): asked only where a row was missing.
pub fn missing(conn: &mut PgConnection, user_id: i64, what: &str) -> ApiError {
    crate::auth::gone_or(
        models::user_login(conn, user_id).map(|login| login.is_some()),
        ApiError::not_found(what),
    )
}
