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

pub mod tracker;

use std::{future::Future, sync::Arc, time::Duration};

use tokio::sync::broadcast::error::{RecvError, TryRecvError};

pub use self::tracker::{Since, Tracker};
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

/// Reads the whole mirror once (an error stops start-up), then keeps it in
/// step for as long as the server's state lives. Call before `Bus::start`.
pub async fn start<M: Mirror>(state: &AppState, mirror: Arc<M>) -> anyhow::Result<()> {
    let events = state.bus.receiver(M::CHANNEL);
    mirror
        .sync(state, true)
        .await
        .map_err(|e| anyhow::anyhow!("reading {} from PostgreSQL failed: {e:?}", M::NAME))?;
    let interval = mirror.tracker().interval();
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
