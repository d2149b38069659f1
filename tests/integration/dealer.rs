//! /dealer: the spec's exact bodies and status codes, for every answer the app
//! gives (its own errors and every other 4xx), through the real server.

use api_tests::{App, JWT_SECRET, PASSWORD, TestApp, now, sign, status_of, types};
use diesel::{QueryDsl, RunQueryDsl};
use serde_json::{Value, json};

fn creds(username: &str) -> types::builder::DealerCredentials {
    types::DealerCredentials::builder().username(username).password(PASSWORD)
}

fn auto(max_speed: i32) -> types::builder::DealerAutoIn {
    types::DealerAutoIn::builder().max_speed(max_speed).distance(400).handler("Auto Motors").stock("Germany")
}

/// The `{"Error"}` body of a client error.
fn error_of(err: api_client::Error<types::DealerError>) -> (u16, String) {
    match err {
        api_client::Error::ErrorResponse(r) => (r.status().as_u16(), r.into_inner().error),
        other => panic!("expected an error response, got {other:?}"),
    }
}

/// Asserts a raw answer is `{"Error": <non-empty>}` as `application/json`, and returns the reason.
async fn error_body(response: reqwest::Response, status: u16) -> String {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    let object = body.as_object().expect("an object");
    assert_eq!(object.len(), 1, "{body}");
    let reason = body["Error"].as_str().expect("an Error string");
    assert!(!reason.is_empty());
    reason.to_owned()
}

#[tokio::test]
async fn register_answers_the_specs_messages() {
    let app = TestApp::spawn().await;
    let created = app.client().dealer_register().body(creds("Some user")).send().await.unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.into_inner().message, "User created. Try to auth");
    let again = app.client().dealer_register().body(creds("Some user")).send().await.unwrap_err();
    assert_eq!(error_of(again), (400, "User already exists".into()));
    let users: i64 = app.query(|c| api::schema::dealer_users::table.count().get_result(c).unwrap()).await;
    assert_eq!(users, 1);
    let raw = app
        .http
        .post(app.url("/dealer/register"))
        .json(&json!({"username": "Some user", "password": "Some password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.json::<Value>().await.unwrap(), json!({"Error": "User already exists"}));
}

#[tokio::test]
async fn auth_answers_an_access_token_or_invalid_credentials() {
    let app = TestApp::spawn().await;
    app.client().dealer_register().body(creds("dealer")).send().await.unwrap();
    let ok =
        app.http.post(app.url("/dealer/auth")).json(&json!({"username": "dealer", "password": PASSWORD}));
    let body: Value = ok.send().await.unwrap().json().await.unwrap();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["access_token"]);
    for (username, password) in [("dealer", "wrong password"), ("nobody", PASSWORD)] {
        let err = app
            .client()
            .dealer_auth()
            .body(types::DealerCredentials::builder().username(username).password(password))
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_of(err), (401, "Invalid credentials".into()));
    }
}

#[tokio::test]
async fn stock_without_autos_is_400_with_the_specs_error() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Dealer, "dealer").await.token;
    let err = app.client_as(&token).dealer_list_stock().send().await.unwrap_err();
    assert_eq!(error_of(err), (400, "No one autos found in DataBase".into()));
}

