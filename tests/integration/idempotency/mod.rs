//! `Idempotency-Key` (issue 16), through the generated client: replays, keys
//! used for another request, scopes, expiry and the purge, the header's
//! rules; the races and each app's writes in the submodules.

mod apps;
mod concurrency;

use api_tests::{App, TestApp, problem_of, status_of, types};
use diesel::{QueryDsl, RunQueryDsl};

const REPLAYED: &str = "idempotent-replayed";

fn task(title: &str) -> types::builder::TodoTaskIn {
    types::TodoTaskIn::builder().title(title)
}

async fn task_count(app: &TestApp) -> i64 {
    app.query(|c| api::schema::todo_tasks::table.count().get_result::<i64>(c).unwrap()).await
}

async fn key_count(app: &TestApp) -> i64 {
    app.query(|c| api::schema::idempotency_keys::table.count().get_result::<i64>(c).unwrap()).await
}

fn replayed<T>(response: &api_client::ResponseValue<T>) -> Option<&str> {
    response.headers().get(REPLAYED).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn a_replay_answers_the_first_answer_again_and_makes_no_second_row() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Todo, "alice").await.token;
    let client = app.client_as(&token);
    let send = || client.todo_create_task().idempotency_key("buy-milk-1").body(task("Buy milk")).send();

    let first = send().await.expect("first");
    assert_eq!(first.status().as_u16(), 201);
    assert_eq!(replayed(&first), None, "a first answer is not a replay");
    let again = send().await.expect("replay");
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(replayed(&again), Some("true"));
    assert_eq!(again.headers().get("content-type"), first.headers().get("content-type"));
    assert_eq!(again.into_inner(), first.into_inner(), "the same id and body");
    assert_eq!(task_count(&app).await, 1);

    // Without a key, nothing is replayed.
    client.todo_create_task().body(task("Buy milk")).send().await.expect("unkeyed");
    client.todo_create_task().body(task("Buy milk")).send().await.expect("unkeyed");
    assert_eq!(task_count(&app).await, 3);
    assert_eq!(key_count(&app).await, 1);
}

#[tokio::test]
async fn the_same_key_with_another_request_is_422_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Todo, "alice").await.token;
    let client = app.client_as(&token);
    let first = client.todo_create_task().idempotency_key("k-1").body(task("Buy milk")).send().await.unwrap();

    let other = client.todo_create_task().idempotency_key("k-1").body(task("Buy bread")).send().await;
    let problem = problem_of(other.unwrap_err());
    assert_eq!(problem.status, 422);
    assert!(problem.detail.contains("another request"), "{}", problem.detail);
    assert_eq!(problem.errors[0].field, "Idempotency-Key");
    // Another operation (another route and path) under the same key is another request too.
    let id = first.into_inner().id;
    let update =
        client.todo_update_task().task_id(id).idempotency_key("k-1").body(task("Buy milk")).send().await;
    assert_eq!(status_of(&update.unwrap_err()), 422);
    assert_eq!(task_count(&app).await, 1);
    let stored = client.todo_get_task().task_id(id).send().await.unwrap().into_inner();
    assert_eq!(stored.title, "Buy milk");
}

#[tokio::test]
async fn keys_of_two_users_never_collide() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (app.user(App::Todo, "alice").await.token, app.user(App::Todo, "bob").await.token);
    let create = |token: &str, title: &'static str| {
        let client = app.client_as(token);
        async move { client.todo_create_task().idempotency_key("shared").body(task(title)).send().await }
    };
    let a = create(&alice, "Alice's task").await.expect("alice");
    let b = create(&bob, "Bob's task").await.expect("bob: the same key is another key for another user");
    assert_eq!(replayed(&b), None);
    assert_ne!(a.into_inner().id, b.into_inner().id);
    // Each one's replay is their own answer.
    let again = create(&bob, "Bob's task").await.expect("bob's replay");
    assert_eq!(replayed(&again), Some("true"));
    assert_eq!(again.into_inner().title, "Bob's task");
    assert_eq!(task_count(&app).await, 2);
    // Anonymous writes are scoped by client address, apart from any user.
    let anonymous = app.client();
    let register = |name: &'static str| {
        anonymous
            .todo_register()
            .idempotency_key("shared")
            .body(types::TodoCredentials::builder().username(name).password("correct horse"))
            .send()
    };
    assert_eq!(register("carol").await.expect("anonymous").status().as_u16(), 201);
    assert_eq!(status_of(&register("dave").await.unwrap_err()), 422, "same address, same key, other body");
}

