//! Hand-written (not generated): the client's retry layer.
//!
//! progenitor's hooks cannot send a request twice, so the layer wraps the
//! call instead: [`Retry::write`] hands the closure a fresh `Idempotency-Key`
//! (or the caller's, with [`Retry::write_with_key`]) and calls it again with
//! the same key after a connection failure, a 503, a 429, or a 409 with
//! `Retry-After` (the key's first request still running), at most `retries`
//! times (default 3), waiting `Retry-After` when the server gives it, else an
//! exponential backoff. A write is only ever retried through these methods,
//! which always send a key; reads can use [`Retry::read`].
//!
//! ```ignore
//! let retry = api_client::retry::Retry::default();
//! let task = retry
//!     .write(|key| todo.todo_create_task().idempotency_key(key).body(types::TodoTaskIn::builder().title("Buy milk")).send())
//!     .await?;
//! ```

use std::{future::Future, time::Duration};

use progenitor_client::{Error, ResponseValue};
use reqwest::{StatusCode, header::HeaderMap};

/// How often and how patiently to retry.
#[derive(Debug, Clone)]
pub struct Retry {
    /// Attempts after the first (default 3).
    pub retries: u32,
    /// First backoff when the answer has no `Retry-After` (default 200 ms), doubled each time.
    pub base_delay: Duration,
    /// Longest wait between attempts (default 10 s).
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self { retries: 3, base_delay: Duration::from_millis(200), max_delay: Duration::from_secs(10) }
    }
}

impl Retry {
    /// A write with a fresh key (a UUID), retried with that key.
    pub async fn write<T, E, F, Fut>(&self, send: F) -> Result<ResponseValue<T>, Error<E>>
    where
        F: FnMut(String) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, Error<E>>>,
    {
        self.write_with_key(uuid::Uuid::new_v4().to_string(), send).await
    }

    /// A write with the caller's key (to retry across restarts of the caller).
    pub async fn write_with_key<T, E, F, Fut>(
        &self,
        key: String,
        mut send: F,
    ) -> Result<ResponseValue<T>, Error<E>>
    where
        F: FnMut(String) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, Error<E>>>,
    {
        self.run(true, || send(key.clone())).await
    }

    /// A read (GET), retried on the same conditions.
    pub async fn read<T, E, F, Fut>(&self, send: F) -> Result<ResponseValue<T>, Error<E>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, Error<E>>>,
    {
        self.run(false, send).await
    }

    async fn run<T, E, F, Fut>(&self, keyed: bool, mut send: F) -> Result<ResponseValue<T>, Error<E>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, Error<E>>>,
    {
        let mut attempt = 0;
        loop {
            let result = send().await;
            let wait = match &result {
                Err(err) if attempt < self.retries => self.wait(err, keyed, attempt),
                _ => None,
            };
            let Some(wait) = wait else { return result };
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// How long to wait before the next attempt, or `None` not to retry.
    fn wait<E>(&self, err: &Error<E>, keyed: bool, attempt: u32) -> Option<Duration> {
        let backoff = self.base_delay.saturating_mul(2u32.saturating_pow(attempt)).min(self.max_delay);
        let (status, headers) = match err {
            Error::CommunicationError(e) if e.is_connect() || e.is_timeout() || e.is_request() => {
                return Some(backoff);
            }
            Error::ErrorResponse(answer) => (answer.status(), answer.headers()),
            Error::UnexpectedResponse(answer) => (answer.status(), answer.headers()),
            _ => return None,
        };
        let retry_after = retry_after(headers);
        let retryable = matches!(status, StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS)
            || (status == StatusCode::CONFLICT && keyed && retry_after.is_some());
        retryable.then(|| retry_after.map_or(backoff, |after| after.min(self.max_delay)))
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}
