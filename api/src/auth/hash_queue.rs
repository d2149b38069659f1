//! The bounded queue in front of the password hashing threads: a login flood
//! gets a fast 503 instead of a 30 s wait, and cannot starve other logins.
//!
//! Bounded three times from configuration: `HASH_QUEUE_MAX` jobs waiting in
//! all, `HASH_QUEUE_PER_SOURCE` for one source (the admin panel or one app),
//! `HASH_QUEUE_PER_CLIENT` for one client address (`client.rs`). A job past
//! the first two is refused at once with 503, past the last with 429 (both
//! with `Retry-After`). The threads take the sources in turn, so a flood of
//! one source waits behind itself only. A job whose request has gone (client
//! gone, deadline passed) is dropped unhashed.

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::{
        Arc, Condvar, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
};

use tokio::sync::oneshot;

use crate::error::ApiError;

pub use crate::config::HashLimits;

/// Niceness of the hashing threads (CFS weight 110 against 1024 at nice 0).
const NICE: i32 = 10;

/// Lowers this thread's priority (Linux: niceness is per thread).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain syscalls on the calling thread; no memory is passed.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        if libc::setpriority(libc::PRIO_PROCESS, tid, NICE) != 0 {
            tracing::warn!("cannot lower the priority of a password hashing thread");
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// Jobs by outcome, per server (tests read them; `/metrics` has them too).
#[derive(Default, Debug)]
pub struct HashStats {
    /// Hashes computed.
    pub done: AtomicU64,
    /// Jobs dropped unhashed because their request had gone.
    pub abandoned: AtomicU64,
    /// Jobs refused because the queue or their source's share was full.
    pub refused: AtomicU64,
}

#[derive(Default)]
struct Waiting {
    by_source: HashMap<&'static str, VecDeque<(Option<IpAddr>, Job)>>,
    by_client: HashMap<IpAddr, usize>,
    /// Sources with jobs waiting, in the order they are served.
    turns: VecDeque<&'static str>,
    total: usize,
    closed: bool,
}

struct Shared {
    waiting: Mutex<Waiting>,
    ready: Condvar,
    limits: HashLimits,
    stats: HashStats,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Waiting> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The queue and its threads; the threads end when the queue is dropped.
pub struct HashQueue(Arc<Shared>);

impl Drop for HashQueue {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.ready.notify_all();
    }
}

impl HashQueue {
    /// Starts `limits.threads` hashing threads at a lower priority.
    pub fn start(limits: HashLimits) -> anyhow::Result<Self> {
        let shared = Arc::new(Shared {
            waiting: Mutex::default(),
            ready: Condvar::new(),
            limits,
            stats: HashStats::default(),
        });
        for i in 0..limits.threads.max(1) {
            let shared = shared.clone();
            std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
                lower_priority();
                while let Some(job) = next(&shared) {
                    // A panicking job loses its answer (a 500), not the thread.
                    drop(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)));
                }
            })?;
        }
        Ok(Self(shared))
    }

    pub fn stats(&self) -> &HashStats {
        &self.0.stats
    }

    /// Jobs waiting for a thread now.
    pub fn waiting(&self) -> usize {
        self.0.lock().total
    }

    /// Runs `f` on a hashing thread for `source` and waits for it without
    /// blocking the async worker; 503 at once when there is no room.
    pub async fn run<T: Send + 'static>(
        &self,
        source: &'static str,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let (tx, rx) = oneshot::channel();
        let shared = Arc::downgrade(&self.0);
        let job: Job = Box::new(move || {
            // Counted before the answer is sent, so a caller that has its
            // answer sees its job counted.
            let count = |outcome: &'static str| {
                if let Some(shared) = shared.upgrade() {
                    let stats = &shared.stats;
                    let counter = if outcome == "done" { &stats.done } else { &stats.abandoned };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                ::metrics::counter!("password_hash_jobs_total", "source" => source, "outcome" => outcome)
                    .increment(1);
            };
            if tx.is_closed() {
                count("abandoned");
            } else {
                let value = f();
                count("done");
                let _ = tx.send(value);
            }
        });
        self.push(source, crate::client::current(), job)?;
        rx.await.map_err(|e| ApiError::internal(anyhow::anyhow!("hash task failed: {e}")))
    }

    fn push(&self, source: &'static str, client: Option<IpAddr>, job: Job) -> Result<(), ApiError> {
        let limits = self.0.limits;
        let mut waiting = self.0.lock();
        let mine = waiting.by_source.get(&source).map_or(0, VecDeque::len);
        let theirs = client.and_then(|ip| waiting.by_client.get(&ip).copied()).unwrap_or(0);
        let refusal = if theirs >= limits.per_client {
            Some(ApiError::TooManyRequests { retry_after_secs: 1 })
        } else if waiting.total >= limits.max_waiting || mine >= limits.per_source {
            Some(ApiError::Unavailable("too many sign-ins are waiting; try again shortly".into()))
        } else {
            None
        };
        if let Some(refusal) = refusal {
            drop(waiting);
            self.0.stats.refused.fetch_add(1, Ordering::Relaxed);
            ::metrics::counter!("password_hash_jobs_total", "source" => source, "outcome" => "refused")
                .increment(1);
            tracing::warn!(source, ?client, "password check refused: the hashing queue is full");
            return Err(refusal);
        }
        if mine == 0 {
            waiting.turns.push_back(source);
        }
        waiting.by_source.entry(source).or_default().push_back((client, job));
        if let Some(ip) = client {
            *waiting.by_client.entry(ip).or_default() += 1;
        }
        waiting.total += 1;
        drop(waiting);
        self.0.ready.notify_one();
        Ok(())
    }
}

