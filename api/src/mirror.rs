//! In-memory mirrors of security state (revoked tokens, disabled /shop
//! users) whose truth is in PostgreSQL, so that checking a request costs no
//! database or Redis round trip while a mirror is warm.
//!
//! A change is committed in PostgreSQL first; then the replica that made it
//! updates its own mirror and publishes a hint on Redis (`pubsub.rs`). Every
//! replica brings its mirror up to date from PostgreSQL:
//! - at start-up, before it answers anything (a whole read; start-up fails
//!   without it);
//! - when the Redis subscription is (re)established: a whole read, as hints
//!   published meanwhile are lost;
//! - on a hint that needs a read, or when it fell behind on hints;
//! - every `SECURITY_RESYNC_MS` (default 1 s) whatever happens, which bounds
//!   how long a lost hint (Redis down, a failed publish) can go unnoticed.
//!
//! So a replica lags a change by milliseconds while Redis works, and by at
//! most `SECURITY_RESYNC_MS` plus one read when it does not. A mirror that has
//! not read PostgreSQL successfully for `2 × SECURITY_RESYNC_MS + 1 s` (or
//! never) is not trusted to say "allowed": callers then ask PostgreSQL per
//! request, and answer 503 if it is down. Being this stale is safe because
//! revocations are only ever added, and because a token accepted within that
//! second was valid a second earlier.
//!
//! Reads after the first fetch only rows written by transactions that had not
//! ended at the previous read (`Since`), using PostgreSQL's transaction ids
//! rather than clocks: exact whatever the commit order, and a long transaction
//! elsewhere in the cluster does not make every read start over.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use diesel::{
    PgConnection, QueryResult, QueryableByName, RunQueryDsl,
    sql_types::{Array, BigInt},
};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::{error::ApiError, pubsub::Event, state::AppState};

/// A mirror kept in step by [`start`].
pub trait Mirror: Send + Sync + 'static {
    /// For logs.
    const NAME: &'static str;
    /// The pub/sub channel (under `REDIS_KEY_PREFIX`) of its hints.
    const CHANNEL: &'static str;

    /// Reads from PostgreSQL what changed since the last read (everything when
    /// `whole`) and applies it.
    fn sync(&self, state: &AppState, whole: bool) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// A hint from a replica. Answers whether a read is needed to learn what
    /// it announces (false when the hint itself was enough).
    fn hear(&self, payload: &str) -> bool;

    fn tracker(&self) -> &Tracker;
}

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
    pub async fn sync<T, R, A>(
        &self,
        state: &AppState,
        whole: bool,
        read: R,
        apply: A,
    ) -> Result<(), ApiError>
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
        let (rows, next) = crate::db::run(&state.db, crate::db::Work::Committed, move |conn| {
            Ok(snapshot(conn, |conn| read(conn, since))?)
        })
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

/// Reads the whole mirror once (an error stops start-up), then keeps it in
/// step for as long as the server's state lives. Call before `Bus::start`.
pub async fn start<M: Mirror>(state: &AppState, mirror: Arc<M>) -> anyhow::Result<()> {
    let events = state.bus.receiver(M::CHANNEL);
    mirror
        .sync(state, true)
        .await
        .map_err(|e| anyhow::anyhow!("reading {} from PostgreSQL failed: {e:?}", M::NAME))?;
    let interval = mirror.tracker().interval;
    tokio::spawn(follow(state.downgrade(), mirror, events, interval));
    Ok(())
}

/// What the events since the last read call for.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Need {
    Nothing,
    Changes,
    Whole,
}

async fn follow<M: Mirror>(
    state: crate::state::WeakState,
    mirror: Arc<M>,
    mut events: tokio::sync::broadcast::Receiver<Event>,
    interval: Duration,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.reset();
    // A whole read that failed is owed until one succeeds.
    let mut owed = Need::Nothing;
    loop {
        let mut need = tokio::select! {
            _ = tick.tick() => Need::Changes,
            event = events.recv() => match event {
                Ok(event) => heard(&*mirror, &event),
                Err(RecvError::Lagged(_)) => Need::Changes,
                Err(RecvError::Closed) => return,
            },
        };
        // Whatever else already arrived is covered by the same read.
        loop {
            need = need.max(match events.try_recv() {
                Ok(event) => heard(&*mirror, &event),
                Err(TryRecvError::Lagged(_)) => Need::Changes,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Closed) => return,
            });
        }
        let need = need.max(owed);
        if need == Need::Nothing {
            continue;
        }
        let Some(state) = state.upgrade() else { return };
        match mirror.sync(&state, need == Need::Whole).await {
            Ok(()) => owed = Need::Nothing,
            Err(e) => {
                owed = need;
                tracing::warn!(mirror = M::NAME, error = ?e, "reading PostgreSQL failed; retrying at the next resync");
            }
        }
    }
}

fn heard<M: Mirror>(mirror: &M, event: &Event) -> Need {
    match event {
        Event::Subscribed => Need::Whole,
        Event::Message(payload) if mirror.hear(payload) => Need::Changes,
        Event::Message(_) => Need::Nothing,
    }
}
