//! The hot GET reads, over an async connection (diesel-async on
//! tokio-postgres) instead of a blocking thread.
//!
//! A read through [`super::run`] crosses to tokio's blocking pool and back:
//! two thread wake-ups per request, which profiles put at about a third of
//! the server's CPU on a single-row read. Reads that a client repeats at a
//! high rate (a task, a page of tasks, the catalogue, the bills) run here on
//! the async workers instead, with the same bounds as the blocking path:
//!
//! - a checkout waits at most `DB_CHECKOUT_TIMEOUT_MS` or what is left of the
//!   request's deadline (then 503 with `Retry-After`);
//! - a read the deadline abandons takes its connection out of the pool (it
//!   may still be waiting on the server), so no later request inherits it;
//! - each connection carries the session's time bounds, and is read-only at
//!   the server (`default_transaction_read_only`): a write sent here by
//!   mistake fails instead of escaping the request's transaction rules;
//! - its statements run on generic plans (no planning per execution);
//! - a connection whose server went away (restart, terminated backend) is
//!   closed by its driver and dropped when it comes back to the pool.
//!
//! Writes, keyed requests and everything that needs one transaction across
//! statements stay on the r2d2 pool.

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use diesel::ConnectionError;
use diesel_async::{
    AsyncConnection, AsyncPgConnection, SimpleAsyncConnection,
    pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod, deadpool},
};

use crate::{config::Timeouts, deadline::Deadline, error::ApiError};

/// The read pool: connections made on first use, at most `DB_READ_POOL_SIZE`.
#[derive(Clone)]
pub struct Reads {
    pool: deadpool::Pool<AsyncPgConnection>,
    checkout: Duration,
}

/// A connection of the read pool, as a read closure gets it.
pub type ReadConn = AsyncPgConnection;

type Setup<'a> = Pin<Box<dyn Future<Output = diesel::ConnectionResult<AsyncPgConnection>> + Send + 'a>>;

impl Reads {
    pub fn new(url: &str, size: u32, timeouts: &Timeouts) -> anyhow::Result<Self> {
        // Generic plans: each read is one statement shape, prepared once per
        // connection, over an index that serves every parameter value. Left to
        // `auto`, PostgreSQL keeps planning some of them on every execution
        // (a `LIMIT $n` makes the generic plan look dearer than it is).
        let session: Arc<str> = format!(
            "SET statement_timeout = {}; SET lock_timeout = {}; SET default_transaction_read_only = on; \
             SET plan_cache_mode = force_generic_plan",
            timeouts.db_statement.as_millis(),
            timeouts.db_lock.as_millis(),
        )
        .into();
        let mut config = ManagerConfig::default();
        // A checkout costs no round trip: a connection that lost its server
        // is closed by its driver and fails `is_broken` on its way back.
        config.recycling_method = RecyclingMethod::Fast;
        config.custom_setup = Box::new(move |url| -> Setup<'_> {
            let session = Arc::clone(&session);
            Box::pin(async move {
                let mut conn = AsyncPgConnection::establish(url).await?;
                conn.batch_execute(&session).await.map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(conn)
            })
        });
        let manager = AsyncDieselConnectionManager::new_with_config(url, config);
        let pool = deadpool::Pool::builder(manager).max_size(size.max(1) as usize).build()?;
        Ok(Self { pool, checkout: timeouts.db_checkout })
    }

    /// Connections open and idle, for the metrics.
    pub fn counts(&self) -> (u32, u32) {
        let status = self.pool.status();
        let open = u32::try_from(status.size).unwrap_or(u32::MAX);
        let idle = u32::try_from(status.available).unwrap_or(u32::MAX);
        (open.saturating_sub(idle), idle)
    }
}

/// Runs `f` on a read connection within the request's deadline. For GET
/// handlers: whatever `f` sends runs read-only, outside any transaction.
pub async fn read<T>(
    reads: &Reads,
    f: impl AsyncFnOnce(&mut ReadConn) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let deadline = Deadline::current();
    let wait = super::checkout_wait(reads.checkout, deadline.as_deref())?;
    let conn = match tokio::time::timeout(wait, reads.pool.get()).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "database read checkout failed");
            return Err(super::busy());
        }
        Err(_) => {
            tracing::warn!("database read checkout failed: every read connection is in use");
            return Err(super::busy());
        }
    };
    let mut held = Held(Some(conn));
    let result = match held.0.as_mut() {
        Some(conn) => f(conn).await,
        None => Err(super::busy()),
    };
    held.give_back();
    result
}

/// The checked-out connection while its read runs. Dropped with the
/// connection still in it only when the read was abandoned (the request's
/// deadline struck): the connection is then closed, not pooled, since its
/// statement may still be on its way.
struct Held(Option<deadpool::Object<AsyncPgConnection>>);

impl Held {
    fn give_back(&mut self) {
        drop(self.0.take());
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            tracing::warn!("a read was abandoned at the deadline; its connection is closed");
            drop(deadpool::Object::take(conn));
        }
    }
}
