//! /exchange's hot GET reads, on the async read pool (see `db/reads.rs`).

use diesel::{ExpressionMethods, QueryDsl, QueryResult, SelectableHelper};
use diesel_async::RunQueryDsl;

use super::models::{Item, user_row_exists};
use crate::{db::reads::ReadConn, schema::exchange_items};

/// Whether the user is still there (`models::user_exists` on a read connection).
pub async fn user_exists(conn: &mut ReadConn, id: i64) -> QueryResult<bool> {
    user_row_exists(id).get_result(conn).await
}

/// The owner's items, by id.
pub async fn list_items(conn: &mut ReadConn, owner_id: i64, limit: i64, offset: i64) -> QueryResult<Vec<Item>> {
    exchange_items::table
        .filter(exchange_items::owner_id.eq(owner_id))
        .order(exchange_items::id)
        .limit(limit)
        .offset(offset)
        .select(Item::as_select())
        .load(conn)
        .await
}
