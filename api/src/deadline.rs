//! The request deadline: every request answers within `REQUEST_TIMEOUT_MS`,
//! and a request that answers 503 for it has committed nothing.
//!
//! The middleware puts a [`Deadline`] in a task-local; the database helper
//! (`db::run`) reads it. A transaction asks [`Deadline::begin_commit`] right
//! before its COMMIT: past the deadline it rolls back instead. When the
//! deadline strikes, the middleware answers 503 at once unless a COMMIT is on
//! its way, in which case the commit's own answer is the truth and is waited
//! for (up to `DB_STATEMENT_TIMEOUT_MS` more). Cancelling the handler's future
//! cannot stop a blocking thread already inside libpq; this handshake is what
//! keeps the answer and the database in agreement.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    extract::{Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{config::Timeouts, error::ApiError};

tokio::task_local! {
    static CURRENT: Arc<Deadline>;
}

/// Set in `state` once the middleware has answered: no COMMIT may start after.
const EXPIRED: u32 = 1 << 31;

/// One request's deadline, shared by the middleware and the database work.
#[derive(Debug)]
pub struct Deadline {
    at: Instant,
    /// Whether the request's method may change state (all but GET, HEAD, OPTIONS).
    writes: bool,
    /// [`EXPIRED`] | the number of COMMITs in flight.
    state: AtomicU32,
}

/// Held from just before a COMMIT is sent until its answer is back.
pub struct Committing(Arc<Deadline>);

impl Drop for Committing {
    fn drop(&mut self) {
        self.0.state.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Deadline {
    fn new(timeout: Duration, method: &Method) -> Self {
        Self {
            at: Instant::now() + timeout,
            writes: !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS),
            state: AtomicU32::new(0),
        }
    }

    /// The deadline of the request this task serves, if any (background jobs
    /// and start-up work have none).
    pub fn current() -> Option<Arc<Self>> {
        CURRENT.try_with(Arc::clone).ok()
    }

    /// Time left before the deadline.
    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// Whether the request may change state; its database work then runs in
    /// transactions (see `db::run`).
    pub fn writes(&self) -> bool {
        self.writes
    }

    /// True once no new database work may start.
    pub fn passed(&self) -> bool {
        self.state.load(Ordering::Acquire) & EXPIRED != 0 || Instant::now() >= self.at
    }

    /// Permission to send a COMMIT: `None` once the deadline has passed (the
    /// caller rolls back). While the guard lives, the middleware waits for it.
    pub fn begin_commit(self: &Arc<Self>) -> Option<Committing> {
        if Instant::now() >= self.at {
            return None;
        }
        self.state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| (s & EXPIRED == 0).then_some(s + 1))
            .ok()
            .map(|_| Committing(Arc::clone(self)))
    }

    /// Marks the deadline as struck; false when a COMMIT is in flight.
    fn expire(&self) -> bool {
        self.state.fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| (s == 0).then_some(EXPIRED)).is_ok()
    }
}

/// The answer of a request out of time: a problem body with `Retry-After`
/// (under /dealer its `{"Error"}`, as the app's error mapping sits outside).
pub fn timed_out() -> ApiError {
    ApiError::Unavailable("the request did not complete in time and changed nothing; try again".into())
}

/// Middleware: bounds the request by `REQUEST_TIMEOUT_MS` (see the module doc).
pub async fn bound(State(timeouts): State<Timeouts>, req: Request, next: Next) -> Response {
    let deadline = Arc::new(Deadline::new(timeouts.request, req.method()));
    let work = CURRENT.scope(Arc::clone(&deadline), next.run(req));
    tokio::pin!(work);
    if let Ok(response) = tokio::time::timeout_at(deadline.at.into(), &mut work).await {
        return response;
    }
    if !deadline.expire() {
        // A COMMIT was sent before the deadline: its outcome is the answer.
        match tokio::time::timeout(timeouts.db_statement, &mut work).await {
            Ok(response) => return response,
            Err(_) => tracing::error!(
                "a COMMIT sent before the deadline has not answered; the request answers 503 \
                 though its transaction may yet commit"
            ),
        }
    }
    timed_out().into_response()
}
