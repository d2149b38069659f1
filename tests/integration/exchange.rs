//! /exchange: every contract row, the transfer rules (recipient only, single
//! use, supersession, deletion, expiry) and the races, through the real server.

use api_tests::{JWT_SECRET, TestApp, now, problem_of, sign, status_of, types};
use diesel::{BoolExpressionMethods, ExpressionMethods, QueryDsl, RunQueryDsl};
use serde_json::json;

async fn register(app: &TestApp, login: &str) {
    let response = app
        .client()
        .exchange_register()
        .body(types::ExchangeCredentials::builder().login(login).password("correct horse"))
        .send()
        .await
        .expect("register");
    assert_eq!(response.status(), 201);
}

async fn login(app: &TestApp, login: &str) -> String {
    app.client()
        .exchange_login()
        .body(types::ExchangeCredentials::builder().login(login).password("correct horse"))
        .send()
        .await
        .expect("login")
        .into_inner()
        .token
}

/// A registered, logged-in user's token.
async fn user(app: &TestApp, name: &str) -> String {
    register(app, name).await;
    login(app, name).await
}

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
    register(&app, "alice").await;
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
    register(&app, "carol").await;
    let out = app
        .client()
        .exchange_login()
        .body(types::ExchangeCredentials::builder().login("carol").password("correct horse"))
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
    let token = user(&app, "dave").await;
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
    let token = user(&app, "erin").await;
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
    let token = user(&app, "frank").await;
    let _ = user(&app, "grace").await;
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
    register(&app, "heidi").await;
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
    let owner = user(&app, "ivan").await;
    let other = user(&app, "judy").await;
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

#[tokio::test]
async fn send_answers_an_absolute_link_whose_code_is_stored_hashed() {
    let app = TestApp::spawn_with(&[("PUBLIC_URL", "https://api.example.test/")]).await;
    let sender = user(&app, "kim").await;
    register(&app, "lee").await;
    let item = create_item(&app, &sender, "Book").await;
    let response = app
        .client_as(&sender)
        .exchange_send_item()
        .body(types::ExchangeSendIn::builder().item_id(item).recipient("lee"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let link = response.into_inner().link;
    let code = link.strip_prefix("https://api.example.test/exchange/get?transfer=").expect("absolute link");
    assert_eq!(code.len(), 43, "256 bits in base64url");
    assert!(!link.contains("item"), "the link carries a code, not an item id");
    let stored: Vec<Vec<u8>> = app
        .query(|c| {
            api::schema::exchange_transfers::table
                .select(api::schema::exchange_transfers::code_hash)
                .load(c)
                .unwrap()
        })
        .await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].len(), 32);
    assert_ne!(stored[0], code.as_bytes());
    let other = create_item(&app, &sender, "Pen").await;
    assert_ne!(code_of(&send(&app, &sender, other, "lee").await), code);
}

#[tokio::test]
async fn send_refuses_unknown_items_unknown_recipients_and_oneself() {
    let app = TestApp::spawn().await;
    let sender = user(&app, "mia").await;
    let item = create_item(&app, &sender, "Cup").await;
    let client = app.client_as(&sender);
    let attempt = |item_id: i64, recipient: &'static str| {
        client
            .exchange_send_item()
            .body(types::ExchangeSendIn::builder().item_id(item_id).recipient(recipient))
            .send()
    };
    assert_eq!(status_of(&attempt(item + 100, "mia").await.unwrap_err()), 404);
    assert_eq!(status_of(&attempt(item, "nobody").await.unwrap_err()), 404);
    let to_self = problem_of(attempt(item, "mia").await.unwrap_err());
    assert_eq!(to_self.status, 422);
    assert_eq!(to_self.errors[0].field, "recipient");
    let links: i64 =
        app.query(|c| api::schema::exchange_transfers::table.count().get_result(c).unwrap()).await;
    assert_eq!(links, 0);
}

#[tokio::test]
async fn following_a_link_moves_the_item_once() {
    let app = TestApp::spawn().await;
    let sender = user(&app, "nina").await;
    let recipient = user(&app, "omar").await;
    let item = create_item(&app, &sender, "Chair").await;
    let link = send(&app, &sender, item, "omar").await;

    // The link itself, followed as it was handed out (token in the query).
    let response = app.http.get(format!("{link}&token={recipient}")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, json!({"message": "item received", "item": {"id": item, "name": "Chair"}}));
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("omar"));
    assert!(item_names(&app, &sender).await.is_empty());
    assert_eq!(item_names(&app, &recipient).await, ["Chair"]);

    let again = problem_of(
        app.client_as(&recipient).exchange_follow_link().transfer(code_of(&link)).send().await.unwrap_err(),
    );
    assert_eq!(again.status, 410);
    assert_eq!(again.detail, "this link has already been used");
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("omar"));
}

