//! /todo registration, login (JSON or the OAuth2 password form) and logout.

use axum::{extract::State, http::StatusCode};

use super::{
    TAG, Todo, TodoUser,
    json::{CredentialsIn, TokenOut, UserOut},
    models,
};
use crate::{
    auth::{self, Login, revocations},
    db::ResultExt as _,
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
            models::insert_user(conn, &username, &hash)
                .map(|id| UserOut { id, username })
                .on_constraint(models::USERNAME_TAKEN, |_| {
                    ApiError::Conflict("this username is taken".into())
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
    let logged_in = auth::login::<Todo>(&state, body.username, body.password).await?;
    Ok(Json(TokenOut { access_token: logged_in.token, token_type: "bearer" }))
}

impl Login for Todo {
    const WRONG_CREDENTIALS: &'static str = "wrong username or password";
    type User = i64;

    fn find(conn: &mut diesel::PgConnection, username: &str) -> diesel::QueryResult<Option<(i64, String)>> {
        Ok(models::find_user(conn, username)?.map(|u| (u.id, u.password_hash)))
    }

    fn admit(id: i64) -> Result<i64, ApiError> {
        Ok(id)
    }
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
