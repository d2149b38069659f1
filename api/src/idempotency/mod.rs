//! `Idempotency-Key` on every write (issue 16): the first answer to a keyed
//! request is stored in the same transaction as the write it describes, and
//! the same key with the same request gets that answer again.
//!
//! One layer per app, inside its rate limit and deadline. Without the header
//! it costs one header lookup. With it: the key is checked (400), the caller
//! found (the token's user, else the client address), and a transaction
//! opened that takes the key's advisory lock (busy: 409 with `Retry-After`,
//! the first request is still running) and reads the stored answer (another
//! request: 422; the same: replayed with `Idempotent-Replayed: true`). Else
//! the handler runs inside that transaction (`db::request_tx`), and its
//! answer is stored and committed with its effect; a 5xx or 429 is rolled
//! back with it and not stored, so a retry runs afresh. Logins and logouts
//! do not take keys (nothing to duplicate; a stored answer would hold a
//! token): their apps list them in `router.rs`.

mod docs;
pub mod key;
pub mod store;

use std::{collections::HashSet, sync::Arc};

use axum::{
    body::Body,
    extract::{MatchedPath, Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

pub use self::docs::{document, keyed_routes};
use self::{key::Caller, store::Stored};
use crate::{
    db::{self, request_tx},
    deadline::Deadline,
    error::ApiError,
    state::AppState,
};

/// The headers of an answer kept with it (the rest are per response).
const KEPT_HEADERS: &[HeaderName] = &[header::CONTENT_TYPE, header::LOCATION, header::WWW_AUTHENTICATE];

/// Largest answer stored: write answers are small JSON documents.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The layer's state: one per app.
#[derive(Clone)]
pub struct Keys {
    pub state: AppState,
    /// The app's prefix, part of every key's scope.
    pub app: &'static str,
    /// The `aud` of the app's tokens, whose user is the caller.
    pub audiences: &'static [&'static str],
    /// `(method, route)` of the operations that take a key (from the document).
    pub keyed: Arc<HashSet<(Method, String)>>,
    /// The largest body any of the app's routes reads.
    pub max_body: usize,
}

/// Middleware: see the module doc.
pub async fn guard(State(keys): State<Keys>, req: Request, next: Next) -> Response {
    if !req.headers().contains_key(key::HEADER) {
        return next.run(req).await;
    }
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    match route {
        Some(route) if keys.keyed.contains(&(req.method().clone(), route.clone())) => {
            keyed(keys, route, req, next).await.unwrap_or_else(IntoResponse::into_response)
        }
        _ => next.run(req).await,
    }
}

/// What the key's lock and row say.
enum Claim {
    /// No answer yet: the request runs on this connection, lock held.
    Mine(db::DbConn),
    Stored(Stored),
    /// The key's first request is still running.
    Busy,
}

async fn keyed(keys: Keys, route: String, req: Request, next: Next) -> Result<Response, ApiError> {
    let Some(key) = key::from_headers(req.headers())? else { return Ok(next.run(req).await) };
    let state = &keys.state;
    let ip = crate::client::client_ip(&req, &state.config.trusted_proxies);
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, keys.max_body).await.map_err(|e| {
        if e.into_inner().is::<http_body_util::LengthLimitError>() {
            ApiError::PayloadTooLarge("the request body is too large".into())
        } else {
            ApiError::BadRequest("the request body could not be read".into())
        }
    })?;
    let caller = Caller::of(state, &parts, &body, keys.audiences, ip).await;
    let key_hash = key::scoped_hash(keys.app, &caller, &key);
    let fingerprint = key::fingerprint(&parts.method, &route, parts.uri.path(), &body);
    let deadline = Deadline::current();

    let conn = match claim(state, key_hash.clone(), deadline.clone()).await? {
        Claim::Busy => return Ok(busy()),
        Claim::Stored(stored) if stored.fingerprint != fingerprint => {
            return Err(ApiError::invalid(
                "Idempotency-Key",
                "this key was already used for another request; send a new key for a new request",
            ));
        }
        Claim::Stored(stored) => return Ok(replay(stored)),
        Claim::Mine(conn) => conn,
    };

    let req = Request::from_parts(parts, Body::from(body));
    let (held, response) = request_tx::scope(conn, next.run(req)).await;
    let Some(conn) = held.lock_owned().await.take() else {
        return Err(ApiError::internal(anyhow::anyhow!("the request's transaction was taken")));
    };
    let status = response.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        // Not stored: the client may retry, and the effect goes with it.
        finish(conn, None, deadline).await?;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, MAX_ANSWER_BYTES).await.map_err(|e| {
        ApiError::internal(anyhow::anyhow!("the answer to a keyed request could not be read: {e}"))
    })?;
    let headers = KEPT_HEADERS
        .iter()
        .filter_map(|name| Some((name.as_str(), parts.headers.get(name)?.to_str().ok()?)))
        .map(|(name, value)| serde_json::json!([name, value]))
        .collect();
    let stored = Stored { fingerprint, status: status.as_u16() as i16, headers, body: body.to_vec() };
    finish(conn, Some((key_hash, stored, state.config.idempotency_key_ttl)), deadline).await?;
    Ok(Response::from_parts(parts, Body::from(body)))
}

