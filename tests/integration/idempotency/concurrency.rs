//! Requests racing on one key: the first runs, the others are answered 409
//! (or, once it is done, its answer); a 5xx is not stored.

use std::time::{Duration, Instant};

use api_tests::{App, TestApp, status_of};
use diesel::{Connection, PgConnection, RunQueryDsl, connection::SimpleConnection};

use super::{replayed, task, task_count};

/// Holds `LOCK TABLE todo_tasks` so a task insert waits until it is dropped.
struct TableLock(PgConnection);

impl TableLock {
    fn take(app: &TestApp) -> Self {
        let mut conn = PgConnection::establish(&app.config.database_url).unwrap();
        conn.batch_execute("BEGIN; LOCK TABLE todo_tasks IN EXCLUSIVE MODE").unwrap();
        Self(conn)
    }

    fn release(mut self) {
        self.0.batch_execute("ROLLBACK").unwrap();
    }
}

/// Backends waiting for the lock on `todo_tasks`.
async fn waiting_on_tasks(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    app.query(|c| {
        diesel::sql_query(
            "SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = 'todo_tasks'::regclass",
        )
        .get_result::<Count>(c)
        .unwrap()
        .n
    })
    .await
}

/// Waits until `done()` holds (no assertion on time: a bound only so that a
/// broken server fails the test instead of hanging it).
async fn until<F: std::future::Future<Output = bool>>(mut done: impl FnMut() -> F) {
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < Duration::from_secs(60), "the requests never got where expected");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_concurrent_requests_with_one_key_make_one_task() {
    // The first request waits on the test's lock for as long as the test needs.
    let app = TestApp::spawn_with(&[
        ("DB_POOL_SIZE", "24"),
        ("DB_STATEMENT_TIMEOUT_MS", "14000"),
        ("DB_LOCK_TIMEOUT_MS", "14000"),
    ])
    .await;
    let token = app.user(App::Todo, "alice").await.token;
    let lock = tokio::task::block_in_place(|| TableLock::take(&app));

    let answered = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let requests: Vec<_> = (0..16)
        .map(|_| {
            let (client, answered) = (app.client_as(&token), answered.clone());
            tokio::spawn(async move {
                let result =
                    client.todo_create_task().idempotency_key("one").body(task("Buy milk")).send().await;
                answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                result
            })
        })
        .collect();
    // All sixteen in flight together: each either answered already or stuck
    // behind the test's lock, the one that holds the key among them. Without
    // the key's lock in the server, all sixteen would wait here and insert.
    until(|| async {
        answered.load(std::sync::atomic::Ordering::SeqCst) + waiting_on_tasks(&app).await == 16
    })
    .await;
    assert_eq!(waiting_on_tasks(&app).await, 1, "only the key's first request reached the insert");
    tokio::task::block_in_place(|| lock.release());

    let mut created = Vec::new();
    let mut busy = 0;
    for request in requests {
        match request.await.unwrap() {
            Ok(response) => {
                assert_eq!(response.status().as_u16(), 201);
                created.push(response.into_inner());
            }
            Err(err) => {
                assert_eq!(status_of(&err), 409, "{err:?}");
                let retry_after = match &err {
                    api_client::Error::ErrorResponse(r) => r.headers().get("retry-after").cloned(),
                    api_client::Error::UnexpectedResponse(r) => r.headers().get("retry-after").cloned(),
                    other => panic!("{other:?}"),
                };
                assert_eq!(retry_after.unwrap(), "1");
                busy += 1;
            }
        }
    }
    // Fifteen were answered while the first one still held the key.
    assert_eq!((created.len(), busy), (1, 15));
    assert_eq!(task_count(&app).await, 1, "one effect");
    // Once done, the key replays.
    let client = app.client_as(&token);
    let again = client.todo_create_task().idempotency_key("one").body(task("Buy milk")).send().await.unwrap();
    assert_eq!(replayed(&again), Some("true"));
    assert_eq!(again.into_inner(), created[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_is_not_stored_and_its_retry_runs() {
    let app = TestApp::spawn_with(&[("DB_LOCK_TIMEOUT_MS", "300")]).await;
    let token = app.user(App::Todo, "alice").await.token;
    let client = app.client_as(&token);
    let send = || client.todo_create_task().idempotency_key("k").body(task("Buy milk")).send();

    let lock = tokio::task::block_in_place(|| TableLock::take(&app));
    let err = send().await.unwrap_err();
    assert_eq!(status_of(&err), 503, "the insert gave up on the lock");
    tokio::task::block_in_place(|| lock.release());
    assert_eq!(super::key_count(&app).await, 0, "nothing stored for a 503");

    let retry = send().await.expect("the retry runs");
    assert_eq!((retry.status().as_u16(), replayed(&retry)), (201, None));
    assert_eq!(task_count(&app).await, 1);
}
