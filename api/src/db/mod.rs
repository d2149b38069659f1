//! PostgreSQL through Diesel: the r2d2 pool, the embedded migrations, and the one
//! helper that runs database work off the async workers within the request's
//! deadline.

mod constraint;
pub mod fault;
mod pool;
pub mod reads;
pub mod request_tx;

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use diesel::{
    Connection, PgConnection, RunQueryDsl,
    connection::{AnsiTransactionManager, TransactionManager},
    r2d2::{Pool, PooledConnection},
    sql_types::BigInt,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use self::constraint::ResultExt;
pub use self::fault::{Fault, classify};
use self::pool::{Conn, Manager};
use crate::{
    config::Timeouts,
    deadline::{self, Deadline},
    error::ApiError,
};

/// The pool, and one permit per connection handed out before any blocking
/// thread is taken: a request waits for a connection asynchronously (bounded
/// by the checkout timeout), so requests queued for a connection never hold
/// the blocking threads that the connections' holders need to finish (a
/// keyed request holds its connection across several closures). Beside it,
/// the async pool of the hot GET reads (see `reads.rs`).
#[derive(Clone)]
pub struct DbPool {
    pool: Pool<Manager>,
    permits: Arc<Semaphore>,
    pub reads: reads::Reads,
}

impl std::ops::Deref for DbPool {
    type Target = Pool<Manager>;

    fn deref(&self) -> &Pool<Manager> {
        &self.pool
    }
}

/// A pooled connection with the permit it was taken under.
pub struct DbConn {
    conn: PooledConnection<Manager>,
    _permit: OwnedSemaphorePermit,
}

impl std::ops::Deref for DbConn {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        &self.conn
    }
}

impl std::ops::DerefMut for DbConn {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }
}

/// A permit to take a connection, waited for without a thread: at most the
/// checkout timeout or what is left of the request's deadline (then 503).
pub async fn permit(pool: &DbPool, deadline: Option<&Deadline>) -> Result<OwnedSemaphorePermit, ApiError> {
    let wait = checkout_wait(pool.connection_timeout(), deadline)?;
    match tokio::time::timeout(wait, Arc::clone(&pool.permits).acquire_owned()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => {
            tracing::warn!("database pool checkout failed: every connection is in use");
            Err(busy())
        }
    }
}

/// How long a checkout may wait: the checkout timeout, or what is left of
/// the request's deadline if that is shorter (503 once it has passed).
fn checkout_wait(timeout: Duration, deadline: Option<&Deadline>) -> Result<Duration, ApiError> {
    match deadline {
        Some(d) if d.passed() => Err(deadline::timed_out()),
        Some(d) => Ok(d.remaining().min(timeout)),
        None => Ok(timeout),
    }
}

fn busy() -> ApiError {
    ApiError::Unavailable("the database is busy or unavailable; nothing was changed, try again".into())
}

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Advisory lock keys, one per kind of exclusive start-up or background work.
pub mod locks {
    pub const MIGRATIONS: i64 = 0x6170_6900_0001;
    pub const PURGE: i64 = 0x6170_6900_0002;
    pub const ADMIN_SEED: i64 = 0x6170_6900_0003;
}

/// Times a write retries on another connection when its `BEGIN` found the
/// first one lost (nothing of the work had been sent).
const LOST_CONNECTION_RETRIES: usize = 2;

/// The pools. Each connection carries `statement_timeout`, `lock_timeout` and
/// `idle_in_transaction_session_timeout`; a checkout waits at most
/// `DB_CHECKOUT_TIMEOUT_MS` (then 503) and costs no round trip unless a
/// connection was found lost since (see `pool.rs`). The read pool's
/// `read_size` connections are made on first use.
pub fn pool(database_url: &str, size: u32, read_size: u32, timeouts: &Timeouts) -> anyhow::Result<DbPool> {
    let pool = Pool::builder()
        .max_size(size)
        .min_idle(Some(size.min(4)))
        .connection_timeout(timeouts.db_checkout)
        .test_on_check_out(true)
        .build_unchecked(Manager::new(database_url, timeouts));
    // Start-up still fails when the database is unreachable, but is not held
    // to the (short) request checkout bound: a busy host may take longer.
    pool.get_timeout(STARTUP_CONNECT).map(drop).context("cannot connect to DATABASE_URL")?;
    let reads = reads::Reads::new(database_url, read_size, timeouts)?;
    Ok(DbPool { pool, permits: Arc::new(Semaphore::new(size as usize)), reads })
}

