//! /ar app tokens: create, list, renew (new JWT, old refused), revoke.

use api_tests::{JWT_SECRET, TestApp, now, sign, status_of, types};
use chrono::Utc;
use serde_json::json;

use super::{count, exec, setup};

fn claims_of(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap())
        .unwrap()
}

#[tokio::test]
async fn an_app_token_lives_14_days_is_scoped_to_its_project_and_is_listed() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let lifetime = s.app_token.expires_at - Utc::now();
    assert!((lifetime.num_seconds() - 1_209_600).abs() <= 5, "{lifetime}");
    let claims = claims_of(&s.app_token.token);
    assert_eq!(claims["aud"], "ar-app");
    assert_eq!(claims["scope"], s.project.id);
    assert_eq!(claims["sub"], s.user.id.to_string());
    let second = super::app_token(&app, &s.user_token, s.project.id).await;
    let list =
        app.client_as(&s.user_token).ar_list_tokens().id(s.project.id).send().await.unwrap().into_inner();
    assert_eq!(list, vec![s.app_token.clone(), second], "the list hands out the same tokens");
    let targets = app.client_as(&s.app_token.token).ar_list_targets().id(s.project.id).send().await.unwrap();
    assert_eq!(targets.status(), 200);
    assert_eq!(count(&app, "ar_app_tokens", "true").await, 2);
}

#[tokio::test]
async fn the_token_lifetime_follows_ar_token_ttl_seconds() {
    let app = TestApp::spawn_with(&[("AR_TOKEN_TTL_SECONDS", "60")]).await;
    let s = setup(&app, "alice").await;
    assert!(((s.app_token.expires_at - Utc::now()).num_seconds() - 60).abs() <= 5);
}

#[tokio::test]
async fn renewing_answers_a_new_token_and_refuses_the_old_one() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let renewed = app
        .client_as(&s.user_token)
        .ar_update_token()
        .id(s.project.id)
        .token_id(s.app_token.id)
        .body(types::ArTokenTtlIn::builder().ttl_seconds(Some(3600.try_into().unwrap())))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(renewed.id, s.app_token.id);
    assert_ne!(renewed.token, s.app_token.token);
    assert!(((renewed.expires_at - Utc::now()).num_seconds() - 3600).abs() <= 5);
    let old = app.client_as(&s.app_token.token).ar_list_targets().id(s.project.id).send().await.unwrap_err();
    assert_eq!(status_of(&old), 401);
    let new = app.client_as(&renewed.token).ar_list_targets().id(s.project.id).send().await.unwrap();
    assert_eq!(new.status(), 200);
    let list =
        app.client_as(&s.user_token).ar_list_tokens().id(s.project.id).send().await.unwrap().into_inner();
    assert_eq!(list, vec![renewed]);
    // Without a ttl the token gets the default lifetime again.
    let default = app
        .client_as(&s.user_token)
        .ar_update_token()
        .id(s.project.id)
        .token_id(s.app_token.id)
        .body(types::ArTokenTtlIn::builder())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(((default.expires_at - Utc::now()).num_seconds() - 1_209_600).abs() <= 5);
}

#[tokio::test]
async fn a_bad_ttl_is_422_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let url = app.url(&format!("/ar/api/project/{}/jwt/{}", s.project.id, s.app_token.id));
    for body in [
        json!({"ttl_seconds": 0}),
        json!({"ttl_seconds": -5}),
        json!({"ttl_seconds": 40_000_000}),
        json!({"ttl_seconds": "1h"}),
    ] {
        let response = app.http.put(&url).bearer_auth(&s.user_token).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 422, "{body}");
    }
    let still = app.client_as(&s.app_token.token).ar_list_targets().id(s.project.id).send().await.unwrap();
    assert_eq!(still.status(), 200);
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let owner = app.client_as(&s.user_token);
    let deleted = owner.ar_delete_token().id(s.project.id).token_id(s.app_token.id).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    let refused =
        app.client_as(&s.app_token.token).ar_list_targets().id(s.project.id).send().await.unwrap_err();
    assert_eq!(status_of(&refused), 401);
    assert!(owner.ar_list_tokens().id(s.project.id).send().await.unwrap().into_inner().is_empty());
    let again = owner.ar_delete_token().id(s.project.id).token_id(s.app_token.id).send().await.unwrap_err();
    assert_eq!(status_of(&again), 404);
    let renew = owner
        .ar_update_token()
        .id(s.project.id)
        .token_id(s.app_token.id)
        .body(types::ArTokenTtlIn::builder())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&renew), 404, "a revoked token cannot be brought back");
    assert_eq!(count(&app, "ar_app_tokens", "revoked_at IS NOT NULL").await, 1);
}

#[tokio::test]
async fn expired_and_forged_app_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let list = |token: String| {
        let client = app.client_as(&token);
        let id = s.project.id;
        async move { client.ar_list_targets().id(id).send().await }
    };
    // Expired in the database (the JWT's own `exp` is still ahead).
    exec(&app, "UPDATE ar_app_tokens SET issued_at = now() - interval '1 day', expires_at = now() - interval '1 second'".into()).await;
    assert_eq!(status_of(&list(s.app_token.token.clone()).await.unwrap_err()), 401);
    exec(&app, "UPDATE ar_app_tokens SET expires_at = now() + interval '1 day'".into()).await;
    assert_eq!(list(s.app_token.token.clone()).await.unwrap().status(), 200);

    let claims = |jti: &str, exp: i64| json!({"sub": s.user.id.to_string(), "aud": "ar-app", "iat": now() - 10, "exp": exp, "jti": jti, "scope": s.project.id});
    let real_jti = claims_of(&s.app_token.token)["jti"].as_str().unwrap().to_owned();
    for (name, token) in [
        ("unknown jti", sign(&claims("not-stored", now() + 600), JWT_SECRET)),
        ("expired JWT", sign(&claims(&real_jti, now() - 1), JWT_SECRET)),
        ("wrong key", sign(&claims(&real_jti, now() + 600), "another-secret-another-secret-0123456")),
        (
            "user audience",
            sign(
                &json!({"sub": "1", "aud": "todo", "iat": now(), "exp": now() + 60, "jti": "z"}),
                JWT_SECRET,
            ),
        ),
    ] {
        assert_eq!(status_of(&list(token).await.unwrap_err()), 401, "{name}");
    }
}