/// The next job, taking the sources in turn; `None` once the queue is closed.
fn next(shared: &Shared) -> Option<Job> {
    let mut waiting = shared.lock();
    loop {
        if waiting.closed {
            return None;
        }
        if let Some(source) = waiting.turns.pop_front() {
            let queue = waiting.by_source.entry(source).or_default();
            let job = queue.pop_front();
            if !queue.is_empty() {
                waiting.turns.push_back(source);
            }
            if let Some((client, job)) = job {
                waiting.total -= 1;
                if let Some(ip) = client
                    && let Some(count) = waiting.by_client.get_mut(&ip)
                {
                    *count -= 1;
                    if *count == 0 {
                        waiting.by_client.remove(&ip);
                    }
                }
                return Some(job);
            }
            continue;
        }
        waiting = shared.ready.wait(waiting).unwrap_or_else(PoisonError::into_inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(threads: usize, max_waiting: usize, per_source: usize) -> HashQueue {
        HashQueue::start(HashLimits { threads, max_waiting, per_source, per_client: max_waiting }).unwrap()
    }

    /// Occupies the one thread until the returned sender is dropped.
    async fn block(q: &Arc<HashQueue>) -> std::sync::mpsc::Sender<()> {
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started, running) = oneshot::channel();
        let q2 = q.clone();
        tokio::spawn(async move {
            q2.run("block", move || {
                let _ = started.send(());
                let _ = wait.recv();
            })
            .await
        });
        running.await.unwrap();
        release
    }

    #[tokio::test]
    async fn sources_are_served_in_turn_and_each_is_bounded() {
        let q = Arc::new(queue(1, 10, 3));
        let release = block(&q).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for source in ["flood", "flood", "flood", "other"] {
            let (q, order) = (q.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                q.run(source, move || order.lock().unwrap().push(source)).await
            }));
            tokio::task::yield_now().await;
        }
        while q.0.lock().total < 4 {
            tokio::task::yield_now().await;
        }
        let refused = q.run("flood", || ()).await.unwrap_err();
        assert_eq!(refused.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
        drop(release);
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["flood", "other", "flood", "flood"]);
        assert_eq!(q.stats().refused.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn a_job_whose_caller_has_gone_is_not_run() {
        let q = Arc::new(queue(1, 10, 10));
        let release = block(&q).await;
        let ran = Arc::new(AtomicU64::new(0));
        let ran2 = ran.clone();
        let q2 = q.clone();
        let waiting =
            tokio::spawn(async move { q2.run("gone", move || ran2.fetch_add(1, Ordering::SeqCst)).await });
        while q.0.lock().total < 1 {
            tokio::task::yield_now().await;
        }
        waiting.abort();
        let _ = waiting.await;
        drop(release);
        while q.stats().abandoned.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(ran.load(Ordering::SeqCst), 0);
    }
}
