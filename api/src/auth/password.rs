//! argon2id password hashing on a few dedicated, low-priority threads behind
//! a bounded queue (`hash_queue.rs`): each hash takes 7 MiB and a core for
//! ~15 ms, so a login flood must neither starve other requests nor balloon
//! memory.
//!
//! One thread per core (`HASH_THREADS`) hashes at a time (more would only queue in the
//! kernel and hold more blocks at once), and jemalloc returns each block to
//! the system within 100 ms of the hash (`main.rs`). Earlier, with glibc's
//! malloc, the benchmark saw 145 MiB after seeding 100 users with dedicated
//! threads and 1.8 GB with hashing on tokio's blocking pool: glibc's arenas
//! kept freed blocks resident. The threads run at a lower
//! scheduling priority (nice +10): logins use whatever CPU the other requests
//! leave, and a flood of them cannot push the other requests' latency up.

use std::sync::Arc;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

use super::hash_queue::{HashLimits, HashQueue};
use crate::error::ApiError;

/// One of OWASP's equivalent minimums for argon2id: m = 7 MiB, t = 5, p = 1.
/// The same defence as m = 19 MiB, t = 2 (the crate's default) but faster here
/// (14 ms against 24 ms a hash, the smaller block stays in cache) and with a
/// third of the memory per hash in flight. Hashes made with other parameters
/// still verify: the PHC string carries its own.
fn hasher() -> Argon2<'static> {
    match Params::new(7 * 1024, 5, 1, None) {
        Ok(params) => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
        Err(_) => Argon2::default(),
    }
}

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(hasher().hash_password(password.as_bytes())?.to_string())
}

/// The server's password checks: the bounded hashing queue and the dummy hash.
pub struct Passwords {
    queue: HashQueue,
    /// A hash of a password nobody has, verified against for unknown logins so
    /// that their answer takes as long as a wrong password. Made at start-up:
    /// a server that cannot make it does not start (an empty one would answer
    /// unknown logins at once, telling them apart).
    dummy: Arc<str>,
}

impl Passwords {
    /// Starts the hashing threads and makes the dummy hash (blocking: ~15 ms).
    pub fn start(limits: HashLimits) -> anyhow::Result<Self> {
        let dummy = hash_blocking("dummy password for timing")
            .map_err(|e| anyhow::anyhow!("cannot make the dummy password hash: {e}"))?;
        anyhow::ensure!(dummy.starts_with("$argon2id$"), "the dummy password hash is malformed");
        Ok(Self { queue: HashQueue::start(limits)?, dummy: dummy.into() })
    }

    pub fn queue(&self) -> &HashQueue {
        &self.queue
    }

    /// Hashes a password into a PHC string (`$argon2id$v=19$...`); `source`
    /// names whose share of the queue it takes (`todo`, `admin`, ...).
    pub async fn hash(&self, source: &'static str, password: String) -> Result<String, ApiError> {
        self.queue
            .run(source, move || hash_blocking(&password))
            .await?
            .map_err(|e| ApiError::internal(anyhow::anyhow!("hashing failed: {e}")))
    }

    /// Checks a password against a stored hash; `None` (unknown login) checks
    /// the dummy hash and answers false, in the same time.
    pub async fn verify(
        &self,
        source: &'static str,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, ApiError> {
        let dummy = self.dummy.clone();
        self.queue
            .run(source, move || {
                let known = stored.is_some();
                let phc = stored.as_deref().unwrap_or(&dummy);
                let ok = PasswordHash::new(phc)
                    .map(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
                    .unwrap_or(false);
                ok && known
            })
            .await
    }

    /// Checks a login's password: `found` is the user (whatever the caller
    /// needs) with its stored hash, or `None` for an unknown login, which is
    /// checked against the dummy hash so that it takes as long as a wrong
    /// password. `Some(user)` only when the password matches; each app words
    /// its own refusal.
    pub async fn check<T>(
        &self,
        source: &'static str,
        found: Option<(T, String)>,
        password: String,
    ) -> Result<Option<T>, ApiError> {
        let (user, hash) = found.unzip();
        Ok(if self.verify(source, password, hash).await? { user } else { None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let p = Passwords::start(HashLimits { threads: 1, max_waiting: 4, per_source: 4, per_client: 4 })
            .unwrap();
        let phc = p.hash("t", "correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(p.verify("t", "correct horse".into(), Some(phc.clone())).await.unwrap());
        assert!(!p.verify("t", "wrong horse".into(), Some(phc)).await.unwrap());
        assert!(!p.verify("t", "dummy password for timing".into(), None).await.unwrap());
    }
}