#[tokio::test]
async fn an_auto_lives_through_the_specs_bodies() {
    let app = TestApp::spawn().await;
    let client = app.client_as(&app.user(App::Dealer, "dealer").await.token);
    let created = client.dealer_create_auto().mark("Model S").body(auto(280)).send().await.unwrap();
    assert_eq!((created.status().as_u16(), created.into_inner().message.as_str()), (201, "Auto created"));
    let exists = client.dealer_create_auto().mark("Model S").body(auto(100)).send().await.unwrap_err();
    assert_eq!(error_of(exists), (400, "Auto with that mark exists".into()));

    let read = client.dealer_get_auto().mark("Model S").send().await.unwrap();
    assert_eq!(read.status(), 200);
    let expected = types::DealerAutoOut {
        mark: "Model S".into(),
        max_speed: 280,
        distance: 400,
        handler: "Auto Motors".into(),
        stock: "Germany".into(),
    };
    assert_eq!(read.into_inner(), expected);

    let updated = client.dealer_update_auto().mark("Model S").body(auto(300)).send().await.unwrap();
    assert_eq!((updated.status().as_u16(), updated.into_inner().message.as_str()), (202, "Auto updated"));
    client.dealer_create_auto().mark("Beetle").body(auto(120)).send().await.unwrap();
    let stock = client.dealer_list_stock().send().await.unwrap().into_inner();
    assert_eq!(
        stock.iter().map(|a| (a.mark.as_str(), a.max_speed)).collect::<Vec<_>>(),
        [("Model S", 300), ("Beetle", 120)]
    );
    let page = client.dealer_list_stock().offset(5).send().await.unwrap().into_inner();
    assert!(page.is_empty(), "past the end of a non-empty stock is an empty page");

    let deleted = client.dealer_delete_auto().mark("Model S").send().await.unwrap();
    assert_eq!((deleted.status().as_u16(), deleted.into_inner().message.as_str()), (202, "Auto deleted"));
    let not_found = (404, "Auto with that mark not found".to_owned());
    assert_eq!(error_of(client.dealer_get_auto().mark("Model S").send().await.unwrap_err()), not_found);
    assert_eq!(
        error_of(client.dealer_update_auto().mark("Model S").body(auto(1)).send().await.unwrap_err()),
        not_found
    );
    assert_eq!(error_of(client.dealer_delete_auto().mark("Model S").send().await.unwrap_err()), not_found);
    let marks: Vec<String> = app
        .query(|c| api::schema::dealer_autos::table.select(api::schema::dealer_autos::mark).load(c).unwrap())
        .await;
    assert_eq!(marks, ["Beetle"]);
}

