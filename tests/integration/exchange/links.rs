//! /exchange transfer links: recipient only, single use, supersession,
//! deletion, expiry, the races and the purge, through the real server.

use api_tests::{App, HeldLock, MAX_QUEUED, RACE_VARS, TestApp, problem_of, status_of, types};
use diesel::{BoolExpressionMethods, ExpressionMethods, QueryDsl, RunQueryDsl};
use serde_json::json;

use super::{code_of, create_item, follow, item_names, owner_login, send};

#[tokio::test]
async fn send_answers_an_absolute_link_whose_code_is_stored_hashed() {
    let app = TestApp::spawn_with(&[("PUBLIC_URL", "https://api.example.test/")]).await;
    let sender = app.user(App::Exchange, "kim").await.token;
    app.register(App::Exchange, "lee").await;
    let item = create_item(&app, &sender, "Book").await;
    let response = app
        .client_as(&sender)
        .exchange_send_item()
        .body(types::ExchangeSendIn::builder().item_id(item).recipient("lee"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let link = response.into_inner().link;
    let code = link.strip_prefix("https://api.example.test/exchange/get?transfer=").expect("absolute link");
    assert_eq!(code.len(), 43, "256 bits in base64url");
    assert!(!link.contains("item"), "the link carries a code, not an item id");
    let stored: Vec<Vec<u8>> = app
        .query(|c| {
            api::schema::exchange_transfers::table
                .select(api::schema::exchange_transfers::code_hash)
                .load(c)
                .unwrap()
        })
        .await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].len(), 32);
    assert_ne!(stored[0], code.as_bytes());
    let other = create_item(&app, &sender, "Pen").await;
    assert_ne!(code_of(&send(&app, &sender, other, "lee").await), code);
}

#[tokio::test]
async fn send_refuses_unknown_items_unknown_recipients_and_oneself() {
    let app = TestApp::spawn().await;
    let sender = app.user(App::Exchange, "mia").await.token;
    let item = create_item(&app, &sender, "Cup").await;
    let client = app.client_as(&sender);
    let attempt = |item_id: i64, recipient: &'static str| {
        client
            .exchange_send_item()
            .body(types::ExchangeSendIn::builder().item_id(item_id).recipient(recipient))
            .send()
    };
    assert_eq!(status_of(&attempt(item + 100, "mia").await.unwrap_err()), 404);
    assert_eq!(status_of(&attempt(item, "nobody").await.unwrap_err()), 404);
    let to_self = problem_of(attempt(item, "mia").await.unwrap_err());
    assert_eq!(to_self.status, 422);
    assert_eq!(to_self.errors[0].field, "recipient");
    let links: i64 =
        app.query(|c| api::schema::exchange_transfers::table.count().get_result(c).unwrap()).await;
    assert_eq!(links, 0);
}

#[tokio::test]
async fn following_a_link_moves_the_item_once() {
    let app = TestApp::spawn().await;
    let sender = app.user(App::Exchange, "nina").await.token;
    let recipient = app.user(App::Exchange, "omar").await.token;
    let item = create_item(&app, &sender, "Chair").await;
    let link = send(&app, &sender, item, "omar").await;

    // The link itself, followed as it was handed out (token in the query).
    let response = app.http.get(format!("{link}&token={recipient}")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, json!({"message": "item received", "item": {"id": item, "name": "Chair"}}));
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("omar"));
    assert!(item_names(&app, &sender).await.is_empty());
    assert_eq!(item_names(&app, &recipient).await, ["Chair"]);

    let again = problem_of(
        app.client_as(&recipient).exchange_follow_link().transfer(code_of(&link)).send().await.unwrap_err(),
    );
    assert_eq!(again.status, 410);
    assert_eq!(again.detail, "this link has already been used");
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("omar"));
}

