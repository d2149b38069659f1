//! /shop money scenarios: distinct webhooks per second, purchases on one hot
//! bill and spread over many, then every bill's balance read back through the
//! API and compared with what the answered requests say it must be.

use std::{
    net::SocketAddr,
    sync::{Arc, atomic::Ordering},
};

use hyper::Method;
use sha1::{Digest, Sha1};

use super::{
    load::{self, Req, step},
    scenarios::{Outcome, RUN},
    seed::Api,
    seed_apps::{Shop, webhook},
    server::PAYMENT_KEY,
};

/// The hex SHA-1 the payment service signs a webhook with.
pub fn sign(transaction_id: i64, user_id: i64, bill_id: i64, amount: &str) -> String {
    hex::encode(Sha1::digest(format!("{PAYMENT_KEY}:{transaction_id}:{user_id}:{bill_id}:{amount}")))
}

/// Distinct webhooks (a new `transaction_id` each), spread over the bills.
pub async fn webhooks(addr: SocketAddr, shop: &mut Shop) -> anyhow::Result<Outcome> {
    const CENTS: i64 = 250;
    let base = shop.next_transaction;
    let targets: Arc<Vec<(i64, Vec<i64>)>> =
        Arc::new(shop.users.iter().map(|u| (u.user_id, u.bill_ids.clone())).collect());
    let expected = shop.expected.clone();
    let stats = load::run(
        addr,
        64,
        RUN,
        None,
        step(move |i, mut conn| {
            // Consecutive iterations hit different users' bills.
            let (user_id, bills) = &targets[i as usize % targets.len()];
            let (user_id, bill_id) = (*user_id, bills[(i as usize / targets.len()) % bills.len()]);
            let body = webhook(base + i as i64, user_id, bill_id, CENTS).to_string();
            let expected = expected.clone();
            async move {
                let req = Req::send(Method::POST, "/shop/payment/webhook", None, body, 200);
                if conn.call(req).await.is_some()
                    && let Some(balance) = expected.get(&bill_id)
                {
                    balance.fetch_add(CENTS, Ordering::Relaxed);
                }
                conn
            }
        }),
    )
    .await?;
    shop.next_transaction = base + stats.requests as i64 + 1;
    Ok(Outcome::new("shop distinct webhooks", 64, stats).judged("≥ 2,000/s", |s| s.rps >= 2000.0))
}

/// Purchases of one product on one bill (its row lock serialises them).
pub async fn hot_bill(addr: SocketAddr, api: &Api, shop: &mut Shop) -> anyhow::Result<Outcome> {
    let user = shop.users.first().ok_or_else(|| anyhow::anyhow!("no /shop user"))?;
    let (token, bill_id) = (user.token.clone(), user.bill_ids[0]);
    // Enough for every purchase the run can make.
    const TOP_UP: i64 = 100_000_000;
    let transaction = shop.next_transaction;
    shop.next_transaction += 1;
    api.post("/shop/payment/webhook", None, webhook(transaction, user.user_id, bill_id, TOP_UP), 200).await?;
    shop.expected[&bill_id].fetch_add(TOP_UP, Ordering::Relaxed);
    let (product, price) = shop.products[0];
    let expected = shop.expected.clone();
    let stats = load::run(
        addr,
        64,
        RUN,
        None,
        step(move |_, mut conn| {
            let (token, expected) = (token.clone(), expected.clone());
            async move {
                let body = format!(r#"{{"bill_id":{bill_id}}}"#);
                let req =
                    Req::send(Method::POST, format!("/shop/products/{product}/buy"), Some(&token), body, 200);
                if conn.call(req).await.is_some() {
                    expected[&bill_id].fetch_sub(price, Ordering::Relaxed);
                }
                conn
            }
        }),
    )
    .await?;
    Ok(Outcome::new("shop purchases, one hot bill", 64, stats).judged("≥ 1,000/s", |s| s.rps >= 1000.0))
}

/// Purchases spread over every user's bills and many products.
pub async fn spread(addr: SocketAddr, shop: &Shop) -> anyhow::Result<Outcome> {
    let buyers: Arc<Vec<(String, Vec<i64>)>> =
        Arc::new(shop.users.iter().map(|u| (u.token.clone(), u.bill_ids.clone())).collect());
    let products = Arc::new(shop.products.clone());
    let expected = shop.expected.clone();
    let stats = load::run(
        addr,
        64,
        RUN,
        None,
        step(move |i, mut conn| {
            let i = i as usize;
            let (token, bills) = &buyers[i % buyers.len()];
            // Skip each user's first bill: it is the hot one for user 0.
            let bill_id = bills[1 + (i / buyers.len()) % (bills.len() - 1).max(1)];
            let (product, price) = products[i % products.len()];
            let req = Req::send(
                Method::POST,
                format!("/shop/products/{product}/buy"),
                Some(token),
                format!(r#"{{"bill_id":{bill_id}}}"#),
                200,
            );
            let expected = expected.clone();
            async move {
                if conn.call(req).await.is_some() {
                    expected[&bill_id].fetch_sub(price, Ordering::Relaxed);
                }
                conn
            }
        }),
    )
    .await?;
    Ok(Outcome::new("shop purchases, spread over bills", 64, stats))
}

/// Reads every bill back through `GET /shop/bills`; the bills whose balance
/// differs from what the answers said (empty when all are exact).
pub async fn verify(api: &Api, shop: &Shop) -> anyhow::Result<Vec<String>> {
    let mut wrong = Vec::new();
    for user in &shop.users {
        let bills = api.expect(Method::GET, "/shop/bills?limit=1000", Some(&user.token), None, 200).await?;
        for bill in bills.as_array().into_iter().flatten() {
            let id = bill["id"].as_i64().unwrap_or_default();
            let got = bill["balance"].as_str().and_then(cents);
            let want = shop.expected.get(&id).map(|b| b.load(Ordering::Relaxed));
            if got != want {
                wrong.push(format!("bill {id}: {} (expected {want:?} cents)", bill["balance"]));
            }
        }
    }
    Ok(wrong)
}

/// "123.45" → 12345.
fn cents(text: &str) -> Option<i64> {
    let (units, fraction) = text.split_once('.').unwrap_or((text, "00"));
    Some(units.parse::<i64>().ok()? * 100 + fraction.parse::<i64>().ok()?)
}
