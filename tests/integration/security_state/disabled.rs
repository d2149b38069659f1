//! Disabled /shop users: refused after Redis restarts empty, while Redis is
//! down, when disabled by hand in SQL, and past the mirror's size bound; and
//! accepted again at once when re-enabled.

use api_tests::{App, OwnRedis, TestApp, User};
use reqwest::Method;
use serde_json::json;

use super::{call, eventually, spawn_on};
use crate::shop::{admin, create_product, credit};

/// A /shop user with 100.00 on bill `bill` and a product costing 10.00.
struct Customer {
    token: String,
    id: i64,
    bill: i64,
    product: i64,
}

async fn customer(app: &TestApp, login: &str, bill: i64) -> Customer {
    let User { token, id, .. } = app.user(App::Shop, login).await;
    credit(app, bill * 1000, id, bill, "100.00").await;
    let product = create_product(app, &admin(app).await, &format!("{login}'s product"), "10.00").await.id;
    Customer { token, id, bill, product }
}

impl Customer {
    /// `GET /shop/bills` and `POST /shop/products/{id}/buy`: both statuses.
    async fn statuses_on(&self, app: &TestApp) -> (u16, u16) {
        let bills = call(app, Method::GET, "/shop/bills", Some(&self.token), None).await.0;
        let path = format!("/shop/products/{}/buy", self.product);
        let buy =
            call(app, Method::POST, &path, Some(&self.token), Some(json!({"bill_id": self.bill}))).await.0;
        (bills, buy)
    }

    async fn is_refused_on(&self, app: &TestApp) -> bool {
        self.statuses_on(app).await == (401, 401)
    }
}

async fn set_active(app: &TestApp, id: i64, active: bool) -> (u16, serde_json::Value) {
    let root = admin(app).await;
    let path = format!("/shop/admin/users/{id}");
    call(app, Method::PATCH, &path, Some(&root), Some(json!({"is_active": active}))).await
}

async fn purchases_of(app: &TestApp, user_id: i64) -> i64 {
    crate::ar::count(app, "shop_purchases", format!("user_id = {user_id}")).await
}

#[tokio::test]
async fn a_disabled_user_stays_refused_through_a_redis_restart() {
    let mut redis = OwnRedis::start().await;
    let app = spawn_on(&redis, &[]).await;
    let disabled = customer(&app, "mallory", 1).await;
    let active = customer(&app, "oscar", 2).await;
    assert_eq!(disabled.statuses_on(&app).await, (200, 200), "a purchase while active");
    let (status, body) = set_active(&app, disabled.id, false).await;
    assert_eq!((status, &body["is_active"]), (200, &json!(false)));
    assert!(disabled.is_refused_on(&app).await, "refused at once");

    redis.restart().await;
    eventually("the running replica answers again", || async {
        call(&app, Method::GET, "/shop/bills", Some(&active.token), None).await.0 == 200
    })
    .await;
    assert_eq!(disabled.statuses_on(&app).await, (401, 401), "refused by the replica that ran through");
    let late = app.replica().await;
    assert_eq!(disabled.statuses_on(&late).await, (401, 401), "refused by a replica started after");
    assert_eq!(active.statuses_on(&late).await, (200, 200), "another user still buys");
    assert_eq!(purchases_of(&app, disabled.id).await, 1, "nothing bought once disabled");
}

#[tokio::test]
async fn a_disable_while_redis_is_down_is_committed_and_reaches_running_replicas() {
    let mut redis = OwnRedis::start().await;
    let app = spawn_on(&redis, &[("SECURITY_RESYNC_MS", "200")]).await;
    let other = app.replica().await;
    let target = customer(&app, "peggy", 3).await;
    let root = admin(&app).await;

    redis.stop();
    let path = format!("/shop/admin/users/{}", target.id);
    let (status, body) =
        call(&app, Method::PATCH, &path, Some(&root), Some(json!({"is_active": false}))).await;
    assert_eq!(status, 200, "PostgreSQL holds the change; Redis being down does not undo it: {body}");
    assert!(target.is_refused_on(&app).await, "refused at once where it was made");
    eventually("the other replica refuses the user", || target.is_refused_on(&other)).await;
}

#[tokio::test]
async fn a_user_enabled_again_is_accepted_at_once_on_every_replica() {
    let mut redis = OwnRedis::start().await;
    let app = spawn_on(&redis, &[("SECURITY_RESYNC_MS", "600000")]).await;
    let other = app.replica().await;
    let target = customer(&app, "quinn", 4).await;
    assert_eq!(set_active(&app, target.id, false).await.0, 200);
    eventually("the other replica hears of it", || target.is_refused_on(&other)).await;

    // No message can reach the other replica now, and its resync is far away:
    // its mirror still lists the user, and PostgreSQL has the last word.
    redis.stop();
    assert_eq!(set_active(&app, target.id, true).await.0, 200);
    let bills = call(&other, Method::GET, "/shop/bills", Some(&target.token), None).await.0;
    assert_eq!(bills, 200, "accepted again at once");
}

#[tokio::test]
async fn a_user_disabled_by_hand_in_sql_is_refused_by_running_and_new_replicas() {
    let redis = OwnRedis::start().await;
    let app = spawn_on(&redis, &[("SECURITY_RESYNC_MS", "200")]).await;
    let target = customer(&app, "rupert", 5).await;
    assert_eq!(target.statuses_on(&app).await.0, 200);
    crate::ar::exec(&app, format!("UPDATE shop_users SET is_active = false WHERE id = {}", target.id)).await;
    eventually("the running replica's resync sees it", || target.is_refused_on(&app)).await;
    let late = app.replica().await;
    assert!(target.is_refused_on(&late).await, "a new replica reads it at start-up");
}

#[tokio::test]
async fn past_its_bound_the_disabled_users_mirror_asks_postgresql() {
    let redis = OwnRedis::start().await;
    let app = spawn_on(&redis, &[("SECURITY_MIRROR_MAX_ENTRIES", "1")]).await;
    let mut disabled = Vec::new();
    for (n, login) in ["sybil", "trent", "ursula"].into_iter().enumerate() {
        let c = customer(&app, login, 10 + n as i64).await;
        assert_eq!(set_active(&app, c.id, false).await.0, 200);
        disabled.push(c);
    }
    let active = customer(&app, "victor", 20).await;
    let late = app.replica().await;
    for replica in [&app, &late] {
        for c in &disabled {
            assert!(c.is_refused_on(replica).await, "a disabled user the mirror could not hold");
        }
        assert_eq!(call(replica, Method::GET, "/shop/bills", Some(&active.token), None).await.0, 200);
    }
}