#[tokio::test]
async fn follow_link_as_third_user_is_forbidden_and_the_link_stays_valid() {
    let app = TestApp::spawn().await;
    let sender = app.user(App::Exchange, "paul").await.token;
    let recipient = app.user(App::Exchange, "quinn").await.token;
    let third = app.user(App::Exchange, "rose").await.token;
    let item = create_item(&app, &sender, "Clock").await;
    let link = send(&app, &sender, item, "quinn").await;
    for intruder in [&third, &sender] {
        let err = app.client_as(intruder).exchange_follow_link().transfer(code_of(&link)).send().await;
        assert_eq!(problem_of(err.unwrap_err()).status, 403);
    }
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("paul"));
    let no_token = app.http.get(&link).send().await.unwrap();
    assert_eq!(no_token.status(), 401);
    assert_eq!(follow(&app, &recipient, &link).await, 200);
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("quinn"));
}

#[tokio::test]
async fn a_superseded_link_is_gone_and_moves_nothing() {
    let app = TestApp::spawn().await;
    let sender = app.user(App::Exchange, "sam").await.token;
    let first = app.user(App::Exchange, "tina").await.token;
    let second = app.user(App::Exchange, "uma").await.token;
    let item = create_item(&app, &sender, "Desk").await;
    let old = send(&app, &sender, item, "tina").await;
    let new = send(&app, &sender, item, "uma").await;
    let err = app.client_as(&first).exchange_follow_link().transfer(code_of(&old)).send().await.unwrap_err();
    let problem = problem_of(err);
    assert_eq!((problem.status, problem.detail.as_str()), (410, "a newer link has been sent for this item"));
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("sam"));
    // Re-sending to the same recipient supersedes too.
    let newest = send(&app, &sender, item, "uma").await;
    assert_eq!(follow(&app, &second, &new).await, 410);
    assert_eq!(follow(&app, &second, &newest).await, 200);
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("uma"));
}

#[tokio::test]
async fn a_link_whose_item_was_deleted_or_changed_hands_is_gone() {
    let app = TestApp::spawn().await;
    let sender = app.user(App::Exchange, "vic").await.token;
    let recipient = app.user(App::Exchange, "wes").await.token;
    let deleted = create_item(&app, &sender, "Vase").await;
    let link = send(&app, &sender, deleted, "wes").await;
    app.client_as(&sender).exchange_delete_item().id(deleted).send().await.unwrap();
    let problem = problem_of(
        app.client_as(&recipient).exchange_follow_link().transfer(code_of(&link)).send().await.unwrap_err(),
    );
    assert_eq!((problem.status, problem.detail.as_str()), (410, "the item has been deleted"));
    assert!(item_names(&app, &recipient).await.is_empty());

    // An item that went to wes and came back: the first link to wes is used, the
    // link wes sent back moved it; nothing can take it again.
    let item = create_item(&app, &sender, "Lamp").await;
    let there = send(&app, &sender, item, "wes").await;
    assert_eq!(follow(&app, &recipient, &there).await, 200);
    let back = send(&app, &recipient, item, "vic").await;
    assert_eq!(follow(&app, &sender, &back).await, 200);
    assert_eq!(follow(&app, &recipient, &there).await, 410);
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("vic"));
}

#[tokio::test]
async fn an_expired_link_is_gone() {
    let app = TestApp::spawn_with(&[("TRANSFER_LINK_TTL_SECONDS", "1")]).await;
    let sender = app.user(App::Exchange, "xena").await.token;
    let recipient = app.user(App::Exchange, "yuri").await.token;
    let item = create_item(&app, &sender, "Hat").await;
    let link = send(&app, &sender, item, "yuri").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let problem = problem_of(
        app.client_as(&recipient).exchange_follow_link().transfer(code_of(&link)).send().await.unwrap_err(),
    );
    assert_eq!((problem.status, problem.detail.as_str()), (410, "this link has expired"));
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("xena"));
}

#[tokio::test]
async fn unknown_codes_are_gone_and_a_missing_code_is_400() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Exchange, "zoe").await.token;
    for code in ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", "%00"] {
        let err = app.client_as(&token).exchange_follow_link().transfer(code).send().await.unwrap_err();
        assert_eq!(status_of(&err), 410, "{code}");
    }
    let missing = app.http.get(app.url("/exchange/get")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(missing.status(), 400);
}

