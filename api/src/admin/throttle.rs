//! Slowing down password guessing on the sign-in form: wrong passwords are
//! counted per login and per client address in Redis (shared by replicas).
//! The first five in a row are free; each one after that locks that login and
//! that client out for a delay that doubles (30 s, 1 min, 2 min, ... 15 min).
//! A guess is counted before its password is checked (one atomic script), so
//! concurrency cannot buy more guesses. A successful sign-in clears both
//! counts; an hour without a failure too.

use std::{net::IpAddr, sync::LazyLock};

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

/// Takes one guess for this login and client, atomically, before the password
/// is checked: refused (`Some(seconds to wait)`) while either is locked out,
/// else counted, and the guess that reaches the free failures sets the lock
/// at once. So however many sign-ins arrive together, at most the allowed
/// number of passwords are checked (counting after the check let 200
/// concurrent guesses through). A successful sign-in clears the count.
pub async fn take_guess(state: &AppState, login: &str, ip: IpAddr) -> Result<Option<u64>, ApiError> {
    let [(login_fails, login_lock), (ip_fails, ip_lock)] = keys(state, login, ip);
    let mut redis = state.redis.clone();
    let wait: i64 = GUESS
        .key(login_fails)
        .key(login_lock)
        .key(ip_fails)
        .key(ip_lock)
        .arg(FREE_FAILURES)
        .arg(WINDOW_SECS)
        .arg(BASE_DELAY_SECS)
        .arg(MAX_DELAY_SECS)
        .invoke_async(&mut redis)
        .await?;
    Ok(u64::try_from(wait).ok().filter(|w| *w > 0))
}

/// KEYS: (fails, lock) of the login, then of the client. ARGV: free failures,
/// count window, base and longest delay (seconds). Answers the seconds to wait,
/// or 0 when the guess is taken. The n-th guess past the free ones locks for
/// `base * 2^n` seconds, at most `cap`.
const GUESS_SCRIPT: &str = r"
local free, window, base, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local wait = math.max(redis.call('TTL', KEYS[2]), redis.call('TTL', KEYS[4]))
if wait > 0 then return wait end
for i = 1, 3, 2 do
  local count = redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], window)
  local over = count - free
  if over >= 0 then
    redis.call('SET', KEYS[i + 1], 1, 'EX', math.floor(math.min(base * 2 ^ math.min(over, 10), cap)))
  end
end
return 0
";

static GUESS: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(GUESS_SCRIPT));

/// A successful sign-in: both counts start again from zero.
pub async fn clear(state: &AppState, login: &str, ip: IpAddr) -> Result<(), ApiError> {
    let mut redis = state.redis.clone();
    for (fails, lock) in keys(state, login, ip) {
        let _: i64 = redis.del(&[fails, lock]).await?;
    }
    Ok(())
}
