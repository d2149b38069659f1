//! Logouts and /ar app-token revocations: refused after Redis restarts empty,
//! while Redis is down, and past the mirror's size bound.

use std::time::Duration;

use api_tests::{App, OwnRedis, TestApp};
use reqwest::Method;

use super::{call, eventually, ok, spawn_on};

/// Ways a token gets revoked.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Todo,
    Exchange,
    Dealer,
    Shop,
    ArUser,
    /// The owner's `DELETE /ar/api/project/{id}/jwt/{token_id}`.
    ArAppDeleted,
    /// `POST /ar/logout` with the app token itself.
    ArAppLoggedOut,
}

/// A signed-in token, a request it may make, and how to revoke it.
struct Session {
    token: String,
    /// A GET this token may make, and what it answers while the token stands.
    probe: String,
    accepted: u16,
    /// The revoking request: method, path, the token it carries.
    revoke: (Method, String, String),
}

impl Session {
    async fn status_on(&self, app: &TestApp) -> u16 {
        call(app, Method::GET, &self.probe, Some(&self.token), None).await.0
    }

    async fn revoke_on(&self, app: &TestApp) {
        let (method, path, token) = &self.revoke;
        ok(app, method.clone(), path, Some(token), None).await;
    }
}

async fn sign_in(app: &TestApp, kind: Kind, name: &str) -> Session {
    let logout = |prefix: &str, token: &str| (Method::POST, format!("/{prefix}/logout"), token.to_owned());
    match kind {
        Kind::Todo => {
            let token = app.user(App::Todo, name).await.token;
            Session { revoke: logout("todo", &token), token, probe: "/todo/tasks".into(), accepted: 200 }
        }
        Kind::Exchange => {
            let token = app.user(App::Exchange, name).await.token;
            Session {
                revoke: logout("exchange", &token),
                token,
                probe: "/exchange/items".into(),
                accepted: 200,
            }
        }
        Kind::Dealer => {
            let token = app.user(App::Dealer, name).await.token;
            // An empty stock is the spec's 400 "no autos", after the token is checked.
            Session { revoke: logout("dealer", &token), token, probe: "/dealer/stock".into(), accepted: 400 }
        }
        Kind::Shop => {
            let token = app.user(App::Shop, name).await.token;
            Session { revoke: logout("shop", &token), token, probe: "/shop/bills".into(), accepted: 200 }
        }
        Kind::ArUser => {
            let token = app.user(App::Ar, name).await.token;
            Session { revoke: logout("ar", &token), token, probe: "/ar/api/project".into(), accepted: 200 }
        }
        Kind::ArAppDeleted | Kind::ArAppLoggedOut => {
            let setup = crate::ar::setup(app, name).await;
            let (project, app_token) = (setup.project.id, setup.app_token.token.clone());
            let revoke = match kind {
                Kind::ArAppDeleted => (
                    Method::DELETE,
                    format!("/ar/api/project/{project}/jwt/{}", setup.app_token.id),
                    setup.user_token.clone(),
                ),
                _ => logout("ar", &app_token),
            };
            Session {
                token: app_token,
                probe: format!("/ar/api/project/{project}/imagetarget"),
                accepted: 200,
                revoke,
            }
        }
    }
}

/// The scenario: revoke, Redis restarts empty, then the token is
/// refused by the replica that ran through the restart and by one started
/// after it, while another token of the same app still works on both.
async fn a_revocation_holds_through_a_redis_restart(kind: Kind) {
    let mut redis = OwnRedis::start().await;
    let app = spawn_on(&redis, &[]).await;
    let revoked = sign_in(&app, kind, "alice").await;
    let live = sign_in(&app, kind, "bob").await;
    assert_eq!(revoked.status_on(&app).await, revoked.accepted, "{kind:?}: accepted before");
    revoked.revoke_on(&app).await;
    assert_eq!(revoked.status_on(&app).await, 401, "{kind:?}: refused at once");

    redis.restart().await;
    eventually("the running replica answers again", || async { live.status_on(&app).await == live.accepted })
        .await;
    assert_eq!(revoked.status_on(&app).await, 401, "{kind:?}: refused by the replica that ran through");
    let late = app.replica().await;
    assert_eq!(
        revoked.status_on(&late).await,
        401,
        "{kind:?}: refused by a replica started after the restart"
    );
    assert_eq!(live.status_on(&late).await, live.accepted, "{kind:?}: another token still works");
}