/// Holds `exchange_items` row `item`'s lock, as a send or follow of it would.
async fn hold_item(app: &TestApp, item: i64) -> HeldLock {
    let sql = format!("SELECT 1 FROM exchange_items WHERE id = {item} FOR UPDATE");
    HeldLock::take(app, &format!("item {item}'s row lock"), &sql).await
}

/// Follows `link` `MAX_QUEUED` times while `lock` is held, lets them go once
/// all are queued, and answers their statuses, sorted.
async fn follows_let_go_together(app: &TestApp, token: &str, link: &str, lock: HeldLock) -> Vec<u16> {
    let follows = (0..MAX_QUEUED).map(|_| follow(app, token, link));
    let release = async {
        lock.wait_for_queued(MAX_QUEUED).await;
        lock.release("ROLLBACK").await;
    };
    let (mut statuses, ()) = tokio::join!(futures::future::join_all(follows), release);
    statuses.sort_unstable();
    statuses
}

/// Follows of one link, queued behind the link's row lock and let go
/// together, move the item once. Proves that follows serialise on their
/// row locks (`transfers::lock`, the `exchange_transfers` row, behind
/// `lock_item`, the `exchange_items` row) and re-check the link under them:
/// either lock alone suffices here; without both the losers answer 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn follows_let_go_together_from_the_links_lock_move_the_item_once() {
    let app = TestApp::spawn_with(&RACE_VARS).await;
    let sender = app.user(App::Exchange, "amy").await.token;
    let recipient = app.user(App::Exchange, "ben").await.token;
    let item = create_item(&app, &sender, "Piano").await;
    let link = send(&app, &sender, item, "ben").await;
    let sql = format!("SELECT 1 FROM exchange_transfers WHERE item_id = {item} FOR UPDATE");
    let lock = HeldLock::take(&app, "the link's row lock", &sql).await;
    let statuses = follows_let_go_together(&app, &recipient, &link, lock).await;
    assert_eq!(statuses, [vec![200], vec![410; MAX_QUEUED - 1]].concat());
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("ben"));
    assert_eq!(item_names(&app, &recipient).await, ["Piano"]);
    let used: i64 = app
        .query(|c| {
            use api::schema::exchange_transfers::dsl::*;
            exchange_transfers.filter(used_at.is_not_null()).count().get_result(c).unwrap()
        })
        .await;
    assert_eq!(used, 1);
}

/// Follows of one link, queued behind the item's row lock (as a slow
/// concurrent send would hold it) and let go together, move the item once.
/// Proves the same locks as the test above from the item's side
/// (`lock_item`, taken before the link's): without both, the losers answer 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn follows_let_go_together_from_the_items_lock_move_the_item_once() {
    let app = TestApp::spawn_with(&RACE_VARS).await;
    let sender = app.user(App::Exchange, "hal").await.token;
    let recipient = app.user(App::Exchange, "ida").await.token;
    let item = create_item(&app, &sender, "Harp").await;
    let link = send(&app, &sender, item, "ida").await;
    let lock = hold_item(&app, item).await;
    let statuses = follows_let_go_together(&app, &recipient, &link, lock).await;
    assert_eq!(statuses, [vec![200], vec![410; MAX_QUEUED - 1]].concat());
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("ida"));
}

