//! Item 9: database work is bounded (statement, lock and checkout timeouts,
//! the request deadline checked before COMMIT), every timeout answers 503 with
//! a body and `Retry-After`, and a request answered 503 stored nothing. The
//! slowness is made inside the test's own database: a trigger that sleeps, a
//! lock held by the test.

use std::time::Duration;

use api_tests::{App, TestApp};
use diesel::{Connection, PgConnection, RunQueryDsl, connection::SimpleConnection};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{assert_unavailable, call};

async fn count(app: &TestApp, table: impl Into<String>) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = format!("SELECT count(*) AS n FROM {}", table.into());
    app.query(move |c| diesel::sql_query(sql).get_result::<Count>(c).unwrap().n).await
}

/// Makes every insert into `table` sleep `seconds` in a BEFORE trigger
/// (`deferred`: in a constraint trigger run at COMMIT instead).
async fn slow_inserts(app: &TestApp, table: &str, seconds: f64, deferred: bool) {
    let function = format!(
        "CREATE FUNCTION slow_{table}() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN PERFORM pg_sleep({seconds}); RETURN NEW; END $$"
    );
    let trigger = if deferred {
        format!(
            "CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON {table} DEFERRABLE INITIALLY DEFERRED \
             FOR EACH ROW EXECUTE FUNCTION slow_{table}()"
        )
    } else {
        format!("CREATE TRIGGER slow BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION slow_{table}()")
    };
    app.query(move |c| c.batch_execute(&format!("{function}; {trigger}")).unwrap()).await;
}

/// A request deadline long enough for a loaded host to set a test up, with
/// a statement timeout above the 2 s triggers below.
const TIMED: &[(&str, &str)] = &[("REQUEST_TIMEOUT_MS", "3000"), ("DB_STATEMENT_TIMEOUT_MS", "2500")];

/// When the body of a [`slow_body_request`] follows its head.
const BODY_DELAY: Duration = Duration::from_millis(1500);

