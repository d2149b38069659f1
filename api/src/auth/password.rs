//! argon2id password hashing, off the async workers and bounded in concurrency:
//! each hash takes ~19 MiB and a core for tens of milliseconds, so a login flood
//! must neither starve other requests nor balloon memory.

use std::sync::LazyLock;

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// At most one hash per core at a time.
static PERMITS: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(1, usize::from)));

/// A hash of a password nobody has, verified against for unknown logins so that
/// their answer takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("dummy password for timing").unwrap_or_default());

/// OWASP's minimum for argon2id (m = 19 MiB, t = 2, p = 1), the crate's default.
fn hasher() -> Argon2<'static> {
    Argon2::default()
}

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(hasher().hash_password(password.as_bytes())?.to_string())
}

async fn off_worker<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    let _permit = PERMITS
        .acquire()
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("hash semaphore closed: {e}")))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("hash task failed: {e}")))
}

/// Hashes a password into a PHC string (`$argon2id$v=19$...`).
pub async fn hash(password: String) -> Result<String, ApiError> {
    off_worker(move || hash_blocking(&password))
        .await?
        .map_err(|e| ApiError::internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// Checks a password against a stored hash; `None` (unknown login) checks the
/// dummy hash and answers false, in the same time.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    off_worker(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = PasswordHash::new(&phc)
            .map(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        ok && known
    })
    .await
}

/// Checks a login's password: `found` is the user (whatever the caller needs)
/// with its stored hash, or `None` for an unknown login, which is checked
/// against the dummy hash so that it takes as long as a wrong password.
/// `Some(user)` only when the password matches; each app words its own refusal.
pub async fn check<T>(found: Option<(T, String)>, password: String) -> Result<Option<T>, ApiError> {
    let (user, hash) = found.unzip();
    Ok(if verify(password, hash).await? { user } else { None })
}

/// Computes the dummy hash ahead of the first unknown login.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse".into(), Some(phc.clone())).await.unwrap());
        assert!(!verify("wrong horse".into(), Some(phc)).await.unwrap());
        assert!(!verify("dummy password for timing".into(), None).await.unwrap());
    }
}