#[tokio::test]
async fn an_expired_key_is_purged_and_then_runs_afresh() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Todo, "alice").await.token;
    let client = app.client_as(&token);
    let send = || client.todo_create_task().idempotency_key("k").body(task("Buy milk")).send();
    let first = send().await.unwrap().into_inner();
    assert_eq!(key_count(&app).await, 1);

    // Past its lifetime (the API cannot age a row, so the test does).
    app.query(|c| {
        diesel::sql_query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'").execute(c)
    })
    .await
    .unwrap();
    let config = app.config.clone();
    let report =
        app.query(move |c| api::jobs::purge_once(c, &config).unwrap().expect("the purge lock is free")).await;
    assert_eq!(report.get("idempotency_keys"), Some(&1));
    assert_eq!(key_count(&app).await, 0);

    let fresh = send().await.unwrap();
    assert_eq!(replayed(&fresh), None, "a purged key is a new key");
    assert_ne!(fresh.into_inner().id, first.id);
    assert_eq!(task_count(&app).await, 2);
}

#[tokio::test]
async fn a_key_lives_idempotency_key_ttl_seconds() {
    let app = TestApp::spawn_with(&[("IDEMPOTENCY_KEY_TTL_SECONDS", "3600")]).await;
    let token = app.user(App::Todo, "alice").await.token;
    app.client_as(&token)
        .todo_create_task()
        .idempotency_key("k")
        .body(task("Buy milk"))
        .send()
        .await
        .unwrap();
    #[derive(diesel::QueryableByName)]
    struct Ttl {
        #[diesel(sql_type = diesel::sql_types::Double)]
        secs: f64,
    }
    let ttl: Ttl = app
        .query(|c| {
            diesel::sql_query(
                "SELECT extract(epoch FROM expires_at - created_at)::float8 AS secs FROM idempotency_keys",
            )
            .get_result(c)
            .unwrap()
        })
        .await;
    assert!((ttl.secs - 3600.0).abs() < 5.0, "{}", ttl.secs);
}

#[tokio::test]
async fn a_4xx_is_stored_and_replayed() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Todo, "alice").await.token;
    let client = app.client_as(&token);
    // A task that is not there: 404, stored.
    let delete = || client.todo_delete_task().task_id(999).idempotency_key("del-999").send();
    assert_eq!(status_of(&delete().await.unwrap_err()), 404);
    let again = app
        .http
        .delete(app.url("/todo/tasks/999"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "del-999")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    assert_eq!(again.headers()[REPLAYED], "true");
    assert_eq!(again.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn a_malformed_key_is_400_in_the_apps_error_shape_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Todo, "alice").await.token;
    let long = "k".repeat(256);
    for bad in ["", "two words", long.as_str(), "caf\u{e9}"] {
        let response = app
            .http
            .post(app.url("/todo/tasks"))
            .bearer_auth(&token)
            .header("Idempotency-Key", bad.as_bytes())
            .json(&serde_json::json!({"title": "Buy milk"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{bad:?}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let problem: serde_json::Value = response.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("Idempotency-Key"), "{problem}");
    }
    assert_eq!(task_count(&app).await, 0);

    // /dealer answers its spec's `{"Error"}` shape.
    let response = app
        .http
        .post(app.url("/dealer/register"))
        .header("Idempotency-Key", "two words")
        .json(&serde_json::json!({"username": "dan", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["Error"].as_str().unwrap().contains("Idempotency-Key"), "{body}");
    assert_eq!(
        app.query(|c| api::schema::dealer_users::table.count().get_result::<i64>(c).unwrap()).await,
        0
    );
}

#[tokio::test]
async fn logins_and_logouts_ignore_the_key() {
    let app = TestApp::spawn().await;
    app.user(App::Todo, "alice").await;
    let login = || {
        app.http
            .post(app.url("/todo/login"))
            .header("Idempotency-Key", "same")
            .json(&serde_json::json!({"username": "alice", "password": "correct horse"}))
            .send()
    };
    let (a, b) = (login().await.unwrap(), login().await.unwrap());
    assert!(a.headers().get(REPLAYED).is_none() && b.headers().get(REPLAYED).is_none());
    let (a, b): (serde_json::Value, serde_json::Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_ne!(a["access_token"], b["access_token"], "each login issues its own token");
    assert_eq!(key_count(&app).await, 0);
}

#[test]
fn every_write_but_logins_and_logouts_documents_the_header() {
    let doc = serde_json::to_value(api::openapi()).unwrap();
    let components = &doc["components"];
    assert_eq!(components["parameters"]["IdempotencyKey"]["in"], "header");
    assert_eq!(components["parameters"]["IdempotencyKey"]["name"], "Idempotency-Key");
    let mut keyed = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let id = op["operationId"].as_str().unwrap();
            let takes_key = op["parameters"].as_array().is_some_and(|list| {
                list.iter().any(|p| p["$ref"] == "#/components/parameters/IdempotencyKey")
            });
            let session = id.contains("login") || id.ends_with("_logout") || id == "dealer_auth";
            assert_eq!(takes_key, !session, "{method} {path} ({id})");
            if takes_key {
                keyed += 1;
                let success =
                    op["responses"].as_object().unwrap().iter().find(|(s, _)| s.starts_with('2')).unwrap();
                assert_eq!(success.1["headers"]["Idempotent-Replayed"]["schema"]["enum"][0], "true", "{id}");
            }
        }
    }
    assert_eq!(keyed, 31, "every write of the five apps but the 11 logins and logouts");
}
