//! The per-client, per-app rate limit, counted in Redis so it holds across
//! replicas: an exact sliding window (a sorted set of the last minute's
//! requests per client), timed by the Redis clock so replicas agree.

use crate::{client::client_ip, error::ApiError, state::AppState};
use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};

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