#[tokio::test]
async fn follow_link_as_third_user_is_forbidden_and_the_link_stays_valid() {
    let app = TestApp::spawn().await;
    let sender = user(&app, "paul").await;
    let recipient = user(&app, "quinn").await;
    let third = user(&app, "rose").await;
    let item = create_item(&app, &sender, "Clock").await;
    let link = send(&app, &sender, item, "quinn").await;
    for intruder in [&third, &sender] {
        let err = app.client_as(intruder).exchange_follow_link().transfer(code_of(&link)).send().await;
        assert_eq!(problem_of(err.unwrap_err()).status, 403);
    }
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("paul"));
    let no_token = app.http.get(&link).send().await.unwrap();
    assert_eq!(no_token.status(), 401);
    assert_eq!(follow(&app, &recipient, &link).await, 200);
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("quinn"));
}

#[tokio::test]
async fn a_superseded_link_is_gone_and_moves_nothing() {
    let app = TestApp::spawn().await;
    let sender = user(&app, "sam").await;
    let first = user(&app, "tina").await;
    let second = user(&app, "uma").await;
    let item = create_item(&app, &sender, "Desk").await;
    let old = send(&app, &sender, item, "tina").await;
    let new = send(&app, &sender, item, "uma").await;
    let err = app.client_as(&first).exchange_follow_link().transfer(code_of(&old)).send().await.unwrap_err();
    let problem = problem_of(err);
    assert_eq!((problem.status, problem.detail.as_str()), (410, "a newer link has been sent for this item"));
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("sam"));
    // Re-sending to the same recipient supersedes too.
    let newest = send(&app, &sender, item, "uma").await;
    assert_eq!(follow(&app, &second, &new).await, 410);
    assert_eq!(follow(&app, &second, &newest).await, 200);
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("uma"));
}

#[tokio::test]
async fn a_link_whose_item_was_deleted_or_changed_hands_is_gone() {
    let app = TestApp::spawn().await;
    let sender = user(&app, "vic").await;
    let recipient = user(&app, "wes").await;
    let deleted = create_item(&app, &sender, "Vase").await;
    let link = send(&app, &sender, deleted, "wes").await;
    app.client_as(&sender).exchange_delete_item().id(deleted).send().await.unwrap();
    let problem = problem_of(
        app.client_as(&recipient).exchange_follow_link().transfer(code_of(&link)).send().await.unwrap_err(),
    );
    assert_eq!((problem.status, problem.detail.as_str()), (410, "the item has been deleted"));
    assert!(item_names(&app, &recipient).await.is_empty());

    // An item that went to wes and came back: the first link to wes is used, the
    // link wes sent back moved it; nothing can take it again.
    let item = create_item(&app, &sender, "Lamp").await;
    let there = send(&app, &sender, item, "wes").await;
    assert_eq!(follow(&app, &recipient, &there).await, 200);
    let back = send(&app, &recipient, item, "vic").await;
    assert_eq!(follow(&app, &sender, &back).await, 200);
    assert_eq!(follow(&app, &recipient, &there).await, 410);
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("vic"));
}

#[tokio::test]
async fn an_expired_link_is_gone() {
    let app = TestApp::spawn_with(&[("TRANSFER_LINK_TTL_SECONDS", "1")]).await;
    let sender = user(&app, "xena").await;
    let recipient = user(&app, "yuri").await;
    let item = create_item(&app, &sender, "Hat").await;
    let link = send(&app, &sender, item, "yuri").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let problem = problem_of(
        app.client_as(&recipient).exchange_follow_link().transfer(code_of(&link)).send().await.unwrap_err(),
    );
    assert_eq!((problem.status, problem.detail.as_str()), (410, "this link has expired"));
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("xena"));
}