#[tokio::test]
async fn todo_logout_holds_through_a_redis_restart() {
    a_revocation_holds_through_a_redis_restart(Kind::Todo).await;
}

#[tokio::test]
async fn exchange_logout_holds_through_a_redis_restart() {
    a_revocation_holds_through_a_redis_restart(Kind::Exchange).await;
}

#[tokio::test]
async fn dealer_logout_holds_through_a_redis_restart() {
    a_revocation_holds_through_a_redis_restart(Kind::Dealer).await;
}

#[tokio::test]
async fn shop_logout_holds_through_a_redis_restart() {
    a_revocation_holds_through_a_redis_restart(Kind::Shop).await;
}

#[tokio::test]
async fn ar_user_logout_holds_through_a_redis_restart() {
    a_revocation_holds_through_a_redis_restart(Kind::ArUser).await;
}

#[tokio::test]
async fn ar_app_token_deletion_holds_through_a_redis_restart() {
    a_revocation_holds_through_a_redis_restart(Kind::ArAppDeleted).await;
}

#[tokio::test]
async fn ar_app_token_logout_holds_through_a_redis_restart() {
    a_revocation_holds_through_a_redis_restart(Kind::ArAppLoggedOut).await;
}

#[tokio::test]
async fn a_logout_while_redis_is_down_is_committed_and_reaches_running_replicas() {
    let mut redis = OwnRedis::start().await;
    let app = spawn_on(&redis, &[("SECURITY_RESYNC_MS", "200")]).await;
    let other = app.replica().await;
    let session = sign_in(&app, Kind::Todo, "carol").await;
    assert_eq!(session.status_on(&other).await, 200);

    redis.stop();
    let (status, body) = call(&app, Method::POST, "/todo/logout", Some(&session.token), None).await;
    assert_eq!(status, 204, "PostgreSQL holds the logout; Redis being down does not undo it: {body}");
    assert_eq!(session.status_on(&app).await, 401, "refused at once where it was made");
    // No message can reach the other replica: its resync from PostgreSQL does.
    eventually("the other replica refuses the token", || async { session.status_on(&other).await == 401 })
        .await;
}

#[tokio::test]
async fn a_replica_catches_up_on_revocations_it_missed_when_redis_comes_back() {
    let mut redis = OwnRedis::start().await;
    // A resync far away: only the reconnection can bring the revocation.
    let app = spawn_on(&redis, &[("SECURITY_RESYNC_MS", "600000")]).await;
    let other = app.replica().await;
    let session = sign_in(&app, Kind::Exchange, "dave").await;
    assert_eq!(session.status_on(&other).await, 200);

    redis.stop();
    session.revoke_on(&app).await;
    assert_eq!(session.status_on(&app).await, 401);
    redis.launch().await;
    eventually("the other replica rebuilds its mirror on reconnecting", || async {
        session.status_on(&other).await == 401
    })
    .await;
}

#[tokio::test]
async fn a_running_replica_hears_logouts_again_after_redis_restarts() {
    let mut redis = OwnRedis::start().await;
    let app = spawn_on(&redis, &[("SECURITY_RESYNC_MS", "600000")]).await;
    let other = app.replica().await;
    let subscriptions = other.state.bus.subscriptions();
    redis.restart().await;
    eventually("the other replica subscribes again", || async {
        other.state.bus.subscriptions() > subscriptions
    })
    .await;
    // After the rebuild that follows the reconnection: only a message can tell it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let session = sign_in(&app, Kind::Dealer, "erin").await;
    assert_eq!(session.status_on(&other).await, 400, "accepted");
    session.revoke_on(&app).await;
    eventually("the other replica hears the logout", || async { session.status_on(&other).await == 401 })
        .await;
}

