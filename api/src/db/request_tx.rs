//! One transaction for a whole request, when something must commit together
//! with whatever the handler writes (the idempotency record, see
//! `idempotency/`).
//!
//! The owner opens it with [`scope`]; every [`super::run`] made by the
//! handler meanwhile runs on that connection, each closure in a savepoint (a
//! closure that fails leaves nothing behind, as it would in a transaction of
//! its own). The owner then commits or rolls back everything at once.

use std::{future::Future, sync::Arc};

use diesel::{
    PgConnection,
    connection::{AnsiTransactionManager, TransactionManager},
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::DbConn;
use crate::{deadline, error::ApiError};

tokio::task_local! {
    static CURRENT: Shared;
}

/// The request's connection, inside its open transaction.
pub type Shared = Arc<Mutex<Held>>;

/// The connection while the request holds it. Dropped with the connection
/// still in it only when the request was cancelled (its deadline struck):
/// the transaction is then rolled back off the async workers.
pub struct Held(Option<DbConn>);

impl Held {
    /// Takes the connection back for the final COMMIT or ROLLBACK.
    pub fn take(&mut self) -> Option<DbConn> {
        self.0.take()
    }

    fn conn(&mut self) -> Result<&mut PgConnection, ApiError> {
        self.0
            .as_mut()
            .map(|c| &mut c.pg)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the request's transaction is already closed")))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(mut conn) = self.0.take() else { return };
        let mut rollback = move || super::rollback(&mut conn.pg);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => drop(handle.spawn_blocking(rollback)),
            Err(_) => rollback(),
        }
    }
}

/// Runs `work` with `conn` (inside an open transaction) as the connection of
/// every database closure it makes.
pub async fn scope<F: Future>(conn: DbConn, work: F) -> (Shared, F::Output) {
    let held = Arc::new(Mutex::new(Held(Some(conn))));
    let output = CURRENT.scope(Arc::clone(&held), work).await;
    (held, output)
}

/// The request's transaction, when one is open.
pub(super) fn current() -> Option<Shared> {
    CURRENT.try_with(Arc::clone).ok()
}

/// `f` on the request's connection, in a savepoint, off the async workers.
pub(super) async fn run<T, F>(held: Shared, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    if deadline::Deadline::current().is_some_and(|d| d.passed()) {
        return Err(deadline::timed_out());
    }
    let guard: OwnedMutexGuard<Held> = held.lock_owned().await;
    let span = tracing::Span::current();
    let hub = sentry::Hub::current();
    tokio::task::spawn_blocking(move || {
        let mut guard = guard;
        sentry::Hub::run(hub, || span.in_scope(|| savepoint(guard.conn()?, f)))
    })
    .await
    .map_err(|e| ApiError::internal(anyhow::anyhow!("database task failed: {e}")))?
}

fn savepoint<T>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    // Nested in the open transaction, this is `SAVEPOINT`.
    AnsiTransactionManager::begin_transaction(conn)?;
    match f(conn) {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}
