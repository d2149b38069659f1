//! /shop money, one request at a time: the signed webhook, bills, their
//! credits, and purchases.

use api_tests::{App, TestApp, User, status_of, types};
use serde_json::{Value, json};

use super::{
    PAYMENT_KEY, admin, count, create_product, credit, post_webhook, sign, spawn_with_admin, stored_balance,
    webhook_body,
};

#[tokio::test]
async fn a_webhook_credits_a_bill_creating_it_for_the_user() {
    let app = TestApp::spawn().await;
    let User { token, id: me, .. } = app.user(App::Shop, "mia").await;
    assert_eq!(credit(&app, 1234567, me, 123456, "100").await, "100.00");
    let (status, body) = post_webhook(&app, &webhook_body(1234568, me, 123456, json!(0.5))).await;
    assert_eq!((status, body), (200, json!({"bill_id": 123456, "balance": "100.50"})));

    let client = app.client_as(&token);
    let bills = client.shop_list_bills().send().await.unwrap().into_inner();
    assert_eq!(
        bills.iter().map(|b| (b.id, b.balance.to_string())).collect::<Vec<_>>(),
        [(123456, "100.50".into())]
    );
    let credits = client.shop_list_transactions().id(123456).send().await.unwrap().into_inner();
    assert_eq!(
        credits.iter().map(|t| (t.transaction_id, t.amount.to_string())).collect::<Vec<_>>(),
        [(1234567, "100.00".to_string()), (1234568, "0.50".to_string())]
    );
    assert_eq!(stored_balance(&app, 123456).await.as_deref(), Some("100.50"));
}