/// How long start-up waits for its first connection.
const STARTUP_CONNECT: Duration = Duration::from_secs(10);

/// Creates the database named in `url` when it does not exist yet, so that a
/// fresh machine can `cargo run` against a bare local PostgreSQL.
pub fn ensure_database(url: &str) -> anyhow::Result<()> {
    if PgConnection::establish(url).is_ok() {
        return Ok(());
    }
    let (base, name) = url.rsplit_once('/').context("DATABASE_URL has no database name")?;
    let name = name.split('?').next().unwrap_or(name);
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        anyhow::bail!("cannot connect to DATABASE_URL and will not create database `{name}`");
    }
    let mut admin = PgConnection::establish(&format!("{base}/postgres"))
        .context("cannot connect to DATABASE_URL (nor to its server's `postgres` database)")?;
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .with_context(|| format!("cannot create database `{name}`"))?;
    tracing::info!(database = name, "created the database");
    Ok(())
}

/// Applies pending migrations under an advisory lock, so that replicas
/// starting together run them once.
pub fn migrate(conn: &mut PgConnection) -> anyhow::Result<usize> {
    with_advisory_lock(conn, locks::MIGRATIONS, |conn| {
        let applied =
            conn.run_pending_migrations(MIGRATIONS).map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        for version in &applied {
            tracing::info!(%version, "applied migration");
        }
        Ok(applied.len())
    })
}

/// Runs `f` while holding a session-level advisory lock (waiting for it).
pub fn with_advisory_lock<T>(
    conn: &mut PgConnection,
    key: i64,
    f: impl FnOnce(&mut PgConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    diesel::sql_query("SELECT pg_advisory_lock($1)").bind::<BigInt, _>(key).execute(conn)?;
    let result = f(conn);
    diesel::sql_query("SELECT pg_advisory_unlock($1)").bind::<BigInt, _>(key).execute(conn)?;
    result
}

/// Runs `f` only if the advisory lock is free; `None` when another process holds it.
pub fn try_with_advisory_lock<T>(
    conn: &mut PgConnection,
    key: i64,
    f: impl FnOnce(&mut PgConnection) -> anyhow::Result<T>,
) -> anyhow::Result<Option<T>> {
    #[derive(diesel::QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    let got: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<BigInt, _>(key)
        .get_result(conn)?;
    if !got.locked {
        return Ok(None);
    }
    let result = f(conn);
    diesel::sql_query("SELECT pg_advisory_unlock($1)").bind::<BigInt, _>(key).execute(conn)?;
    result.map(Some)
}

/// What a database closure does, as its caller declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Runs as it is. Under a request that may change state (not GET, HEAD
    /// or OPTIONS) it is run as [`Work::Transaction`] instead, so that any
    /// write it makes commits only before the deadline.
    AsIs,
    /// One transaction, committed only if the request's deadline has not
    /// passed (else rolled back and answered 503).
    Transaction,
    /// Reads of what is committed, on a connection of its own even inside a
    /// writing or keyed request (never its transaction, never upgraded): the
    /// security mirrors' snapshots, which open their own read-only one.
    Committed,
}

/// Runs blocking Diesel work on tokio's blocking pool, carrying the request's
/// tracing span and Sentry hub, within the request's deadline: a checkout
/// waits at most `DB_CHECKOUT_TIMEOUT_MS` (then 503), and work whose
/// deadline passed before it started is not run.
pub async fn run<T, F>(pool: &DbPool, work: Work, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    if work != Work::Committed
        && let Some(held) = request_tx::current()
    {
        return request_tx::run(held, f).await;
    }
    let pool = pool.clone();
    let deadline = Deadline::current();
    let work = match &deadline {
        Some(d) if d.writes() && work == Work::AsIs => Work::Transaction,
        _ => work,
    };
    let permit = permit(&pool, deadline.as_deref()).await?;
    let span = tracing::Span::current();
    let hub = sentry::Hub::current();
    tokio::task::spawn_blocking(move || {
        sentry::Hub::run(hub, || {
            span.in_scope(|| match work {
                Work::AsIs | Work::Committed => {
                    // Under a GET: nothing to commit, abandoned at the deadline.
                    let conn = checkout(&pool, deadline.as_deref(), permit)?;
                    let mut conn = ReadsOnly::mark(conn, deadline.is_some());
                    f(&mut conn.0.pg)
                }
                Work::Transaction => transaction(&pool, deadline.as_ref(), permit, f),
            })
        })
    })
    .await
    .map_err(|e| ApiError::internal(anyhow::anyhow!("database task failed: {e}")))?
}

