//! /todo's hot GET reads, on the async read pool (see `db/reads.rs`).

use diesel::{BoolExpressionMethods, ExpressionMethods, OptionalExtension, QueryDsl, QueryResult, SelectableHelper};
use diesel_async::RunQueryDsl;

use super::models::{Task, user_row_exists};
use crate::{db::reads::ReadConn, schema::todo_tasks};

/// Whether the user is still there (`models::user_exists` on a read connection).
pub async fn user_exists(conn: &mut ReadConn, id: i64) -> QueryResult<bool> {
    user_row_exists(id).get_result(conn).await
}

/// A user's tasks with ids above `after_id` (0: all), by id. One statement
/// whatever the page (prepared once per connection); the index on
/// `(user_id, id)` starts at `after_id` instead of reading the rows before it.
pub async fn list_tasks(
    conn: &mut ReadConn,
    user_id: i64,
    after_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<Task>> {
    todo_tasks::table
        .filter(todo_tasks::user_id.eq(user_id).and(todo_tasks::id.gt(after_id)))
        .order(todo_tasks::id)
        .limit(limit)
        .offset(offset)
        .select(Task::as_select())
        .load(conn)
        .await
}

pub async fn find_task(conn: &mut ReadConn, user_id: i64, id: i64) -> QueryResult<Option<Task>> {
    todo_tasks::table
        .filter(todo_tasks::id.eq(id).and(todo_tasks::user_id.eq(user_id)))
        .select(Task::as_select())
        .first(conn)
        .await
        .optional()
}
