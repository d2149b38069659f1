//! /shop registration, activation, login, logout, and disabled users' tokens.

use api_tests::{App, PASSWORD, TestApp, User, status_of, types};
use serde_json::json;

use super::{admin, code_of, count, registration_link, spawn_with_admin};

#[tokio::test]
async fn a_new_user_is_inactive_until_the_activation_link_is_followed_once() {
    let app = TestApp::spawn().await;
    let link = registration_link(&app, "alice").await;
    assert!(link.starts_with(&format!("{}/shop/activate/", app.config.public_url)), "{link}");
    let code = code_of(&link);
    assert_eq!(code.len(), 43, "32 random bytes, base64url without padding");

    let refused = app
        .client()
        .shop_login()
        .body(types::ShopCredentials::builder().login("alice").password("correct horse"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&refused), 403, "inactive users cannot log in");

    let stored: (String, bool) = app
        .query(|c| {
            diesel::sql_query(
                "SELECT c.code_hash AS code_hash, u.is_active AS is_active FROM shop_activation_codes c JOIN shop_users u ON u.id = c.user_id",
            )
            .get_result::<CodeRow>(c)
            .map(|r| (r.code_hash, r.is_active))
            .unwrap()
        })
        .await;
    assert_ne!(stored.0, code, "only a hash of the code is stored");
    assert_eq!(stored.0.len(), 64);
    assert!(!stored.1);

    // Followed as a plain GET of the absolute link.
    let followed = app.http.get(&link).send().await.unwrap();
    assert_eq!(followed.status(), 200);
    let token = app.log_in(App::Shop, "alice", PASSWORD).await;
    assert_eq!(app.client_as(&token).shop_list_bills().send().await.unwrap().status(), 200);

    let again = app.client().shop_activate().code(&code).send().await.unwrap_err();
    assert_eq!(status_of(&again), 404, "a link works once");
    assert_eq!(count(&app, "shop_activation_codes").await, 0);
    let unknown = app.client().shop_activate().code("not-a-code").send().await.unwrap_err();
    assert_eq!(status_of(&unknown), 404);
}

#[derive(diesel::QueryableByName)]
struct CodeRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    code_hash: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    is_active: bool,
}

#[tokio::test]
async fn a_taken_login_is_409_and_invalid_credentials_422_creating_nothing() {
    let app = TestApp::spawn().await;
    registration_link(&app, "bob").await;
    let taken = app
        .client()
        .shop_register()
        .body(types::ShopCredentials::builder().login("bob").password("another password"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&taken), 409);
    for body in [
        json!({"login": "carol", "password": "short"}),
        json!({"login": "", "password": "long enough"}),
        json!({"login": "ca\u{0}rol", "password": "long enough"}),
        json!({"login": "carol"}),
        json!({"login": 7, "password": "long enough"}),
    ] {
        let response = app.http.post(app.url("/shop/register")).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    let malformed = app
        .http
        .post(app.url("/shop/register"))
        .header("content-type", "application/json")
        .body("{\"login\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(count(&app, "shop_users").await, 1);
    assert_eq!(count(&app, "shop_activation_codes").await, 1);
}

#[tokio::test]
async fn login_refuses_wrong_passwords_and_unknown_logins_with_401() {
    let app = TestApp::spawn().await;
    app.user(App::Shop, "dave").await;
    for (login, password) in [("dave", "wrong password"), ("nobody", "correct horse")] {
        let response = app
            .http
            .post(app.url("/shop/login"))
            .json(&json!({"login": login, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{login}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
    }
}

#[tokio::test]
async fn logout_revokes_the_token_and_shop_tokens_are_refused_elsewhere() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Shop, "erin").await.token;
    let client = app.client_as(&token);
    let todo = app.http.get(app.url("/todo/tasks")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(todo.status(), 401, "a /shop token is refused by /todo");
    assert_eq!(client.shop_logout().send().await.unwrap().status(), 204);
    let after = client.shop_list_products().send().await.unwrap_err();
    assert_eq!(status_of(&after), 401);
    let none = app.client().shop_list_bills().send().await.unwrap_err();
    assert_eq!(status_of(&none), 401);
}

#[tokio::test]
async fn a_disabled_users_existing_token_is_refused_on_the_next_request() {
    let app = spawn_with_admin().await;
    let root = app.client_as(&admin(&app).await);
    let User { token, id, .. } = app.user(App::Shop, "frank").await;
    let client = app.client_as(&token);
    assert_eq!(client.shop_list_products().send().await.unwrap().status(), 200);

    let out = root
        .shop_admin_update_user()
        .id(id)
        .body(types::ShopUserPatch::builder().is_active(false))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!out.is_active);
    let refused = client.shop_list_products().send().await.unwrap_err();
    assert_eq!(status_of(&refused), 401, "the very next request is refused");
    let replica = app.replica().await;
    let elsewhere = replica.client_as(&token).shop_list_bills().send().await.unwrap_err();
    assert_eq!(status_of(&elsewhere), 401, "on every replica");
    let login = app
        .client()
        .shop_login()
        .body(types::ShopCredentials::builder().login("frank").password("correct horse"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&login), 403, "a disabled user cannot log in");

    root.shop_admin_update_user()
        .id(id)
        .body(types::ShopUserPatch::builder().is_active(true))
        .send()
        .await
        .unwrap();
    assert_eq!(client.shop_list_products().send().await.unwrap().status(), 200, "enabled again");
}

#[tokio::test]
async fn a_new_replica_reads_disabled_users_from_the_database() {
    let app = spawn_with_admin().await;
    let User { token, id, .. } = app.user(App::Shop, "grace").await;
    app.query(move |c| {
        diesel::sql_query("UPDATE shop_users SET is_active = false WHERE id = $1")
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(c)
            .unwrap()
    })
    .await;
    let replica = app.replica().await;
    let refused = replica.client_as(&token).shop_list_products().send().await.unwrap_err();
    assert_eq!(status_of(&refused), 401);
}

use diesel::RunQueryDsl;