/// Opens the request's transaction and reads what the key holds.
async fn claim(
    state: &AppState,
    key_hash: Vec<u8>,
    deadline: Option<Arc<Deadline>>,
) -> Result<Claim, ApiError> {
    let pool = state.db.clone();
    let permit = db::permit(&pool, deadline.as_deref()).await?;
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        span.in_scope(|| {
            let mut conn = db::begin(&pool, deadline.as_deref(), permit)?;
            let read = |conn: &mut db::DbConn| -> diesel::QueryResult<Option<Claim>> {
                if !store::try_lock(&mut conn.pg, key::lock_id(&key_hash))? {
                    return Ok(Some(Claim::Busy));
                }
                Ok(store::find(&mut conn.pg, &key_hash)?.map(Claim::Stored))
            };
            match read(&mut conn) {
                Ok(None) => Ok(Claim::Mine(conn)),
                Ok(Some(claim)) => {
                    db::rollback(&mut conn.pg);
                    Ok(claim)
                }
                Err(e) => {
                    db::rollback(&mut conn.pg);
                    Err(e.into())
                }
            }
        })
    })
    .await
    .map_err(|e| ApiError::internal(anyhow::anyhow!("database task failed: {e}")))?
}

/// Stores the answer and commits with the deadline's permission, or rolls
/// back when there is nothing to store.
async fn finish(
    mut conn: db::DbConn,
    answer: Option<(Vec<u8>, Stored, std::time::Duration)>,
    deadline: Option<Arc<Deadline>>,
) -> Result<(), ApiError> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        span.in_scope(|| {
            let Some((key_hash, stored, ttl)) = answer else {
                db::rollback(&mut conn.pg);
                return Ok(());
            };
            if let Err(e) = store::save(&mut conn.pg, &key_hash, &stored, ttl) {
                db::rollback(&mut conn.pg);
                return Err(e.into());
            }
            db::commit(&mut conn.pg, deadline.as_ref())
        })
    })
    .await
    .map_err(|e| ApiError::internal(anyhow::anyhow!("database task failed: {e}")))?
}

/// 409 while the key's first request runs; `Retry-After` says when to ask again.
fn busy() -> Response {
    let mut response = ApiError::Conflict(
        "a request with this Idempotency-Key is still being processed; retry after `Retry-After`".into(),
    )
    .into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(1));
    response
}

/// The stored answer again, marked as a replay.
fn replay(stored: Stored) -> Response {
    let status = u16::try_from(stored.status).ok().and_then(|s| StatusCode::from_u16(s).ok());
    let mut response = (status.unwrap_or(StatusCode::OK), stored.body).into_response();
    let headers = response.headers_mut();
    for pair in stored.headers.as_array().into_iter().flatten() {
        let (Some(name), Some(value)) =
            (pair.get(0).and_then(|v| v.as_str()), pair.get(1).and_then(|v| v.as_str()))
        else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.insert(name, value);
        }
    }
    headers.insert(HeaderName::from_static(key::REPLAYED), HeaderValue::from_static("true"));
    response
}
