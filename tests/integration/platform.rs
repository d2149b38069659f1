//! Platform routes and the behaviour every app shares.

use api_tests::TestApp;

#[tokio::test]
async fn health_and_ready_answer_ok_with_a_request_id() {
    let app = TestApp::spawn().await;
    let health = app.client().health().send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.into_inner().status, "ok");
    let ready = app.http.get(app.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let id = ready.headers().get("x-request-id").expect("x-request-id").to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID request id: {id}");
}

#[tokio::test]
async fn the_served_document_is_the_committed_spec() {
    let app = TestApp::spawn().await;
    let served: serde_json::Value =
        app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let committed: serde_json::Value = serde_json::from_str(include_str!("../../spec/openapi.json")).unwrap();
    assert_eq!(served, committed, "run `cargo xtask spec`");
    assert!(served["paths"]["/todo/tasks/{task_id}"]["put"].is_object());
    let docs = app.http.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_problem_details() {
    let app = TestApp::spawn().await;
    let missing = app.http.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["content-type"], "application/problem+json");
    let wrong_method = app.http.patch(app.url("/todo/tasks")).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    let body: serde_json::Value = wrong_method.json().await.unwrap();
    assert_eq!(body["status"], 405);
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let big = format!("{{\"username\":\"{}\",\"password\":\"password1\"}}", "a".repeat(100_000));
    let response = app
        .http
        .post(app.url("/todo/register"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
}