/// Waits until a statement of the test's database waits on `event`
/// (`wait_event = 'PgSleep'`, `wait_event_type = 'Lock'`).
async fn waiting(app: &TestApp, event: &str) {
    let waiting = format!("pg_stat_activity WHERE datname = current_database() AND {event}");
    for _ in 0..200 {
        if count(app, waiting.clone()).await > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no statement ever waited on {event}");
}

/// Waits until an insert of the test's database sleeps in its trigger.
async fn sleeping_insert(app: &TestApp) {
    waiting(app, "wait_event = 'PgSleep'").await;
}

/// Another session holding `table` in ACCESS EXCLUSIVE mode until released
/// (5 s at most).
struct TableLock {
    release: std::sync::mpsc::Sender<()>,
    holder: tokio::task::JoinHandle<()>,
}

impl TableLock {
    async fn hold(app: &TestApp, table: &str) -> Self {
        let (locked_tx, locked_rx) = tokio::sync::oneshot::channel();
        let (release, release_rx) = std::sync::mpsc::channel::<()>();
        let (url, lock) =
            (app.config.database_url.clone(), format!("BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"));
        let holder = tokio::task::spawn_blocking(move || {
            let mut conn = PgConnection::establish(&url).unwrap();
            conn.batch_execute(&lock).unwrap();
            locked_tx.send(()).unwrap();
            let _ = release_rx.recv_timeout(Duration::from_secs(5));
            conn.batch_execute("ROLLBACK").unwrap();
        });
        locked_rx.await.unwrap();
        Self { release, holder }
    }

    async fn release(self) {
        self.release.send(()).unwrap();
        self.holder.await.unwrap();
    }
}

/// A request whose body arrives `delay` after its head, so that the
/// database work starts late in the request's time; the status and body.
async fn slow_body_request(
    app: &TestApp,
    path: &str,
    token: &str,
    body: &Value,
    delay: Duration,
) -> (u16, String) {
    let body = body.to_string();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let addr = app.base_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(delay).await;
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    assert!(status != 503 || answer.to_ascii_lowercase().contains("retry-after:"), "{answer}");
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn a_write_waiting_on_a_lock_answers_503_at_the_lock_timeout_and_stores_nothing() {
    let app = TestApp::spawn_with(&[("DB_LOCK_TIMEOUT_MS", "300")]).await;
    let token = app.user(App::Todo, "alice").await.token;
    let lock = TableLock::hold(&app, "todo_tasks").await;
    let write =
        call(&app, Method::POST, "/todo/tasks", Some(&token), Some(json!({"title": "blocked"}))).await;
    let read = call(&app, Method::GET, "/todo/tasks", Some(&token), None).await;
    lock.release().await;
    let detail = assert_unavailable(write).await;
    assert!(detail.contains("in time"), "{detail}");
    assert_unavailable(read).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count(&app, "todo_tasks").await, 0, "the 503 stored nothing");
}

#[tokio::test]
async fn a_statement_past_the_statement_timeout_answers_503_and_stores_nothing() {
    let app = TestApp::spawn_with(&[("DB_STATEMENT_TIMEOUT_MS", "500")]).await;
    let token = app.user(App::Todo, "alice").await.token;
    slow_inserts(&app, "todo_tasks", 2.0, false).await;
    let write = call(&app, Method::POST, "/todo/tasks", Some(&token), Some(json!({"title": "slow"}))).await;
    let detail = assert_unavailable(write).await;
    assert!(!detail.contains("canceling"), "no server text: {detail}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(count(&app, "todo_tasks").await, 0, "the 503 stored nothing");
}

#[tokio::test]
async fn a_transaction_still_running_at_the_deadline_rolls_back_and_answers_503() {
    let app = TestApp::spawn_with(TIMED).await;
    let token = app.user(App::Todo, "alice").await.token;
    // The body comes at 1.5 s, the INSERT then takes 2 s: each statement is
    // within its timeout, but the COMMIT would come after the 3 s deadline.
    slow_inserts(&app, "todo_tasks", 2.0, false).await;
    let (status, body) =
        slow_body_request(&app, "/todo/tasks", &token, &json!({"title": "late"}), BODY_DELAY).await;
    assert_eq!(status, 503, "{body}");
    let problem: Value = serde_json::from_str(&body).expect("a problem body");
    assert_eq!(problem["status"], 503);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(count(&app, "todo_tasks").await, 0, "rolled back instead of committed after the 503");
}

#[tokio::test]
async fn a_commit_sent_before_the_deadline_is_waited_for_and_answered_as_it_ended() {
    let app = TestApp::spawn_with(TIMED).await;
    let token = app.user(App::Todo, "alice").await.token;
    // The COMMIT starts at about 1.5 s and runs a 2 s deferred trigger: it
    // is in flight when the deadline strikes, so its outcome is the answer.
    slow_inserts(&app, "todo_tasks", 2.0, true).await;
    let (status, body) =
        slow_body_request(&app, "/todo/tasks", &token, &json!({"title": "just in time"}), BODY_DELAY).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(count(&app, "todo_tasks").await, 1, "the 201 is stored");
}

#[tokio::test]
async fn a_dealer_timeout_answers_its_error_shape_and_stores_nothing() {
    let app = TestApp::spawn_with(TIMED).await;
    let credentials = json!({"username": "dealer", "password": "correct horse"});
    call(&app, Method::POST, "/dealer/register", None, Some(credentials.clone())).await;
    let auth: Value =
        call(&app, Method::POST, "/dealer/auth", None, Some(credentials)).await.json().await.unwrap();
    let token = auth["access_token"].as_str().unwrap();
    slow_inserts(&app, "dealer_autos", 2.0, false).await;
    let auto = json!({"max_speed": 180, "distance": 900, "handler": "GAZ", "stock": "Nizhny"});
    let (status, body) = slow_body_request(&app, "/dealer/auto/Volga", token, &auto, BODY_DELAY).await;
    assert_eq!(status, 503, "{body}");
    let error: Value = serde_json::from_str(&body).expect("an {\"Error\"} body");
    assert!(error["Error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(count(&app, "dealer_autos").await, 0);
}

#[tokio::test]
async fn an_exhausted_pool_answers_503_with_retry_after_at_once() {
    let app = TestApp::spawn_with(&[("DB_POOL_SIZE", "1"), ("DB_CHECKOUT_TIMEOUT_MS", "200")]).await;
    let token = app.user(App::Todo, "alice").await.token;
    slow_inserts(&app, "todo_tasks", 3.0, false).await;
    // The write holds the only connection for 3 s.
    let write = {
        let (app_url, token) = (app.url("/todo/tasks"), token.clone());
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(app_url)
                .bearer_auth(token)
                .json(&json!({"title": "slow"}))
                .send()
                .await
        })
    };
    sleeping_insert(&app).await;
    let second =
        call(&app, Method::POST, "/todo/tasks", Some(&token), Some(json!({"title": "queued"}))).await;
    let detail = assert_unavailable(second).await;
    assert!(detail.contains("busy or unavailable"), "{detail}");
    assert_eq!(write.await.unwrap().unwrap().status(), 201, "the holder completes");
    assert_eq!(count(&app, "todo_tasks").await, 1, "the 503 stored nothing");
}

#[tokio::test]
async fn an_exhausted_read_pool_answers_503_with_retry_after_at_once() {
    let vars =
        [("DB_READ_POOL_SIZE", "1"), ("DB_CHECKOUT_TIMEOUT_MS", "200"), ("DB_LOCK_TIMEOUT_MS", "4000")];
    let app = TestApp::spawn_with(&vars).await;
    let token = app.user(App::Todo, "alice").await.token;
    let created = call(&app, Method::POST, "/todo/tasks", Some(&token), Some(json!({"title": "kept"}))).await;
    let task: Value = created.json().await.unwrap();
    // The first read waits on the lock and holds the only read connection.
    let lock = TableLock::hold(&app, "todo_tasks").await;
    let first = {
        let (app_url, token) = (app.url("/todo/tasks"), token.clone());
        tokio::spawn(async move { reqwest::Client::new().get(app_url).bearer_auth(token).send().await })
    };
    waiting(&app, "wait_event_type = 'Lock'").await;
    let second = call(&app, Method::GET, &format!("/todo/tasks/{}", task["id"]), Some(&token), None).await;
    let detail = assert_unavailable(second).await;
    assert!(detail.contains("busy or unavailable"), "{detail}");
    // Writes have their own pool, not held up by the reads: another user
    // registers and signs in meanwhile.
    app.user(App::Todo, "bob").await;
    lock.release().await;
    let first = first.await.unwrap().unwrap();
    assert_eq!(first.status(), 200, "the holder completes");
    let tasks: Value = first.json().await.unwrap();
    assert_eq!(tasks[0]["title"], "kept");
}

#[tokio::test]
async fn a_read_abandoned_mid_statement_takes_its_connection_out_of_the_pool() {
    use api::db::reads;
    use diesel_async::RunQueryDsl as Async;

    let app = TestApp::spawn_with(&[("DB_READ_POOL_SIZE", "1")]).await;
    let pool = &app.state.db.reads;
    let sleep = async |conn: &mut reads::ReadConn| {
        Async::execute(diesel::sql_query("SELECT pg_sleep(3)"), conn).await?;
        Ok(())
    };
    // Cancelled while PostgreSQL still sleeps, as the request deadline does.
    let abandoned = tokio::time::timeout(Duration::from_millis(300), reads::read(pool, sleep)).await;
    assert!(abandoned.is_err(), "the read was still running");
    assert_eq!(pool.counts(), (0, 0), "the busy connection was closed, not pooled");
    // The next read gets a fresh connection, not the one still busy.
    let answer =
        reads::read(pool, async |conn| Ok(Async::execute(diesel::sql_query("SELECT 1"), conn).await?)).await;
    assert_eq!(answer.unwrap(), 1);
    assert_eq!(pool.counts(), (0, 1));
}

#[tokio::test]
async fn the_read_pool_refuses_writes() {
    use api::db::reads;
    use diesel_async::RunQueryDsl as Async;

    let app = TestApp::spawn().await;
    let write = reads::read(&app.state.db.reads, async |conn| {
        let insert = diesel::sql_query("INSERT INTO todo_users (username, password_hash) VALUES ('x', 'y')");
        Ok(Async::execute(insert, conn).await?)
    })
    .await;
    assert!(write.is_err(), "a write on a read connection must fail");
    assert_eq!(count(&app, "todo_users").await, 0);
}
