//! Keys across replicas and on the writes that cost something: a /shop
//! purchase, an /ar image upload, /dealer's own shape.

use api_tests::{App, TestApp, User, status_of, types};

use super::{REPLAYED, key_count, replayed, task};
use crate::{ar, shop};

#[tokio::test]
async fn a_replay_on_another_replica_replays() {
    let app = TestApp::spawn().await;
    let other = app.replica().await;
    let token = app.user(App::Todo, "alice").await.token;
    let send = |server: &TestApp| {
        let client = server.client_as(&token);
        async move { client.todo_create_task().idempotency_key("k").body(task("Buy milk")).send().await }
    };
    let first = send(&app).await.expect("first, on one replica");
    let again = send(&other).await.expect("again, on the other");
    assert_eq!(replayed(&again), Some("true"));
    assert_eq!(again.into_inner(), first.into_inner());
    assert_eq!(super::task_count(&app).await, 1);
}

#[tokio::test]
async fn a_keyed_purchase_charges_once() {
    let app = shop::spawn_with_admin().await;
    let root = shop::admin(&app).await;
    let product = shop::create_product(&app, &root, "Book", "30").await;
    let User { token, id: me, .. } = app.user(App::Shop, "uma").await;
    shop::credit(&app, 1, me, 1, "100").await;
    let client = app.client_as(&token);
    let buy = || {
        client
            .shop_buy_product()
            .id(product.id)
            .idempotency_key("order-17")
            .body(types::ShopBuyIn::builder().bill_id(1))
            .send()
    };
    let first = buy().await.expect("bought");
    let again = buy().await.expect("replayed");
    assert_eq!(replayed(&again), Some("true"));
    let (first, again) = (first.into_inner(), again.into_inner());
    assert_eq!((again.bill_id, again.balance.as_str()), (first.bill_id, "70.00"));
    assert_eq!(shop::stored_balance(&app, 1).await.as_deref(), Some("70.00"), "charged once");
    assert_eq!(shop::count(&app, "shop_purchases").await, 1);
    // A new key is a new purchase.
    let next = client
        .shop_buy_product()
        .id(product.id)
        .idempotency_key("order-18")
        .body(types::ShopBuyIn::builder().bill_id(1))
        .send()
        .await
        .unwrap();
    assert_eq!(next.into_inner().balance.as_str(), "40.00");
}

#[tokio::test]
async fn the_webhook_takes_a_key_too() {
    let app = TestApp::spawn().await;
    let me = app.user(App::Shop, "tina").await.id;
    let body = shop::webhook_body(77, me, 5, serde_json::json!(40));
    let send = || {
        app.http
            .post(app.url("/shop/payment/webhook"))
            .header("Idempotency-Key", "credit-77")
            .json(&body)
            .send()
    };
    let (first, again) = (send().await.unwrap(), send().await.unwrap());
    assert_eq!((first.status().as_u16(), again.status().as_u16()), (200, 200));
    assert_eq!(again.headers()[REPLAYED], "true");
    assert_eq!(shop::stored_balance(&app, 5).await.as_deref(), Some("40.00"));
    assert_eq!(key_count(&app).await, 1);
}

#[tokio::test]
async fn an_image_upload_replays_without_decoding_again() {
    let app = TestApp::spawn().await;
    let setup = ar::setup(&app, "ann").await;
    // The same database behind a replica that could not decode this image at
    // all (413 past `MAX_IMAGE_BYTES`): only a replay can answer 201 there.
    let strict = app.replica_with(&[("MAX_IMAGE_BYTES", "100")]).await;
    let image = ar::b64(&ar::jpeg(16, 16));
    let upload = |server: &TestApp, key: &'static str| {
        let client = server.client_as(&setup.user_token);
        let body = types::ArTargetIn::builder().image(image.clone()).description("poster");
        async move { client.ar_create_target().id(setup.project.id).idempotency_key(key).body(body).send().await }
    };
    let first = upload(&app, "poster-1").await.expect("uploaded");
    let again = upload(&strict, "poster-1").await.expect("replayed without a decode");
    assert_eq!(replayed(&again), Some("true"));
    assert_eq!(again.into_inner(), first.into_inner());
    assert_eq!(ar::count(&app, "ar_image_targets", "true").await, 1);
    // A new key on that replica does decode, and is refused.
    assert_eq!(status_of(&upload(&strict, "poster-2").await.unwrap_err()), 413);
}

#[tokio::test]
async fn dealer_replays_its_own_error_shape() {
    let app = TestApp::spawn().await;
    let register = |key: &'static str| {
        app.http
            .post(app.url("/dealer/register"))
            .header("Idempotency-Key", key)
            .json(&serde_json::json!({"username": "dan", "password": "correct horse"}))
            .send()
    };
    assert_eq!(register("r-1").await.unwrap().status(), 201);
    // A second registration (new key) is the spec's 400, stored and replayed as such.
    let taken = register("r-2").await.unwrap();
    assert_eq!(taken.status(), 400);
    let again = register("r-2").await.unwrap();
    assert_eq!((again.status().as_u16(), again.headers()[REPLAYED].to_str().unwrap()), (400, "true"));
    let body: serde_json::Value = again.json().await.unwrap();
    assert!(body["Error"].is_string(), "{body}");
}
