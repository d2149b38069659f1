//! /shop: every contract row and the money races, through the real server,
//! PostgreSQL and Redis. Helpers set data up through the API.

mod admin;
mod bench;
mod ledger;
mod races;
mod users;

use api_tests::{App, PASSWORD, TestApp, types};
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

/// The code at the end of an activation link.
pub fn code_of(link: &str) -> String {
    link.rsplit('/').next().unwrap_or_default().to_owned()
}

/// The /shop admin's token (see [`spawn_with_admin`]).
pub async fn admin(app: &TestApp) -> String {
    app.log_in(App::Shop, ADMIN.0, ADMIN.1).await
}

/// Registers `login` and answers the activation link, without following it.
pub async fn registration_link(app: &TestApp, login: &str) -> String {
    let body = types::ShopCredentials::builder().login(login).password(PASSWORD);
    app.client().shop_register().body(body).send().await.expect("register").into_inner().activation_link
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
