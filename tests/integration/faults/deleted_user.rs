//! A valid token whose user has since been deleted (by an operator, or
//! /ar's own account deletion) is refused with 401 by every route of every
//! app, and changes nothing.

use api_tests::{App, TestApp, User, sub_of};
use reqwest::Method;
use serde_json::{Value, json};

use super::call;

async fn delete_row(app: &TestApp, table: &str, id: i64) {
    let sql = format!("DELETE FROM {table} WHERE id = {id}");
    let deleted = app.query(move |c| diesel::RunQueryDsl::execute(diesel::sql_query(sql), c).unwrap()).await;
    assert_eq!(deleted, 1, "the user row is gone");
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = format!("SELECT count(*) AS n FROM {sql}");
    app.query(move |c| diesel::RunQueryDsl::get_result::<Count>(diesel::sql_query(sql), c).unwrap().n).await
}

/// Sends each request with `token` and asserts every answer is 401 with
/// `WWW-Authenticate: Bearer`.
async fn assert_all_refused(app: &TestApp, token: &str, requests: Vec<(Method, String, Option<Value>)>) {
    let mut wrong = Vec::new();
    for (method, path, body) in requests {
        let response = call(app, method.clone(), &path, Some(token), body).await;
        let status = response.status().as_u16();
        if status != 401 || !response.headers().contains_key("www-authenticate") {
            wrong.push(format!(
                "{method} {path} answered {status}: {}",
                response.text().await.unwrap_or_default()
            ));
        }
    }
    assert!(wrong.is_empty(), "a deleted user's token must be 401 everywhere:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn todo_refuses_a_deleted_users_token_everywhere() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Todo, "ghost").await.token;
    let task = call(&app, Method::POST, "/todo/tasks", Some(&token), Some(json!({"title": "mine"}))).await;
    let task_id = task.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    delete_row(&app, "todo_users", sub_of(&token)).await;
    let task = format!("/todo/tasks/{task_id}");
    assert_all_refused(
        &app,
        &token,
        vec![
            (Method::POST, "/todo/tasks".into(), Some(json!({"title": "after"}))),
            (Method::GET, "/todo/tasks".into(), None),
            (Method::GET, task.clone(), None),
            (Method::PUT, task.clone(), Some(json!({"title": "changed"}))),
            (Method::DELETE, task, None),
        ],
    )
    .await;
    assert_eq!(count(&app, "todo_tasks").await, 0, "nothing was created");
}

async fn exchange_item(app: &TestApp, token: &str, name: &str) -> i64 {
    let created =
        call(app, Method::POST, "/exchange/items/new", Some(token), Some(json!({"name": name}))).await;
    created.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn exchange_refuses_a_deleted_users_token_everywhere() {
    let app = TestApp::spawn().await;
    let ghost = app.user(App::Exchange, "ghost").await.token;
    let bob = app.user(App::Exchange, "bob").await.token;
    app.user(App::Exchange, "carol").await;
    let own = exchange_item(&app, &ghost, "lamp").await;
    let bobs = exchange_item(&app, &bob, "chair").await;
    let sent = call(
        &app,
        Method::POST,
        "/exchange/send",
        Some(&bob),
        Some(json!({"item_id": bobs, "recipient": "carol"})),
    )
    .await;
    let link: Value = sent.json().await.unwrap();
    let code = link["link"].as_str().unwrap().rsplit('=').next().unwrap().to_owned();
    delete_row(&app, "exchange_users", sub_of(&ghost)).await;
    assert_all_refused(
        &app,
        &ghost,
        vec![
            (Method::POST, "/exchange/items/new".into(), Some(json!({"name": "after"}))),
            (Method::GET, "/exchange/items".into(), None),
            (Method::DELETE, format!("/exchange/items/{own}"), None),
            (Method::DELETE, format!("/exchange/items/{bobs}"), None),
            (Method::POST, "/exchange/send".into(), Some(json!({"item_id": own, "recipient": "bob"}))),
            (Method::GET, format!("/exchange/get?transfer={code}"), None),
        ],
    )
    .await;
    assert_eq!(count(&app, "exchange_items").await, 1, "nothing was created; bob's chair stays");
    assert_eq!(count(&app, "exchange_transfers WHERE used_at IS NULL").await, 1, "bob's link is still live");
}

#[tokio::test]
async fn dealer_refuses_a_deleted_users_token_everywhere() {
    let app = TestApp::spawn().await;
    let ghost = app.user(App::Dealer, "ghost").await.token;
    let bob = app.user(App::Dealer, "bob").await.token;
    let auto = json!({"max_speed": 180, "distance": 900, "handler": "GAZ", "stock": "Nizhny"});
    assert_eq!(
        call(&app, Method::POST, "/dealer/auto/Volga", Some(&bob), Some(auto.clone())).await.status(),
        201
    );
    delete_row(&app, "dealer_users", sub_of(&ghost)).await;
    let changed = json!({"max_speed": 1, "distance": 1, "handler": "ghost", "stock": "nowhere"});
    assert_all_refused(
        &app,
        &ghost,
        vec![
            (Method::GET, "/dealer/stock".into(), None),
            (Method::GET, "/dealer/auto/Volga".into(), None),
            (Method::GET, "/dealer/auto/Lada".into(), None),
            (Method::POST, "/dealer/auto/Lada".into(), Some(auto)),
            (Method::PUT, "/dealer/auto/Volga".into(), Some(changed)),
            (Method::DELETE, "/dealer/auto/Volga".into(), None),
        ],
    )
    .await;
    assert_eq!(count(&app, "dealer_autos").await, 1, "no auto created or deleted");
    assert_eq!(count(&app, "dealer_autos WHERE handler = 'GAZ'").await, 1, "none changed");
}

#[tokio::test]
async fn shop_refuses_a_deleted_users_token_everywhere() {
    let app = crate::shop::spawn_with_admin().await;
    let admin = crate::shop::admin(&app).await;
    let product = call(
        &app,
        Method::POST,
        "/shop/admin/products",
        Some(&admin),
        Some(json!({"title": "Tea", "description": "", "price": 10})),
    )
    .await;
    let product_id = product.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let User { token: ghost, id: ghost_id, .. } = app.user(App::Shop, "ghost").await;
    delete_row(&app, "shop_users", ghost_id).await;
    assert_all_refused(
        &app,
        &ghost,
        vec![
            (Method::GET, "/shop/products".into(), None),
            (Method::POST, format!("/shop/products/{product_id}/buy"), Some(json!({"bill_id": 1}))),
            (Method::POST, "/shop/products/999999/buy".into(), Some(json!({"bill_id": 1}))),
            (Method::GET, "/shop/bills".into(), None),
            (Method::GET, "/shop/bills/1/transactions".into(), None),
            (Method::GET, "/shop/admin/users".into(), None),
        ],
    )
    .await;
    assert_eq!(count(&app, "shop_purchases").await, 0);
}

#[tokio::test]
async fn ar_refuses_a_deleted_users_token_everywhere() {
    let app = TestApp::spawn().await;
    let user = app.user(App::Ar, "ghost").await;
    let token = user.token.clone();
    let project = crate::ar::project(&app, &token, "scene").await;
    let target = json!({"image": crate::ar::b64(&crate::ar::jpeg(8, 8)), "description": "x"});
    let created = call(
        &app,
        Method::POST,
        &format!("/ar/api/project/{}/imagetarget", project.id),
        Some(&token),
        Some(target.clone()),
    )
    .await;
    let target_id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    delete_row(&app, "ar_users", user.id).await;
    let p = format!("/ar/api/project/{}", project.id);
    let t = format!("{p}/imagetarget/{target_id}");
    assert_all_refused(
        &app,
        &token,
        vec![
            (Method::GET, format!("/ar/api/user/{}", user.id), None),
            (Method::GET, format!("/ar/api/user/{}", user.id + 1), None),
            (Method::PUT, format!("/ar/api/user/{}", user.id), Some(json!({"login": "again"}))),
            (Method::DELETE, format!("/ar/api/user/{}", user.id), None),
            (Method::GET, "/ar/api/project".into(), None),
            (Method::POST, "/ar/api/project".into(), Some(json!({"name": "after"}))),
            (Method::GET, p.clone(), None),
            (Method::PUT, p.clone(), Some(json!({"name": "renamed"}))),
            (Method::DELETE, p.clone(), None),
            (Method::POST, format!("{p}/jwt"), None),
            (Method::GET, format!("{p}/jwt"), None),
            (Method::PUT, format!("{p}/jwt/1"), Some(json!({}))),
            (Method::DELETE, format!("{p}/jwt/1"), None),
            (Method::GET, format!("{p}/imagetarget"), None),
            (Method::POST, format!("{p}/imagetarget"), Some(target)),
            (Method::GET, t.clone(), None),
            (Method::GET, format!("{t}/image"), None),
            (Method::PUT, t.clone(), Some(json!({"description": "y"}))),
            (Method::DELETE, t, None),
        ],
    )
    .await;
    assert_eq!(count(&app, "ar_projects").await, 0, "nothing was created");
}
