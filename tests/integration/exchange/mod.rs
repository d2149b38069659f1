//! /exchange: registration, login, items and the token "as a parameter",
//! through the real server; the transfer links are in `links.rs`.

mod links;

use api_tests::{App, JWT_SECRET, PASSWORD, TestApp, now, problem_of, sign, status_of, types};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use serde_json::json;

async fn create_item(app: &TestApp, token: &str, name: &str) -> i64 {
    app.client_as(token)
        .exchange_create_item()
        .body(types::ExchangeItemIn::builder().name(name))
        .send()
        .await
        .expect("create item")
        .into_inner()
        .id
}

async fn send(app: &TestApp, token: &str, item_id: i64, recipient: &str) -> String {
    app.client_as(token)
        .exchange_send_item()
        .body(types::ExchangeSendIn::builder().item_id(item_id).recipient(recipient))
        .send()
        .await
        .expect("send")
        .into_inner()
        .link
}

/// The `transfer` code of a link.
fn code_of(link: &str) -> String {
    link.split_once("?transfer=").expect("a transfer link").1.to_owned()
}

/// Follows a link through the typed client; the status it answers.
async fn follow(app: &TestApp, token: &str, link: &str) -> u16 {
    match app.client_as(token).exchange_follow_link().transfer(code_of(link)).send().await {
        Ok(response) => response.status().as_u16(),
        Err(err) => status_of(&err),
    }
}

async fn item_names(app: &TestApp, token: &str) -> Vec<String> {
    let list = app.client_as(token).exchange_list_items().send().await.expect("list").into_inner();
    list.items.into_iter().map(|i| i.name).collect()
}

async fn owner_login(app: &TestApp, item_id: i64) -> Option<String> {
    app.query(move |c| {
        use api::schema::{exchange_items as i, exchange_users as u};
        i::table.inner_join(u::table).filter(i::id.eq(item_id)).select(u::login).first::<String>(c).ok()
    })
    .await
}

