//! /exchange registration, login (a temporary token) and logout.

use axum::{extract::State, http::StatusCode};

use super::{
    Exchange, TAG,
    extract::caller,
    json::{CredentialsIn, MessageOut, TokenIn, TokenOut},
    models,
};
use crate::{
    auth::{self, LoggedIn, Login, revocations},
    db::ResultExt as _,
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
            models::insert_user(conn, &body.login, &hash)
                .on_constraint(models::LOGIN_TAKEN, |_| ApiError::Conflict("this login is taken".into()))
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
    let LoggedIn { token, ttl } = auth::login::<Exchange>(&state, body.login, body.password).await?;
    Ok(Json(TokenOut { token, token_type: "bearer", expires_in: ttl.as_secs() }))
}

impl Login for Exchange {
    const WRONG_CREDENTIALS: &'static str = "wrong login or password";
    type User = i64;

    fn find(conn: &mut diesel::PgConnection, login: &str) -> diesel::QueryResult<Option<(i64, String)>> {
        Ok(models::find_user(conn, login)?.map(|u| (u.id, u.password_hash)))
    }

    fn admit(id: i64) -> Result<i64, ApiError> {
        Ok(id)
    }
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
