//! The connection pool's manager: each connection gets the session's time
//! bounds when it is made, and a lost connection is discarded.
//!
//! Diesel's r2d2 manager hands a connection whose server went away (a
//! restart, `pg_terminate_backend`) back to the next request, again and
//! again, until the pool cycles. Here every connection reports the errors of
//! its own statements: one that lost its server is dropped when returned, and
//! the pool's epoch moves on, so that each other idle connection is pinged
//! once before its next use. In steady state a checkout costs no round trip.

use std::{
    fmt::Write as _,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
};

use diesel::{
    Connection, PgConnection,
    connection::{Instrumentation, InstrumentationEvent, SimpleConnection},
    r2d2::{Error, ManageConnection, R2D2Connection},
};

use super::fault::{Fault, classify};
use crate::config::Timeouts;

/// A pooled connection and what its statements reported.
pub struct Conn {
    pub pg: PgConnection,
    health: Arc<Health>,
    /// The pool's epoch when this connection was last known good.
    epoch: u64,
}

impl Conn {
    /// Declares that the work about to run only reads (checked in debug builds).
    pub fn expect_reads_only(&self, reads_only: bool) {
        self.health.reads_only.store(reads_only, Ordering::Relaxed);
    }
}

#[derive(Default)]
struct Health {
    lost: AtomicBool,
    reads_only: AtomicBool,
}

pub struct Manager {
    url: String,
    /// `SET`s run once on each new connection.
    session: String,
    /// Moves on each time a connection is found lost.
    epoch: Arc<AtomicU64>,
}

impl Manager {
    pub fn new(url: &str, timeouts: &Timeouts) -> Self {
        let session = format!(
            "SET statement_timeout = {}; SET lock_timeout = {}; SET idle_in_transaction_session_timeout = {}",
            timeouts.db_statement.as_millis(),
            timeouts.db_lock.as_millis(),
            timeouts.db_idle_in_transaction.as_millis(),
        );
        Self { url: url.to_owned(), session, epoch: Arc::default() }
    }
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = Error;

    fn connect(&self) -> Result<Conn, Error> {
        let epoch = self.epoch.load(Ordering::Acquire);
        let mut pg = PgConnection::establish(&self.url).map_err(Error::ConnectionError)?;
        let health = Arc::new(Health::default());
        pg.set_instrumentation(Watch { health: Arc::clone(&health), epoch: Arc::clone(&self.epoch) });
        pg.batch_execute(&self.session).map_err(Error::QueryError)?;
        Ok(Conn { pg, health, epoch })
    }

    /// Free unless a connection was lost since this one was last checked.
    fn is_valid(&self, conn: &mut Conn) -> Result<(), Error> {
        let epoch = self.epoch.load(Ordering::Acquire);
        if conn.epoch == epoch {
            return Ok(());
        }
        conn.pg.ping().map_err(Error::QueryError)?;
        conn.epoch = epoch;
        Ok(())
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        std::thread::panicking() || conn.health.lost.load(Ordering::Acquire) || conn.pg.is_broken()
    }
}

/// Diesel's per-connection hook: sees every statement's outcome, whatever
/// the caller then does with the error.
struct Watch {
    health: Arc<Health>,
    epoch: Arc<AtomicU64>,
}

impl Instrumentation for Watch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            // The first lost statement of this connection moves the epoch on.
            InstrumentationEvent::FinishQuery { error: Some(err), .. }
                if classify(err) == Some(Fault::Lost) && !self.health.lost.swap(true, Ordering::AcqRel) =>
            {
                self.epoch.fetch_add(1, Ordering::AcqRel);
                tracing::warn!(error = %err, "lost a database connection; the others are checked before reuse");
            }
            InstrumentationEvent::StartQuery { query, .. }
                if cfg!(debug_assertions) && self.health.reads_only.load(Ordering::Relaxed) =>
            {
                let mut head = Head::default();
                let _ = write!(head, "{query}");
                let head = head.0.trim_start().to_ascii_uppercase();
                // Transaction control writes nothing (the security mirrors read
                // a consistent snapshot in a read-only transaction).
                let reads = ["SELECT", "BEGIN", "COMMIT", "ROLLBACK"];
                assert!(
                    head.is_empty() || reads.iter().any(|r| head.starts_with(r)),
                    "a GET request wrote outside `db_tx` ({head}...): it would not be rolled back at the deadline"
                );
            }
            _ => {}
        }
    }
}

/// The first few characters of a statement (formatting stops there, so a
/// statement with a large bound value costs nothing).
#[derive(Default)]
struct Head(String);

impl std::fmt::Write for Head {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = 16usize.saturating_sub(self.0.len());
        self.0.extend(s.chars().take(room));
        if self.0.len() >= 16 { Err(std::fmt::Error) } else { Ok(()) }
    }
}
