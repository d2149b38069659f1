//! The replica's memory of live revocations, bounded: the type `state.rs`
//! holds. Reading and announcing revocations is `revocations.rs`.

use std::{
    collections::HashMap,
    sync::{
        Arc, PoisonError, RwLock,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use chrono::Utc;

use crate::{config::Config, mirror::tracker::Tracker};

/// The replica's memory of live revocations: `jti` → the token's `exp`.
pub struct Revocations {
    known: RwLock<HashMap<Box<str>, i64>>,
    /// Until when (Unix seconds) a revocation that found no room may still
    /// matter: until then the mirror is incomplete.
    incomplete_until: AtomicI64,
    /// When (Unix seconds) expired entries were last dropped to make room:
    /// at most once a second, so a full mirror does not scan itself per request.
    pruned_at: AtomicI64,
    max_entries: usize,
    pub(super) tracker: Tracker,
}

impl Revocations {
    pub fn new(config: &Config) -> Arc<Self> {
        Arc::new(Self::bounded(config.security_mirror_max_entries, config.security_resync))
    }

    /// At most `max_entries` revocations, read from PostgreSQL every `resync`.
    pub fn bounded(max_entries: usize, resync: Duration) -> Self {
        Self {
            known: RwLock::default(),
            incomplete_until: AtomicI64::new(0),
            pruned_at: AtomicI64::new(0),
            max_entries,
            tracker: Tracker::new(resync),
        }
    }

    /// `Some(verdict)` when memory is enough to answer, `None` when
    /// PostgreSQL must be asked.
    pub(super) fn lookup(&self, jti: &str) -> Option<bool> {
        if self.known.read().unwrap_or_else(PoisonError::into_inner).contains_key(jti) {
            return Some(true);
        }
        let complete = self.incomplete_until.load(Ordering::Acquire) <= Utc::now().timestamp();
        (complete && self.tracker.is_fresh()).then_some(false)
    }

    /// Keeps a revocation until `exp`, room permitting (expired ones make room).
    pub(super) fn remember(&self, jti: &str, exp: i64) {
        let now = Utc::now().timestamp();
        if exp <= now {
            return;
        }
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        if known.contains_key(jti) {
            return;
        }
        if known.len() >= self.max_entries && self.pruned_at.swap(now, Ordering::AcqRel) < now {
            known.retain(|_, exp| *exp > now);
        }
        if known.len() >= self.max_entries {
            self.incomplete_until.fetch_max(exp, Ordering::AcqRel);
            return;
        }
        known.insert(jti.into(), exp);
    }

    /// Number of revocations held.
    pub fn len(&self) -> usize {
        self.known.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mirror(max_entries: usize) -> Revocations {
        Revocations::bounded(max_entries, Duration::from_secs(1))
    }

    #[test]
    fn an_unread_mirror_answers_nothing_on_its_own() {
        let cache = mirror(10);
        cache.remember("a", Utc::now().timestamp() + 60);
        assert_eq!(cache.lookup("a"), Some(true), "a revocation held is always an answer");
        assert_eq!(cache.lookup("b"), None, "never read from PostgreSQL: ask it");
    }

    #[test]
    fn past_its_bound_the_mirror_is_incomplete_until_what_it_dropped_expires() {
        let cache = mirror(2);
        let now = Utc::now().timestamp();
        cache.remember("a", now + 60);
        cache.remember("b", now + 60);
        cache.remember("c", now + 120);
        assert_eq!(cache.len(), 2, "bounded");
        assert_eq!(cache.incomplete_until.load(Ordering::Acquire), now + 120);
        assert_eq!(cache.lookup("c"), None, "dropped: PostgreSQL is asked");
    }

    #[test]
    fn expired_revocations_make_room() {
        let cache = mirror(2);
        let now = Utc::now().timestamp();
        cache.known.write().unwrap().insert("old".into(), now - 1);
        cache.remember("a", now + 60);
        cache.remember("b", now + 60);
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.incomplete_until.load(Ordering::Acquire), 0, "nothing live was dropped");
    }
}
