//! /shop registration (answering an activation link), activation, login and logout.

use axum::{extract::State, http::StatusCode};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::{
    Shop, TAG,
    access::{self, ShopUser},
    json::{CredentialsIn, MessageOut, RegisteredOut, TokenOut},
    models,
};
use crate::{
    auth::{self, Login, revocations},
    db::ResultExt as _,
    error::{ApiError, AuthedRead, Conflict, NotFound, PublicWrite, WrongCredentials},
    extract::{Json, Path},
    state::AppState,
};

/// What is stored of an activation code: its SHA-256, so a database leak
/// hands out no working link.
fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// Register a user: answers the link that activates it (the user cannot log in before).
#[utoipa::path(post, path = "/register", tag = TAG, operation_id = "shop_register",
    request_body = CredentialsIn,
    responses((status = 201, description = "Registered, inactive", body = RegisteredOut), Conflict, PublicWrite))]
pub async fn register(
    State(state): State<AppState>,
    Json(body): Json<CredentialsIn>,
) -> Result<(StatusCode, Json<RegisteredOut>), ApiError> {
    let hash = state.passwords.hash("shop", body.password).await?;
    // 32 random bytes: unguessable, and URL-safe once encoded.
    let code = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let stored = code_hash(&code);
    state
        .db_tx(move |conn| {
            models::insert_user(conn, &body.login, &hash, &stored)
                .on_constraint(models::LOGIN_TAKEN, |_| ApiError::Conflict("this login is taken".into()))
        })
        .await?;
    let activation_link = format!("{}/shop/activate/{code}", state.config.public_url);
    Ok((StatusCode::CREATED, Json(RegisteredOut { activation_link })))
}

/// Activate a user by following its activation link (works once).
#[utoipa::path(get, path = "/activate/{code}", tag = TAG, operation_id = "shop_activate",
    params(("code" = String, Path, description = "The code from the activation link")),
    responses((status = 200, description = "The user is active", body = MessageOut), NotFound,
        (status = 429, description = "Rate limit reached; see `Retry-After`", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn activate(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<MessageOut>, ApiError> {
    let stored = code_hash(&code);
    let user_id = state.db_tx(move |conn| Ok(models::activate(conn, &stored)?)).await?;
    let user_id =
        user_id.ok_or_else(|| ApiError::NotFound("unknown or already used activation code".into()))?;
    access::activated(&state, user_id).await?;
    Ok(Json(MessageOut { message: "the account is active".into() }))
}

/// Log in: a bearer token for the /shop routes.
#[utoipa::path(post, path = "/login", tag = TAG, operation_id = "shop_login",
    request_body = CredentialsIn,
    responses(
        (status = 200, description = "Logged in", body = TokenOut),
        WrongCredentials,
        (status = 403, description = "Not activated yet, or disabled by an admin", body = crate::error::Problem, content_type = "application/problem+json"),
        PublicWrite,
    ))]
pub async fn login(
    State(state): State<AppState>,
    Json(body): Json<CredentialsIn>,
) -> Result<Json<TokenOut>, ApiError> {
    let logged_in = auth::login::<Shop>(&state, body.login, body.password).await?;
    Ok(Json(TokenOut { access_token: logged_in.token, token_type: "bearer" }))
}

impl Login for Shop {
    const WRONG_CREDENTIALS: &'static str = "wrong login or password";
    type User = models::User;

    fn find(
        conn: &mut diesel::PgConnection,
        login: &str,
    ) -> diesel::QueryResult<Option<(models::User, String)>> {
        Ok(models::find_user_by_login(conn, login)?.map(|u| {
            let hash = u.password_hash.clone();
            (u, hash)
        }))
    }

    /// Only after the password matched, so an inactive account's 403 tells
    /// nothing to someone without its password.
    fn admit(user: models::User) -> Result<i64, ApiError> {
        if !user.is_active {
            return Err(ApiError::Forbidden(
                "this account is not active: follow the activation link, or it has been disabled".into(),
            ));
        }
        Ok(user.id)
    }
}

/// Log out: the presented token is refused from now on, on every replica.
#[utoipa::path(post, path = "/logout", tag = TAG, operation_id = "shop_logout",
    security(("shop_auth" = [])),
    responses((status = 204, description = "Logged out"), AuthedRead))]
pub async fn logout(State(state): State<AppState>, user: ShopUser) -> Result<StatusCode, ApiError> {
    revocations::revoke(&state, &user.claims).await?;
    Ok(StatusCode::NO_CONTENT)
}
