//! /ar users: sign-up without a token; read, update and delete only with the
//! user's own token (another id answers 404); login and logout.

use axum::{extract::State, http::StatusCode};

use super::{
    Ar, TAG,
    auth::{self, Caller, Owner},
    json::{CredentialsIn, TokenOut, UserOut, UserPatch},
    models,
};
use crate::{
    auth::{self as core_auth, Login, revocations},
    db::ResultExt as _,
    error::{
        ApiError, AuthedRead, AuthedWrite, Conflict, Forbidden, NotFound, PublicWrite, WrongCredentials,
    },
    extract::{Json, Path},
    state::AppState,
};

fn login_taken(_: &dyn diesel::result::DatabaseErrorInformation) -> ApiError {
    ApiError::Conflict("this login is taken".into())
}

/// The caller's own id, or 404 as for any object not theirs.
/// Another user's id answers 404 (401 if the caller's own user is gone).
async fn own(state: &AppState, owner: &Owner, id: i64) -> Result<(), ApiError> {
    if owner.user_id == id {
        return Ok(());
    }
    let user_id = owner.user_id;
    Err(state.db(move |conn| Ok(auth::missing(conn, user_id, "user"))).await?)
}

/// Sign up (no token needed).
#[utoipa::path(post, path = "/api/user", tag = TAG, operation_id = "ar_create_user",
    request_body = CredentialsIn,
    responses((status = 201, description = "Created", body = UserOut), Conflict, PublicWrite))]
pub async fn create_user(
    State(state): State<AppState>,
    Json(body): Json<CredentialsIn>,
) -> Result<(StatusCode, Json<UserOut>), ApiError> {
    let hash = state.passwords.hash("ar", body.password).await?;
    let login = body.login;
    let user = state
        .db(move |conn| {
            let id =
                models::insert_user(conn, &login, &hash).on_constraint(models::LOGIN_TAKEN, login_taken)?;
            Ok(UserOut { id, login })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Read the caller's account.
#[utoipa::path(get, path = "/api/user/{id}", tag = TAG, operation_id = "ar_get_user",
    security(("ar_user" = [])), params(("id" = i64, Path, description = "The caller's own id")),
    responses((status = 200, description = "The user", body = UserOut), NotFound, Forbidden, AuthedRead))]
pub async fn get_user(
    State(state): State<AppState>,
    owner: Owner,
    Path(id): Path<i64>,
) -> Result<Json<UserOut>, ApiError> {
    own(&state, &owner, id).await?;
    let login = state.db(move |conn| Ok(models::user_login(conn, id)?)).await?;
    let login = login.ok_or_else(crate::auth::user_gone)?;
    Ok(Json(UserOut { id, login }))
}

/// Change the caller's login and/or password.
#[utoipa::path(put, path = "/api/user/{id}", tag = TAG, operation_id = "ar_update_user",
    security(("ar_user" = [])), params(("id" = i64, Path, description = "The caller's own id")),
    request_body = UserPatch,
    responses((status = 200, description = "Updated", body = UserOut), NotFound, Conflict, Forbidden, AuthedWrite))]
pub async fn update_user(
    State(state): State<AppState>,
    owner: Owner,
    Path(id): Path<i64>,
    Json(body): Json<UserPatch>,
) -> Result<Json<UserOut>, ApiError> {
    own(&state, &owner, id).await?;
    let hash = match body.password {
        Some(p) => Some(state.passwords.hash("ar", p).await?),
        None => None,
    };
    let login = state
        .db(move |conn| {
            models::update_user(conn, id, body.login.as_deref(), hash.as_deref())
                .on_constraint(models::LOGIN_TAKEN, login_taken)
        })
        .await?
        .ok_or_else(crate::auth::user_gone)?;
    Ok(Json(UserOut { id, login }))
}

/// Delete the caller's account, with its projects, targets and app tokens.
///
/// The presented token is revoked; any other token of the user is refused too,
/// as its user no longer exists.
#[utoipa::path(delete, path = "/api/user/{id}", tag = TAG, operation_id = "ar_delete_user",
    security(("ar_user" = [])), params(("id" = i64, Path, description = "The caller's own id")),
    responses((status = 204, description = "Deleted"), NotFound, Forbidden, AuthedRead))]
pub async fn delete_user(
    State(state): State<AppState>,
    owner: Owner,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    own(&state, &owner, id).await?;
    let claims = owner.claims.clone();
    let deleted = state
        .db_tx(move |conn| {
            let deleted = models::delete_user(conn, id)?;
            if deleted {
                revocations::record(conn, &claims)?;
            }
            Ok(deleted)
        })
        .await?;
    if !deleted {
        return Err(crate::auth::user_gone());
    }
    revocations::announce(&state, &owner.claims).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Log in: a user token for the user and project routes.
#[utoipa::path(post, path = "/api/login/", tag = TAG, operation_id = "ar_login",
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
    let logged_in = core_auth::login::<Ar>(&state, body.login, body.password).await?;
    Ok(Json(TokenOut { access_token: logged_in.token, token_type: "bearer" }))
}

impl Login for Ar {
    const WRONG_CREDENTIALS: &'static str = "wrong login or password";
    type User = i64;

    fn find(conn: &mut diesel::PgConnection, login: &str) -> diesel::QueryResult<Option<(i64, String)>> {
        Ok(models::find_user_by_login(conn, login)?.map(|u| (u.id, u.password_hash)))
    }

    fn admit(id: i64) -> Result<i64, ApiError> {
        Ok(id)
    }
}

/// Log in (the same as `ar_login`, without the trailing slash).
#[utoipa::path(post, path = "/api/login", tag = TAG, operation_id = "ar_login_no_slash",
    request_body = CredentialsIn,
    responses(
        (status = 200, description = "Logged in", body = TokenOut),
        WrongCredentials,
        PublicWrite,
    ))]
pub async fn login_no_slash(
    state: State<AppState>,
    body: Json<CredentialsIn>,
) -> Result<Json<TokenOut>, ApiError> {
    login(state, body).await
}

/// Log out: the presented token (user or app) is refused from now on.
#[utoipa::path(post, path = "/logout", tag = TAG, operation_id = "ar_logout",
    security(("ar_user" = []), ("ar_app" = [])),
    responses((status = 204, description = "Logged out"), AuthedRead))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    match caller {
        Caller::User(user) => revocations::revoke(&state, &user.claims).await?,
        Caller::App(claims) => {
            if !state.db(move |conn| Ok(models::revoke_token_by_jti(conn, &claims.jti)?)).await? {
                return Err(ApiError::Unauthorized("the app token has been revoked".into()));
            }
        }
    }
    Ok(StatusCode::NO_CONTENT)
}
