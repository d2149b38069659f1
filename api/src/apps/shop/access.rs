//! Who may call /shop: `ShopUser` (a valid token of a user not disabled) and
//! `ShopAdmin` (that, and an admin in the database).
//!
//! A disabled user's tokens are refused at once on every replica. The truth
//! is `shop_users.is_active`; each replica mirrors the inactive users' ids in
//! memory (`DisabledUsers`, kept in step by `mirror/`: read whole at start
//! and whenever the Redis subscription comes back, re-read on a hint and every
//! `SECURITY_RESYNC_MS`), so a request of an active user costs no round trip.
//! A user the mirror lists is confirmed in PostgreSQL before being refused (a
//! user enabled a moment ago on another replica gets in at once), and when the
//! mirror is stale or has more inactive users than `SECURITY_MIRROR_MAX_ENTRIES`
//! every request asks PostgreSQL.

use std::{
    collections::HashSet,
    sync::{
        Arc, PoisonError, RwLock,
        atomic::{AtomicBool, Ordering},
    },
};

use axum::{extract::FromRequestParts, http::request::Parts};
use diesel::{PgConnection, QueryResult};

use super::{Shop, models};
use crate::{
    auth::{Authed, Claims},
    error::ApiError,
    mirror::{self, Mirror, Since, Tracker},
    state::AppState,
};

/// The replica's mirror of inactive /shop users.
pub struct DisabledUsers {
    ids: RwLock<HashSet<i64>>,
    /// More inactive users than `max_entries`: the set is given up and every
    /// request asks PostgreSQL until a whole read fits again.
    overflow: AtomicBool,
    max_entries: usize,
    tracker: Tracker,
}

/// What one read found.
enum Read {
    /// Every inactive user (`None`: more than the mirror may hold).
    Whole(Option<Vec<i64>>),
    /// Users whose `is_active` was written since the last read.
    Changes(Vec<(i64, bool)>),
}

impl DisabledUsers {
    fn new(config: &crate::config::Config) -> Self {
        Self {
            ids: RwLock::default(),
            overflow: AtomicBool::new(false),
            max_entries: config.security_mirror_max_entries,
            tracker: Tracker::new(config.security_resync),
        }
    }

    /// Whether memory alone says the user is active.
    fn surely_active(&self, id: i64) -> bool {
        self.tracker.is_fresh()
            && !self.overflow.load(Ordering::Acquire)
            && !self.ids.read().unwrap_or_else(PoisonError::into_inner).contains(&id)
    }

    fn apply(&self, read: Read) {
        let mut ids = self.ids.write().unwrap_or_else(PoisonError::into_inner);
        match read {
            Read::Whole(Some(all)) => {
                *ids = all.into_iter().collect();
                self.overflow.store(false, Ordering::Release);
            }
            Read::Whole(None) => self.give_up(&mut ids),
            Read::Changes(_) if self.overflow.load(Ordering::Acquire) => {}
            Read::Changes(rows) => {
                for (id, active) in rows {
                    if active {
                        ids.remove(&id);
                    } else if ids.len() < self.max_entries {
                        ids.insert(id);
                    } else {
                        return self.give_up(&mut ids);
                    }
                }
            }
        }
    }

    fn give_up(&self, ids: &mut HashSet<i64>) {
        *ids = HashSet::new();
        self.overflow.store(true, Ordering::Release);
    }
}

impl Mirror for DisabledUsers {
    const NAME: &'static str = "disabled /shop users";
    const CHANNEL: &'static str = "shop:disabled";

    async fn sync(&self, state: &AppState, whole: bool) -> Result<(), ApiError> {
        // While over the bound, only a whole read that fits can help.
        let whole = whole || self.overflow.load(Ordering::Acquire);
        let max = self.max_entries;
        let read = move |conn: &mut PgConnection, since: Option<Since>| -> QueryResult<Read> {
            Ok(match since {
                None => Read::Whole(models::inactive_user_ids(conn, max)?),
                Some(since) => Read::Changes(models::activity_changes(conn, &since)?),
            })
        };
        self.tracker.sync(&state.db, whole, read, |read, _| self.apply(read)).await
    }

    /// A hint names a user whose state changed: the read says how.
    fn hear(&self, _user_id: &str) -> bool {
        true
    }

    fn tracker(&self) -> &Tracker {
        &self.tracker
    }
}

fn disabled_users(state: &AppState) -> Result<Arc<DisabledUsers>, ApiError> {
    state
        .app_data
        .get::<DisabledUsers>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the /shop start-up hook has not run")))
}

