//! /dealer rows and queries (no HTTP types here). Autos are one shared stock.

use diesel::prelude::*;

use crate::schema::{dealer_autos, dealer_users};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = dealer_users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: i64,
    pub password_hash: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = dealer_autos, check_for_backend(diesel::pg::Pg))]
pub struct Auto {
    pub mark: String,
    pub max_speed: i32,
    pub distance: i32,
    pub handler: String,
    pub stock: String,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = dealer_autos)]
pub struct AutoChanges {
    pub max_speed: i32,
    pub distance: i32,
    pub handler: String,
    pub stock: String,
}

pub const USERNAME_TAKEN: &str = "dealer_users_username_key";
pub const MARK_TAKEN: &str = "dealer_autos_mark_key";

pub fn insert_user(conn: &mut PgConnection, username: &str, password_hash: &str) -> QueryResult<i64> {
    diesel::insert_into(dealer_users::table)
        .values((dealer_users::username.eq(username), dealer_users::password_hash.eq(password_hash)))
        .returning(dealer_users::id)
        .get_result(conn)
}

pub fn find_user(conn: &mut PgConnection, username: &str) -> QueryResult<Option<User>> {
    dealer_users::table
        .filter(dealer_users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn user_exists(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
    user_row_exists(id).get_result(conn)
}

/// Whether the user is still there (built here for both connection kinds).
#[diesel::dsl::auto_type(no_type_alias)]
pub(super) fn user_row_exists(id: i64) -> _ {
    let exists: CallerExists = caller_exists(id);
    diesel::dsl::select(exists)
}

/// The stock is shared, so no row of it proves the caller exists: every
/// statement below carries this condition, and a token that outlived its
/// user reads and changes nothing (the caller then tells 401 from 404).
type CallerExists = diesel::dsl::exists<diesel::dsl::Find<dealer_users::table, i64>>;

pub(super) fn caller_exists(user_id: i64) -> CallerExists {
    diesel::dsl::exists(dealer_users::table.find(user_id))
}

/// False when the caller is gone (nothing inserted).
pub fn insert_auto(
    conn: &mut PgConnection,
    user_id: i64,
    mark: &str,
    auto: &AutoChanges,
) -> QueryResult<bool> {
    use diesel::sql_types::{Integer, Text};
    let values = dealer_users::table.find(user_id).select((
        mark.into_sql::<Text>(),
        auto.max_speed.into_sql::<Integer>(),
        auto.distance.into_sql::<Integer>(),
        auto.handler.as_str().into_sql::<Text>(),
        auto.stock.as_str().into_sql::<Text>(),
    ));
    diesel::insert_into(dealer_autos::table)
        .values(values)
        .into_columns((
            dealer_autos::mark,
            dealer_autos::max_speed,
            dealer_autos::distance,
            dealer_autos::handler,
            dealer_autos::stock,
        ))
        .execute(conn)
        .map(|n| n == 1)
}

pub fn find_auto(conn: &mut PgConnection, user_id: i64, mark: &str) -> QueryResult<Option<Auto>> {
    dealer_autos::table
        .filter(dealer_autos::mark.eq(mark).and(caller_exists(user_id)))
        .select(Auto::as_select())
        .first(conn)
        .optional()
}

pub fn update_auto(
    conn: &mut PgConnection,
    user_id: i64,
    mark: &str,
    auto: &AutoChanges,
) -> QueryResult<bool> {
    diesel::update(dealer_autos::table.filter(dealer_autos::mark.eq(mark).and(caller_exists(user_id))))
        .set((auto, dealer_autos::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .map(|n| n > 0)
}

pub fn delete_auto(conn: &mut PgConnection, user_id: i64, mark: &str) -> QueryResult<bool> {
    diesel::delete(dealer_autos::table.filter(dealer_autos::mark.eq(mark).and(caller_exists(user_id))))
        .execute(conn)
        .map(|n| n > 0)
}
