//! Development mode (`api/src/devmode.rs`): what a bare `cargo run` gets makes
//! /shop usable end to end, and a server without a payment key says so.

use api::devmode;
use api_tests::{App, TestApp};
use serde_json::json;

use crate::shop::{create_product, post_webhook, sign};

fn secrets_file() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("dev-secrets-{}", uuid::Uuid::new_v4().simple()))
}

/// A server configured as `api serve` configures a bare `cargo run`: nothing
/// but defaults (loopback, `APP_ENV` unset), then development mode.
async fn bare_dev_server(file: &std::path::Path) -> (TestApp, devmode::DevDefaults) {
    let mut dev = None;
    let unset = [("JWT_SECRET", ""), ("PAYMENT_PRIVATE_KEY", "")];
    let app = TestApp::spawn_adjusted(&unset, |config| {
        dev = devmode::apply(config, file).expect("development mode");
    })
    .await;
    (app, dev.expect("loopback without APP_ENV is development"))
}

#[tokio::test]
async fn the_dev_admin_creates_a_product_and_the_dev_key_credits_a_bill() {
    let file = secrets_file();
    let (app, dev) = bare_dev_server(&file).await;
    let banner = devmode::banner(&dev, &app.config.public_url);
    let password = dev.admin_password.clone().expect("a made-up admin password");
    assert!(banner.contains(&password) && banner.contains(&format!("{}/admin", app.base_url)), "{banner}");

    let admin = app.log_in(App::Shop, &dev.admin_login, &password).await;
    let product = create_product(&app, &admin, "Tea", "4.50").await;
    assert_eq!(product.title.as_str(), "Tea");

    let key = dev.payment_key.clone().expect("a made-up payment key");
    let user_id = app.user(App::Shop, "dev-customer").await.id;
    let body = json!({
        "signature": sign(&key, 1, user_id, 1, "100"),
        "transaction_id": 1, "user_id": user_id, "bill_id": 1, "amount": 100,
    });
    let (status, out) = post_webhook(&app, &body).await;
    assert_eq!((status, out), (200, json!({"bill_id": 1, "balance": "100.00"})));

    // A restart keeps the secrets: the same admin password and payment key.
    let (again, dev_again) = bare_dev_server(&file).await;
    assert_eq!(dev_again.admin_password.as_deref(), Some(password.as_str()));
    assert_eq!(dev_again.payment_key.as_deref(), Some(key.as_str()));
    assert_eq!(again.config.jwt_secret, app.config.jwt_secret, "tokens stay valid across restarts");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn without_a_payment_key_the_webhook_is_503_not_configured_and_credits_nothing() {
    let app = TestApp::spawn_with(&[("PAYMENT_PRIVATE_KEY", ""), ("APP_ENV", "production")]).await;
    let user_id = app.user(App::Shop, "no-key-customer").await.id;
    let body = json!({
        "signature": sign("anything", 1, user_id, 1, "100"),
        "transaction_id": 1, "user_id": user_id, "bill_id": 1, "amount": 100,
    });
    let response = app.http.post(app.url("/shop/payment/webhook")).json(&body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["detail"], "the payment webhook is not configured");
    assert_eq!(crate::shop::stored_balance(&app, 1).await, None, "no bill was made");
}