#[tokio::test]
async fn marks_round_trip_any_percent_encoded_text() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Dealer, "dealer").await.token;
    let client = app.client_as(&token);
    let marks = ["Model 3 Long Range", "AC/DC", "Жигули 2107", "100% electric", "a?b#c", "汽车"];
    for mark in marks {
        let created = client.dealer_create_auto().mark(mark).body(auto(200)).send().await.unwrap();
        assert_eq!(created.status(), 201, "{mark}");
        assert_eq!(client.dealer_get_auto().mark(mark).send().await.unwrap().into_inner().mark, mark);
    }
    let stock = client.dealer_list_stock().send().await.unwrap().into_inner();
    assert_eq!(stock.iter().map(|a| a.mark.as_str()).collect::<Vec<_>>(), marks);
    // The same through hand-written URLs.
    let raw = app.http.get(app.url("/dealer/auto/AC%2FDC")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(raw.json::<Value>().await.unwrap()["mark"], "AC/DC");
    let raw =
        app.http.get(app.url("/dealer/auto/100%25%20electric")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(raw.status(), 200);
    // A mark that could never be stored is simply not found (not a 500).
    let nul = app.http.get(app.url("/dealer/auto/a%00b")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(error_body(nul, 404).await, "Auto with that mark not found");
}

#[tokio::test]
async fn the_token_is_taken_after_bearer_or_jwt() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Dealer, "dealer").await.token;
    for scheme in ["Bearer", "JWT", "jwt"] {
        let response = app
            .http
            .get(app.url("/dealer/stock"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await;
        assert_eq!(response.unwrap().status(), 400, "{scheme}: authenticated, and the stock is empty");
    }
    let wrong =
        app.http.get(app.url("/dealer/stock")).header("authorization", format!("Token {token}")).send();
    error_body(wrong.await.unwrap(), 401).await;
}

#[tokio::test]
async fn every_other_error_is_an_error_body_too() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Dealer, "dealer").await.token;
    let foreign = sign(
        &json!({"sub": "1", "aud": "exchange", "iat": now(), "exp": now() + 600, "jti": "j"}),
        JWT_SECRET,
    );
    let expired = sign(
        &json!({"sub": "1", "aud": "dealer", "iat": now() - 90, "exp": now() - 60, "jti": "k"}),
        JWT_SECRET,
    );
    for (name, header) in [
        ("none", None),
        ("garbage", Some("Bearer nope")),
        ("foreign", Some(foreign.as_str())),
        ("expired", Some(expired.as_str())),
    ] {
        let mut request = app.http.get(app.url("/dealer/stock"));
        if let Some(value) = header {
            let value = if value.contains(' ') { value.to_owned() } else { format!("JWT {value}") };
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{name}");
        error_body(response, 401).await;
    }
    let post = |body: &'static str, content_type: &'static str| {
        app.http
            .post(app.url("/dealer/auto/Golf"))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases = [
        ("{\"max_speed\": ", "application/json", 400),
        (r#"{"max_speed": "fast", "distance": 1, "handler": "h", "stock": "s"}"#, "application/json", 422),
        (r#"{"max_speed": 1, "distance": 1, "handler": "h"}"#, "application/json", 422),
        (r#"{"max_speed": -1, "distance": 1, "handler": "h", "stock": "s"}"#, "application/json", 422),
        (r#"{"max_speed": 1, "distance": 1, "handler": "h", "stock": "s"}"#, "text/plain", 415),
    ];
    for (body, content_type, status) in cases {
        let reason = error_body(post(body, content_type).await.unwrap(), status).await;
        if status == 422 && body.contains("fast") {
            assert!(reason.contains("max_speed"), "{reason}");
        }
    }
    let autos: i64 = app.query(|c| api::schema::dealer_autos::table.count().get_result(c).unwrap()).await;
    assert_eq!(autos, 0);
    let unknown = app.http.get(app.url("/dealer/nowhere")).bearer_auth(&token).send().await.unwrap();
    error_body(unknown, 404).await;
    let method = app.http.patch(app.url("/dealer/stock")).bearer_auth(&token).send().await.unwrap();
    error_body(method, 405).await;
    let bad_register = app.http.post(app.url("/dealer/register")).json(&json!({"username": "x"})).send();
    error_body(bad_register.await.unwrap(), 422).await;
}

#[tokio::test]
async fn the_rate_limit_answers_an_error_body() {
    let app = TestApp::spawn_with(&[("RATE_LIMIT_PER_MINUTE", "2")]).await;
    for _ in 0..2 {
        let response = app.http.get(app.url("/dealer/stock")).send().await.unwrap();
        assert_eq!(response.status(), 401);
    }
    let limited = app.http.get(app.url("/dealer/stock")).send().await.unwrap();
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(limited.headers()["x-ratelimit-remaining"], "0");
    assert_eq!(error_body(limited, 429).await, "too many requests");
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Dealer, "dealer").await.token;
    let out = app.client_as(&token).dealer_logout().send().await.unwrap();
    assert_eq!(out.into_inner().message, "Logged out");
    let err = app.client_as(&token).dealer_list_stock().send().await.unwrap_err();
    assert_eq!(status_of(&err), 401);
}

#[tokio::test]
async fn autos_are_one_shared_stock_but_need_a_dealer_token() {
    let app = TestApp::spawn().await;
    let first = app.user(App::Dealer, "first").await.token;
    let second = app.user(App::Dealer, "second").await.token;
    app.client_as(&first).dealer_create_auto().mark("Polo").body(auto(180)).send().await.unwrap();
    let seen = app.client_as(&second).dealer_get_auto().mark("Polo").send().await.unwrap().into_inner();
    assert_eq!(seen.max_speed, 180);
    let anonymous = app.client().dealer_get_auto().mark("Polo").send().await.unwrap_err();
    assert_eq!(error_of(anonymous).0, 401);
}

/// JSON Schema's `integer` takes `452.0` as well as `452` (schemathesis sends
/// both); a fraction is still refused, and so is an out-of-range page.
#[tokio::test]
async fn integers_spelled_as_floats_are_integers() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Dealer, "Floats").await.token;
    let post = |mark: &str, body: Value| {
        app.http.post(app.url(&format!("/dealer/auto/{mark}"))).bearer_auth(&token).json(&body).send()
    };
    let body = json!({"max_speed": 452.0, "distance": 400, "handler": "Auto Motors", "stock": "Germany"});
    assert_eq!(post("Whole", body).await.unwrap().status(), 201);
    let stored = app.client_as(&token).dealer_get_auto().mark("Whole").send().await.unwrap().into_inner();
    assert_eq!((stored.max_speed, stored.distance), (452, 400));
    let half = json!({"max_speed": 452.5, "distance": 400, "handler": "Auto Motors", "stock": "Germany"});
    error_body(post("Half", half).await.unwrap(), 422).await;
    let page = app.http.get(app.url("/dealer/stock?offset=-1")).bearer_auth(&token).send().await.unwrap();
    error_body(page, 422).await;
    let marks: i64 = app.query(|c| api::schema::dealer_autos::table.count().get_result(c).unwrap()).await;
    assert_eq!(marks, 1);
}