/// A follow, a re-send to someone else and (on odd rounds) a delete of one
/// item, queued behind the item's row lock and let go together: the item
/// goes to the one asked or stays, never elsewhere. Proves that send, delete
/// and follow all serialise on the `exchange_items` row (`lock_item`, and the
/// delete's own row lock) and re-check under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn send_delete_and_follow_let_go_together_never_give_an_item_to_someone_not_asked() {
    let app = TestApp::spawn_with(&RACE_VARS).await;
    let sender = app.user(App::Exchange, "cal").await.token;
    let asked = app.user(App::Exchange, "dan").await.token;
    app.register(App::Exchange, "eve").await;
    for round in 0..8 {
        let item = create_item(&app, &sender, &format!("Item {round}")).await;
        let link = send(&app, &sender, item, "dan").await;
        // The sender re-sends to eve (superseding dan's link) while dan follows
        // his; on odd rounds the sender deletes the item at the same time.
        let follow_fut = follow(&app, &asked, &link);
        let resend = async {
            app.client_as(&sender)
                .exchange_send_item()
                .body(types::ExchangeSendIn::builder().item_id(item).recipient("eve"))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or_else(|e| status_of(&e))
        };
        let delete = async {
            if round % 2 == 1 {
                let r = app.client_as(&sender).exchange_delete_item().id(item).send().await;
                r.map(|r| r.status().as_u16()).unwrap_or_else(|e| status_of(&e))
            } else {
                0
            }
        };
        let lock = hold_item(&app, item).await;
        let release = async {
            lock.wait_for_queued(if round % 2 == 1 { 3 } else { 2 }).await;
            lock.release("ROLLBACK").await;
        };
        let (followed, resent, deleted, ()) = tokio::join!(follow_fut, resend, delete, release);
        let owner = owner_login(&app, item).await;
        match followed {
            200 => {
                assert_eq!(resent, 404, "round {round}: once moved, the sender cannot re-send");
                let not_asked = if round % 2 == 1 { 404 } else { 0 };
                assert_eq!(deleted, not_asked, "round {round}: once moved, the sender cannot delete");
                assert_eq!(owner.as_deref(), Some("dan"), "round {round}");
            }
            410 => assert!(
                owner.as_deref() == Some("cal") || (owner.is_none() && deleted == 200),
                "round {round}: {owner:?}, delete {deleted}, resend {resent}"
            ),
            other => panic!("round {round}: follow answered {other}"),
        }
        let live: i64 = app
            .query(move |c| {
                use api::schema::exchange_transfers::dsl::*;
                exchange_transfers
                    .filter(item_id.eq(item).and(used_at.is_null()).and(superseded_at.is_null()))
                    .count()
                    .get_result(c)
                    .unwrap()
            })
            .await;
        // The re-sent link to eve is the one live link, unless the item moved or went.
        let expected = if followed == 200 || deleted == 200 { 0 } else { 1 };
        assert_eq!(live, expected, "round {round}: resend {resent}, delete {deleted}");
    }
}

#[tokio::test]
async fn the_purge_job_removes_links_that_can_never_work_again() {
    let app = TestApp::spawn().await;
    let sender = app.user(App::Exchange, "fay").await.token;
    let recipient = app.user(App::Exchange, "gus").await.token;
    let used = create_item(&app, &sender, "Used").await;
    let used_link = send(&app, &sender, used, "gus").await;
    assert_eq!(follow(&app, &recipient, &used_link).await, 200);
    let live = create_item(&app, &sender, "Live").await;
    let _superseded = send(&app, &sender, live, "gus").await;
    let live_link = send(&app, &sender, live, "gus").await;
    let gone = create_item(&app, &sender, "Gone").await;
    let _orphan = send(&app, &sender, gone, "gus").await;
    app.client_as(&sender).exchange_delete_item().id(gone).send().await.unwrap();
    // One expired link, aged in the database.
    let expired = create_item(&app, &sender, "Old").await;
    let _expired_link = send(&app, &sender, expired, "gus").await;
    app.query(move |c| {
        use api::schema::exchange_transfers::dsl::*;
        diesel::update(exchange_transfers.filter(item_id.eq(expired)))
            .set(expires_at.eq(chrono::Utc::now() - chrono::Duration::seconds(5)))
            .execute(c)
            .unwrap();
    })
    .await;

    let config = app.config.clone();
    let report =
        app.query(move |c| api::jobs::purge_once(c, &config).unwrap()).await.expect("the lock is free");
    assert_eq!(report.get("exchange_transfer_links"), Some(&4));
    let left: i64 =
        app.query(|c| api::schema::exchange_transfers::table.count().get_result(c).unwrap()).await;
    assert_eq!(left, 1);
    assert_eq!(follow(&app, &recipient, &used_link).await, 410, "a purged link is still gone");
    assert_eq!(follow(&app, &recipient, &live_link).await, 200);
}
