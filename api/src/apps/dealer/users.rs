//! /dealer registration, authentication (a JWT) and logout, in the spec's words.

use axum::{extract::State, http::StatusCode};

use super::{
    Dealer, DealerUser, TAG,
    errors::{PublicBody, TokenRead},
    json::{CredentialsIn, ErrorOut, MessageOut, TokenOut},
    models,
};
use crate::{
    auth::{self, Login, revocations},
    db::ResultExt as _,
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
            models::insert_user(conn, &body.username, &hash)
                .on_constraint(models::USERNAME_TAKEN, |_| ApiError::BadRequest("User already exists".into()))
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
    let logged_in = auth::login::<Dealer>(&state, body.username, body.password).await?;
    Ok(axum::Json(TokenOut { access_token: logged_in.token }))
}

/// The 401's detail becomes the spec's `{"Error": "Invalid credentials"}`.
impl Login for Dealer {
    const WRONG_CREDENTIALS: &'static str = "Invalid credentials";
    type User = i64;

    fn find(conn: &mut diesel::PgConnection, username: &str) -> diesel::QueryResult<Option<(i64, String)>> {
        Ok(models::find_user(conn, username)?.map(|u| (u.id, u.password_hash)))
    }

    fn admit(id: i64) -> Result<i64, ApiError> {
        Ok(id)
    }
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
