//! /ar's hot GET reads, on the async read pool (see `db/reads.rs`).

use diesel::{BoolExpressionMethods, ExpressionMethods, QueryDsl, QueryResult, SelectableHelper};
use diesel_async::RunQueryDsl;

use super::models::{Project, user_row_exists};
use crate::{db::reads::ReadConn, schema::ar_projects};

/// Whether the user is still there (`models::user_login` on a read connection).
pub async fn user_exists(conn: &mut ReadConn, id: i64) -> QueryResult<bool> {
    user_row_exists(id).get_result(conn).await
}

/// The owner's live projects, by id.
pub async fn list_projects(
    conn: &mut ReadConn,
    owner: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Project>> {
    ar_projects::table
        .filter(ar_projects::owner_id.eq(owner).and(ar_projects::deleted_at.is_null()))
        .order(ar_projects::id)
        .limit(limit)
        .offset(offset)
        .select(Project::as_select())
        .load(conn)
        .await
}
