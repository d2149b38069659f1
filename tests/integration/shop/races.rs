//! /shop money under concurrency: many requests at once through the real server.

use api_tests::{TestApp, status_of, types};
use futures::future::join_all;
use serde_json::json;

use super::{
    admin, count, create_product, credit, post_webhook, spawn_with_admin, stored_balance, user, webhook_body,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_identical_webhooks_credit_once() {
    let app = TestApp::spawn().await;
    let (_, me) = user(&app, "alice").await;
    let body = webhook_body(555, me, 9, json!(25));
    let answers = join_all((0..20).map(|_| post_webhook(&app, &body))).await;
    for answer in &answers {
        assert_eq!(answer, &(200, json!({"bill_id": 9, "balance": "25.00"})), "every one answers the same");
    }
    assert_eq!(stored_balance(&app, 9).await.as_deref(), Some("25.00"));
    assert_eq!(count(&app, "shop_transactions").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replay_with_another_amount_racing_the_original_moves_nothing_more() {
    let app = TestApp::spawn().await;
    let (_, me) = user(&app, "bob").await;
    let bodies: Vec<_> =
        (0..20).map(|i| webhook_body(777, me, 3, if i % 2 == 0 { json!(10) } else { json!(1000) })).collect();
    let answers = join_all(bodies.iter().map(|b| post_webhook(&app, b))).await;
    let winner = stored_balance(&app, 3).await.unwrap();
    assert!(winner == "10.00" || winner == "1000.00", "{winner}");
    let (ok, conflict): (Vec<_>, Vec<_>) = answers.iter().partition(|(status, _)| *status == 200);
    assert_eq!((ok.len(), conflict.len()), (10, 10), "{answers:?}");
    assert!(conflict.iter().all(|(status, _)| *status == 409));
    assert_eq!(count(&app, "shop_transactions").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_purchases_of_ten_against_a_hundred_succeed_exactly_ten_times() {
    let app = spawn_with_admin().await;
    let root = admin(&app).await;
    let product = create_product(&app, &root, "Widget", "10").await;
    let (token, me) = user(&app, "carol").await;
    credit(&app, 1, me, 42, "100").await;
    let client = app.client_as(&token);
    let answers = join_all((0..30).map(|_| {
        client.shop_buy_product().id(product.id).body(types::ShopBuyIn::builder().bill_id(42)).send()
    }))
    .await;
    let ok = answers.iter().filter(|a| a.is_ok()).count();
    let short = answers.iter().filter(|a| a.as_ref().is_err_and(|e| status_of(e) == 402)).count();
    assert_eq!((ok, short), (10, 20));
    let mut left: Vec<String> =
        answers.iter().filter_map(|a| a.as_ref().ok()).map(|r| r.balance.to_string()).collect();
    left.sort();
    let mut expected: Vec<String> = (0..10).map(|i| format!("{}.00", i * 10)).collect();
    expected.sort();
    assert_eq!(left, expected, "each success saw its own balance");
    assert_eq!(stored_balance(&app, 42).await.as_deref(), Some("0.00"));
    assert_eq!(count(&app, "shop_purchases").await, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn interleaved_credits_and_purchases_leave_credits_minus_purchases() {
    let app = spawn_with_admin().await;
    let root = admin(&app).await;
    let product = create_product(&app, &root, "Gadget", "3.25").await;
    let (token, me) = user(&app, "dave").await;
    credit(&app, 1, me, 8, "10").await;
    let client = app.client_as(&token);
    let server = &app;
    let credits = (2..=26).map(|t| {
        let body = webhook_body(t, me, 8, json!("1.50"));
        async move { post_webhook(server, &body).await.0 == 200 }
    });
    let purchases = (0..25).map(|_| {
        let call =
            client.shop_buy_product().id(product.id).body(types::ShopBuyIn::builder().bill_id(8)).send();
        async move { call.await.is_ok() }
    });
    let (credited, bought) = tokio::join!(join_all(credits), join_all(purchases));
    assert!(credited.iter().all(|ok| *ok), "every distinct credit lands");
    let bought = bought.iter().filter(|ok| **ok).count() as i64;
    assert_eq!(count(&app, "shop_purchases").await, bought);
    // 10 + 25 × 1.50 − bought × 3.25, in cents.
    let expected = 1000 + 25 * 150 - bought * 325;
    assert!(expected >= 0);
    assert_eq!(stored_balance(&app, 8).await, Some(format!("{}.{:02}", expected / 100, expected % 100)));
    assert_eq!(count(&app, "shop_transactions").await, 26);
}
