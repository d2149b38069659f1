//! /todo: every contract row, through the real server, Postgres and Redis.

use std::time::{Duration, Instant};

use api_tests::{App, JWT_SECRET, PASSWORD, TestApp, now, problem_of, sign, status_of, types};
use diesel::{QueryDsl, RunQueryDsl};
use serde_json::json;

async fn create_task(app: &TestApp, token: &str, title: &str) -> types::TodoTaskOut {
    app.client_as(token)
        .todo_create_task()
        .body(types::TodoTaskIn::builder().title(title).description(Some("details".try_into().unwrap())))
        .send()
        .await
        .expect("create task")
        .into_inner()
}

async fn task_count(app: &TestApp) -> i64 {
    app.query(|c| api::schema::todo_tasks::table.count().get_result::<i64>(c).unwrap()).await
}

#[tokio::test]
async fn register_answers_201_with_the_user_and_a_taken_username_409() {
    let app = TestApp::spawn().await;
    let user = app
        .client()
        .todo_register()
        .body(types::TodoCredentials::builder().username("alice").password(PASSWORD))
        .send()
        .await
        .expect("register")
        .into_inner();
    assert_eq!(user.username, "alice");
    assert_eq!(user.id, 1, "the first user of a fresh database");
    let again = app
        .client()
        .todo_register()
        .body(types::TodoCredentials::builder().username("alice").password("another password"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&again), 409);
    let stored: String = app
        .query(|c| {
            use api::schema::todo_users::dsl::*;
            todo_users.select(password_hash).first(c).unwrap()
        })
        .await;
    assert!(stored.starts_with("$argon2id$"), "passwords are stored as argon2id hashes");
}

