//! Token revocations (every app's logout): PostgreSQL's `revoked_tokens` is
//! the truth, a row committed before the logout answers and kept until the
//! token's own expiry (the purge job removes it then). Each replica mirrors
//! the live rows in memory (`mirror/` keeps it in step: Redis pub/sub for
//! immediacy, a resync every `SECURITY_RESYNC_MS` for hints that got lost), so
//! checking a token costs no database or Redis round trip.
//!
//! A token is refused as soon as its `jti` is in the mirror. It is accepted
//! without asking PostgreSQL only while the mirror is complete and fresh:
//! - fresh: read from PostgreSQL within `2 × SECURITY_RESYNC_MS + 1 s`;
//! - complete: the mirror holds at most `SECURITY_MIRROR_MAX_ENTRIES`
//!   revocations. One that finds no room is not kept, and until that token
//!   would have expired every token the mirror does not list is looked up in
//!   PostgreSQL (one indexed read per request): past its bound the mirror
//!   costs a round trip, never a wrong "accepted".

use chrono::{DateTime, Utc};
use diesel::{PgConnection, prelude::*};

pub use super::revoked::Revocations;
use super::token::Claims;
use crate::{
    error::ApiError,
    mirror::{self, Mirror, Since, Tracker},
    schema::revoked_tokens,
    state::AppState,
};

impl Mirror for Revocations {
    const NAME: &'static str = "revocations";
    const CHANNEL: &'static str = "revocations";

    async fn sync(&self, state: &AppState, whole: bool) -> Result<(), ApiError> {
        self.tracker
            .sync(&state.db, whole, live_since, |rows: Vec<(String, DateTime<Utc>)>, _| {
                for (jti, expires_at) in rows {
                    self.remember(&jti, expires_at.timestamp());
                }
            })
            .await
    }

    /// A hint carries the revocation itself (`"<jti> <exp>"`): revocations are
    /// only ever added, so applying it needs no read.
    fn hear(&self, payload: &str) -> bool {
        match payload.split_once(' ').and_then(|(jti, exp)| Some((jti, exp.parse::<i64>().ok()?))) {
            Some((jti, exp)) => {
                self.remember(jti, exp);
                false
            }
            None => true,
        }
    }

    fn tracker(&self) -> &Tracker {
        &self.tracker
    }
}

/// Live revocations written since the last read (all when `None`).
fn live_since(conn: &mut PgConnection, since: Option<Since>) -> QueryResult<Vec<(String, DateTime<Utc>)>> {
    let mut query = revoked_tokens::table
        .filter(revoked_tokens::expires_at.gt(diesel::dsl::now))
        .select((revoked_tokens::jti, revoked_tokens::expires_at))
        .into_boxed();
    if let Some(since) = since {
        let xid = revoked_tokens::revoked_xid;
        query = query.filter(xid.ge(since.next_xid).or(xid.eq_any(since.in_progress)));
    }
    query.load(conn)
}

/// Records the revocation inside the caller's transaction (idempotent).
/// Follow the commit with [`announce`].
pub fn record(conn: &mut PgConnection, claims: &Claims) -> QueryResult<()> {
    diesel::insert_into(revoked_tokens::table)
        .values((revoked_tokens::jti.eq(&claims.jti), revoked_tokens::expires_at.eq(claims.expires_at())))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(())
}

/// After [`record`] committed: refused here at once, and announced to the
/// other replicas (who also find it at their next resync if the hint is lost).
pub async fn announce(state: &AppState, claims: &Claims) {
    state.revocations.remember(&claims.jti, claims.exp);
    state.bus.publish(&state.redis, Revocations::CHANNEL, &format!("{} {}", claims.jti, claims.exp)).await;
}

/// Refuses the token everywhere from now until its own expiry: committed in
/// PostgreSQL before this returns, refused here at once, on other replicas
/// within milliseconds (or `SECURITY_RESYNC_MS` if Redis is down).
pub async fn revoke(state: &AppState, claims: &Claims) -> Result<(), ApiError> {
    let stored = claims.clone();
    state.db(move |conn| Ok(record(conn, &stored)?)).await?;
    announce(state, claims).await;
    Ok(())
}

/// Whether the token `jti` has been revoked: from memory while the mirror is
/// warm, else from PostgreSQL (a revocation found there is kept).
pub async fn is_revoked(state: &AppState, jti: &str, exp: i64) -> Result<bool, ApiError> {
    if let Some(revoked) = state.revocations.lookup(jti) {
        return Ok(revoked);
    }
    let key = jti.to_owned();
    let revoked = state
        .db(move |conn| {
            Ok(diesel::select(diesel::dsl::exists(revoked_tokens::table.find(key)))
                .get_result::<bool>(conn)?)
        })
        .await?;
    if revoked {
        state.revocations.remember(jti, exp);
    }
    Ok(revoked)
}

/// Reads every live revocation, then keeps the mirror in step.
pub async fn start(state: &AppState) -> anyhow::Result<()> {
    mirror::start(state, state.revocations.clone()).await
}

/// The purge job's part: revocations of tokens that have expired since (rows removed).
pub fn purge(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::delete(revoked_tokens::table.filter(revoked_tokens::expires_at.le(diesel::dsl::now)))
        .execute(conn)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn mirror(max_entries: usize) -> Revocations {
        Revocations::bounded(max_entries, Duration::from_secs(1))
    }

    #[test]
    fn a_hint_is_applied_without_a_read_and_a_garbled_one_asks_for_one() {
        let cache = mirror(10);
        let exp = Utc::now().timestamp() + 60;
        assert!(!cache.hear(&format!("abc {exp}")));
        assert_eq!(cache.lookup("abc"), Some(true));
        assert!(cache.hear("garbled"));
    }
}
