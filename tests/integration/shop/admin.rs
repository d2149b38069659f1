//! /shop admins: the start-up admin, product CRUD with soft delete, users
//! with their bills, and 403 for everyone else.

use api_tests::{App, User, status_of, types};
use serde_json::json;

use super::{admin, count, create_product, credit, spawn_with_admin, stored_balance};

#[tokio::test]
async fn the_admin_is_made_active_at_start_up_and_its_password_reset() {
    let app = spawn_with_admin().await;
    let token = admin(&app).await;
    assert_eq!(app.client_as(&token).shop_admin_list_users().send().await.unwrap().status(), 200);
    // Disabled and with another password in the database: a restart resets both.
    app.query(|c| {
        diesel::sql_query("UPDATE shop_users SET is_active = false, password_hash = 'x' WHERE login = 'root'")
            .execute(c)
            .unwrap()
    })
    .await;
    let replica = app.replica().await;
    let again = super::admin(&replica).await;
    assert!(!again.is_empty());
    assert_eq!(count(&app, "shop_users").await, 1);
}

#[tokio::test]
async fn admin_routes_answer_403_to_users_and_401_without_a_token() {
    let app = spawn_with_admin().await;
    let User { token, id, .. } = app.user(App::Shop, "henry").await;
    let client = app.client_as(&token);
    assert_eq!(status_of(&client.shop_admin_list_users().send().await.unwrap_err()), 403);
    assert_eq!(status_of(&client.shop_admin_list_products().send().await.unwrap_err()), 403);
    let patch = client
        .shop_admin_update_user()
        .id(id)
        .body(types::ShopUserPatch::builder().is_active(false))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&patch), 403);
    let create = app
        .http
        .post(app.url("/shop/admin/products"))
        .bearer_auth(&token)
        .json(&json!({"title": "x", "price": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(create.status(), 403);
    assert_eq!(status_of(&app.client().shop_admin_list_users().send().await.unwrap_err()), 401);
    assert_eq!(count(&app, "shop_products").await, 0);
}

#[tokio::test]
async fn product_crud_with_soft_delete() {
    let app = spawn_with_admin().await;
    let root = admin(&app).await;
    let admin_client = app.client_as(&root);
    let User { token, id: me, .. } = app.user(App::Shop, "ivy").await;
    let client = app.client_as(&token);

    let coffee = create_product(&app, &root, "Coffee", "10.5").await;
    assert_eq!(coffee.price.as_str(), "10.50");
    // Prices arrive as JSON numbers too, read from their text.
    let tea = app
        .http
        .post(app.url("/shop/admin/products"))
        .bearer_auth(&root)
        .json(&json!({"title": "Tea", "description": "green", "price": 0.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(tea.status(), 201);
    let tea: serde_json::Value = tea.json().await.unwrap();
    assert_eq!(tea["price"], "0.10");

    let listed = client.shop_list_products().send().await.unwrap().into_inner();
    assert_eq!(listed.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["Coffee", "Tea"]);
    assert_eq!(admin_client.shop_admin_list_products().send().await.unwrap().into_inner().len(), 2);

    let updated = admin_client
        .shop_admin_update_product()
        .id(coffee.id)
        .body(
            types::ShopProductIn::builder()
                .title("Coffee beans")
                .price(types::ShopAmountIn::String("12".parse().unwrap())),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (updated.title.as_str(), updated.price.as_str(), updated.description.as_str()),
        ("Coffee beans", "12.00", "")
    );

    credit(&app, 1, me, 500, "100").await;
    let bought = client
        .shop_buy_product()
        .id(coffee.id)
        .body(types::ShopBuyIn::builder().bill_id(500))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(bought.balance.as_str(), "88.00");

    assert_eq!(admin_client.shop_admin_delete_product().id(coffee.id).send().await.unwrap().status(), 204);
    let listed = client.shop_list_products().send().await.unwrap().into_inner();
    assert_eq!(listed.len(), 1, "a deleted product leaves the list");
    let buy = client
        .shop_buy_product()
        .id(coffee.id)
        .body(types::ShopBuyIn::builder().bill_id(500))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&buy), 404, "and cannot be bought");
    for err in [
        admin_client.shop_admin_delete_product().id(coffee.id).send().await.unwrap_err(),
        admin_client.shop_admin_delete_product().id(9999).send().await.unwrap_err(),
    ] {
        assert_eq!(status_of(&err), 404);
    }
    let put = admin_client
        .shop_admin_update_product()
        .id(coffee.id)
        .body(
            types::ShopProductIn::builder()
                .title("x")
                .price(types::ShopAmountIn::String("1".parse().unwrap())),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&put), 404);
    // The purchase still points at the deleted product, with the price paid.
    assert_eq!(count(&app, "shop_products").await, 2);
    assert_eq!(count(&app, "shop_purchases").await, 1);
    assert_eq!(stored_balance(&app, 500).await.as_deref(), Some("88.00"));
}

#[tokio::test]
async fn bad_product_bodies_are_422_and_create_nothing() {
    let app = spawn_with_admin().await;
    let root = admin(&app).await;
    for price in [
        json!(0),
        json!(-1),
        json!(1.005),
        json!("abc"),
        json!("1e2"),
        json!(true),
        json!(null),
        json!("NaN"),
        json!(1_000_000_000_000i64),
        json!("0.00"),
        json!([1]),
    ] {
        let body = json!({"title": "Thing", "price": price});
        let response = app
            .http
            .post(app.url("/shop/admin/products"))
            .bearer_auth(&root)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    let exponent = app
        .http
        .post(app.url("/shop/admin/products"))
        .bearer_auth(&root)
        .header("content-type", "application/json")
        .body(r#"{"title": "Thing", "price": 1e2}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(exponent.status(), 422, "amounts are plain decimals");
    for body in [json!({"price": 1}), json!({"title": "", "price": 1}), json!({"title": "x"})] {
        let response = app
            .http
            .post(app.url("/shop/admin/products"))
            .bearer_auth(&root)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
    }
    let problem: serde_json::Value = app
        .http
        .post(app.url("/shop/admin/products"))
        .bearer_auth(&root)
        .json(&json!({"title": "Thing", "price": 1.005}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(problem["errors"][0]["field"], "price");
    assert_eq!(count(&app, "shop_products").await, 0);
}

#[tokio::test]
async fn admins_see_every_user_with_their_bills() {
    let app = spawn_with_admin().await;
    let root = app.client_as(&admin(&app).await);
    let jack = app.user(App::Shop, "jack").await.id;
    let kate = app.user(App::Shop, "kate").await.id;
    credit(&app, 1, jack, 10, "5").await;
    credit(&app, 2, jack, 11, "6.5").await;
    credit(&app, 3, kate, 12, "7").await;
    let users = root.shop_admin_list_users().send().await.unwrap().into_inner();
    let summary: Vec<(String, Vec<(i64, String)>)> = users
        .iter()
        .map(|u| (u.login.clone(), u.bills.iter().map(|b| (b.id, b.balance.to_string())).collect()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("root".into(), vec![]),
            ("jack".into(), vec![(10, "5.00".into()), (11, "6.50".into())]),
            ("kate".into(), vec![(12, "7.00".into())]),
        ]
    );
    let page = root.shop_admin_list_users().limit(1).offset(1).send().await.unwrap().into_inner();
    assert_eq!(page[0].login, "jack");
    let unknown = root
        .shop_admin_update_user()
        .id(9999)
        .body(types::ShopUserPatch::builder().is_active(false))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&unknown), 404);
}

#[tokio::test]
async fn an_admin_decision_wins_over_a_pending_activation_link() {
    let app = spawn_with_admin().await;
    let root = app.client_as(&admin(&app).await);
    let link = super::registration_link(&app, "leo").await;
    let id: i64 = root.shop_admin_list_users().send().await.unwrap().into_inner()[1].id;
    root.shop_admin_update_user()
        .id(id)
        .body(types::ShopUserPatch::builder().is_active(false))
        .send()
        .await
        .unwrap();
    let follow = app.http.get(&link).send().await.unwrap();
    assert_eq!(follow.status(), 404, "disabling uses the pending link up");
    let login = app
        .http
        .post(app.url("/shop/login"))
        .json(&json!({"login": "leo", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 403);
}

/// An admin cannot disable their own account (it would lock them out, as the
/// panel says); enabling themself is a no-op, and other users can be disabled.
#[tokio::test]
async fn an_admin_cannot_disable_themself() {
    let app = spawn_with_admin().await;
    let token = admin(&app).await;
    let root = app.client_as(&token);
    let me = api_tests::sub_of(&token);
    let patch = |id: i64, active: bool| {
        root.shop_admin_update_user().id(id).body(types::ShopUserPatch::builder().is_active(active)).send()
    };
    assert_eq!(status_of(&patch(me, false).await.unwrap_err()), 409);
    assert!(patch(me, true).await.unwrap().into_inner().is_active);
    assert_eq!(root.shop_admin_list_users().send().await.unwrap().status(), 200, "the token still works");
    let other = app.user(App::Shop, "mia").await.id;
    assert!(!patch(other, false).await.unwrap().into_inner().is_active);
    let active: Vec<bool> = app
        .query(move |c| {
            use api::schema::shop_users::dsl::*;
            use diesel::{ExpressionMethods, QueryDsl};
            shop_users.filter(id.eq_any([me, other])).order(id).select(is_active).load(c).unwrap()
        })
        .await;
    assert_eq!(active, vec![true, false]);
}

use diesel::RunQueryDsl;