#[tokio::test]
async fn past_its_bound_the_revocation_mirror_asks_postgresql() {
    let redis = OwnRedis::start().await;
    let app = spawn_on(&redis, &[("SECURITY_MIRROR_MAX_ENTRIES", "2")]).await;
    let mut revoked = Vec::new();
    for name in ["fay", "gus", "hal", "ivy"] {
        let session = sign_in(&app, Kind::Todo, name).await;
        session.revoke_on(&app).await;
        revoked.push(session);
    }
    let live = sign_in(&app, Kind::Todo, "jon").await;
    let late = app.replica().await;
    for replica in [&app, &late] {
        for session in &revoked {
            assert_eq!(session.status_on(replica).await, 401, "a revocation the mirror could not hold");
        }
        assert_eq!(live.status_on(replica).await, 200);
    }
}

#[tokio::test]
async fn the_subscription_outlives_its_keepalive_ping() {
    let redis = OwnRedis::start().await;
    let app = spawn_on(&redis, &[]).await;
    eventually("subscribed", || async { app.state.bus.is_listening() }).await;
    let subscriptions = app.state.bus.subscriptions();
    // The bus pings Redis every 5 s; a subscribed connection answers with an array.
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(app.state.bus.is_listening());
    assert_eq!(app.state.bus.subscriptions(), subscriptions, "no reconnection");
}

#[tokio::test]
async fn a_revocation_committed_while_replicas_resync_is_not_missed() {
    let redis = OwnRedis::start().await;
    let app = spawn_on(&redis, &[("SECURITY_RESYNC_MS", "100")]).await;
    let session = sign_in(&app, Kind::Todo, "kurt").await;
    let jti = api::auth::TokenKeys::new(api_tests::JWT_SECRET.as_bytes())
        .verify(&session.token, "todo")
        .unwrap()
        .jti;
    // Written behind the server's back (no hint), by a transaction that stays
    // open across several resyncs: each sees it running, none sees its row.
    let url = app.config.database_url.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::{Connection, connection::SimpleConnection};
        let mut conn = diesel::PgConnection::establish(&url).unwrap();
        conn.batch_execute(&format!(
            "BEGIN; INSERT INTO revoked_tokens (jti, expires_at) VALUES ('{jti}', now() + interval '1 hour')"
        ))
        .unwrap();
        std::thread::sleep(Duration::from_millis(800));
        conn.batch_execute("COMMIT").unwrap();
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(session.status_on(&app).await, 200, "not committed yet");
    eventually("the commit is read at a later resync", || async { session.status_on(&app).await == 401 })
        .await;
}

#[tokio::test]
async fn a_mirror_that_cannot_resync_is_not_trusted_to_accept() {
    let redis = OwnRedis::start().await;
    // A stale mirror is one not read for 2 x 100 ms + 1 s.
    let app = spawn_on(&redis, &[("SECURITY_RESYNC_MS", "100")]).await;
    let session = sign_in(&app, Kind::Todo, "lena").await;
    assert_eq!(session.status_on(&app).await, 200);
    let jti = api::auth::TokenKeys::new(api_tests::JWT_SECRET.as_bytes())
        .verify(&session.token, "todo")
        .unwrap()
        .jti;
    // A transaction locks the table (every resync waits behind it), revokes
    // the token behind the server's back, and commits 2 s later.
    let url = app.config.database_url.clone();
    let (locked_tx, locked) = tokio::sync::oneshot::channel();
    let writer = tokio::task::spawn_blocking(move || {
        use diesel::{Connection, connection::SimpleConnection};
        let mut conn = diesel::PgConnection::establish(&url).unwrap();
        conn.batch_execute(&format!(
            "BEGIN; LOCK TABLE revoked_tokens IN ACCESS EXCLUSIVE MODE;
             INSERT INTO revoked_tokens (jti, expires_at) VALUES ('{jti}', now() + interval '1 hour')"
        ))
        .unwrap();
        let _ = locked_tx.send(());
        std::thread::sleep(Duration::from_secs(2));
        conn.batch_execute("COMMIT").unwrap();
    });
    locked.await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // The mirror is stale by now: the request waits for PostgreSQL's answer
    // (after the commit) instead of trusting memory.
    assert_eq!(session.status_on(&app).await, 401);
    writer.await.unwrap();
}
