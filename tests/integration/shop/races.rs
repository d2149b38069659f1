//! /shop money under concurrency, forced: each test holds the lock its
//! requests contend on (see [`HeldLock`]) until all of them are queued in
//! PostgreSQL, then lets them go together and asserts the exact outcome.

use api_tests::{App, HeldLock, MAX_QUEUED, RACE_VARS, TestApp, User, status_of, types};
use futures::future::join_all;
use serde_json::json;

use super::{admin, count, create_product, credit, post_webhook, stored_balance, webhook_body};

/// A race test's server with a /shop admin.
async fn spawn_with_admin() -> TestApp {
    let mut vars = RACE_VARS.to_vec();
    vars.extend([("ADMIN_LOGIN", super::ADMIN.0), ("ADMIN_PASSWORD", super::ADMIN.1)]);
    TestApp::spawn_with(&vars).await
}

/// Holds the creation of `bill` (an uncommitted insert of its row), so that
/// every credit of it waits in its own `INSERT .. ON CONFLICT` until the test commits.
async fn hold_bill_creation(app: &TestApp, bill: i64, user_id: i64) -> HeldLock {
    let sql = format!("INSERT INTO shop_bills (id, user_id) VALUES ({bill}, {user_id})");
    HeldLock::take(app, &format!("the creation of bill {bill}"), &sql).await
}

/// Holds `bill`'s row lock, as a slow credit would.
async fn hold_bill(app: &TestApp, bill: i64) -> HeldLock {
    let sql = format!("SELECT 1 FROM shop_bills WHERE id = {bill} FOR UPDATE");
    HeldLock::take(app, &format!("bill {bill}'s row lock"), &sql).await
}

/// Identical webhooks queued behind their bill's creation, then let go
/// together, credit once: proves the unique `shop_transactions_transaction_id_key`
/// (the credit's `ON CONFLICT DO NOTHING`, then the first credit's answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn identical_webhooks_let_go_together_credit_once() {
    let app = TestApp::spawn_with(&RACE_VARS).await;
    let me = app.user(App::Shop, "alice").await.id;
    let body = webhook_body(555, me, 9, json!(25));
    let lock = hold_bill_creation(&app, 9, me).await;
    let release = async {
        lock.wait_for_queued(MAX_QUEUED).await;
        lock.release("COMMIT").await;
    };
    let (answers, ()) = tokio::join!(join_all((0..MAX_QUEUED).map(|_| post_webhook(&app, &body))), release);
    for answer in answers {
        assert_eq!(answer, (200, json!({"bill_id": 9, "balance": "25.00"})), "every one answers the same");
    }
    assert_eq!(stored_balance(&app, 9).await.as_deref(), Some("25.00"));
    assert_eq!(count(&app, "shop_transactions").await, 1);
}

/// Replays of one transaction with another amount, let go together with the
/// original: one amount lands, its copies answer it and the others 409.
/// Proves the unique `shop_transactions_transaction_id_key` and the replay's
/// comparison of the first credit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replay_with_another_amount_let_go_with_the_original_moves_nothing_more() {
    let app = TestApp::spawn_with(&RACE_VARS).await;
    let me = app.user(App::Shop, "bob").await.id;
    let amount = |i: usize| if i.is_multiple_of(2) { 10 } else { 1000 };
    let bodies: Vec<_> = (0..MAX_QUEUED).map(|i| webhook_body(777, me, 3, json!(amount(i)))).collect();
    let lock = hold_bill_creation(&app, 3, me).await;
    let release = async {
        lock.wait_for_queued(MAX_QUEUED).await;
        lock.release("COMMIT").await;
    };
    let (answers, ()) = tokio::join!(join_all(bodies.iter().map(|b| post_webhook(&app, b))), release);
    let winner = stored_balance(&app, 3).await.expect("the bill");
    let winner: i64 = winner.strip_suffix(".00").and_then(|w| w.parse().ok()).expect("a whole amount");
    for (i, (status, body)) in answers.iter().enumerate() {
        if amount(i) == winner {
            assert_eq!((*status, body), (200, &json!({"bill_id": 3, "balance": format!("{winner}.00")})));
        } else {
            assert_eq!(*status, 409, "{body}");
        }
    }
    assert_eq!(count(&app, "shop_transactions").await, 1);
}

