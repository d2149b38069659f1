//! Items 8-10 against a PostgreSQL cluster of the test's own (never the shared
//! one): paused with SIGSTOP, restarted with `pg_ctl restart`, stopped. No
//! answer is a 500 or a hang, `/ready` answers within a second with a generic
//! detail, and a write answered 503 is not stored once the server is back.

use std::time::{Duration, Instant};

use api_tests::{App, TestApp, pg_cluster::PgCluster};
use futures::future::join_all;
use reqwest::{Method, Response};
use serde_json::json;

use super::{assert_unavailable, call};

/// `/ready`, with how long it took.
async fn ready(app: &TestApp, client: &reqwest::Client) -> (Response, Duration) {
    let started = Instant::now();
    let response = client.get(app.url("/ready")).send().await.expect("/ready answers");
    (response, started.elapsed())
}

/// Asserts `/ready` is a prompt 503 that names no backend detail.
async fn assert_not_ready(app: &TestApp, client: &reqwest::Client, when: &str) {
    let (response, took) = ready(app, client).await;
    // The bound is one second; the margin is for a loaded machine.
    assert!(took < Duration::from_millis(1500), "{when}: /ready took {took:?}");
    let detail = assert_unavailable(response).await;
    assert_eq!(detail, "not ready: a backing service is unavailable", "{when}");
}

async fn wait_until_ready(app: &TestApp, client: &reqwest::Client) {
    for _ in 0..60 {
        if ready(app, client).await.0.status() == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("/ready did not come back");
}

async fn titles(app: &TestApp) -> Vec<String> {
    use diesel::{QueryDsl, RunQueryDsl};
    app.query(|c| api::schema::todo_tasks::table.select(api::schema::todo_tasks::title).load(c).unwrap())
        .await
}

/// Reads and writes at once; asserts none is a 500; the statuses.
async fn burst(app: &TestApp, token: &str, tag: &str) -> Vec<u16> {
    let reads = (0..6).map(|_| call(app, Method::GET, "/todo/tasks", Some(token), None));
    let writes = (0..6).map(|i| {
        call(app, Method::POST, "/todo/tasks", Some(token), Some(json!({"title": format!("{tag}-{i}")})))
    });
    let (reads, writes) = tokio::join!(join_all(reads), join_all(writes));
    let statuses: Vec<u16> = reads.iter().chain(&writes).map(|r| r.status().as_u16()).collect();
    assert!(statuses.iter().all(|s| matches!(s, 200 | 201 | 503)), "{tag}: {statuses:?}");
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_postgres_paused_restarted_and_stopped_never_answers_500_or_hangs() {
    let pg = tokio::task::spawn_blocking(PgCluster::start).await.unwrap();
    let app = TestApp::spawn_on(
        &pg.url("api"),
        &[
            ("REQUEST_TIMEOUT_MS", "3000"),
            ("DB_STATEMENT_TIMEOUT_MS", "1500"),
            ("DB_CHECKOUT_TIMEOUT_MS", "500"),
        ],
    )
    .await;
    // A client that gives up long before the old 30 s timeout.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let token = app.user(App::Todo, "alice").await.token;
    assert_eq!(ready(&app, &client).await.0.status(), 200);

    // Paused: every process frozen, connections open, nothing answers.
    pg.pause();
    assert_not_ready(&app, &client, "paused").await;
    let started = Instant::now();
    let write = client
        .post(app.url("/todo/tasks"))
        .bearer_auth(&token)
        .json(&json!({"title": "during the pause"}))
        .send()
        .await
        .expect("a write answers while PostgreSQL is paused");
    let waited = started.elapsed();
    assert_unavailable(write).await;
    assert!(waited < Duration::from_secs(8), "answered at the 3 s request deadline, not later: {waited:?}");
    let read = client.get(app.url("/todo/tasks")).bearer_auth(&token).send().await.expect("a read answers");
    assert_unavailable(read).await;
    pg.resume();
    wait_until_ready(&app, &client).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !titles(&app).await.iter().any(|t| t == "during the pause"),
        "the write answered 503 was rolled back when the server woke up"
    );

    // Restarted: every pooled connection's backend is gone (57P01).
    tokio::task::block_in_place(|| pg.restart());
    burst(&app, &token, "after-restart").await;
    let again = burst(&app, &token, "after-restart-2").await;
    assert!(again.iter().all(|s| *s != 503), "dead connections were discarded: {again:?}");

    // Stopped: connections refused.
    tokio::task::block_in_place(|| pg.stop());
    assert_not_ready(&app, &client, "stopped").await;
    let statuses = burst(&app, &token, "while-stopped").await;
    assert!(statuses.iter().all(|s| *s == 503), "{statuses:?}");
    tokio::task::block_in_place(|| pg.start_again());
    wait_until_ready(&app, &client).await;
    let created = call(&app, Method::POST, "/todo/tasks", Some(&token), Some(json!({"title": "back"}))).await;
    assert_eq!(created.status(), 201);
    let stored = titles(&app).await;
    assert!(!stored.iter().any(|t| t.starts_with("while-stopped")), "{stored:?}");
}
