//! The per-client, per-app rate limit, counted in Redis so it holds across
//! replicas: an exact sliding window (a sorted set of the last minute's
//! requests per client), timed by the Redis clock so replicas agree.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};
use ipnet::IpNet;

use crate::{error::ApiError, state::AppState};

const WINDOW_MS: u64 = 60_000;

/// Returns {allowed (1/0), remaining, ms until a slot frees}.
const SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset = window
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return {allowed, limit - count, reset}
";

static LIMITER: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| redis::Script::new(SCRIPT));

/// Which app's budget a request spends.
#[derive(Clone)]
pub struct Limit {
    pub state: AppState,
    pub app: &'static str,
}

/// Middleware: counts the request, answers 429 past the limit, and sets the
/// `X-RateLimit-*` headers on every answer. Redis trouble lets requests through.
pub async fn limit(State(limit): State<Limit>, req: Request, next: Next) -> Response {
    let per_minute = limit.state.config.rate_limit_per_minute;
    if per_minute == 0 {
        return next.run(req).await;
    }
    let client = client_ip(&req, &limit.state.config.trusted_proxies);
    let key = limit.state.redis_key(&format!("rl:{}:{client}", limit.app));
    let member = uuid::Uuid::new_v4().simple().to_string();
    let mut redis = limit.state.redis.clone();
    let verdict: Result<(u8, i64, i64), _> =
        LIMITER.key(&key).arg(WINDOW_MS).arg(per_minute).arg(member).invoke_async(&mut redis).await;
    let (allowed, remaining, reset_ms) = match verdict {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "rate limiter unavailable, letting the request through");
            crate::metrics::redis_error("rate_limit");
            return next.run(req).await;
        }
    };
    let reset_secs = (reset_ms.max(0) as u64).div_ceil(1000).max(1);
    let mut response = if allowed == 1 {
        next.run(req).await
    } else {
        ApiError::TooManyRequests { retry_after_secs: reset_secs }.into_response()
    };
    set_headers(response.headers_mut(), per_minute, remaining.max(0), reset_secs);
    response
}

fn set_headers(headers: &mut HeaderMap, limit: u32, remaining: i64, reset_secs: u64) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    headers.insert("x-ratelimit-reset", HeaderValue::from(reset_secs));
}

/// The client: the peer address, or, when the peer is a trusted proxy, the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_ip(req: &Request, trusted: &[IpNet]) -> IpAddr {
    let peer =
        req.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, xff: Option<&str>) -> Request {
        let mut req = Request::new(axum::body::Body::empty());
        req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        if let Some(xff) = xff {
            req.headers_mut().insert("x-forwarded-for", xff.parse().unwrap());
        }
        req
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let spoofed = request("203.0.113.9:1000", Some("1.2.3.4"));
        assert_eq!(client_ip(&spoofed, &trusted).to_string(), "203.0.113.9");
        let proxied = request("10.0.0.2:1000", Some("1.2.3.4, 198.51.100.7, 10.0.0.3"));
        assert_eq!(client_ip(&proxied, &trusted).to_string(), "198.51.100.7");
        let bare = request("10.0.0.2:1000", None);
        assert_eq!(client_ip(&bare, &trusted).to_string(), "10.0.0.2");
    }
}
