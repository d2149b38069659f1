//! The bookkeeping every mirror shares (where its last read stopped, whether it
//! is fresh), with no knowledge of the server's state: the types a mirror is
//! made of sit below `state.rs`, which holds them.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use diesel::{
    PgConnection, QueryResult, QueryableByName, RunQueryDsl,
    sql_types::{Array, BigInt},
};

use crate::{
    db::{self, DbPool},
    error::ApiError,
};

/// Which rows a read must look at, from the previous read's snapshot: those
/// stamped with a transaction id not handed out yet then (`>= next_xid`) or
/// whose transaction was still running (`in_progress`). Every other
/// transaction had ended, so its rows, if committed, were seen.
#[derive(Clone, Debug, QueryableByName)]
pub struct Since {
    #[diesel(sql_type = BigInt)]
    pub next_xid: i64,
    #[diesel(sql_type = Array<BigInt>)]
    pub in_progress: Vec<i64>,
}

/// The bookkeeping every mirror shares: where its last read stopped, when it
/// last succeeded, and a turn so that reads apply in the order they were made.
pub struct Tracker {
    /// The turn, holding where the last read stopped (`None` before the first).
    turn: tokio::sync::Mutex<Option<Since>>,
    /// When the last successful read started, in ms after `epoch` (0: never).
    synced_at: AtomicU64,
    epoch: Instant,
    interval: Duration,
    stale_after: Duration,
}

impl Tracker {
    pub fn new(interval: Duration) -> Self {
        Self {
            turn: tokio::sync::Mutex::new(None),
            synced_at: AtomicU64::new(0),
            epoch: Instant::now(),
            interval,
            stale_after: interval * 2 + Duration::from_secs(1),
        }
    }

    /// How often the mirror reads PostgreSQL whatever happens.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Whether the mirror may answer "allowed" on its own.
    pub fn is_fresh(&self) -> bool {
        match self.synced_at.load(Ordering::Acquire) {
            0 => false,
            ms => self.epoch.elapsed().saturating_sub(Duration::from_millis(ms)) < self.stale_after,
        }
    }

    /// One read: `read(conn, since)` in one snapshot (`since` is `None` for a
    /// whole read: asked for, or the first), then `apply(rows, whole)`, in turn
    /// with every other read of this mirror, so an older read never lands
    /// after a newer one.
    pub async fn sync<T, R, A>(&self, pool: &DbPool, whole: bool, read: R, apply: A) -> Result<(), ApiError>
    where
        T: Send + 'static,
        R: FnOnce(&mut PgConnection, Option<Since>) -> QueryResult<T> + Send + 'static,
        A: FnOnce(T, bool),
    {
        let mut turn = self.turn.lock().await;
        let since = if whole { None } else { turn.clone() };
        let is_whole = since.is_none();
        let started = self.epoch.elapsed();
        // Its own connection: inside a writing request, the request's
        // transaction could not host the read-only snapshot.
        let (rows, next) =
            db::run(pool, db::Work::Committed, move |conn| Ok(snapshot(conn, |conn| read(conn, since))?))
                .await?;
        apply(rows, is_whole);
        *turn = Some(next);
        let ms = u64::try_from(started.as_millis()).unwrap_or(u64::MAX).max(1);
        self.synced_at.fetch_max(ms, Ordering::AcqRel);
        Ok(())
    }
}

/// Runs `read` in one read-only repeatable-read transaction, and answers its
/// rows with what the next read must look at ([`Since`]) after this snapshot.
fn snapshot<T>(
    conn: &mut PgConnection,
    read: impl FnOnce(&mut PgConnection) -> QueryResult<T>,
) -> QueryResult<(T, Since)> {
    conn.build_transaction().read_only().repeatable_read().run(|conn| {
        // The first statement takes the transaction's snapshot, which the
        // read shares.
        let next = diesel::sql_query(
            "SELECT pg_snapshot_xmax(s)::text::bigint AS next_xid, \
                    ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(s) AS x) AS in_progress \
             FROM pg_current_snapshot() AS s",
        )
        .get_result::<Since>(conn)?;
        Ok((read(conn)?, next))
    })
}
