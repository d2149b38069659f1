//! /exchange transfer links: recipient only, single use, supersession,
//! deletion, expiry, the races and the purge, through the real server.

use api_tests::{TestApp, problem_of, status_of, types};
use diesel::{BoolExpressionMethods, ExpressionMethods, QueryDsl, RunQueryDsl};
use serde_json::json;

use super::{code_of, create_item, follow, item_names, owner_login, register, send, user};

#[tokio::test]
async fn send_answers_an_absolute_link_whose_code_is_stored_hashed() {
    let app = TestApp::spawn_with(&[("PUBLIC_URL", "https://api.example.test/")]).await;
    let sender = user(&app, "kim").await;
    register(&app, "lee").await;
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
    let sender = user(&app, "mia").await;
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
    let sender = user(&app, "nina").await;
    let recipient = user(&app, "omar").await;
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
    let sender = user(&app, "paul").await;
    let recipient = user(&app, "quinn").await;
    let third = user(&app, "rose").await;
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
    let sender = user(&app, "sam").await;
    let first = user(&app, "tina").await;
    let second = user(&app, "uma").await;
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
    let sender = user(&app, "vic").await;
    let recipient = user(&app, "wes").await;
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
    let sender = user(&app, "xena").await;
    let recipient = user(&app, "yuri").await;
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
    let token = user(&app, "zoe").await;
    for code in ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", "%00"] {
        let err = app.client_as(&token).exchange_follow_link().transfer(code).send().await.unwrap_err();
        assert_eq!(status_of(&err), 410, "{code}");
    }
    let missing = app.http.get(app.url("/exchange/get")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(missing.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_follows_move_the_item_exactly_once() {
    let app = TestApp::spawn().await;
    let sender = user(&app, "amy").await;
    let recipient = user(&app, "ben").await;
    let item = create_item(&app, &sender, "Piano").await;
    let link = send(&app, &sender, item, "ben").await;
    let follows = (0..16).map(|_| follow(&app, &recipient, &link));
    let mut statuses = futures::future::join_all(follows).await;
    statuses.sort_unstable();
    assert_eq!(statuses, [[200].as_slice(), &[410; 15]].concat());
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

/// Holds the item's row lock (as a slow concurrent transaction would) while
/// sixteen follows arrive, so that they all overlap inside the server for sure.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn follows_that_overlap_behind_a_held_lock_still_move_the_item_once() {
    use diesel::{Connection, OptionalExtension};
    let app = TestApp::spawn().await;
    let sender = user(&app, "hal").await;
    let recipient = user(&app, "ida").await;
    let item = create_item(&app, &sender, "Harp").await;
    let link = send(&app, &sender, item, "ida").await;
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel();
    let mut conn = app.db();
    let holder = std::thread::spawn(move || {
        conn.transaction::<_, diesel::result::Error, _>(|c| {
            use api::schema::exchange_items::dsl::*;
            exchange_items.find(item).select(id).for_update().first::<i64>(c).optional()?;
            let _ = locked_tx.send(());
            std::thread::sleep(std::time::Duration::from_millis(1000));
            Ok(())
        })
    });
    locked_rx.await.expect("the lock is held");
    let follows = (0..16).map(|_| follow(&app, &recipient, &link));
    let mut statuses = futures::future::join_all(follows).await;
    holder.join().expect("lock holder").expect("lock transaction");
    statuses.sort_unstable();
    assert_eq!(statuses, [[200].as_slice(), &[410; 15]].concat());
    assert_eq!(owner_login(&app, item).await.as_deref(), Some("ida"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_send_delete_and_follow_never_give_an_item_to_someone_not_asked() {
    let app = TestApp::spawn().await;
    let sender = user(&app, "cal").await;
    let asked = user(&app, "dan").await;
    register(&app, "eve").await;
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
        let (followed, resent, deleted) = tokio::join!(follow_fut, resend, delete);
        let owner = owner_login(&app, item).await;
        match followed {
            200 => {
                assert_eq!(resent, 404, "round {round}: once moved, the sender cannot re-send");
                assert_ne!(deleted, 200, "round {round}: once moved, the sender cannot delete");
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
        assert!(live <= 1, "round {round}: at most one live link per item");
    }
}

#[tokio::test]
async fn the_purge_job_removes_links_that_can_never_work_again() {
    let app = TestApp::spawn().await;
    let sender = user(&app, "fay").await;
    let recipient = user(&app, "gus").await;
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
