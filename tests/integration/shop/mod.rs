//! /shop: every contract row and the money races, through the real server,
//! PostgreSQL and Redis. Helpers set data up through the API.

mod admin;
mod bench;
mod ledger;
mod races;
mod users;

use api_tests::{TestApp, types};
use base64::Engine as _;
use diesel::RunQueryDsl;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

/// The key the harness gives test servers (`PAYMENT_PRIVATE_KEY`).
pub const PAYMENT_KEY: &str = "test-payment-key";
pub const ADMIN: (&str, &str) = ("root", "root password");

/// A server whose admin comes from `ADMIN_LOGIN`/`ADMIN_PASSWORD`.
pub async fn spawn_with_admin() -> TestApp {
    TestApp::spawn_with(&[("ADMIN_LOGIN", ADMIN.0), ("ADMIN_PASSWORD", ADMIN.1)]).await
}

/// Registers a user: the activation link.
pub async fn register(app: &TestApp, login: &str) -> String {
    app.client()
        .shop_register()
        .body(types::ShopCredentials::builder().login(login).password("correct horse"))
        .send()
        .await
        .expect("register")
        .into_inner()
        .activation_link
}

/// The code at the end of an activation link.
pub fn code_of(link: &str) -> String {
    link.rsplit('/').next().unwrap_or_default().to_owned()
}

pub async fn login_as(app: &TestApp, login: &str, password: &str) -> String {
    app.client()
        .shop_login()
        .body(types::ShopCredentials::builder().login(login).password(password))
        .send()
        .await
        .expect("login")
        .into_inner()
        .access_token
}

/// A registered, activated, logged-in user: (token, id).
pub async fn user(app: &TestApp, login: &str) -> (String, i64) {
    let link = register(app, login).await;
    app.client().shop_activate().code(code_of(&link)).send().await.expect("activate");
    let token = login_as(app, login, "correct horse").await;
    let id = user_id_of(&token);
    (token, id)
}

pub async fn admin(app: &TestApp) -> String {
    login_as(app, ADMIN.0, ADMIN.1).await
}

/// The `sub` of a token.
pub fn user_id_of(token: &str) -> i64 {
    let payload = token.split('.').nth(1).expect("a JWT");
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap())
            .unwrap();
    claims["sub"].as_str().unwrap().parse().unwrap()
}

/// The signature the payment service sends; `amount` as written in the JSON.
pub fn sign(key: &str, transaction_id: i64, user_id: i64, bill_id: i64, amount: &str) -> String {
    hex::encode(Sha1::digest(format!("{key}:{transaction_id}:{user_id}:{bill_id}:{amount}").as_bytes()))
}

/// A correctly signed webhook body; `amount` is any JSON value (number or string).
pub fn webhook_body(transaction_id: i64, user_id: i64, bill_id: i64, amount: Value) -> Value {
    let text = match &amount {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    json!({
        "signature": sign(PAYMENT_KEY, transaction_id, user_id, bill_id, &text),
        "transaction_id": transaction_id, "user_id": user_id, "bill_id": bill_id, "amount": amount,
    })
}

/// Posts a raw webhook body: (status, body).
pub async fn post_webhook(app: &TestApp, body: &Value) -> (u16, Value) {
    let response = app.http.post(app.url("/shop/payment/webhook")).json(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Credits a bill through the typed client (amount as a decimal string).
pub async fn credit(app: &TestApp, transaction_id: i64, user_id: i64, bill_id: i64, amount: &str) -> String {
    let body = types::ShopWebhookIn::builder()
        .signature(sign(PAYMENT_KEY, transaction_id, user_id, bill_id, amount))
        .transaction_id(transaction_id)
        .user_id(user_id)
        .bill_id(bill_id)
        .amount(types::ShopAmountIn::String(amount.parse().unwrap()));
    let out = app.client().shop_payment_webhook().body(body).send().await.expect("webhook").into_inner();
    assert_eq!(out.bill_id, bill_id);
    out.balance.to_string()
}

pub async fn create_product(app: &TestApp, admin: &str, title: &str, price: &str) -> types::ShopProductOut {
    app.client_as(admin)
        .shop_admin_create_product()
        .body(
            types::ShopProductIn::builder()
                .title(title)
                .description(Some("a product".try_into().unwrap()))
                .price(types::ShopAmountIn::String(price.parse().unwrap())),
        )
        .send()
        .await
        .expect("create product")
        .into_inner()
}

/// A bill's balance as stored, as text with 2 decimals (`None` when absent).
pub async fn stored_balance(app: &TestApp, bill_id: i64) -> Option<String> {
    #[derive(diesel::QueryableByName)]
    struct Balance {
        #[diesel(sql_type = diesel::sql_types::Text)]
        b: String,
    }
    app.query(move |c| {
        diesel::sql_query("SELECT balance::text AS b FROM shop_bills WHERE id = $1")
            .bind::<diesel::sql_types::BigInt, _>(bill_id)
            .get_result::<Balance>(c)
            .ok()
            .map(|r| r.b)
    })
    .await
}

pub async fn count(app: &TestApp, table: &'static str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    app.query(move |c| {
        diesel::sql_query(format!("SELECT count(*) AS n FROM {table}")).get_result::<Count>(c).unwrap().n
    })
    .await
}

#[test]
fn the_documented_webhook_example_is_signed_as_it_says() {
    assert_eq!(sign(PAYMENT_KEY, 1234567, 1, 1, "100"), "aa4f246f173820d0d3246214f96faa8fd966cacd");
}
