//! Transfer links: made by `send`, taken by `follow`, removed by `purge`.
//!
//! A link's code is 256 random bits (base64url); only its SHA-256 is stored.
//! Every change to an item's owner or links locks the item row first and the
//! link rows second, so sends, deletes and follows of one item run one at a
//! time and never deadlock; each step is re-checked under those locks.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::models::{self, Item};
use crate::schema::exchange_transfers as t;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = t, check_for_backend(diesel::pg::Pg))]
pub struct Transfer {
    pub id: i64,
    pub item_id: Option<i64>,
    pub sender_id: i64,
    pub recipient_id: i64,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub superseded_at: Option<DateTime<Utc>>,
}

/// Why a link does not move its item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The caller is not the link's recipient (the link stays valid).
    NotRecipient,
    Unknown,
    Used,
    Superseded,
    Expired,
    ItemDeleted,
    ChangedHands,
}

impl Refusal {
    pub fn reason(self) -> &'static str {
        match self {
            Self::NotRecipient => "this link is for another user",
            Self::Unknown => "this link is unknown or no longer valid",
            Self::Used => "this link has already been used",
            Self::Superseded => "a newer link has been sent for this item",
            Self::Expired => "this link has expired",
            Self::ItemDeleted => "the item has been deleted",
            Self::ChangedHands => "the item has changed hands since the link was sent",
        }
    }
}

/// A new random code (256 bits, base64url without padding).
pub fn new_code() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// What is stored of a code.
pub fn hash_code(code: &str) -> Vec<u8> {
    Sha256::digest(code.as_bytes()).to_vec()
}

/// Records a link for `item_id` (already locked and owned by `sender_id`),
/// superseding any live link of the item.
pub fn create(
    conn: &mut PgConnection,
    item_id: i64,
    sender_id: i64,
    recipient_id: i64,
    code_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        t::table.filter(t::item_id.eq(item_id).and(t::used_at.is_null()).and(t::superseded_at.is_null())),
    )
    .set(t::superseded_at.eq(diesel::dsl::now))
    .execute(conn)?;
    diesel::insert_into(t::table)
        .values((
            t::item_id.eq(item_id),
            t::sender_id.eq(sender_id),
            t::recipient_id.eq(recipient_id),
            t::code_hash.eq(code_hash),
            t::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

fn find(conn: &mut PgConnection, code_hash: &[u8]) -> QueryResult<Option<Transfer>> {
    t::table.filter(t::code_hash.eq(code_hash)).select(Transfer::as_select()).first(conn).optional()
}

fn lock(conn: &mut PgConnection, id: i64) -> QueryResult<Option<Transfer>> {
    t::table.find(id).select(Transfer::as_select()).for_update().first(conn).optional()
}

/// Whether a link, as it stands, may move `item` to `caller`.
fn check(link: &Transfer, item: Option<&Item>, caller: i64, now: DateTime<Utc>) -> Result<(), Refusal> {
    if link.recipient_id != caller {
        return Err(Refusal::NotRecipient);
    }
    if link.used_at.is_some() {
        return Err(Refusal::Used);
    }
    if link.superseded_at.is_some() {
        return Err(Refusal::Superseded);
    }
    if link.expires_at <= now {
        return Err(Refusal::Expired);
    }
    let item = item.filter(|i| Some(i.id) == link.item_id).ok_or(Refusal::ItemDeleted)?;
    if item.owner_id != link.sender_id {
        return Err(Refusal::ChangedHands);
    }
    Ok(())
}

/// Moves the link's item to `caller`, inside the caller's transaction: looks
/// the link up, locks its item then the link, re-checks everything, moves the
/// item and marks the link used. Nothing is written on a refusal.
pub fn follow(
    conn: &mut PgConnection,
    code_hash: &[u8],
    caller: i64,
    now: DateTime<Utc>,
) -> QueryResult<Result<Item, Refusal>> {
    let Some(seen) = find(conn, code_hash)? else { return Ok(Err(Refusal::Unknown)) };
    // The recipient rule first: nobody else learns anything about the link.
    if seen.recipient_id != caller {
        return Ok(Err(Refusal::NotRecipient));
    }
    let item = match seen.item_id {
        Some(item_id) => models::lock_item(conn, item_id)?,
        None => None,
    };
    let Some(link) = lock(conn, seen.id)? else { return Ok(Err(Refusal::Unknown)) };
    if let Err(refusal) = check(&link, item.as_ref(), caller, now) {
        return Ok(Err(refusal));
    }
    let Some(mut item) = item else { return Ok(Err(Refusal::ItemDeleted)) };
    // Conditional writes as a second guard; the checks above make them succeed.
    let used = diesel::update(t::table.filter(t::id.eq(link.id).and(t::used_at.is_null())))
        .set(t::used_at.eq(now))
        .execute(conn)?;
    if used != 1 || !models::move_item(conn, item.id, link.sender_id, caller)? {
        return Err(diesel::result::Error::RollbackTransaction);
    }
    item.owner_id = caller;
    Ok(Ok(item))
}

/// Removes the links that can never work again: used, superseded, expired,
/// or whose item is gone. They answer 410 the same way once removed.
pub fn purge(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(
        t::table.filter(
            t::expires_at
                .le(now)
                .or(t::used_at.is_not_null())
                .or(t::superseded_at.is_not_null())
                .or(t::item_id.is_null()),
        ),
    )
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_carry_256_bits_and_are_stored_hashed() {
        let (a, b) = (new_code(), new_code());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(hash_code(&a).len(), 32);
        assert_eq!(hash_code(&a), hash_code(&a));
        assert_ne!(hash_code(&a), hash_code(&b));
    }
}
