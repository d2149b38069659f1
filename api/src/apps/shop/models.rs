//! /shop users, activation codes and products: rows and queries, no HTTP types.
//! Plain functions, so the web admin panel can reuse enable/disable and
//! product CRUD as they are.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::{dsl, prelude::*};

use crate::{
    mirror::Since,
    schema::{shop_activation_codes, shop_bills, shop_products, shop_users},
};

pub const LOGIN_TAKEN: &str = "shop_users_login_key";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = shop_users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: i64,
    pub login: String,
    pub password_hash: String,
    pub is_active: bool,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = shop_bills, check_for_backend(diesel::pg::Pg))]
pub struct Bill {
    pub id: i64,
    pub user_id: i64,
    pub balance: BigDecimal,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = shop_products, check_for_backend(diesel::pg::Pg))]
pub struct Product {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub price: BigDecimal,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = shop_products)]
pub struct ProductChanges {
    pub title: String,
    pub description: String,
    pub price: BigDecimal,
}

/// A new, inactive user and the hash of its activation code, in one go.
pub fn insert_user(conn: &mut PgConnection, login: &str, hash: &str, code_hash: &str) -> QueryResult<i64> {
    let id = diesel::insert_into(shop_users::table)
        .values((shop_users::login.eq(login), shop_users::password_hash.eq(hash)))
        .returning(shop_users::id)
        .get_result(conn)?;
    diesel::insert_into(shop_activation_codes::table)
        .values((shop_activation_codes::code_hash.eq(code_hash), shop_activation_codes::user_id.eq(id)))
        .execute(conn)?;
    Ok(id)
}

/// Uses up an activation code: the user it names, now active; `None` when the
/// code is unknown or already used.
pub fn activate(conn: &mut PgConnection, code_hash: &str) -> QueryResult<Option<i64>> {
    let user_id = diesel::delete(shop_activation_codes::table.find(code_hash))
        .returning(shop_activation_codes::user_id)
        .get_result::<i64>(conn)
        .optional()?;
    if let Some(id) = user_id {
        diesel::update(shop_users::table.find(id)).set(shop_users::is_active.eq(true)).execute(conn)?;
    }
    Ok(user_id)
}

pub fn find_user_by_login(conn: &mut PgConnection, login: &str) -> QueryResult<Option<User>> {
    shop_users::table.filter(shop_users::login.eq(login)).select(User::as_select()).first(conn).optional()
}

pub fn find_user(conn: &mut PgConnection, id: i64) -> QueryResult<Option<User>> {
    shop_users::table.find(id).select(User::as_select()).first(conn).optional()
}

/// Enables or disables a user. An admin's decision wins over a pending
/// activation link, which is used up here, so following it later changes nothing.
pub fn set_active(conn: &mut PgConnection, id: i64, active: bool) -> QueryResult<Option<User>> {
    let user = diesel::update(shop_users::table.find(id))
        .set(shop_users::is_active.eq(active))
        .returning(User::as_returning())
        .get_result(conn)
        .optional()?;
    if user.is_some() {
        diesel::delete(shop_activation_codes::table.filter(shop_activation_codes::user_id.eq(id)))
            .execute(conn)?;
    }
    Ok(user)
}

/// Creates the configured admin, or resets its password, and makes it an
/// active admin either way.
pub fn seed_admin(conn: &mut PgConnection, login: &str, hash: &str) -> QueryResult<i64> {
    let id = diesel::insert_into(shop_users::table)
        .values((
            shop_users::login.eq(login),
            shop_users::password_hash.eq(hash),
            shop_users::is_active.eq(true),
            shop_users::is_admin.eq(true),
        ))
        .on_conflict(shop_users::login)
        .do_update()
        .set((
            shop_users::password_hash.eq(hash),
            shop_users::is_active.eq(true),
            shop_users::is_admin.eq(true),
        ))
        .returning(shop_users::id)
        .get_result(conn)?;
    diesel::delete(shop_activation_codes::table.filter(shop_activation_codes::user_id.eq(id)))
        .execute(conn)?;
    Ok(id)
}

