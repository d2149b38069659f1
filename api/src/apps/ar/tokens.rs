//! /ar app tokens of a project (owner's user token only): JWTs with
//! `aud: ar-app` and `scope` = the project, one `ar_app_tokens` row each.
//!
//! The row keeps the claims (`jti`, `iat`, `exp`), not the token: the same
//! claims sign to the same token, so a list can hand tokens out again while
//! the database alone holds no usable credential.

use std::time::Duration;

use axum::{extract::State, http::StatusCode};
use chrono::{DateTime, SubsecRound as _, Utc};

use super::{
    APP_AUD, TAG,
    auth::Owner,
    json::{AppTokenOut, TokenTtlIn},
    models::{self, AppToken},
};
use crate::{
    auth::Claims,
    error::{ApiError, AuthedRead, AuthedWrite, Forbidden, NotFound},
    extract::{Json, Path, Query},
    state::AppState,
    validate::Page,
};

/// A fresh `jti` and lifetime from now, whole seconds (as JWTs count them).
fn fresh(ttl: Duration) -> Result<(String, DateTime<Utc>, DateTime<Utc>), ApiError> {
    let now = Utc::now().trunc_subsecs(0);
    let ttl = chrono::Duration::from_std(ttl).map_err(ApiError::internal)?;
    Ok((uuid::Uuid::new_v4().simple().to_string(), now, now + ttl))
}

/// The token a row stands for, signed again from its claims.
fn to_out(state: &AppState, owner: i64, project_id: i64, row: AppToken) -> Result<AppTokenOut, ApiError> {
    let claims = Claims {
        sub: owner.to_string(),
        aud: APP_AUD.to_owned(),
        iat: row.issued_at.timestamp(),
        exp: row.expires_at.timestamp(),
        jti: row.jti,
        scope: Some(project_id),
    };
    Ok(AppTokenOut { id: row.id, token: state.tokens.sign(&claims)?, expires_at: row.expires_at })
}

/// Create an app token for the project (lives `AR_TOKEN_TTL_SECONDS`, 14 days).
#[utoipa::path(post, path = "/api/project/{id}/jwt", tag = TAG, operation_id = "ar_create_token",
    security(("ar_user" = [])), params(("id" = i64, Path, description = "The project's id")),
    responses((status = 201, description = "Created", body = AppTokenOut, links(
        ("UpdateToken" = (operation_id = "ar_update_token", parameters(("id" = "$request.path.id"), ("token_id" = "$response.body#/id")),
            description = "Renew the token just issued")),
        ("DeleteToken" = (operation_id = "ar_delete_token", parameters(("id" = "$request.path.id"), ("token_id" = "$response.body#/id")),
            description = "Revoke the token just issued")),
    )), NotFound, Forbidden, AuthedRead))]
pub async fn create_token(
    State(state): State<AppState>,
    owner: Owner,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<AppTokenOut>), ApiError> {
    let (jti, issued_at, expires_at) = fresh(state.config.ar_token_ttl)?;
    let user_id = owner.user_id;
    let row = state
        .db(move |conn| {
            owner.project(conn, id)?;
            Ok(models::insert_token(conn, id, &jti, issued_at, expires_at)?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(to_out(&state, user_id, id, row)?)))
}

/// List the project's app tokens not revoked, by id.
///
/// Expired tokens stay listed, with their past `expires_at`, until the purge
/// job removes them; `PUT` can give one a new lifetime meanwhile.
#[utoipa::path(get, path = "/api/project/{id}/jwt", tag = TAG, operation_id = "ar_list_tokens",
    security(("ar_user" = [])), params(("id" = i64, Path, description = "The project's id"), Page),
    responses((status = 200, description = "The project's tokens", body = Vec<AppTokenOut>), NotFound, Forbidden, AuthedRead))]
pub async fn list_tokens(
    State(state): State<AppState>,
    owner: Owner,
    Path(id): Path<i64>,
    Query(page): Query<Page>,
) -> Result<Json<Vec<AppTokenOut>>, ApiError> {
    let user_id = owner.user_id;
    let rows = state
        .db(move |conn| {
            owner.project(conn, id)?;
            Ok(models::list_tokens(conn, id, page.limit(), page.offset())?)
        })
        .await?;
    let tokens = rows.into_iter().map(|row| to_out(&state, user_id, id, row)).collect::<Result<_, _>>()?;
    Ok(Json(tokens))
}

/// Give an app token a new lifetime from now.
///
/// Answers the token valid from then on: a new JWT under the same id; the old
/// JWT is refused from now.
#[utoipa::path(put, path = "/api/project/{id}/jwt/{token_id}", tag = TAG, operation_id = "ar_update_token",
    security(("ar_user" = [])),
    params(("id" = i64, Path, description = "The project's id"), ("token_id" = i64, Path, description = "The token's id")),
    request_body = TokenTtlIn,
    responses((status = 200, description = "The token, renewed", body = AppTokenOut), NotFound, Forbidden, AuthedWrite))]
pub async fn update_token(
    State(state): State<AppState>,
    owner: Owner,
    Path((id, token_id)): Path<(i64, i64)>,
    Json(body): Json<TokenTtlIn>,
) -> Result<Json<AppTokenOut>, ApiError> {
    let ttl = body.ttl_seconds.map_or(state.config.ar_token_ttl, |s| Duration::from_secs(s.unsigned_abs()));
    let (jti, issued_at, expires_at) = fresh(ttl)?;
    let user_id = owner.user_id;
    let row = state
        .db(move |conn| {
            owner.project(conn, id)?;
            models::reissue_token(conn, id, token_id, &jti, issued_at, expires_at)?
                .ok_or_else(|| ApiError::not_found("token"))
        })
        .await?;
    Ok(Json(to_out(&state, user_id, id, row)?))
}

/// Revoke an app token: refused from this moment on.
#[utoipa::path(delete, path = "/api/project/{id}/jwt/{token_id}", tag = TAG, operation_id = "ar_delete_token",
    security(("ar_user" = [])),
    params(("id" = i64, Path, description = "The project's id"), ("token_id" = i64, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked"), NotFound, Forbidden, AuthedRead))]
pub async fn delete_token(
    State(state): State<AppState>,
    owner: Owner,
    Path((id, token_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let revoked = state
        .db(move |conn| {
            owner.project(conn, id)?;
            Ok(models::revoke_token(conn, id, token_id)?)
        })
        .await?;
    if revoked { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::not_found("token")) }
}
