//! PostgreSQL through Diesel: the r2d2 pool, the embedded migrations, and the one
//! helper that runs database work off the async workers.

use std::time::Duration;

use anyhow::Context;
use diesel::{
    Connection, PgConnection, RunQueryDsl,
    r2d2::{ConnectionManager, Pool, PooledConnection},
    sql_types::BigInt,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

pub type DbPool = Pool<ConnectionManager<PgConnection>>;
pub type DbConn = PooledConnection<ConnectionManager<PgConnection>>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Advisory lock keys, one per kind of exclusive start-up or background work.
pub mod locks {
    pub const MIGRATIONS: i64 = 0x6170_6900_0001;
    pub const PURGE: i64 = 0x6170_6900_0002;
    pub const ADMIN_SEED: i64 = 0x6170_6900_0003;
}

/// How long a request waits for a pooled connection before it is answered 503.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(3);

pub fn pool(database_url: &str, size: u32) -> anyhow::Result<DbPool> {
    Pool::builder()
        .max_size(size)
        .min_idle(Some(size.min(4)))
        .connection_timeout(CHECKOUT_TIMEOUT)
        .test_on_check_out(false)
        .build(ConnectionManager::new(database_url))
        .context("cannot connect to DATABASE_URL")
}

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

/// Runs blocking Diesel work on tokio's blocking pool, carrying the request's
/// tracing span and Sentry hub. A pool checkout timeout answers 503.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    let hub = sentry::Hub::current();
    tokio::task::spawn_blocking(move || {
        sentry::Hub::run(hub, || {
            span.in_scope(|| {
                let mut conn = pool.get().map_err(|e| {
                    tracing::warn!(error = %e, "database pool checkout failed");
                    ApiError::Unavailable("the database is busy or unavailable, try again".into())
                })?;
                f(&mut conn)
            })
        })
    })
    .await
    .map_err(|e| ApiError::internal(anyhow::anyhow!("database task failed: {e}")))?
}

/// True when `err` is a unique violation of the named constraint: call sites
/// say which constraint means which 409.
pub fn is_unique_violation(err: &diesel::result::Error, constraint: &str) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some(constraint)
    )
}
