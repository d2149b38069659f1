//! /shop's hot GET reads, on the async read pool (see `db/reads.rs`).

use diesel::{BoolExpressionMethods, ExpressionMethods, QueryDsl, QueryResult, SelectableHelper, dsl};
use diesel_async::RunQueryDsl;

use super::models::{Bill, Product, user_row_exists};
use crate::{
    db::reads::ReadConn,
    schema::{shop_bills, shop_products, shop_users},
};

/// Whether the user is still there (`models::user_exists` on a read connection).
pub async fn user_exists(conn: &mut ReadConn, id: i64) -> QueryResult<bool> {
    user_row_exists(id).get_result(conn).await
}

/// The catalogue as `user_id` sees it: empty when that user is gone (the
/// catalogue is shared, so no row of it proves the caller exists).
pub async fn list_products_for(
    conn: &mut ReadConn,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Product>> {
    shop_products::table
        .filter(shop_products::deleted_at.is_null().and(dsl::exists(shop_users::table.find(user_id))))
        .order(shop_products::id)
        .limit(limit)
        .offset(offset)
        .select(Product::as_select())
        .load(conn)
        .await
}

/// The user's bills, by id.
pub async fn list_bills(conn: &mut ReadConn, user_id: i64, limit: i64, offset: i64) -> QueryResult<Vec<Bill>> {
    shop_bills::table
        .filter(shop_bills::user_id.eq(user_id))
        .order(shop_bills::id)
        .limit(limit)
        .offset(offset)
        .select(Bill::as_select())
        .load(conn)
        .await
}
