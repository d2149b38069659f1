//! Slowing down password guessing on the sign-in form: wrong passwords are
//! counted per login and per client address in Redis (shared by replicas).
//! The first five in a row are free; each one after that locks that login and
//! that client out for a delay that doubles (30 s, 1 min, 2 min, ... 15 min).
//! A successful sign-in clears both counts; an hour without a failure too.

use std::net::IpAddr;

use redis::AsyncCommands;
use sha2::{Digest, Sha256};

use crate::{error::ApiError, state::AppState};

/// Wrong passwords in a row that cost nothing.
pub const FREE_FAILURES: i64 = 5;
/// A count is forgotten this long after its last failure.
const WINDOW_SECS: i64 = 3600;
const BASE_DELAY_SECS: u64 = 30;
const MAX_DELAY_SECS: u64 = 900;

/// The (failure count, lock) key pairs of one attempt: by login and by client.
fn keys(state: &AppState, login: &str, ip: IpAddr) -> [(String, String); 2] {
    // Hashed: logins are user input of any length.
    let login = hex::encode(Sha256::digest(login.as_bytes()));
    [("login", login), ("ip", ip.to_string())].map(|(kind, id)| {
        (
            state.redis_key(&format!("admin:fails:{kind}:{id}")),
            state.redis_key(&format!("admin:lock:{kind}:{id}")),
        )
    })
}

/// The lockout after `failures` wrong passwords in a row.
pub fn delay_after(failures: i64) -> Option<u64> {
    let over = failures - FREE_FAILURES;
    (over >= 0).then(|| BASE_DELAY_SECS.saturating_mul(1 << over.min(10)).min(MAX_DELAY_SECS))
}

/// Seconds until this login or client may try again; `None` when it may now.
pub async fn locked_for(state: &AppState, login: &str, ip: IpAddr) -> Result<Option<u64>, ApiError> {
    let mut redis = state.redis.clone();
    let mut longest = None;
    for (_, lock) in keys(state, login, ip) {
        let ttl: i64 = redis.ttl(&lock).await?;
        if ttl > 0 {
            longest = longest.max(Some(ttl as u64));
        }
    }
    Ok(longest)
}

/// Counts a wrong password; locks out once past the free failures.
pub async fn record_failure(state: &AppState, login: &str, ip: IpAddr) -> Result<(), ApiError> {
    let mut redis = state.redis.clone();
    for (fails, lock) in keys(state, login, ip) {
        let (count,): (i64,) = redis::pipe()
            .atomic()
            .incr(&fails, 1)
            .expire(&fails, WINDOW_SECS)
            .ignore()
            .query_async(&mut redis)
            .await?;
        if let Some(delay) = delay_after(count) {
            let () = redis.set_ex(&lock, 1u8, delay).await?;
        }
    }
    Ok(())
}

/// A successful sign-in: both counts start again from zero.
pub async fn clear(state: &AppState, login: &str, ip: IpAddr) -> Result<(), ApiError> {
    let mut redis = state.redis.clone();
    for (fails, lock) in keys(state, login, ip) {
        let _: i64 = redis.del(&[fails, lock]).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_are_free_then_the_delay_doubles_up_to_a_cap() {
        assert_eq!(delay_after(4), None);
        assert_eq!(delay_after(5), Some(30));
        assert_eq!(delay_after(6), Some(60));
        assert_eq!(delay_after(8), Some(240));
        assert_eq!(delay_after(50), Some(900));
    }
}
