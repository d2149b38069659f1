//! Who may call /shop: `ShopUser` (a valid token of a user not disabled) and
//! `ShopAdmin` (that, and an admin in the database).
//!
//! A disabled user's tokens must be refused at once on every replica, at the
//! cost of one Redis lookup: inactive users' ids live in one Redis set, kept
//! in step with the database on every change and rebuilt at start-up.

use axum::{extract::FromRequestParts, http::request::Parts};
use redis::AsyncCommands;

use super::{Shop, models};
use crate::{
    auth::{Authed, Claims},
    error::ApiError,
    state::AppState,
};

fn disabled_key(state: &AppState) -> String {
    state.redis_key("shop:disabled")
}

/// Records in Redis whether a user's tokens are refused.
pub async fn set_disabled(state: &AppState, user_id: i64, disabled: bool) -> Result<(), ApiError> {
    let mut redis = state.redis.clone();
    let key = disabled_key(state);
    let _: i64 = if disabled { redis.sadd(key, user_id).await? } else { redis.srem(key, user_id).await? };
    Ok(())
}

/// Enables or disables a user, in the database and then in Redis, so the
/// user's tokens are refused (or accepted again) from the moment this returns.
/// `None` for an unknown user. The web admin panel calls this too.
pub async fn set_user_active(
    state: &AppState,
    id: i64,
    active: bool,
) -> Result<Option<models::User>, ApiError> {
    let user = state.db_tx(move |conn| Ok(models::set_active(conn, id, active)?)).await?;
    if user.is_some() {
        set_disabled(state, id, !active).await?;
    }
    Ok(user)
}

/// Rebuilds the set from the database, in one atomic step.
pub async fn resync_disabled(state: &AppState) -> Result<(), ApiError> {
    let ids = state.db(|conn| Ok(models::inactive_user_ids(conn)?)).await?;
    let key = disabled_key(state);
    let mut pipe = redis::pipe();
    pipe.atomic().del(&key).ignore();
    if !ids.is_empty() {
        pipe.sadd(&key, ids).ignore();
    }
    let mut redis = state.redis.clone();
    let () = pipe.query_async(&mut redis).await?;
    Ok(())
}

/// A /shop user whose token is valid and who is not disabled.
#[derive(Debug, Clone)]
pub struct ShopUser {
    pub user_id: i64,
    pub claims: Claims,
}

impl FromRequestParts<AppState> for ShopUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let authed = Authed::<Shop>::from_request_parts(parts, state).await?;
        let mut redis = state.redis.clone();
        let disabled: bool = redis.sismember(disabled_key(state), authed.user_id).await?;
        if disabled {
            return Err(ApiError::Unauthorized("this account is disabled".into()));
        }
        Ok(Self { user_id: authed.user_id, claims: authed.claims })
    }
}

/// A /shop admin: a `ShopUser` whose row says `is_admin` (403 otherwise).
#[derive(Debug, Clone)]
pub struct ShopAdmin(pub ShopUser);

impl FromRequestParts<AppState> for ShopAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = ShopUser::from_request_parts(parts, state).await?;
        let id = user.user_id;
        let row = state.db(move |conn| Ok(models::find_user(conn, id)?)).await?;
        match row {
            Some(row) if row.is_admin && row.is_active => Ok(Self(user)),
            Some(_) => Err(ApiError::Forbidden("this is for admins only".into())),
            None => Err(ApiError::Unauthorized("the token's user no longer exists".into())),
        }
    }
}