/// Purchases of 10 against a balance of 60, queued behind the bill's row
/// lock and let go together: exactly six succeed, each seeing its own
/// balance. Proves the purchase's conditional update (`balance >= price`,
/// re-checked by PostgreSQL on the row it waited for).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn purchases_let_go_together_take_the_balance_to_zero_and_no_further() {
    let app = spawn_with_admin().await;
    let root = admin(&app).await;
    let product = create_product(&app, &root, "Widget", "10").await;
    let User { token, id: me, .. } = app.user(App::Shop, "carol").await;
    credit(&app, 1, me, 42, "60").await;
    let client = app.client_as(&token);
    let lock = hold_bill(&app, 42).await;
    let buys = (0..MAX_QUEUED).map(|_| {
        client.shop_buy_product().id(product.id).body(types::ShopBuyIn::builder().bill_id(42)).send()
    });
    let release = async {
        lock.wait_for_queued(MAX_QUEUED).await;
        lock.release("ROLLBACK").await;
    };
    let (answers, ()) = tokio::join!(join_all(buys), release);
    let mut left = Vec::new();
    for answer in &answers {
        match answer {
            Ok(bought) => left.push(bought.balance.to_string()),
            Err(err) => assert_eq!(status_of(err), 402, "{err:?}"),
        }
    }
    left.sort();
    assert_eq!(
        left,
        ["0.00", "10.00", "20.00", "30.00", "40.00", "50.00"],
        "each success saw its own balance"
    );
    assert_eq!(stored_balance(&app, 42).await.as_deref(), Some("0.00"));
    assert_eq!(count(&app, "shop_purchases").await, 6);
}

/// Credits and purchases of one bill, queued behind its row lock and let go
/// together, leave exactly the credits minus the purchases. Proves the
/// credit's `SELECT .. FOR UPDATE` of the bill (without it a credit adds to a
/// balance read before the others wrote theirs).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn credits_and_purchases_let_go_together_leave_credits_minus_purchases() {
    let app = spawn_with_admin().await;
    let root = admin(&app).await;
    let product = create_product(&app, &root, "Gadget", "3.25").await;
    let User { token, id: me, .. } = app.user(App::Shop, "dave").await;
    credit(&app, 1, me, 8, "10").await;
    let client = app.client_as(&token);
    let server = &app;
    let half = MAX_QUEUED as i64 / 2;
    let credits = (2..2 + half).map(|t| {
        let body = webhook_body(t, me, 8, json!("1.50"));
        async move { post_webhook(server, &body).await.0 }
    });
    let purchases = (0..half).map(|_| {
        let call =
            client.shop_buy_product().id(product.id).body(types::ShopBuyIn::builder().bill_id(8)).send();
        async move { call.await.map_or_else(|e| status_of(&e), |r| r.status().as_u16()) }
    });
    let lock = hold_bill(&app, 8).await;
    let release = async {
        lock.wait_for_queued(MAX_QUEUED).await;
        lock.release("ROLLBACK").await;
    };
    let (credited, bought, ()) = tokio::join!(join_all(credits), join_all(purchases), release);
    assert_eq!(credited, vec![200; half as usize], "every distinct credit lands");
    assert!(bought.iter().all(|s| *s == 200 || *s == 402), "{bought:?}");
    let bought = bought.iter().filter(|s| **s == 200).count() as i64;
    // 10.00 + 6 × 1.50 = 19.00 at most; the order decides how many 3.25 fit
    // (3 before any credit, 5 after all): a bound, as the order is the race's.
    assert!((3..=5).contains(&bought), "{bought} purchases of 3.25 out of at most 19.00");
    assert_eq!(count(&app, "shop_purchases").await, bought);
    let expected = 1000 + half * 150 - bought * 325;
    assert_eq!(stored_balance(&app, 8).await, Some(format!("{}.{:02}", expected / 100, expected % 100)));
    assert_eq!(count(&app, "shop_transactions").await, 1 + half);
}
