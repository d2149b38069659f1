//! /exchange registration, login (a temporary token) and logout.

use axum::{extract::State, http::StatusCode};

use super::{
    Exchange, TAG,
    extract::caller,
    json::{CredentialsIn, MessageOut, TokenIn, TokenOut},
    models,
};
use crate::{
    auth::{Audience as _, revocations},
    error::{ApiError, AuthedRead, Conflict, PublicWrite, WrongCredentials},
    extract::Json,
    state::AppState,
};

/// Register a user.
#[utoipa::path(post, path = "/registration", tag = TAG, operation_id = "exchange_register",
    request_body = CredentialsIn,
    responses((status = 201, description = "Registered", body = MessageOut), Conflict, PublicWrite))]
pub async fn register(
    State(state): State<AppState>,
    Json(body): Json<CredentialsIn>,
) -> Result<(StatusCode, Json<MessageOut>), ApiError> {
    let hash = state.passwords.hash("exchange", body.password).await?;
    state
        .db(move |conn| {
            models::insert_user(conn, &body.login, &hash).map_err(|e| {
                if crate::db::is_unique_violation(&e, models::LOGIN_TAKEN) {
                    ApiError::Conflict("this login is taken".into())
                } else {
                    e.into()
                }
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(MessageOut { message: "user registered" })))
}

/// Log in: a temporary token for the other /exchange routes.
#[utoipa::path(post, path = "/login", tag = TAG, operation_id = "exchange_login",
    request_body = CredentialsIn,
    responses(
        (status = 200, description = "Logged in", body = TokenOut),
        WrongCredentials,
        PublicWrite,
    ))]
pub async fn login(
    State(state): State<AppState>,
    Json(body): Json<CredentialsIn>,
) -> Result<Json<TokenOut>, ApiError> {
    let login = body.login;
    let user = state.db(move |conn| Ok(models::find_user(conn, &login)?)).await?;
    let id = state
        .passwords
        .check("exchange", user.map(|u| (u.id, u.password_hash)), body.password)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("wrong login or password".into()))?;
    let ttl = state.config.access_token_ttl;
    let issued = state.tokens.issue(Exchange::AUD, id, ttl, None)?;
    Ok(Json(TokenOut { token: issued.token, token_type: "bearer", expires_in: ttl.as_secs() }))
}

/// Log out: the presented token is refused from now on, on every replica.
#[utoipa::path(post, path = "/logout", tag = TAG, operation_id = "exchange_logout",
    security(("exchange_auth" = []), ("exchange_query" = [])), params(super::json::TokenQuery),
    request_body(content = Option<TokenIn>, description = "Only when the token is sent in the body",
        example = json!({"token": "eyJhbGciOiJIUzI1NiJ9..."})),
    responses((status = 200, description = "Logged out", body = MessageOut), AuthedRead))]
pub async fn logout(
    State(state): State<AppState>,
    req: axum::extract::Request,
) -> Result<Json<MessageOut>, ApiError> {
    let user = caller(req, &state).await?;
    revocations::revoke(&state, &user.claims).await?;
    Ok(Json(MessageOut { message: "logged out" }))
}
