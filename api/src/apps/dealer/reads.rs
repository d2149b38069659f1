//! /dealer's hot GET reads, on the async read pool (see `db/reads.rs`).

use diesel::{QueryDsl, QueryResult, SelectableHelper};
use diesel_async::RunQueryDsl;

use super::models::{Auto, caller_exists, user_row_exists};
use crate::{db::reads::ReadConn, schema::dealer_autos};

/// Whether the user is still there (`models::user_exists` on a read connection).
pub async fn user_exists(conn: &mut ReadConn, id: i64) -> QueryResult<bool> {
    user_row_exists(id).get_result(conn).await
}

/// The shared stock as the caller sees it: empty when the caller is gone.
pub async fn list_autos(conn: &mut ReadConn, user_id: i64, limit: i64, offset: i64) -> QueryResult<Vec<Auto>> {
    dealer_autos::table
        .filter(caller_exists(user_id))
        .order(dealer_autos::id)
        .limit(limit)
        .offset(offset)
        .select(Auto::as_select())
        .load(conn)
        .await
}

pub async fn any_autos(conn: &mut ReadConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(dealer_autos::table.select(dealer_autos::id))).get_result(conn).await
}
