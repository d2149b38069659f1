//! Faults answer clearly: a lost or slow database answers 503 with a problem
//! body and `Retry-After` (never 500), a 503 means nothing was stored, `/ready`
//! answers within a second, and a token outliving its user is refused.

mod deleted_user;
mod paused;
mod restart;
mod timeouts;

use api_tests::TestApp;
use reqwest::{Method, Response};
use serde_json::Value;

/// A request with an optional bearer token and JSON body.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Response {
    let mut request = app.http.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

/// Asserts a 503 in the problem shape with `Retry-After`, and returns its detail.
pub async fn assert_unavailable(response: Response) -> String {
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"), "503 carries Retry-After");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let body: Value = response.json().await.expect("a problem body");
    assert_eq!(body["status"], 503);
    body["detail"].as_str().unwrap_or_default().to_owned()
}