#[tokio::test]
async fn the_signature_covers_the_amount_as_the_sender_wrote_it() {
    let app = TestApp::spawn().await;
    let me = app.user(App::Shop, "noah").await.id;
    // `100.50` written as a number is signed as `100.50`, not `100.5`.
    let body = json!({
        "signature": sign(PAYMENT_KEY, 1, me, 7, "100.50"), "transaction_id": 1, "user_id": me, "bill_id": 7,
    });
    let raw = format!("{{\"amount\": 100.50, {}", &body.to_string()[1..]);
    let response = app
        .http
        .post(app.url("/shop/payment/webhook"))
        .header("content-type", "application/json")
        .body(raw.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{raw}");
    // A string's content is signed without its quotes.
    let (status, _) = post_webhook(&app, &webhook_body(2, me, 7, json!("0.25"))).await;
    assert_eq!(status, 200);
    assert_eq!(stored_balance(&app, 7).await.as_deref(), Some("100.75"));
    // Signed as `100.5` but written `100.50`: another text, refused.
    let mut other = webhook_body(3, me, 7, json!("100.5"));
    other["amount"] = json!("100.50");
    assert_eq!(post_webhook(&app, &other).await.0, 403);
    assert_eq!(stored_balance(&app, 7).await.as_deref(), Some("100.75"));
}

#[tokio::test]
async fn bad_signatures_and_tampered_fields_move_nothing() {
    let app = TestApp::spawn().await;
    let me = app.user(App::Shop, "olivia").await.id;
    let other = app.user(App::Shop, "paul").await.id;
    let good = webhook_body(10, me, 20, json!(100));
    let tamper = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let cases = [
        tamper("amount", json!(1000)),
        tamper("user_id", json!(other)),
        tamper("bill_id", json!(21)),
        tamper("transaction_id", json!(11)),
        tamper("signature", json!("0".repeat(40))),
        tamper("signature", json!("")),
        webhook_body(10, me, 20, json!(100))
            .as_object()
            .map(|o| {
                let mut o = o.clone();
                o["signature"] = json!(sign("another-key", 10, me, 20, "100"));
                Value::Object(o)
            })
            .unwrap(),
    ];
    for body in &cases {
        let (status, problem) = post_webhook(&app, body).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(problem["status"], 403);
    }
    assert_eq!(count(&app, "shop_bills").await, 0);
    assert_eq!(count(&app, "shop_transactions").await, 0);
    // Uppercase hex is the same signature.
    let mut upper = good.clone();
    upper["signature"] = json!(good["signature"].as_str().unwrap().to_uppercase());
    assert_eq!(post_webhook(&app, &upper).await.0, 200);
}

#[tokio::test]
async fn without_a_payment_key_every_webhook_is_503_not_configured() {
    let app = TestApp::spawn_with(&[("PAYMENT_PRIVATE_KEY", "")]).await;
    let me = app.user(App::Shop, "quinn").await.id;
    let (status, body) = post_webhook(&app, &webhook_body(1, me, 1, json!(10))).await;
    assert_eq!((status, &body["detail"]), (503, &json!("the payment webhook is not configured")));
    let empty_key = json!({"signature": sign("", 1, me, 1, "10"), "transaction_id": 1, "user_id": me, "bill_id": 1, "amount": 10});
    assert_eq!(post_webhook(&app, &empty_key).await.0, 503, "an empty key signs nothing either");
    assert_eq!(count(&app, "shop_bills").await, 0);
}

#[tokio::test]
async fn unknown_users_404_foreign_bills_409_bad_amounts_422_and_nothing_moves() {
    let app = TestApp::spawn().await;
    let me = app.user(App::Shop, "ruth").await.id;
    let other = app.user(App::Shop, "sam").await.id;
    credit(&app, 1, other, 99, "5").await;

    let (status, _) = post_webhook(&app, &webhook_body(2, 424242, 1, json!(10))).await;
    assert_eq!(status, 404, "unknown user");
    let (status, _) = post_webhook(&app, &webhook_body(3, me, 99, json!(10))).await;
    assert_eq!(status, 409, "another user's bill");
    for amount in [json!(0), json!(-5), json!("-5"), json!(1.001), json!("abc"), json!(1_000_000_000_000i64)]
    {
        let (status, problem) = post_webhook(&app, &webhook_body(4, me, 1, amount.clone())).await;
        assert_eq!(status, 422, "{amount}");
        assert_eq!(problem["errors"][0]["field"], "amount");
    }
    for amount in [json!(true), json!(null), json!({"v": 1})] {
        let (status, _) = post_webhook(&app, &webhook_body(4, me, 1, amount.clone())).await;
        assert_eq!(status, 422, "{amount}");
    }
    let (status, _) = post_webhook(&app, &webhook_body(4, me, 0, json!(10))).await;
    assert_eq!(status, 422, "bill ids are > 0");
    let missing = json!({"signature": "x", "transaction_id": 5, "user_id": me, "bill_id": 1});
    assert_eq!(post_webhook(&app, &missing).await.0, 422);
    // A balance cannot grow past what NUMERIC(14, 2) holds.
    credit(&app, 6, me, 2, "999999999999.99").await;
    assert_eq!(post_webhook(&app, &webhook_body(7, me, 2, json!(0.01))).await.0, 422);
    // A repeat of the credit that filled the bill still answers as the first time.
    let repeat = post_webhook(&app, &webhook_body(6, me, 2, json!("999999999999.99"))).await;
    assert_eq!(repeat, (200, json!({"bill_id": 2, "balance": "999999999999.99"})));

    assert_eq!(count(&app, "shop_bills").await, 2);
    assert_eq!(count(&app, "shop_transactions").await, 2);
    assert_eq!(stored_balance(&app, 99).await.as_deref(), Some("5.00"));
}

#[tokio::test]
async fn a_repeated_transaction_answers_the_same_and_a_different_replay_409() {
    let app = TestApp::spawn().await;
    let me = app.user(App::Shop, "tina").await.id;
    let first = webhook_body(77, me, 5, json!(40));
    assert_eq!(post_webhook(&app, &first).await, (200, json!({"bill_id": 5, "balance": "40.00"})));
    credit(&app, 78, me, 5, "2").await;
    // The repeat answers the first result (balance then), and moves nothing.
    assert_eq!(post_webhook(&app, &first).await, (200, json!({"bill_id": 5, "balance": "40.00"})));
    // The same amount written another way is the same credit.
    assert_eq!(post_webhook(&app, &webhook_body(77, me, 5, json!("40.00"))).await.0, 200);
    for replay in [webhook_body(77, me, 5, json!(41)), webhook_body(77, me, 6, json!(40))] {
        assert_eq!(post_webhook(&app, &replay).await.0, 409, "{replay}");
    }
    assert_eq!(stored_balance(&app, 5).await.as_deref(), Some("42.00"));
    assert_eq!(stored_balance(&app, 6).await, None, "the replay created no bill");
    assert_eq!(count(&app, "shop_transactions").await, 2);
}

#[tokio::test]
async fn purchases_debit_a_bill_of_the_caller_and_are_recorded() {
    let app = spawn_with_admin().await;
    let root = admin(&app).await;
    let product = create_product(&app, &root, "Book", "30").await;
    let User { token, id: me, .. } = app.user(App::Shop, "uma").await;
    let User { token: other_token, id: other, .. } = app.user(App::Shop, "victor").await;
    credit(&app, 1, me, 1, "50").await;
    credit(&app, 2, other, 2, "50").await;
    let (mine, theirs) = (app.client_as(&token), app.client_as(&other_token));
    let buy = |product_id: i64, bill_id: i64| {
        mine.shop_buy_product().id(product_id).body(types::ShopBuyIn::builder().bill_id(bill_id)).send()
    };

    let bought = buy(product.id, 1).await.unwrap().into_inner();
    assert_eq!((bought.bill_id, bought.balance.as_str()), (1, "20.00"));
    assert_eq!(status_of(&buy(product.id, 1).await.unwrap_err()), 402, "funds short");
    assert_eq!(status_of(&buy(product.id, 2).await.unwrap_err()), 404, "another user's bill");
    assert_eq!(status_of(&buy(product.id, 3).await.unwrap_err()), 404, "no such bill");
    assert_eq!(status_of(&buy(9999, 1).await.unwrap_err()), 404, "no such product");
    let history = mine.shop_list_transactions().id(2).send().await.unwrap_err();
    assert_eq!(status_of(&history), 404, "another user's bill history");
    assert!(theirs.shop_list_bills().send().await.unwrap().into_inner().iter().all(|b| b.id == 2));

    #[derive(diesel::QueryableByName, Debug, PartialEq)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        product_id: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        bill_id: i64,
        #[diesel(sql_type = diesel::sql_types::Text)]
        price: String,
    }
    let rows: Vec<Row> = app
        .query(|c| {
            diesel::sql_query("SELECT product_id, bill_id, price::text AS price FROM shop_purchases")
                .load(c)
                .unwrap()
        })
        .await;
    assert_eq!(rows, [Row { product_id: product.id, bill_id: 1, price: "30.00".into() }]);
    assert_eq!(stored_balance(&app, 1).await.as_deref(), Some("20.00"));
    assert_eq!(stored_balance(&app, 2).await.as_deref(), Some("50.00"));
    let bad = app
        .http
        .post(app.url(&format!("/shop/products/{}/buy", product.id)))
        .bearer_auth(&token)
        .json(&json!({"bill_id": "one"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn the_database_refuses_a_negative_balance_even_without_the_code() {
    let app = TestApp::spawn().await;
    let me = app.user(App::Shop, "wendy").await.id;
    credit(&app, 1, me, 1, "5").await;
    let err = app
        .query(|c| diesel::sql_query("UPDATE shop_bills SET balance = balance - 6 WHERE id = 1").execute(c))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("shop_bills_balance_non_negative"), "{err}");
}

#[tokio::test]
async fn the_webhook_is_not_rate_limited_per_client_but_the_rest_is() {
    let app = TestApp::spawn_with(&[("RATE_LIMIT_PER_MINUTE", "3")]).await;
    let me = app.user(App::Shop, "xena").await.id; // register, activate and login: 3 requests
    for i in 0..6 {
        assert_eq!(post_webhook(&app, &webhook_body(100 + i, me, 1, json!(1))).await.0, 200);
    }
    let limited = app
        .http
        .post(app.url("/shop/login"))
        .json(&json!({"login": "x", "password": "y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
}

use diesel::RunQueryDsl;

/// JSON Schema's `integer` takes `7.0` as well as `7` (schemathesis sends both):
/// the webhook and a purchase read such ids as integers (the signature covers
/// the integer, `7`); a fraction is still 422 and moves nothing.
#[tokio::test]
async fn ids_spelled_as_floats_are_integers() {
    let app = spawn_with_admin().await;
    let User { token, id: user_id, .. } = app.user(App::Shop, "nina").await;
    let signature = sign(PAYMENT_KEY, 7, user_id, 70, "20");
    let text = format!(
        r#"{{"signature": "{signature}", "transaction_id": 7.0, "user_id": {user_id}.0, "bill_id": 70.0, "amount": 20}}"#
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    let (status, answer) = post_webhook(&app, &body).await;
    assert_eq!((status, answer), (200, json!({"bill_id": 70, "balance": "20.00"})));
    let product = create_product(&app, &admin(&app).await, "Tea", "5").await;
    let buy = |bill: Value| {
        app.http
            .post(app.url(&format!("/shop/products/{}/buy", product.id)))
            .bearer_auth(&token)
            .json(&json!({"bill_id": bill}))
            .send()
    };
    assert_eq!(buy(json!(70.5)).await.unwrap().status(), 422);
    let bought = buy(json!(70.0)).await.unwrap();
    assert_eq!(bought.status(), 200);
    assert_eq!(bought.json::<Value>().await.unwrap()["balance"], "15.00");
    assert_eq!(stored_balance(&app, 70).await.as_deref(), Some("15.00"));
}
