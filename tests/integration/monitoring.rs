//! Operations: Sentry reports (through sentry's test transport) and `/metrics`.

use api::error::ApiError;
use api_tests::TestApp;
use axum::{
    body::Body,
    http::{Request, StatusCode},
    routing::get,
};
use sentry::protocol::Event;
use tower::ServiceExt;

const SECRET: &str = "s3cret-token-value";

async fn boom() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("the test route failed"))
}

async fn panics() -> &'static str {
    panic!("the test route panicked")
}

fn tagged<'a>(events: &'a [Event<'static>], request_id: &str) -> Vec<&'a Event<'static>> {
    events.iter().filter(|e| e.tags.get("request_id").map(String::as_str) == Some(request_id)).collect()
}

/// Sends each `(uri, request id)` through the real router and layers, plus a
/// test-only failing route, with a Sentry test client bound to this thread.
fn capture(requests: &[(&'static str, &'static str)]) -> (Vec<u16>, Vec<Event<'static>>) {
    let options = sentry::apply_defaults(api::monitoring::client_options(None).expect("options"));
    let mut statuses = Vec::new();
    let events = sentry::test::with_captured_events_options(
        || {
            // A current-thread runtime keeps every request on the thread the test hub is bound to.
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            statuses = runtime.block_on(async {
                let app = TestApp::spawn().await;
                let routes = api::router::routes(app.state.clone())
                    .route("/test/boom", get(boom))
                    .route("/test/panic", get(panics));
                let router = api::router::layers(routes);
                let mut statuses = Vec::new();
                for (uri, request_id) in requests {
                    let request = Request::get(*uri)
                        .header("x-request-id", *request_id)
                        .header("authorization", format!("Bearer {SECRET}"))
                        .body(Body::empty())
                        .expect("request");
                    let response = router.clone().oneshot(request).await.expect("response");
                    statuses.push(response.status().as_u16());
                }
                statuses
            });
        },
        options,
    );
    (statuses, events)
}

#[test]
fn a_forced_500_is_reported_once_with_route_request_id_and_release_without_secrets() {
    let uri: &'static str =
        Box::leak(format!("/test/boom?token={SECRET}&password=hunter22").into_boxed_str());
    let (statuses, events) = capture(&[(uri, "req-500")]);
    assert_eq!(statuses, [500]);
    let reported = tagged(&events, "req-500");
    assert_eq!(reported.len(), 1, "one event for one 500: {events:?}");
    let event = reported[0];
    assert_eq!(event.tags.get("route").map(String::as_str), Some("/test/boom"));
    assert_eq!(event.release.as_deref(), Some(concat!("api@", env!("CARGO_PKG_VERSION"))));
    assert_eq!(event.transaction.as_deref(), Some("GET /test/boom"));
    assert!(!event.exception.values.is_empty(), "the error chain is attached");
    let text = serde_json::to_string(event).expect("serialize");
    assert!(!text.contains(SECRET) && !text.contains("hunter22"), "secrets are scrubbed: {text}");
}

#[test]
fn a_panic_answers_500_and_is_reported_once() {
    let (statuses, events) = capture(&[("/test/panic", "req-panic")]);
    assert_eq!(statuses, [500]);
    let reported = tagged(&events, "req-panic");
    assert_eq!(reported.len(), 1, "the panic hook's event only: {events:?}");
    assert_eq!(reported[0].tags.get("route").map(String::as_str), Some("/test/panic"));
    assert_eq!(reported[0].level, sentry::Level::Fatal);
}

#[test]
fn client_errors_are_not_reported() {
    let (statuses, events) =
        capture(&[("/nope", "req-404"), ("/todo/tasks/1", "req-401"), ("/health", "req-200")]);
    assert_eq!(statuses, [404, 401, 200]);
    assert!(events.is_empty(), "no event for 4xx or 2xx: {events:?}");
}

async fn scrape(app: &TestApp) -> String {
    let response = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    response.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status_with_pool_and_purge() {
    let app = TestApp::spawn().await;
    let missing = app.http.get(app.url("/todo/tasks/987654321")).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    api::jobs::run_logged(&app.state).await;
    let text = scrape(&app).await;
    let has = |needle: &str| text.lines().any(|line| line.starts_with(needle));
    assert!(has(r#"http_requests_total{method="GET",route="/todo/tasks/{task_id}",status="401"}"#), "{text}");
    assert!(has(
        r#"http_request_duration_seconds_bucket{method="GET",route="/todo/tasks/{task_id}",status="401",le="0.005"}"#
    ));
    assert!(!text.contains("987654321"), "raw paths never become labels");
    assert!(has(r#"db_pool_connections{state="idle"}"#) && has(r#"db_pool_connections{state="in_use"}"#));
    assert!(has(r#"purge_runs_total{outcome="done"}"#));
    assert!(text.contains("# TYPE http_request_duration_seconds histogram"));
}