/// Every user whose tokens must be refused (never activated, or disabled).
/// Every inactive user's id, or `None` when there are more than `max`
/// (counted first, so that case reads no ids).
pub fn inactive_user_ids(conn: &mut PgConnection, max: usize) -> QueryResult<Option<Vec<i64>>> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let max = i64::try_from(max).unwrap_or(i64::MAX - 1);
    let count = diesel::sql_query(
        "SELECT count(*) AS n FROM (SELECT 1 FROM shop_users WHERE NOT is_active LIMIT $1) AS inactive",
    )
    .bind::<diesel::sql_types::BigInt, _>(max + 1)
    .get_result::<Count>(conn)?;
    if count.n > max {
        return Ok(None);
    }
    shop_users::table.filter(shop_users::is_active.eq(false)).select(shop_users::id).load(conn).map(Some)
}

/// Users whose `is_active` was written since the last read (`active_xid`,
/// kept by a trigger), with its value now.
pub fn activity_changes(conn: &mut PgConnection, since: &Since) -> QueryResult<Vec<(i64, bool)>> {
    let xid = shop_users::active_xid;
    shop_users::table
        .filter(xid.ge(since.next_xid).or(xid.eq_any(&since.in_progress)))
        .select((shop_users::id, shop_users::is_active))
        .load(conn)
}

/// Whether the user is active; `None` for an unknown user.
pub fn is_active(conn: &mut PgConnection, id: i64) -> QueryResult<Option<bool>> {
    shop_users::table.find(id).select(shop_users::is_active).first(conn).optional()
}

pub fn list_users(conn: &mut PgConnection, limit: i64, offset: i64) -> QueryResult<Vec<User>> {
    shop_users::table.order(shop_users::id).limit(limit).offset(offset).select(User::as_select()).load(conn)
}

/// The bills of these users, by id.
pub fn bills_of(conn: &mut PgConnection, user_ids: &[i64]) -> QueryResult<Vec<Bill>> {
    shop_bills::table
        .filter(shop_bills::user_id.eq_any(user_ids))
        .order(shop_bills::id)
        .select(Bill::as_select())
        .load(conn)
}

/// Whether the user is still there (built here for both connection kinds).
#[dsl::auto_type(no_type_alias)]
pub(super) fn user_row_exists(id: i64) -> _ {
    dsl::select(dsl::exists(shop_users::table.find(id)))
}

pub fn user_exists(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
    user_row_exists(id).get_result(conn)
}

/// Products on sale (not deleted), by id.
pub fn list_products(conn: &mut PgConnection, limit: i64, offset: i64) -> QueryResult<Vec<Product>> {
    shop_products::table
        .filter(shop_products::deleted_at.is_null())
        .order(shop_products::id)
        .limit(limit)
        .offset(offset)
        .select(Product::as_select())
        .load(conn)
}

pub fn insert_product(conn: &mut PgConnection, product: &ProductChanges) -> QueryResult<Product> {
    diesel::insert_into(shop_products::table)
        .values(product)
        .returning(Product::as_returning())
        .get_result(conn)
}

/// Replaces a product on sale; `None` when it does not exist or is deleted.
pub fn update_product(
    conn: &mut PgConnection,
    id: i64,
    product: &ProductChanges,
) -> QueryResult<Option<Product>> {
    diesel::update(shop_products::table.find(id).filter(shop_products::deleted_at.is_null()))
        .set((product, shop_products::updated_at.eq(diesel::dsl::now)))
        .returning(Product::as_returning())
        .get_result(conn)
        .optional()
}

/// Soft-deletes a product: it leaves the list and cannot be bought, and past
/// purchases keep pointing at it. False when it was not on sale.
pub fn delete_product(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
    diesel::update(shop_products::table.find(id).filter(shop_products::deleted_at.is_null()))
        .set(shop_products::deleted_at.eq(diesel::dsl::now))
        .execute(conn)
        .map(|n| n > 0)
}
