//! Admin sessions: a random id in an HttpOnly, SameSite=Strict cookie scoped to
//! `/admin`; the session itself (admin id, login, CSRF token) lives in Redis
//! under the deployment's key prefix, so every replica shares it and signing
//! out ends it everywhere. Only the SHA-256 of the id is used as the key, so
//! a Redis dump hands out no working cookie.

use std::time::Duration;

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::PageError;
use crate::{error::ApiError, state::AppState};

/// The session cookie's name.
pub const COOKIE: &str = "admin_session";
/// The login form's CSRF cookie (double submit: there is no session yet).
pub const LOGIN_CSRF_COOKIE: &str = "admin_login_csrf";
/// How long a session lives after sign-in (absolute, not sliding).
pub const TTL: Duration = Duration::from_secs(8 * 3600);

/// What Redis keeps of a signed-in admin.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub admin_id: i64,
    pub login: String,
    /// The token every form of this session carries in `_csrf`.
    pub csrf: String,
}

/// The signed-in admin of a request: the session, checked against the
/// database on every request (an admin disabled or demoted is out at once).
#[derive(Debug, Clone)]
pub struct Admin {
    pub id: i64,
    pub login: String,
    pub csrf: String,
    /// The session's Redis key, to end it.
    key: String,
}

impl Admin {
    /// True when `token` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, token: Option<&str>) -> bool {
        token.is_some_and(|t| t.as_bytes().ct_eq(self.csrf.as_bytes()).into())
    }
}

/// 32 random bytes, hex: session ids and CSRF tokens (256 bits).
pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

fn key(state: &AppState, id: &str) -> String {
    state.redis_key(&format!("admin:session:{}", hex::encode(Sha256::digest(id.as_bytes()))))
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, `Path=/admin`, and
/// `Secure` when the panel is served over HTTPS (`PUBLIC_URL`).
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Duration) -> String {
    let secure = if state.config.public_url.starts_with("https://") { "; Secure" } else { "" };
    format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age={}{secure}", max_age.as_secs())
}

/// Starts a session; answers the cookie's id.
pub async fn create(state: &AppState, admin_id: i64, login: String) -> Result<String, ApiError> {
    let id = random_token();
    let session = Session { admin_id, login, csrf: random_token() };
    let value = serde_json::to_string(&session).map_err(ApiError::internal)?;
    let mut redis = state.redis.clone();
    let () = redis.set_ex(key(state, &id), value, TTL.as_secs()).await?;
    Ok(id)
}

/// Ends a session on every replica.
pub async fn destroy(state: &AppState, admin: &Admin) -> Result<(), ApiError> {
    let mut redis = state.redis.clone();
    let _: i64 = redis.del(&admin.key).await?;
    Ok(())
}

/// The session of a request, if its cookie names a live one.
pub async fn load(state: &AppState, headers: &HeaderMap) -> Result<Option<(String, Session)>, ApiError> {
    let Some(id) = cookie(headers, COOKIE).filter(|id| !id.is_empty()) else { return Ok(None) };
    let key = key(state, id);
    let mut redis = state.redis.clone();
    let raw: Option<String> = redis.get(&key).await?;
    Ok(raw.and_then(|raw| serde_json::from_str(&raw).ok()).map(|s| (key, s)))
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let Some((key, session)) = load(state, &parts.headers).await? else {
            return Err(PageError::SignIn);
        };
        let id = session.admin_id;
        if !state.db(move |conn| (super::accounts().may_sign_in)(conn, id)).await? {
            let mut redis = state.redis.clone();
            let _: i64 = redis.del(&key).await.map_err(ApiError::from)?;
            return Err(PageError::SignIn);
        }
        Ok(Self { id, login: session.login, csrf: session.csrf, key })
    }
}

fn notice_key(admin: &Admin) -> String {
    format!("{}:notice", admin.key)
}

/// A one-time notice for the next page of this session ("Product created").
pub async fn set_notice(state: &AppState, admin: &Admin, notice: &str) -> Result<(), ApiError> {
    let mut redis = state.redis.clone();
    let () = redis.set_ex(notice_key(admin), notice, 300).await?;
    Ok(())
}

/// Takes the pending notice, if any (shown once).
pub async fn take_notice(state: &AppState, admin: &Admin) -> Result<Option<String>, ApiError> {
    let mut redis = state.redis.clone();
    Ok(redis.get_del(notice_key(admin)).await?)
}
