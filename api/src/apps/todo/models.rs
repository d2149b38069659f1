//! /todo rows and queries (no HTTP types here).

use chrono::{DateTime, Utc};
use diesel::{dsl, prelude::*};

use crate::schema::{todo_tasks, todo_users};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = todo_users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: i64,
    pub password_hash: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = todo_tasks, check_for_backend(diesel::pg::Pg))]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = todo_tasks, treat_none_as_null = true)]
pub struct TaskChanges {
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
}

pub const USERNAME_TAKEN: &str = "todo_users_username_key";
/// Violated by a task for a user deleted since the token was issued.
pub const TASK_OWNER: &str = "todo_tasks_user_id_fkey";

pub fn insert_user(conn: &mut PgConnection, username: &str, password_hash: &str) -> QueryResult<i64> {
    diesel::insert_into(todo_users::table)
        .values((todo_users::username.eq(username), todo_users::password_hash.eq(password_hash)))
        .returning(todo_users::id)
        .get_result(conn)
}

pub fn find_user(conn: &mut PgConnection, username: &str) -> QueryResult<Option<User>> {
    todo_users::table
        .filter(todo_users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Whether the user is still there (built here for both connection kinds).
#[dsl::auto_type(no_type_alias)]
pub(super) fn user_row_exists(id: i64) -> _ {
    dsl::select(dsl::exists(todo_users::table.find(id)))
}

pub fn user_exists(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
    user_row_exists(id).get_result(conn)
}

pub fn insert_task(conn: &mut PgConnection, user_id: i64, task: &TaskChanges) -> QueryResult<Task> {
    diesel::insert_into(todo_tasks::table)
        .values((todo_tasks::user_id.eq(user_id), task))
        .returning(Task::as_returning())
        .get_result(conn)
}

pub fn update_task(
    conn: &mut PgConnection,
    user_id: i64,
    id: i64,
    task: &TaskChanges,
) -> QueryResult<Option<Task>> {
    diesel::update(todo_tasks::table.filter(todo_tasks::id.eq(id).and(todo_tasks::user_id.eq(user_id))))
        .set((task, todo_tasks::updated_at.eq(diesel::dsl::now)))
        .returning(Task::as_returning())
        .get_result(conn)
        .optional()
}

pub fn delete_task(conn: &mut PgConnection, user_id: i64, id: i64) -> QueryResult<bool> {
    diesel::delete(todo_tasks::table.filter(todo_tasks::id.eq(id).and(todo_tasks::user_id.eq(user_id))))
        .execute(conn)
        .map(|n| n > 0)
}
