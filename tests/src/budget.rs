//! The suite's bound on connections to the shared PostgreSQL.
//!
//! Each test reserves, before it opens anything there, what it can hold at
//! most: its servers' two pools, blocking and reads (replicas share them),
//! plus [`PER_TEST_EXTRA`] for the harness's own connections (creating and
//! dropping its database,
//! the server's start-up migration check) and the test's direct ones
//! (`TestApp::db`, `TestApp::query`). A test reserves once and never waits
//! while holding a reservation, so tests cannot deadlock on the budget; past
//! it, tests wait for earlier ones to finish instead of failing with
//! "too many clients". Why a budget rather than fewer threads or tiny pools:
//! the thread count does not bound replicas or pool sizes, and tiny pools
//! would make the race tests' concurrent requests queue for a connection.

use std::sync::{Arc, OnceLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Connections a test may hold besides its pool.
pub const PER_TEST_EXTRA: u32 = 3;

/// The default budget: PostgreSQL's default `max_connections` (100) less 50
/// held by other clients, less 10 for `psql` sessions and the like.
pub const DEFAULT_BUDGET: u32 = 40;

/// What the suite may hold on the shared PostgreSQL at once
/// (`TEST_PG_MAX_CONNECTIONS`, default [`DEFAULT_BUDGET`]).
pub fn size() -> u32 {
    std::env::var("TEST_PG_MAX_CONNECTIONS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n: &u32| n > PER_TEST_EXTRA)
        .unwrap_or(DEFAULT_BUDGET)
}

fn semaphore() -> &'static Arc<Semaphore> {
    static BUDGET: OnceLock<Arc<Semaphore>> = OnceLock::new();
    BUDGET.get_or_init(|| Arc::new(Semaphore::new(size() as usize)))
}

/// A test's share, returned when dropped.
pub struct Reservation(#[expect(dead_code, reason = "held for its drop")] OwnedSemaphorePermit);

/// What a test with a pool of `pool_size` reserves: its pool and the extra,
/// at most the whole budget (a test larger than the budget runs alone).
pub fn weight(pool_size: u32, budget: u32) -> u32 {
    (pool_size + PER_TEST_EXTRA).min(budget)
}

/// Waits until the test's share is free (tokio's semaphore is fair: a large
/// share is not starved by small ones).
pub async fn reserve(pool_size: u32) -> Reservation {
    let permit = semaphore()
        .clone()
        .acquire_many_owned(weight(pool_size, size()))
        .await
        .expect("the connection budget is never closed");
    Reservation(permit)
}

/// Connections reserved right now (for the harness's own test).
pub fn in_use() -> u32 {
    size() - semaphore().available_permits() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_the_pool_and_the_extra_capped_by_the_budget() {
        assert_eq!(weight(8, 40), 8 + PER_TEST_EXTRA);
        assert_eq!(weight(1, 40), 1 + PER_TEST_EXTRA);
        assert_eq!(weight(64, 40), 40, "a test larger than the budget runs alone");
    }
}