/// A pooled connection, or 503 when none comes before the checkout timeout
/// or the request's deadline.
fn checkout(
    pool: &DbPool,
    deadline: Option<&Deadline>,
    permit: OwnedSemaphorePermit,
) -> Result<DbConn, ApiError> {
    let wait = checkout_wait(pool.connection_timeout(), deadline)?;
    let conn = pool.get_timeout(wait.max(Duration::from_millis(1))).map_err(|e| {
        tracing::warn!(error = %e, "database pool checkout failed");
        busy()
    })?;
    Ok(DbConn { conn, _permit: permit })
}

/// A connection marked as running reads only (checked in debug builds),
/// unmarked when it goes back to the pool.
struct ReadsOnly(DbConn, bool);

impl ReadsOnly {
    fn mark(conn: DbConn, reads_only: bool) -> Self {
        conn.expect_reads_only(reads_only);
        Self(conn, reads_only)
    }
}

impl Drop for ReadsOnly {
    fn drop(&mut self) {
        if self.1 {
            self.0.expect_reads_only(false);
        }
    }
}

/// `f` in one transaction, committed only with the deadline's permission.
fn transaction<T, F>(
    pool: &DbPool,
    deadline: Option<&std::sync::Arc<Deadline>>,
    permit: OwnedSemaphorePermit,
    f: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError>,
{
    let mut conn = begin(pool, deadline.map(|d| &**d), permit)?;
    let value = match f(&mut conn.pg) {
        Ok(value) => value,
        Err(e) => {
            rollback(&mut conn.pg);
            return Err(e);
        }
    };
    commit(&mut conn.pg, deadline)?;
    Ok(value)
}

/// A pooled connection inside a fresh transaction. A `BEGIN` that finds its
/// connection lost is retried on another, since nothing has been sent yet.
pub(crate) fn begin(
    pool: &DbPool,
    deadline: Option<&Deadline>,
    permit: OwnedSemaphorePermit,
) -> Result<DbConn, ApiError> {
    let mut attempt = 0;
    let mut permit = Some(permit);
    loop {
        // The permit goes with the connection; a lost one gives it back on drop
        // and the retry takes a fresh one without waiting (there is one free).
        let permit = match permit.take() {
            Some(p) => p,
            None => Arc::clone(&pool.permits).try_acquire_owned().map_err(|_| busy())?,
        };
        let mut conn = checkout(pool, deadline, permit)?;
        match AnsiTransactionManager::begin_transaction(&mut conn.pg) {
            Ok(()) => return Ok(conn),
            Err(e) if attempt < LOST_CONNECTION_RETRIES && classify(&e) == Some(Fault::Lost) => {
                tracing::info!(error = %e, "a pooled connection was lost; retrying on another");
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Rolls the open transaction back. A failed ROLLBACK leaves the connection
/// broken, and the pool drops it.
pub(crate) fn rollback(conn: &mut PgConnection) {
    let _ = AnsiTransactionManager::rollback_transaction(conn);
}

/// Commits the open transaction if the request's deadline allows it (else
/// rolls back and answers 503).
pub(crate) fn commit(
    conn: &mut PgConnection,
    deadline: Option<&std::sync::Arc<Deadline>>,
) -> Result<(), ApiError> {
    let _committing = match deadline.map(|d| d.begin_commit()) {
        Some(None) => {
            rollback(conn);
            tracing::warn!("rolled back: the request's deadline passed before its COMMIT");
            return Err(deadline::timed_out());
        }
        Some(Some(guard)) => Some(guard),
        None => None,
    };
    AnsiTransactionManager::commit_transaction(conn).map_err(|e| {
        if classify(&e) == Some(Fault::Lost) {
            // The server may have committed just before it went away.
            tracing::error!(error = %e, "the connection was lost during COMMIT: its outcome is unknown");
        }
        e.into()
    })
}

/// Runs `f` with `statement_timeout` lifted (background jobs that may take
/// long), restoring the pool's value afterwards.
pub fn without_statement_timeout<T>(
    conn: &mut PgConnection,
    timeouts: &Timeouts,
    f: impl FnOnce(&mut PgConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("SET statement_timeout = 0")?;
    let result = f(conn);
    conn.batch_execute(&format!("SET statement_timeout = {}", timeouts.db_statement.as_millis()))?;
    result
}
