//! /todo registration, login (JSON or the OAuth2 password form) and logout.

use axum::{extract::State, http::StatusCode};

use super::{
    TAG, TodoUser,
    json::{CredentialsIn, TokenOut, UserOut},
    models,
};
use crate::{
    auth::revocations,
    error::{ApiError, AuthedRead, Conflict, PublicWrite, WrongCredentials},
    extract::{Json, JsonOrForm},
    state::AppState,
};

/// Register a user.
///
/// Usernames are unique within /todo (409 when taken); the password is stored
/// only as an argon2id hash.
#[utoipa::path(post, path = "/register", tag = TAG, operation_id = "todo_register",
    request_body = CredentialsIn,
    responses((status = 201, description = "Registered", body = UserOut), Conflict, PublicWrite))]
pub async fn register(
    State(state): State<AppState>,
    Json(body): Json<CredentialsIn>,
) -> Result<(StatusCode, Json<UserOut>), ApiError> {
    let hash = state.passwords.hash("todo", body.password).await?;
    let username = body.username;
    let id = state
        .db(move |conn| {
            models::insert_user(conn, &username, &hash).map(|id| UserOut { id, username }).map_err(|e| {
                if crate::db::is_unique_violation(&e, models::USERNAME_TAKEN) {
                    ApiError::Conflict("this username is taken".into())
                } else {
                    e.into()
                }
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(id)))
}

/// Log in: a bearer token for the /todo routes.
///
/// Takes JSON, or the OAuth2 password form so that Swagger UI's Authorize works.
/// The token (a JWT with `aud: todo`) is refused by every other app, and lives
/// `ACCESS_TOKEN_TTL_SECONDS` (an hour by default) unless logged out.
#[utoipa::path(post, path = "/login", tag = TAG, operation_id = "todo_login",
    request_body(content(
        (CredentialsIn = "application/json"),
        (CredentialsIn = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Logged in", body = TokenOut),
        WrongCredentials,
        PublicWrite,
    ))]
pub async fn login(
    State(state): State<AppState>,
    JsonOrForm(body): JsonOrForm<CredentialsIn>,
) -> Result<Json<TokenOut>, ApiError> {
    let username = body.username;
    let user = state.db(move |conn| Ok(models::find_user(conn, &username)?)).await?;
    let id = state
        .passwords
        .check("todo", user.map(|u| (u.id, u.password_hash)), body.password)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("wrong username or password".into()))?;
    let issued = state.tokens.issue(super::Todo::AUD, id, state.config.access_token_ttl, None)?;
    Ok(Json(TokenOut { access_token: issued.token, token_type: "bearer" }))
}

/// Log out: the presented token is refused from now on, on every replica.
///
/// The revocation is kept in Redis until the token would have expired anyway.
#[utoipa::path(post, path = "/logout", tag = TAG, operation_id = "todo_logout",
    security(("todo_auth" = [])),
    responses((status = 204, description = "Logged out"), AuthedRead))]
pub async fn logout(State(state): State<AppState>, user: TodoUser) -> Result<StatusCode, ApiError> {
    revocations::revoke(&state, &user.claims).await?;
    Ok(StatusCode::NO_CONTENT)
}

use crate::auth::Audience as _;