#[tokio::test]
async fn invalid_credentials_are_422_and_create_nothing() {
    let app = TestApp::spawn().await;
    for body in [
        json!({"username": "bob", "password": "short"}),
        json!({"username": "", "password": "long enough"}),
        json!({"username": "a\u{0}b", "password": "long enough"}),
        json!({"username": "x".repeat(65), "password": "long enough"}),
        json!({"username": "bob"}),
        json!({"username": 5, "password": "long enough"}),
    ] {
        let response = app.http.post(app.url("/todo/register")).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    let users: i64 = app.query(|c| api::schema::todo_users::table.count().get_result(c).unwrap()).await;
    assert_eq!(users, 0);
    // 64 characters of two bytes each are 64 characters, not 128.
    let long = "ж".repeat(64);
    let response = app
        .http
        .post(app.url("/todo/register"))
        .json(&json!({"username": long, "password": "long enough"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn login_refuses_wrong_passwords_and_unknown_users_with_401() {
    let app = TestApp::spawn().await;
    app.register(App::Todo, "carol").await;
    for (username, password) in [("carol", "wrong password"), ("nobody", "correct horse")] {
        let response = app
            .http
            .post(app.url("/todo/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
    }
}

#[tokio::test]
async fn login_accepts_the_oauth2_password_form() {
    let app = TestApp::spawn().await;
    app.register(App::Todo, "dave").await;
    let response = app
        .http
        .post(app.url("/todo/login"))
        .form(&[("grant_type", "password"), ("username", "dave"), ("password", "correct horse")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    let token = body["access_token"].as_str().unwrap();
    let tasks = app.client_as(token).todo_list_tasks().send().await.unwrap();
    assert_eq!(tasks.status(), 200);
}

#[tokio::test]
async fn task_crud_round_trips() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Todo, "erin").await.token;
    let client = app.client_as(&token);

    let created = create_task(&app, &token, "Buy milk").await;
    assert_eq!(created.title, "Buy milk");
    assert_eq!(created.description.as_deref(), Some("details"));
    assert!(!created.completed);

    let read = client.todo_get_task().task_id(created.id).send().await.unwrap().into_inner();
    assert_eq!(read, created);

    let updated = client
        .todo_update_task()
        .task_id(created.id)
        .body(types::TodoTaskIn::builder().title("Buy oat milk").completed(Some(true)))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.title, "Buy oat milk");
    assert!(updated.completed);
    assert_eq!(updated.description, None, "PUT replaces the whole task");
    assert!(updated.updated_at > created.updated_at, "an update moves updated_at forward");

    let second = create_task(&app, &token, "Walk").await;
    let list = client.todo_list_tasks().send().await.unwrap().into_inner();
    assert_eq!(list.iter().map(|t| t.id).collect::<Vec<_>>(), vec![created.id, second.id]);
    let page = client.todo_list_tasks().limit(1).offset(1).send().await.unwrap().into_inner();
    assert_eq!(page.iter().map(|t| t.id).collect::<Vec<_>>(), vec![second.id]);

    let deleted = client.todo_delete_task().task_id(created.id).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    let gone = client.todo_get_task().task_id(created.id).send().await.unwrap_err();
    assert_eq!(status_of(&gone), 404);
    assert_eq!(task_count(&app).await, 1);
}

#[tokio::test]
async fn another_users_task_answers_404_and_stays_untouched() {
    let app = TestApp::spawn().await;
    let owner = app.user(App::Todo, "frank").await.token;
    let other = app.client_as(&app.user(App::Todo, "grace").await.token);
    let task = create_task(&app, &owner, "Private").await;

    let read = other.todo_get_task().task_id(task.id).send().await.unwrap_err();
    assert_eq!(status_of(&read), 404);
    let update = other
        .todo_update_task()
        .task_id(task.id)
        .body(types::TodoTaskIn::builder().title("Hijacked"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&update), 404);
    let delete = other.todo_delete_task().task_id(task.id).send().await.unwrap_err();
    assert_eq!(status_of(&delete), 404);
    assert!(other.todo_list_tasks().send().await.unwrap().into_inner().is_empty());

    let still = app.client_as(&owner).todo_get_task().task_id(task.id).send().await.unwrap().into_inner();
    assert_eq!(still.title, "Private");
}

#[tokio::test]
async fn bad_task_bodies_are_refused_and_create_nothing() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Todo, "heidi").await.token;
    let post = |body: String, content_type: &'static str| {
        app.http
            .post(app.url("/todo/tasks"))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases = [
        (json!({"title": ""}).to_string(), "application/json", 422),
        (json!({"title": "x".repeat(201)}).to_string(), "application/json", 422),
        (json!({"title": "nul\u{0}here"}).to_string(), "application/json", 422),
        (json!({"title": 42}).to_string(), "application/json", 422),
        (json!({"description": "no title"}).to_string(), "application/json", 422),
        // serde would read an array as the fields in order: a task titled "Buy milk".
        (json!(["Buy milk"]).to_string(), "application/json", 422),
        ("{\"title\": ".to_string(), "application/json", 400),
        (json!({"title": "ok"}).to_string(), "text/plain", 415),
    ];
    for (body, content_type, status) in cases {
        let response = post(body.clone(), content_type).await.unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["status"], status);
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    let invalid = post(json!({"title": ""}).to_string(), "application/json").await.unwrap();
    let problem: serde_json::Value = invalid.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "title");
    assert_eq!(task_count(&app).await, 0);
    // 200 characters of any width are accepted.
    let ok = post(json!({"title": "ё".repeat(200)}).to_string(), "application/json").await.unwrap();
    assert_eq!(ok.status(), 201);
}

#[tokio::test]
async fn pages_by_after_id_equal_pages_by_offset() {
    let app = TestApp::spawn().await;
    let (token, other) = (app.user(App::Todo, "judy").await.token, app.user(App::Todo, "karl").await.token);
    // Another user's tasks between hers: her ids have gaps.
    let mut mine = Vec::new();
    for i in 0..7 {
        mine.push(create_task(&app, &token, &format!("task {i}")).await.id);
        create_task(&app, &other, "not hers").await;
    }
    let client = app.client_as(&token);
    let ids = |page: Vec<types::TodoTaskOut>| page.into_iter().map(|t| t.id).collect::<Vec<_>>();

    let mut by_offset = Vec::new();
    for n in 0..4 {
        by_offset.push(ids(client
            .todo_list_tasks()
            .limit(2)
            .offset(n * 2)
            .send()
            .await
            .unwrap()
            .into_inner()));
    }
    let mut by_after_id = Vec::new();
    let mut after = 0;
    for _ in 0..4 {
        let page = ids(client.todo_list_tasks().limit(2).after_id(after).send().await.unwrap().into_inner());
        after = page.last().copied().unwrap_or(after);
        by_after_id.push(page);
    }
    assert_eq!(by_after_id, by_offset);
    assert_eq!(by_after_id.concat(), mine, "every task of hers once, in order, no one else's");
    let skipped = client.todo_list_tasks().after_id(mine[1]).offset(1).limit(2).send().await.unwrap();
    assert_eq!(ids(skipped.into_inner()), vec![mine[3], mine[4]], "offset counts from after_id");

    let bad = app.http.get(app.url("/todo/tasks?after_id=-1")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn a_malformed_task_id_is_400() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Todo, "ivan").await.token;
    let response = app.http.get(app.url("/todo/tasks/abc")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn requests_without_a_token_are_401_with_www_authenticate() {
    let app = TestApp::spawn().await;
    let err = app.client().todo_list_tasks().send().await.unwrap_err();
    assert_eq!(status_of(&err), 401);
    let response = app.http.get(app.url("/todo/tasks")).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let problem = problem_of(app.client().todo_logout().send().await.unwrap_err());
    assert_eq!(problem.status, 401);
}

#[tokio::test]
async fn logout_revokes_that_token_only() {
    let app = TestApp::spawn().await;
    app.register(App::Todo, "judy").await;
    let first = app.log_in(App::Todo, "judy", PASSWORD).await;
    let second = app.log_in(App::Todo, "judy", PASSWORD).await;
    let out = app.client_as(&first).todo_logout().send().await.unwrap();
    assert_eq!(out.status(), 204);
    let refused = app.client_as(&first).todo_list_tasks().send().await.unwrap_err();
    assert_eq!(status_of(&refused), 401);
    let again = app.client_as(&first).todo_logout().send().await.unwrap_err();
    assert_eq!(status_of(&again), 401);
    assert_eq!(app.client_as(&second).todo_list_tasks().send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn logout_reaches_every_replica() {
    // Each replica rereads PostgreSQL only every ten minutes here: only the
    // published revocation can make the other replica refuse the token sooner.
    let app = TestApp::spawn_with(&[("SECURITY_RESYNC_MS", "600000")]).await;
    let replica = app.replica().await;
    app.register(App::Todo, "kim").await;
    let token = app.log_in(App::Todo, "kim", PASSWORD).await;
    let listed = replica.client_as(&token).todo_list_tasks().send().await.unwrap();
    assert_eq!(listed.status(), 200, "the replica accepts the token");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !replica.state.bus.is_listening() {
        assert!(Instant::now() < deadline, "the replica never subscribed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    assert_eq!(app.client_as(&token).todo_logout().send().await.unwrap().status(), 204);
    let sent = Instant::now();
    loop {
        match replica.client_as(&token).todo_list_tasks().send().await {
            Err(e) if status_of(&e) == 401 => break,
            Ok(_) if sent.elapsed() < Duration::from_secs(2) => {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            other => panic!("the replica still accepts the revoked token: {other:?}"),
        }
    }
    assert!(!replica.state.revocations.is_empty(), "it holds the revocation in memory");
    let late = app.replica().await;
    let refused = late.client_as(&token).todo_list_tasks().send().await.unwrap_err();
    assert_eq!(status_of(&refused), 401, "a replica started later reads the revocation from PostgreSQL");
    let stored =
        app.query(|c| api::schema::revoked_tokens::table.count().get_result::<i64>(c).unwrap()).await;
    assert_eq!(stored, 1, "one row, committed before the logout answered");
}

#[tokio::test]
async fn forged_and_foreign_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let user = app.user(App::Todo, "mallory").await;
    let claims = |aud: &str, exp: i64| json!({"sub": user.id.to_string(), "aud": aud, "iat": now() - 10, "exp": exp, "jti": "x"});
    let valid = sign(&claims("todo", now() + 600), JWT_SECRET);
    assert_eq!(app.client_as(&valid).todo_list_tasks().send().await.unwrap().status(), 200);

    let expired = sign(&claims("todo", now() - 1), JWT_SECRET);
    let wrong_key = sign(&claims("todo", now() + 600), "another-secret-another-secret-0123456");
    let other_app = sign(&claims("exchange", now() + 600), JWT_SECRET);
    let (head, rest) = valid.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let b64 = |v: serde_json::Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let tampered = format!(
        "{head}.{}.{signature}",
        b64(json!({"sub": "999", "aud": "todo", "iat": now(), "exp": now() + 600, "jti": "y"}))
    );
    let alg_none =
        format!("{}.{}.", b64(json!({"alg": "none", "typ": "JWT"})), b64(claims("todo", now() + 600)));
    for (name, token) in [
        ("expired", expired),
        ("wrong key", wrong_key),
        ("another app's", other_app),
        ("tampered", tampered),
        ("alg none", alg_none),
        ("garbage", "not.a.jwt".into()),
    ] {
        let err = app.client_as(&token).todo_list_tasks().send().await.unwrap_err();
        assert_eq!(status_of(&err), 401, "{name} token");
    }
}

#[tokio::test]
async fn the_rate_limit_holds_across_replicas_per_client() {
    let app =
        TestApp::spawn_with(&[("RATE_LIMIT_PER_MINUTE", "100"), ("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let replica = app.replica().await;
    let get = |base: &str, client_ip: &str| {
        app.http.get(format!("{base}/todo/tasks")).header("x-forwarded-for", client_ip.to_owned()).send()
    };
    for i in 0..100 {
        let base = if i % 2 == 0 { &app.base_url } else { &replica.base_url };
        let response = get(base, "198.51.100.1").await.unwrap();
        assert_eq!(response.status(), 401, "request {i} is counted but not limited");
        assert_eq!(response.headers()["x-ratelimit-limit"], "100");
        assert_eq!(response.headers()["x-ratelimit-remaining"], (99 - i).to_string().as_str());
    }
    for base in [&app.base_url, &replica.base_url] {
        let limited = get(base, "198.51.100.1").await.unwrap();
        assert_eq!(limited.status(), 429);
        let retry: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry));
        assert_eq!(limited.headers()["x-ratelimit-remaining"], "0");
        assert_eq!(limited.headers()["content-type"], "application/problem+json");
    }
    let other_client = get(&replica.base_url, "198.51.100.2").await.unwrap();
    assert_eq!(other_client.status(), 401, "another client keeps its own budget");
    assert_eq!(other_client.headers()["x-ratelimit-remaining"], "99");
}
