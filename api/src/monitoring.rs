//! Sentry: the client options (release, scrubbing) and the layers that report
//! what a person must look at: panics and 5xx answers, each with its route,
//! request id and release. 4xx answers are the client's business and are not sent.
//!
//! Reporting is inert until `SENTRY_DSN` is set: without a client bound to the
//! hub, `capture_*` calls do nothing.

use std::{any::Any, borrow::Cow, sync::Arc};

use axum::{
    extract::{MatchedPath, Request},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use sentry::protocol::{Event, Map, Value};

use crate::{config::ConfigError, error::Reported};

/// Header names, query parameters and fields whose values never leave the process.
const SECRET_KEYS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "token",
    "password",
    "secret",
    "signature",
    "transfer",
];

const FILTERED: &str = "[Filtered]";

/// The options of the process's Sentry client: release from `SENTRY_RELEASE`
/// (CI sets the commit) or the crate version, no default PII, and scrubbing.
/// A malformed DSN is refused here, not by a panic inside the SDK.
pub fn client_options(dsn: Option<&str>) -> Result<sentry::ClientOptions, ConfigError> {
    let mut options = sentry::ClientOptions::new().send_default_pii(false);
    options.release = std::env::var("SENTRY_RELEASE")
        .ok()
        .filter(|r| !r.is_empty())
        .map(Cow::Owned)
        .or_else(|| sentry::release_name!());
    options.before_send = Some(Arc::new(|event| Some(scrub(event))));
    if let Some(dsn) = dsn {
        let parsed = dsn
            .parse::<sentry::types::Dsn>()
            .map_err(|e| ConfigError { var: "SENTRY_DSN", reason: e.to_string() })?;
        options.dsn = Some(parsed);
    }
    Ok(options)
}

/// Starts Sentry when `SENTRY_DSN` is set; the guard flushes on drop. Call it
/// before the runtime starts so every thread sees the client.
pub fn init(dsn: Option<&str>) -> Result<Option<sentry::ClientInitGuard>, ConfigError> {
    match dsn {
        Some(dsn) => Ok(Some(sentry::init(client_options(Some(dsn))?))),
        None => Ok(None),
    }
}

fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|secret| key.contains(secret))
}

/// Removes tokens and passwords from everything an event may carry: request
/// headers, query string, URL, extra data, tags and breadcrumbs.
pub fn scrub(mut event: Event<'static>) -> Event<'static> {
    if let Some(request) = event.request.as_mut() {
        request.headers.retain(|name, _| !is_secret(name));
        request.cookies = None;
        request.data = None;
        request.query_string = request.query_string.as_deref().map(scrub_query);
        if let Some(url) = request.url.as_mut()
            && let Some(query) = url.query().map(scrub_query)
        {
            url.set_query(Some(&query));
        }
    }
    scrub_map(&mut event.extra);
    for (key, value) in &mut event.tags {
        if is_secret(key) {
            *value = FILTERED.into();
        }
    }
    for crumb in event.breadcrumbs.values.iter_mut() {
        scrub_map(&mut crumb.data);
    }
    event
}

/// `a=1&token=xyz` → `a=1&token=[Filtered]`.
fn scrub_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret(key) => format!("{key}={FILTERED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn scrub_map(map: &mut Map<String, Value>) {
    for (key, value) in map.iter_mut() {
        scrub_value(key, value);
    }
}

fn scrub_value(key: &str, value: &mut Value) {
    if is_secret(key) {
        *value = Value::from(FILTERED);
    } else if let Value::Object(inner) = value {
        for (key, value) in inner.iter_mut() {
            scrub_value(key, value);
        }
    }
}

/// Middleware (inside the per-request Sentry hub): tags the request's scope
/// with its route and request id, and reports a 5xx answer that nothing
/// reported yet (a 503 from an unreachable backing service, a timeout).
pub async fn report(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("(unmatched)", MatchedPath::as_str).to_owned();
    let request_id =
        req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let method = req.method().clone();
    sentry::configure_scope(|scope| {
        scope.set_tag("route", &route);
        scope.set_tag("request_id", &request_id);
        scope.set_transaction(Some(&format!("{method} {route}")));
    });
    let response = next.run(req).await;
    let status = response.status();
    if status.is_server_error() && response.extensions().get::<Reported>().is_none() {
        sentry::capture_message(&format!("{method} {route} answered {status}"), sentry::Level::Error);
    }
    response
}

/// `CatchPanicLayer`'s handler: a panicking handler answers a generic 500
/// problem instead of dropping the connection. Sentry's panic integration has
/// already sent the panic (with its stack) from the panic hook.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into());
    tracing::error!(panic = %message, "a handler panicked");
    let problem = crate::error::ApiError::Internal(anyhow::anyhow!("panic")).problem();
    let mut response = (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(axum::http::header::CONTENT_TYPE, crate::error::PROBLEM_JSON)],
        serde_json::to_vec(&problem).unwrap_or_default(),
    )
        .into_response();
    response.extensions_mut().insert(Reported);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_passwords_are_scrubbed_from_requests_and_extra() {
        let mut event = Event::new();
        let mut request = sentry::protocol::Request {
            url: "https://api.example.com/exchange/get?transfer=abc&token=s3cret".parse().ok(),
            query_string: Some("transfer=abc&token=s3cret".into()),
            ..Default::default()
        };
        request.headers.insert("Authorization".into(), "Bearer s3cret".into());
        request.headers.insert("x-request-id".into(), "r-1".into());
        event.request = Some(request);
        event.extra.insert("password".into(), "hunter22".into());
        event.extra.insert("nested".into(), serde_json::json!({"access_token": "s3cret", "ok": 1}));
        let scrubbed = scrub(event);
        let text = serde_json::to_string(&scrubbed).unwrap();
        assert!(!text.contains("s3cret") && !text.contains("hunter22") && !text.contains("abc"), "{text}");
        let request = scrubbed.request.unwrap();
        assert_eq!(request.headers.get("x-request-id").map(String::as_str), Some("r-1"));
        assert_eq!(request.query_string.as_deref(), Some("transfer=[Filtered]&token=[Filtered]"));
    }
}