#[tokio::test]
async fn unknown_codes_are_gone_and_a_missing_code_is_400() {
    let app = TestApp::spawn().await;
    let token = user(&app, "zoe").await;
    for code in ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", "%00"] {
        let err = app.client_as(&token).exchange_follow_link().transfer(code).send().await.unwrap_err();
        assert_eq!(status_of(&err), 410, "{code}");
    }
    let missing = app.http.get(app.url("/exchange/get")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(missing.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_follows_move_the_item_exactly_once() {
    let app = TestApp::spawn().await;
    let sender = user(&app, "amy").await;
    let recipient = user(&app, "ben").await;
    let item = create_item(&app, &sender, "Piano").await;
    let link = send(&app, &sender, item, "ben").await;
    let follows = (0..16).map(|_| follow(&app, &recipient, &link));
    let mut statuses = futures::future::join_all(follows).await;
    statuses.sort_unstable();
    assert_eq!(statuses, [[200].as_slice(), &[410; 15]].concat());
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("ben"));
    assert_eq!(item_names(&app, &recipient).await, ["Piano"]);
    let used: i64 = app
        .query(|c| {
            use api::schema::exchange_transfers::dsl::*;
            exchange_transfers.filter(used_at.is_not_null()).count().get_result(c).unwrap()
        })
        .await;
    assert_eq!(used, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_send_delete_and_follow_never_give_an_item_to_someone_not_asked() {
    let app = TestApp::spawn().await;
    let sender = user(&app, "cal").await;
    let asked = user(&app, "dan").await;
    register(&app, "eve").await;
    for round in 0..8 {
        let item = create_item(&app, &sender, &format!("Item {round}")).await;
        let link = send(&app, &sender, item, "dan").await;
        // The sender re-sends to eve (superseding dan's link) while dan follows
        // his; on odd rounds the sender deletes the item at the same time.
        let follow_fut = follow(&app, &asked, &link);
        let resend = async {
            app.client_as(&sender)
                .exchange_send_item()
                .body(types::ExchangeSendIn::builder().item_id(item).recipient("eve"))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or_else(|e| status_of(&e))
        };
        let delete = async {
            if round % 2 == 1 {
                let r = app.client_as(&sender).exchange_delete_item().id(item).send().await;
                r.map(|r| r.status().as_u16()).unwrap_or_else(|e| status_of(&e))
            } else {
                0
            }
        };
        let (followed, resent, deleted) = tokio::join!(follow_fut, resend, delete);
        let owner = owner_login(&app, item).await;
        match followed {
            200 => {
                assert_eq!(resent, 404, "round {round}: once moved, the sender cannot re-send");
                assert_ne!(deleted, 200, "round {round}: once moved, the sender cannot delete");
                assert_eq!(owner.as_deref(), Some("dan"), "round {round}");
            }
            410 => assert!(
                owner.as_deref() == Some("cal") || (owner.is_none() && deleted == 200),
                "round {round}: {owner:?}, delete {deleted}, resend {resent}"
            ),
            other => panic!("round {round}: follow answered {other}"),
        }
        let live: i64 = app
            .query(move |c| {
                use api::schema::exchange_transfers::dsl::*;
                exchange_transfers
                    .filter(item_id.eq(item).and(used_at.is_null()).and(superseded_at.is_null()))
                    .count()
                    .get_result(c)
                    .unwrap()
            })
            .await;
        assert!(live <= 1, "round {round}: at most one live link per item");
    }
}

#[tokio::test]
async fn the_purge_job_removes_links_that_can_never_work_again() {
    let app = TestApp::spawn().await;
    let sender = user(&app, "fay").await;
    let recipient = user(&app, "gus").await;
    let used = create_item(&app, &sender, "Used").await;
    let used_link = send(&app, &sender, used, "gus").await;
    assert_eq!(follow(&app, &recipient, &used_link).await, 200);
    let live = create_item(&app, &sender, "Live").await;
    let _superseded = send(&app, &sender, live, "gus").await;
    let live_link = send(&app, &sender, live, "gus").await;
    let gone = create_item(&app, &sender, "Gone").await;
    let _orphan = send(&app, &sender, gone, "gus").await;
    app.client_as(&sender).exchange_delete_item().id(gone).send().await.unwrap();
    // One expired link, aged in the database.
    let expired = create_item(&app, &sender, "Old").await;
    let _expired_link = send(&app, &sender, expired, "gus").await;
    app.query(move |c| {
        use api::schema::exchange_transfers::dsl::*;
        diesel::update(exchange_transfers.filter(item_id.eq(expired)))
            .set(expires_at.eq(chrono::Utc::now() - chrono::Duration::seconds(5)))
            .execute(c)
            .unwrap();
    })
    .await;

    let config = app.config.clone();
    let report =
        app.query(move |c| api::jobs::purge_once(c, &config).unwrap()).await.expect("the lock is free");
    assert_eq!(report.get("exchange_transfer_links"), Some(&4));
    let left: i64 =
        app.query(|c| api::schema::exchange_transfers::table.count().get_result(c).unwrap()).await;
    assert_eq!(left, 1);
    assert_eq!(follow(&app, &recipient, &used_link).await, 410, "a purged link is still gone");
    assert_eq!(follow(&app, &recipient, &live_link).await, 200);
}
