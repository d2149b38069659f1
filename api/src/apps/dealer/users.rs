//! /dealer registration, authentication (a JWT) and logout, in the spec's words.

use axum::{extract::State, http::StatusCode};

use super::{
    Dealer, DealerUser, TAG,
    errors::{PublicBody, TokenRead},
    json::{CredentialsIn, ErrorOut, MessageOut, TokenOut},
    models,
};
use crate::{
    auth::{Audience as _, revocations},
    error::ApiError,
    extract::Json,
    state::AppState,
};

/// Register a user.
#[utoipa::path(post, path = "/register", tag = TAG, operation_id = "dealer_register",
    request_body = CredentialsIn,
    responses(
        (status = 201, description = "Registered", body = MessageOut, example = json!({"Message": "User created. Try to auth"})),
        (status = 400, description = "The user exists, or the body is not JSON", body = ErrorOut, example = json!({"Error": "User already exists"})),
        PublicBody,
    ))]
pub async fn register(
    State(state): State<AppState>,
    Json(body): Json<CredentialsIn>,
) -> Result<(StatusCode, axum::Json<MessageOut>), ApiError> {
    let hash = state.passwords.hash("dealer", body.password).await?;
    state
        .db(move |conn| {
            models::insert_user(conn, &body.username, &hash).map_err(|e| {
                if crate::db::is_unique_violation(&e, models::USERNAME_TAKEN) {
                    ApiError::BadRequest("User already exists".into())
                } else {
                    e.into()
                }
            })
        })
        .await?;
    Ok((StatusCode::CREATED, MessageOut::new("User created. Try to auth")))
}

/// Authenticate: a JWT for `/stock` and `/auto/{mark}`.
#[utoipa::path(post, path = "/auth", tag = TAG, operation_id = "dealer_auth",
    request_body = CredentialsIn,
    responses(
        (status = 200, description = "Authenticated", body = TokenOut),
        (status = 400, description = "The body is not JSON", body = ErrorOut, example = json!({"Error": "Failed to parse the request body as JSON"})),
        (status = 401, description = "Wrong username or password", body = ErrorOut, example = json!({"Error": "Invalid credentials"})),
        PublicBody,
    ))]
pub async fn auth(
    State(state): State<AppState>,
    Json(body): Json<CredentialsIn>,
) -> Result<axum::Json<TokenOut>, ApiError> {
    let username = body.username;
    let user = state.db(move |conn| Ok(models::find_user(conn, &username)?)).await?;
    let id = state
        .passwords
        .check("dealer", user.map(|u| (u.id, u.password_hash)), body.password)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("Invalid credentials".into()))?;
    let issued = state.tokens.issue(Dealer::AUD, id, state.config.access_token_ttl, None)?;
    Ok(axum::Json(TokenOut { access_token: issued.token }))
}

/// Log out: the presented token is refused from now on, on every replica.
#[utoipa::path(post, path = "/logout", tag = TAG, operation_id = "dealer_logout",
    security(("dealer_auth" = [])),
    responses(
        (status = 200, description = "Logged out", body = MessageOut, example = json!({"Message": "Logged out"})),
        TokenRead,
    ))]
pub async fn logout(
    State(state): State<AppState>,
    user: DealerUser,
) -> Result<axum::Json<MessageOut>, ApiError> {
    revocations::revoke(&state, &user.claims).await?;
    Ok(MessageOut::new("Logged out"))
}
