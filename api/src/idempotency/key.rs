//! What identifies a keyed request: the key as sent (checked), the caller it
//! belongs to, and the fingerprint of the request it was first used for.

use std::net::IpAddr;

use axum::http::{HeaderMap, Method, request::Parts};
use sha2::{Digest, Sha256};

use crate::{auth::revocations, error::ApiError, state::AppState};

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// The answer header set on a replay.
pub const REPLAYED: &str = "idempotent-replayed";
/// Longest key accepted.
pub const MAX_LEN: usize = 255;

/// The key of a request: `None` without the header, 400 when it is not 1-255
/// visible ASCII characters (or is sent twice).
pub fn from_headers(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let mut values = headers.get_all(HEADER).iter();
    let Some(value) = values.next() else { return Ok(None) };
    if values.next().is_some() {
        return Err(invalid("send it once"));
    }
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_LEN {
        return Err(invalid("it must be 1-255 characters long"));
    }
    if !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(invalid("it must be visible ASCII characters only (no spaces)"));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

fn invalid(why: &str) -> ApiError {
    ApiError::BadRequest(format!("invalid Idempotency-Key header: {why}"))
}

/// Who a key belongs to, within one app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The user of a valid, unrevoked token of the app (its `aud` and `sub`).
    User { aud: String, sub: String },
    /// Anyone else, by client address.
    Address(IpAddr),
}

impl Caller {
    /// The caller of a request: the user of the token it carries (in
    /// `Authorization`, the `token` query parameter or a top-level JSON
    /// `token` field) when that token is one of `audiences`' and is valid and
    /// unrevoked; else the client's address. A token that fails here is
    /// refused by the handler itself, so the address scope holds only answers
    /// an anonymous caller could get.
    pub async fn of(state: &AppState, parts: &Parts, body: &[u8], audiences: &[&str], ip: IpAddr) -> Self {
        if let Some(token) = raw_token(parts, body) {
            for aud in audiences {
                let Ok(claims) = state.tokens.verify(&token, aud) else { continue };
                if matches!(revocations::is_revoked(state, &claims.jti, claims.exp).await, Ok(false)) {
                    return Self::User { aud: claims.aud, sub: claims.sub };
                }
            }
        }
        Self::Address(ip)
    }
}

fn raw_token(parts: &Parts, body: &[u8]) -> Option<String> {
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        return value.trim().split_once(' ').map(|(_, token)| token.trim().to_owned());
    }
    if let Some(query) = parts.uri.query() {
        let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default();
        if let Some((_, token)) = pairs.into_iter().find(|(k, _)| k == "token") {
            return Some(token);
        }
    }
    // Only /exchange takes a token in the body; parse only bodies naming one.
    if body.windows(7).any(|w| w == b"\"token\"") {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        return value.get("token")?.as_str().map(str::to_owned);
    }
    None
}

/// The stored key: app, caller and key hashed together, so keys of two
/// callers (or apps) never meet and no key is kept in clear.
pub fn scoped_hash(app: &str, caller: &Caller, key: &str) -> Vec<u8> {
    let caller = match caller {
        Caller::User { aud, sub } => format!("user:{aud}:{sub}"),
        Caller::Address(ip) => format!("addr:{ip}"),
    };
    hash(&[app.as_bytes(), caller.as_bytes(), key.as_bytes()])
}

/// The request a key was used for: method, matched route, the path (which
/// holds the path parameters) and the body.
pub fn fingerprint(method: &Method, route: &str, path: &str, body: &[u8]) -> Vec<u8> {
    hash(&[method.as_str().as_bytes(), route.as_bytes(), path.as_bytes(), body])
}

/// SHA-256 of the parts, each preceded by its length (no two splits collide).
fn hash(parts: &[&[u8]]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.finalize().to_vec()
}

/// The advisory lock taken while a key's first request runs: the hash's
/// first eight bytes.
pub fn lock_id(key_hash: &[u8]) -> i64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&key_hash[..8]);
    i64::from_be_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(HEADER, axum::http::HeaderValue::from_bytes(v).unwrap());
        }
        map
    }

    #[test]
    fn keys_are_one_to_255_visible_ascii_characters() {
        assert_eq!(from_headers(&headers(&[])).unwrap(), None);
        assert_eq!(from_headers(&headers(&[b"a"])).unwrap().as_deref(), Some("a"));
        let longest = "k".repeat(MAX_LEN);
        assert_eq!(from_headers(&headers(&[longest.as_bytes()])).unwrap(), Some(longest));
        for bad in [&b""[..], b"two words", b"tab\tkey", "\u{e9}t\u{e9}".as_bytes(), &[b'x'; 256]] {
            assert!(matches!(from_headers(&headers(&[bad])), Err(ApiError::BadRequest(_))), "{bad:?}");
        }
        assert!(from_headers(&headers(&[b"a", b"b"])).is_err());
    }

    #[test]
    fn scopes_and_fingerprints_keep_their_parts_apart() {
        let ip = Caller::Address([127, 0, 0, 1].into());
        let alice = Caller::User { aud: "todo".into(), sub: "1".into() };
        let bob = Caller::User { aud: "todo".into(), sub: "2".into() };
        let k = |app, caller: &Caller| scoped_hash(app, caller, "key");
        assert_ne!(k("todo", &alice), k("todo", &bob));
        assert_ne!(k("todo", &alice), k("shop", &alice));
        assert_ne!(k("todo", &alice), k("todo", &ip));
        let route = "/todo/tasks/{task_id}";
        assert_ne!(
            fingerprint(&Method::PUT, route, "/todo/tasks/1", b"{}"),
            fingerprint(&Method::PUT, route, "/todo/tasks/12", b"}")
        );
        assert_ne!(
            fingerprint(&Method::PUT, route, "/todo/tasks/1", b"{}"),
            fingerprint(&Method::DELETE, route, "/todo/tasks/1", b"{}")
        );
    }
}