/// Reads the inactive users, then keeps the mirror in step (start-up).
pub async fn start(state: &AppState) -> anyhow::Result<()> {
    let users = Arc::new(DisabledUsers::new(&state.config));
    state.app_data.insert(users.clone());
    mirror::start(state, users).await
}

/// After a change of `is_active`: this replica's mirror reads it before the
/// caller answers, and the others hear of it. A disable is applied at once
/// too: under a keyed request the change commits only with the answer, after
/// this read, and a disabled user must never pass meanwhile. An enable is left
/// to the reads: until one sees it, the user costs a database check, never a
/// wrong answer.
async fn announce(state: &AppState, user_id: i64, active: bool) -> Result<(), ApiError> {
    let users = disabled_users(state)?;
    if !active {
        users.apply(Read::Changes(vec![(user_id, false)]));
    }
    if let Err(e) = users.sync(state, false).await {
        // The next resync (`SECURITY_RESYNC_MS`) reads it.
        tracing::warn!(error = ?e, user_id, "re-reading disabled /shop users failed");
    }
    state.bus.publish(&state.redis, DisabledUsers::CHANNEL, &user_id.to_string()).await;
    Ok(())
}

/// Enables or disables a user: committed in the database first, then refused
/// (or accepted again) here before this returns, and on other replicas within
/// milliseconds (`SECURITY_RESYNC_MS` if Redis is down). `None` for an unknown
/// user. The web admin panel calls this too.
pub async fn set_user_active(
    state: &AppState,
    id: i64,
    active: bool,
) -> Result<Option<models::User>, ApiError> {
    let user = state.db_tx(move |conn| Ok(models::set_active(conn, id, active)?)).await?;
    if user.is_some() {
        announce(state, id, active).await?;
    }
    Ok(user)
}

/// After an activation link was followed: the user is active everywhere.
pub async fn activated(state: &AppState, user_id: i64) -> Result<(), ApiError> {
    announce(state, user_id, true).await
}

/// A /shop user whose token is valid and who is not disabled.
#[derive(Debug, Clone)]
pub struct ShopUser {
    pub user_id: i64,
    pub claims: Claims,
}

impl FromRequestParts<AppState> for ShopUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let authed = Authed::<Shop>::from_request_parts(parts, state).await?;
        let id = authed.user_id;
        if !disabled_users(state)?.surely_active(id) {
            match state.db(move |conn| Ok(models::is_active(conn, id)?)).await? {
                Some(true) => {}
                Some(false) => return Err(ApiError::Unauthorized("this account is disabled".into())),
                None => return Err(ApiError::Unauthorized("the token's user no longer exists".into())),
            }
        }
        Ok(Self { user_id: id, claims: authed.claims })
    }
}

/// A /shop admin: a `ShopUser` whose row says `is_admin` (403 otherwise).
#[derive(Debug, Clone)]
pub struct ShopAdmin(pub ShopUser);

impl FromRequestParts<AppState> for ShopAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = ShopUser::from_request_parts(parts, state).await?;
        let id = user.user_id;
        let row = state.db(move |conn| Ok(models::find_user(conn, id)?)).await?;
        match row {
            Some(row) if row.is_admin && row.is_active => Ok(Self(user)),
            Some(_) => Err(ApiError::Forbidden("this is for admins only".into())),
            None => Err(ApiError::Unauthorized("the token's user no longer exists".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(max_entries: usize) -> DisabledUsers {
        let mut config = crate::config::Config::from_lookup(|_| None).unwrap();
        config.security_mirror_max_entries = max_entries;
        DisabledUsers::new(&config)
    }

    #[test]
    fn changes_add_and_remove_and_the_bound_gives_the_set_up() {
        let mirror = users(2);
        mirror.apply(Read::Whole(Some(vec![1])));
        mirror.apply(Read::Changes(vec![(2, false), (1, true)]));
        assert_eq!(*mirror.ids.read().unwrap(), HashSet::from([2]));
        mirror.apply(Read::Changes(vec![(3, false), (4, false)]));
        assert!(mirror.overflow.load(Ordering::Acquire), "a third inactive user does not fit");
        assert!(!mirror.surely_active(5), "past the bound nobody is surely active");
        mirror.apply(Read::Whole(Some(vec![3])));
        assert!(!mirror.overflow.load(Ordering::Acquire), "a whole read that fits restores it");
    }

    #[test]
    fn an_unread_mirror_vouches_for_nobody() {
        assert!(!users(10).surely_active(1));
    }
}