#[tokio::test]
async fn register_answers_201_a_taken_login_409_and_invalid_credentials_422() {
    let app = TestApp::spawn().await;
    let first = app
        .client()
        .exchange_register()
        .body(types::ExchangeCredentials::builder().login("alice").password(PASSWORD))
        .send()
        .await
        .expect("register");
    assert_eq!(first.status(), 201);
    let again = app
        .client()
        .exchange_register()
        .body(types::ExchangeCredentials::builder().login("alice").password("another password"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(problem_of(again).status, 409);
    for body in [json!({"login": "bob", "password": "short"}), json!({"login": ""}), json!({"login": 5})] {
        let response = app.http.post(app.url("/exchange/registration")).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    let hashes: Vec<String> = app
        .query(|c| {
            api::schema::exchange_users::table
                .select(api::schema::exchange_users::password_hash)
                .load(c)
                .unwrap()
        })
        .await;
    assert_eq!(hashes.len(), 1);
    assert!(hashes[0].starts_with("$argon2id$"));
}

#[tokio::test]
async fn login_answers_a_temporary_bearer_token_or_401() {
    let app = TestApp::spawn().await;
    app.register(App::Exchange, "carol").await;
    let out = app
        .client()
        .exchange_login()
        .body(types::ExchangeCredentials::builder().login("carol").password(PASSWORD))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(out.token_type, "bearer");
    assert_eq!(out.expires_in, 3600);
    for (login, password) in [("carol", "wrong password"), ("nobody", "correct horse")] {
        let response = app
            .http
            .post(app.url("/exchange/login"))
            .json(&json!({"login": login, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
    }
}

#[tokio::test]
async fn items_are_created_listed_and_deleted() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Exchange, "dave").await.token;
    let client = app.client_as(&token);
    let created = client
        .exchange_create_item()
        .body(types::ExchangeItemIn::builder().name("Guitar"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created = created.into_inner();
    assert_eq!((created.message.as_str(), created.name.as_str()), ("item created", "Guitar"));
    let second = create_item(&app, &token, "Amp").await;
    assert_eq!(item_names(&app, &token).await, ["Guitar", "Amp"]);
    let page = client.exchange_list_items().limit(1).offset(1).send().await.unwrap().into_inner();
    assert_eq!(page.items.iter().map(|i| i.id).collect::<Vec<_>>(), [second]);

    let deleted = client.exchange_delete_item().id(created.id).send().await.unwrap().into_inner();
    assert_eq!(deleted.message, "item deleted");
    let again = client.exchange_delete_item().id(created.id).send().await.unwrap_err();
    assert_eq!(status_of(&again), 404);
    assert_eq!(item_names(&app, &token).await, ["Amp"]);
}

#[tokio::test]
async fn bad_item_bodies_are_refused_and_create_nothing() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Exchange, "erin").await.token;
    let cases = [
        (json!({"name": ""}).to_string(), "application/json", 422),
        (json!({"name": "x".repeat(201)}).to_string(), "application/json", 422),
        (json!({"name": "nul\u{0}"}).to_string(), "application/json", 422),
        (json!({"name": 7}).to_string(), "application/json", 422),
        (json!({}).to_string(), "application/json", 422),
        ("{\"name\": ".into(), "application/json", 400),
        (json!({"name": "ok"}).to_string(), "text/plain", 415),
    ];
    for (body, content_type, status) in cases {
        let response = app
            .http
            .post(app.url("/exchange/items/new"))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    let items: i64 = app.query(|c| api::schema::exchange_items::table.count().get_result(c).unwrap()).await;
    assert_eq!(items, 0);
}

#[tokio::test]
async fn the_token_is_taken_as_a_query_parameter_or_a_body_field() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Exchange, "frank").await.token;
    let _ = app.user(App::Exchange, "grace").await.token;
    let plain = app.client();
    // Body field (POST), through the typed client without any header.
    let created = plain
        .exchange_create_item()
        .body(types::ExchangeItemIn::builder().name("Lamp").token(Some(token.clone())))
        .send()
        .await
        .unwrap()
        .into_inner();
    // Query parameter (GET, DELETE).
    let list = plain.exchange_list_items().token(&token).send().await.unwrap().into_inner();
    assert_eq!(list.items.len(), 1);
    let link = plain
        .exchange_send_item()
        .body(
            types::ExchangeSendIn::builder()
                .item_id(created.id)
                .recipient("grace")
                .token(Some(token.clone())),
        )
        .send()
        .await
        .unwrap()
        .into_inner()
        .link;
    assert!(link.contains("transfer="));
    let second = create_item(&app, &token, "Rug").await;
    let deleted = plain.exchange_delete_item().id(second).token(&token).send().await.unwrap();
    assert_eq!(deleted.status(), 200);
    // A bad token in the body is refused like a bad header.
    let refused = plain
        .exchange_create_item()
        .body(types::ExchangeItemIn::builder().name("Lamp").token(Some("not.a.jwt".to_owned())))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&refused), 401);
    // Logout with the token as a body field; it is refused afterwards, in the query too.
    let out = app.http.post(app.url("/exchange/logout")).json(&json!({"token": token})).send().await.unwrap();
    assert_eq!(out.status(), 200);
    let after = plain.exchange_list_items().token(&token).send().await.unwrap_err();
    assert_eq!(status_of(&after), 401);
}

#[tokio::test]
async fn requests_without_a_token_are_401() {
    let app = TestApp::spawn().await;
    let plain = app.client();
    let statuses = [
        status_of(&plain.exchange_list_items().send().await.unwrap_err()),
        status_of(&plain.exchange_delete_item().id(1).send().await.unwrap_err()),
        status_of(&plain.exchange_follow_link().transfer("x").send().await.unwrap_err()),
        status_of(&plain.exchange_logout().body(None).send().await.unwrap_err()),
        status_of(
            &plain
                .exchange_create_item()
                .body(types::ExchangeItemIn::builder().name("x"))
                .send()
                .await
                .unwrap_err(),
        ),
        status_of(
            &plain
                .exchange_send_item()
                .body(types::ExchangeSendIn::builder().item_id(1).recipient("x"))
                .send()
                .await
                .unwrap_err(),
        ),
    ];
    assert_eq!(statuses, [401; 6]);
    // Without a token, a bad body is still a 401: the caller is checked first.
    let response =
        app.http.post(app.url("/exchange/items/new")).json(&json!({"name": ""})).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn foreign_and_forged_tokens_are_refused() {
    let app = TestApp::spawn().await;
    app.register(App::Exchange, "heidi").await;
    let claims = |aud: &str| json!({"sub": "1", "aud": aud, "iat": now(), "exp": now() + 600, "jti": "j"});
    let valid = sign(&claims("exchange"), JWT_SECRET);
    assert_eq!(app.client_as(&valid).exchange_list_items().send().await.unwrap().status(), 200);
    for token in [sign(&claims("dealer"), JWT_SECRET), sign(&claims("exchange"), "x".repeat(40).as_str())] {
        let err = app.client().exchange_list_items().token(&token).send().await.unwrap_err();
        assert_eq!(status_of(&err), 401);
    }
}

#[tokio::test]
async fn another_users_items_are_invisible_and_untouchable() {
    let app = TestApp::spawn().await;
    let owner = app.user(App::Exchange, "ivan").await.token;
    let other = app.user(App::Exchange, "judy").await.token;
    let item = create_item(&app, &owner, "Bike").await;
    assert!(item_names(&app, &other).await.is_empty());
    let delete = app.client_as(&other).exchange_delete_item().id(item).send().await.unwrap_err();
    assert_eq!(status_of(&delete), 404);
    let send = app
        .client_as(&other)
        .exchange_send_item()
        .body(types::ExchangeSendIn::builder().item_id(item).recipient("judy"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&send), 404);
    assert_eq!(item_names(&app, &owner).await, ["Bike"]);
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("ivan"));
}
