//! The `idempotency_keys` table: the key's lock, its stored answer, the purge.

use std::time::Duration;

use diesel::{
    PgConnection, QueryResult, RunQueryDsl,
    sql_types::{BigInt, Bool, Bytea, Interval, Jsonb, SmallInt},
};

/// The first answer given under a key.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct Stored {
    #[diesel(sql_type = Bytea)]
    pub fingerprint: Vec<u8>,
    #[diesel(sql_type = SmallInt)]
    pub status: i16,
    /// `[[name, value], ...]`
    #[diesel(sql_type = Jsonb)]
    pub headers: serde_json::Value,
    #[diesel(sql_type = Bytea)]
    pub body: Vec<u8>,
}

/// Takes the key's transaction-scoped advisory lock if no other request
/// holds it; false while the key's first request is still running.
pub fn try_lock(conn: &mut PgConnection, lock_id: i64) -> QueryResult<bool> {
    #[derive(diesel::QueryableByName)]
    struct Locked {
        #[diesel(sql_type = Bool)]
        locked: bool,
    }
    let got: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
        .bind::<BigInt, _>(lock_id)
        .get_result(conn)?;
    Ok(got.locked)
}

/// The live answer stored under the key. Run after [`try_lock`], in a
/// statement of its own, so that its snapshot sees a commit made by the
/// lock's previous holder.
pub fn find(conn: &mut PgConnection, key_hash: &[u8]) -> QueryResult<Option<Stored>> {
    diesel::sql_query(
        "SELECT fingerprint, status, headers, body FROM idempotency_keys \
         WHERE key_hash = $1 AND expires_at > now()",
    )
    .bind::<Bytea, _>(key_hash)
    .get_result(conn)
    .map(Some)
    .or_else(|e| if e == diesel::result::Error::NotFound { Ok(None) } else { Err(e) })
}

/// Stores the answer (over an expired row the purge has not reached yet).
pub fn save(conn: &mut PgConnection, key_hash: &[u8], answer: &Stored, ttl: Duration) -> QueryResult<()> {
    let ttl =
        diesel::data_types::PgInterval::from_microseconds(i64::try_from(ttl.as_micros()).unwrap_or(i64::MAX));
    diesel::sql_query(
        "INSERT INTO idempotency_keys (key_hash, fingerprint, status, headers, body, expires_at) \
         VALUES ($1, $2, $3, $4, $5, now() + $6) \
         ON CONFLICT (key_hash) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, \
         status = EXCLUDED.status, headers = EXCLUDED.headers, body = EXCLUDED.body, \
         created_at = now(), expires_at = EXCLUDED.expires_at",
    )
    .bind::<Bytea, _>(key_hash)
    .bind::<Bytea, _>(&answer.fingerprint)
    .bind::<SmallInt, _>(answer.status)
    .bind::<Jsonb, _>(&answer.headers)
    .bind::<Bytea, _>(&answer.body)
    .bind::<Interval, _>(ttl)
    .execute(conn)
    .map(drop)
}

/// The purge job's part: keys past their lifetime (rows removed).
pub fn purge(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM idempotency_keys WHERE expires_at <= now()").execute(conn)
}
