//! Races that are forced, not hoped for: the test takes, on a connection of
//! its own, the lock the server's protection contends on, fires its
//! concurrent requests, waits until every one of them is queued behind a
//! lock in PostgreSQL, and only then lets them go. So the requests overlap
//! inside the database for sure, and a server that stopped taking the lock
//! fails the test (they never queue) instead of passing by luck.
//!
//! The server's lock timeouts must outlast the wait: spawn race tests with
//! [`RACE_VARS`].

use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl, connection::SimpleConnection};

use crate::TestApp;

/// Configuration for a race test's server: a pool with room for every
/// queued request, and statement and lock timeouts longer than the test's wait.
pub const RACE_VARS: [(&str, &str); 3] =
    [("DB_POOL_SIZE", "16"), ("DB_STATEMENT_TIMEOUT_MS", "14000"), ("DB_LOCK_TIMEOUT_MS", "14000")];

/// The most concurrent requests a race test may queue (the pool of [`RACE_VARS`] less room to spare).
pub const MAX_QUEUED: usize = 12;

/// How long the requests may take to queue: only a bound, so that a broken
/// server fails the test with a message instead of hanging it.
const QUEUE_BOUND: Duration = Duration::from_secs(10);

/// A transaction of the test holding a lock until [`HeldLock::release`].
pub struct HeldLock {
    conn: Option<PgConnection>,
    what: String,
    database_url: String,
}

impl HeldLock {
    /// Opens a transaction and runs `sql` in it (a `SELECT .. FOR UPDATE`,
    /// a `LOCK TABLE`, an uncommitted `INSERT`); `what` names the lock in messages.
    pub async fn take(app: &TestApp, what: &str, sql: &str) -> Self {
        let (url, sql) = (app.config.database_url.clone(), sql.to_owned());
        let conn = tokio::task::spawn_blocking(move || {
            let mut conn = PgConnection::establish(&url).expect("connect to the test database");
            conn.batch_execute(&format!("BEGIN; {sql}")).expect("take the lock");
            conn
        })
        .await
        .expect("lock task");
        Self { conn: Some(conn), what: what.to_owned(), database_url: app.config.database_url.clone() }
    }

    /// Waits until exactly `n` server connections wait on a lock in this
    /// test's database (`pg_stat_activity`), failing the test past a bound.
    pub async fn wait_for_queued(&self, n: usize) {
        let start = Instant::now();
        loop {
            let queued = self.queued().await;
            if queued >= n {
                assert_eq!(queued, n, "more requests than sent are waiting behind {}", self.what);
                return;
            }
            assert!(
                start.elapsed() < QUEUE_BOUND,
                "only {queued} of {n} requests queued behind {} within {QUEUE_BOUND:?}: \
                 does the server still take it?",
                self.what
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Connections of the test's database waiting on a lock.
    pub async fn queued(&self) -> usize {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let url = self.database_url.clone();
        let n = tokio::task::spawn_blocking(move || {
            let mut conn = PgConnection::establish(&url).expect("connect to the test database");
            diesel::sql_query(
                "SELECT count(*) AS n FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .get_result::<Count>(&mut conn)
            .expect("read pg_stat_activity")
            .n
        })
        .await
        .expect("count task");
        usize::try_from(n).unwrap_or(0)
    }

    /// Ends the transaction (`COMMIT` keeps what it wrote, `ROLLBACK` undoes
    /// it): the queued requests go.
    pub async fn release(mut self, end: &'static str) {
        let mut conn = self.conn.take().expect("held");
        tokio::task::spawn_blocking(move || conn.batch_execute(end).expect("end the lock's transaction"))
            .await
            .expect("release task");
    }
}
