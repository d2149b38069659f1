//! Security state through Redis faults: logouts, revoked /ar app tokens and
//! disabled /shop users stay refused when Redis restarts empty, on a replica
//! that ran through the restart and on one started after it. Each test has
//! its own `redis-server` (never the shared one) and talks plain HTTP.

mod disabled;
mod revocations;

use std::time::{Duration, Instant};

use api_tests::{OwnRedis, TestApp};
use reqwest::Method;
use serde_json::Value;

use crate::shop::ADMIN;

/// A server on the test's own Redis, with a /shop admin and any other variables.
pub async fn spawn_on(redis: &OwnRedis, vars: &[(&str, &str)]) -> TestApp {
    let url = redis.url();
    let mut all = vec![("REDIS_URL", url.as_str()), ("ADMIN_LOGIN", ADMIN.0), ("ADMIN_PASSWORD", ADMIN.1)];
    all.extend_from_slice(vars);
    TestApp::spawn_with(&all).await
}

/// One request; the status and the JSON body (`Null` when there is none).
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.http.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// Asserts a 2xx and answers the body.
pub async fn ok(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Value {
    let (status, body) = call(app, method.clone(), path, token, body).await;
    assert!((200..300).contains(&status), "{method} {path}: {status} {body}");
    body
}

/// Waits (at most 10 s) until `check` holds: a replica may need a moment to
/// reconnect to a restarted Redis before it answers at all.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
