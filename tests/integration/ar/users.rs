//! /ar users, login and logout.

use api_tests::{App, TestApp, status_of, types};
use serde_json::json;

use super::{count, credentials, setup};

#[tokio::test]
async fn sign_up_answers_201_and_a_taken_login_409() {
    let app = TestApp::spawn().await;
    let created =
        app.client().ar_create_user().body(credentials("alice")).send().await.expect("sign up").into_inner();
    assert_eq!(created.login, "alice");
    let again = app.client().ar_create_user().body(credentials("alice")).send().await.unwrap_err();
    assert_eq!(status_of(&again), 409);
    assert_eq!(count(&app, "ar_users", "password_hash LIKE '$argon2id$%'").await, 1);
}

#[tokio::test]
async fn invalid_sign_ups_are_422_and_create_nothing() {
    let app = TestApp::spawn().await;
    for body in [
        json!({"login": "bob", "password": "short"}),
        json!({"login": "", "password": "long enough"}),
        json!({"login": "a\u{0}b", "password": "long enough"}),
        json!({"login": "bob"}),
        json!({"login": 5, "password": "long enough"}),
    ] {
        let response = app.http.post(app.url("/ar/api/user")).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    let malformed = app
        .http
        .post(app.url("/ar/api/user"))
        .header("content-type", "application/json")
        .body("{\"login\":")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(count(&app, "ar_users", "true").await, 0);
}

#[tokio::test]
async fn login_works_with_and_without_the_slash_and_refuses_wrong_passwords() {
    let app = TestApp::spawn().await;
    let alice = app.user(App::Ar, "alice").await;
    let slash = app.client().ar_login().body(credentials("alice")).send().await.unwrap().into_inner();
    let bare = app.client().ar_login_no_slash().body(credentials("alice")).send().await.unwrap().into_inner();
    assert_eq!(slash.token_type, "bearer");
    for token in [&slash.access_token, &bare.access_token] {
        let me = app.client_as(token).ar_get_user().id(alice.id).send().await.unwrap().into_inner();
        assert_eq!(me.login, "alice");
    }
    for (login, password) in [("alice", "wrong password"), ("nobody", "correct horse")] {
        for path in ["/ar/api/login/", "/ar/api/login"] {
            let response = app
                .http
                .post(app.url(path))
                .json(&json!({"login": login, "password": password}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 401);
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
        }
    }
}

#[tokio::test]
async fn user_routes_answer_only_the_users_own_token() {
    let app = TestApp::spawn().await;
    let alice = app.user(App::Ar, "alice").await;
    let alice_token = alice.token.clone();
    let bob = app.user(App::Ar, "bob").await;
    let client = app.client_as(&alice_token);
    assert_eq!(client.ar_get_user().id(alice.id).send().await.unwrap().into_inner().id, alice.id);
    let other = client.ar_get_user().id(bob.id).send().await.unwrap_err();
    assert_eq!(status_of(&other), 404, "someone else's account is not found");
    let delete_other = client.ar_delete_user().id(bob.id).send().await.unwrap_err();
    assert_eq!(status_of(&delete_other), 404);
    let anonymous = app.client().ar_get_user().id(alice.id).send().await.unwrap_err();
    assert_eq!(status_of(&anonymous), 401);
    assert_eq!(count(&app, "ar_users", "true").await, 2);

    let s = setup(&app, "carol").await;
    let as_app = app.client_as(&s.app_token.token);
    let read = as_app.ar_get_user().id(alice.id).send().await.unwrap_err();
    assert_eq!(status_of(&read), 403, "app tokens are refused on user routes");
}

#[tokio::test]
async fn update_changes_login_and_password() {
    let app = TestApp::spawn().await;
    let alice = app.user(App::Ar, "alice").await;
    let token = alice.token.clone();
    app.user(App::Ar, "bob").await;
    let client = app.client_as(&token);
    let taken = client
        .ar_update_user()
        .id(alice.id)
        .body(types::ArUserPatch::builder().login(Some("bob".try_into().unwrap())))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&taken), 409);
    let updated = client
        .ar_update_user()
        .id(alice.id)
        .body(
            types::ArUserPatch::builder()
                .login(Some("alicia".try_into().unwrap()))
                .password(Some("a new password".try_into().unwrap())),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((updated.id, updated.login.as_str()), (alice.id, "alicia"));
    let old = app.client().ar_login().body(credentials("alicia")).send().await.unwrap_err();
    assert_eq!(status_of(&old), 401, "the old password no longer works");
    let new = app
        .client()
        .ar_login()
        .body(types::ArCredentials::builder().login("alicia").password("a new password"))
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), 200);
    let empty =
        client.ar_update_user().id(alice.id).body(types::ArUserPatch::builder()).send().await.unwrap();
    assert_eq!(empty.into_inner().login, "alicia", "an empty patch changes nothing");
}

#[tokio::test]
async fn deleting_a_user_removes_their_data_and_refuses_their_tokens() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    super::target(&app, &s.user_token, s.project.id, "poster").await;
    let second_token =
        app.client().ar_login().body(credentials("alice")).send().await.unwrap().into_inner().access_token;
    let deleted = app.client_as(&s.user_token).ar_delete_user().id(s.user.id).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    for table in ["ar_users", "ar_projects", "ar_app_tokens", "ar_image_targets"] {
        assert_eq!(count(&app, table, "true").await, 0, "{table}");
    }
    for token in [&s.user_token, &second_token] {
        let refused = app.client_as(token).ar_list_projects().send().await.unwrap_err();
        assert_eq!(status_of(&refused), 401);
    }
    let app_refused = app.client_as(&s.app_token.token).ar_list_targets().id(s.project.id).send().await;
    assert_eq!(status_of(&app_refused.unwrap_err()), 401);
    // The login is free again.
    app.user(App::Ar, "alice").await;
}

#[tokio::test]
async fn logout_refuses_the_presented_user_or_app_token_at_once() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    assert_eq!(app.client_as(&s.user_token).ar_logout().send().await.unwrap().status(), 204);
    let refused = app.client_as(&s.user_token).ar_list_projects().send().await.unwrap_err();
    assert_eq!(status_of(&refused), 401);

    let targets = app.client_as(&s.app_token.token).ar_list_targets().id(s.project.id).send().await.unwrap();
    assert_eq!(targets.status(), 200);
    assert_eq!(app.client_as(&s.app_token.token).ar_logout().send().await.unwrap().status(), 204);
    let refused = app.client_as(&s.app_token.token).ar_list_targets().id(s.project.id).send().await;
    assert_eq!(status_of(&refused.unwrap_err()), 401);
    assert_eq!(count(&app, "ar_app_tokens", "revoked_at IS NOT NULL").await, 1);
}
