//! /exchange users and items: rows and queries (no HTTP types here). The
//! transfer links live in `transfers.rs`.

use diesel::prelude::*;

use crate::schema::{exchange_items, exchange_users};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = exchange_users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: i64,
    pub password_hash: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exchange_items, check_for_backend(diesel::pg::Pg))]
pub struct Item {
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
}

pub const LOGIN_TAKEN: &str = "exchange_users_login_key";
/// Violated by an item for a user deleted since the token was issued.
pub const ITEM_OWNER: &str = "exchange_items_owner_id_fkey";

pub fn insert_user(conn: &mut PgConnection, login: &str, password_hash: &str) -> QueryResult<i64> {
    diesel::insert_into(exchange_users::table)
        .values((exchange_users::login.eq(login), exchange_users::password_hash.eq(password_hash)))
        .returning(exchange_users::id)
        .get_result(conn)
}

pub fn find_user(conn: &mut PgConnection, login: &str) -> QueryResult<Option<User>> {
    exchange_users::table
        .filter(exchange_users::login.eq(login))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Whether the user is still there (built here for both connection kinds).
#[diesel::dsl::auto_type(no_type_alias)]
pub(super) fn user_row_exists(id: i64) -> _ {
    diesel::dsl::select(diesel::dsl::exists(exchange_users::table.find(id)))
}

pub fn user_exists(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
    user_row_exists(id).get_result(conn)
}

/// 404 for `what`, or 401 if the caller's user is gone (their items and
/// links went with them): asked only where a row of the caller was missing.
pub fn missing(conn: &mut PgConnection, user_id: i64, what: &str) -> crate::error::ApiError {
    crate::auth::gone_or(user_exists(conn, user_id), crate::error::ApiError::not_found(what))
}

pub fn insert_item(conn: &mut PgConnection, owner_id: i64, name: &str) -> QueryResult<Item> {
    diesel::insert_into(exchange_items::table)
        .values((exchange_items::owner_id.eq(owner_id), exchange_items::name.eq(name)))
        .returning(Item::as_returning())
        .get_result(conn)
}

/// Deletes the owner's item; its pending links lose their item (and answer 410).
pub fn delete_item(conn: &mut PgConnection, owner_id: i64, id: i64) -> QueryResult<bool> {
    diesel::delete(
        exchange_items::table.filter(exchange_items::id.eq(id).and(exchange_items::owner_id.eq(owner_id))),
    )
    .execute(conn)
    .map(|n| n > 0)
}

/// The item, locked until the transaction ends: every ownership change and
/// every new link of an item serialises on this row (item first, then links).
pub fn lock_item(conn: &mut PgConnection, id: i64) -> QueryResult<Option<Item>> {
    exchange_items::table.find(id).select(Item::as_select()).for_update().first(conn).optional()
}

pub fn move_item(conn: &mut PgConnection, id: i64, from: i64, to: i64) -> QueryResult<bool> {
    diesel::update(
        exchange_items::table.filter(exchange_items::id.eq(id).and(exchange_items::owner_id.eq(from))),
    )
    .set(exchange_items::owner_id.eq(to))
    .execute(conn)
    .map(|n| n == 1)
}
