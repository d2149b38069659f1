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

pub fn insert_auto(conn: &mut PgConnection, mark: &str, auto: &AutoChanges) -> QueryResult<()> {
    diesel::insert_into(dealer_autos::table)
        .values((dealer_autos::mark.eq(mark), auto))
        .execute(conn)
        .map(drop)
}

pub fn find_auto(conn: &mut PgConnection, mark: &str) -> QueryResult<Option<Auto>> {
    dealer_autos::table.filter(dealer_autos::mark.eq(mark)).select(Auto::as_select()).first(conn).optional()
}

pub fn list_autos(conn: &mut PgConnection, limit: i64, offset: i64) -> QueryResult<Vec<Auto>> {
    dealer_autos::table
        .order(dealer_autos::id)
        .limit(limit)
        .offset(offset)
        .select(Auto::as_select())
        .load(conn)
}

pub fn any_autos(conn: &mut PgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(dealer_autos::table.select(dealer_autos::id))).get_result(conn)
}

pub fn update_auto(conn: &mut PgConnection, mark: &str, auto: &AutoChanges) -> QueryResult<bool> {
    diesel::update(dealer_autos::table.filter(dealer_autos::mark.eq(mark)))
        .set((auto, dealer_autos::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .map(|n| n > 0)
}

pub fn delete_auto(conn: &mut PgConnection, mark: &str) -> QueryResult<bool> {
    diesel::delete(dealer_autos::table.filter(dealer_autos::mark.eq(mark))).execute(conn).map(|n| n > 0)
}
