//! /todo pages: users (with how many tasks each has) and tasks. Read-only:
//! /todo's contract has no way to disable a user (see the README's notes).

use std::collections::HashMap;

use axum::{Router, extract::State, response::IntoResponse, routing::get};
use chrono::{DateTime, Utc};
use diesel::{dsl::count_star, prelude::*};
use maud::html;

use crate::admin::{
    error::PageResult,
    layout,
    listing::{ListQuery, split_page},
    session::Admin,
};
use crate::{
    registry::Tile,
    schema::{todo_tasks, todo_users},
    state::AppState,
};

/// The sidebar entries.
pub const NAV: &[(&str, &str)] = &[("Users", "/admin/todo/users"), ("Tasks", "/admin/todo/tasks")];

/// The pages, under `/admin/todo`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/users", get(list_users)).route("/tasks", get(list_tasks))
}

/// The dashboard's figures.
pub fn tiles(conn: &mut PgConnection) -> QueryResult<Vec<Tile>> {
    Ok(vec![
        Tile::new("users", todo_users::table.select(count_star()).get_result(conn)?, NAV[0].1),
        Tile::new("tasks", todo_tasks::table.select(count_star()).get_result(conn)?, NAV[1].1),
    ])
}

type UserRow = (i64, String, DateTime<Utc>);
type TaskRow = (i64, String, String, bool, DateTime<Utc>);

fn users(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<(Vec<UserRow>, HashMap<i64, i64>)> {
    let mut query = todo_users::table
        .select((todo_users::id, todo_users::username, todo_users::created_at))
        .order(todo_users::id)
        .into_boxed();
    if !q.q().is_empty() {
        let by_name = todo_users::username.ilike(q.pattern());
        query = match q.id() {
            Some(id) => query.filter(by_name.or(todo_users::id.eq(id))),
            None => query.filter(by_name),
        };
    }
    let rows: Vec<UserRow> = query.limit(q.fetch()).offset(q.offset()).load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let counts = todo_tasks::table
        .filter(todo_tasks::user_id.eq_any(ids))
        .group_by(todo_tasks::user_id)
        .select((todo_tasks::user_id, count_star()))
        .load::<(i64, i64)>(conn)?;
    Ok((rows, counts.into_iter().collect()))
}

/// /todo users.
pub async fn list_users(
    State(state): State<AppState>,
    admin: Admin,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> PageResult {
    let (search, page) = (q.q(), q.page());
    let (mut rows, counts) = state.db(move |conn| Ok(users(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let path = "/admin/todo/users";
    let rows = rows
        .iter()
        .map(|(id, name, created)| {
            html! { tr {
                td.num { (id) } td { (name) } td { (layout::time(*created)) }
                td.num { a href={ "/admin/todo/tasks?q=user:" (id) } { (counts.get(id).copied().unwrap_or(0)) } }
            } }
        })
        .collect();
    let body = html! {
        (layout::listing(path, &search, "Username or id", &["Id", "Username", "Registered", "Tasks"], rows, page, more))
    };
    Ok(layout::page(&admin, path, "/todo users", None, body).into_response())
}

fn tasks(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<Vec<TaskRow>> {
    let mut query = todo_tasks::table
        .inner_join(todo_users::table)
        .select((
            todo_tasks::id,
            todo_users::username,
            todo_tasks::title,
            todo_tasks::completed,
            todo_tasks::created_at,
        ))
        .order(todo_tasks::id)
        .into_boxed();
    let search = q.q();
    if let Some(user) = search.strip_prefix("user:").and_then(|u| u.trim().parse::<i64>().ok()) {
        query = query.filter(todo_tasks::user_id.eq(user));
    } else if !search.is_empty() {
        query =
            query.filter(todo_tasks::title.ilike(q.pattern()).or(todo_users::username.ilike(q.pattern())));
    }
    query.limit(q.fetch()).offset(q.offset()).load(conn)
}

/// /todo tasks (`user:ID` in the search shows one user's).
pub async fn list_tasks(
    State(state): State<AppState>,
    admin: Admin,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> PageResult {
    let (search, page) = (q.q(), q.page());
    let mut rows = state.db(move |conn| Ok(tasks(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let path = "/admin/todo/tasks";
    let rows = rows
        .iter()
        .map(|(id, user, title, done, created)| {
            html! { tr {
                td.num { (id) } td { (user) } td { (title) }
                td { (layout::badge(*done, "done", "open")) } td { (layout::time(*created)) }
            } }
        })
        .collect();
    let body = html! {
        (layout::listing(path, &search, "Title, username, or user:ID", &["Id", "User", "Title", "State", "Created"], rows, page, more))
    };
    Ok(layout::page(&admin, path, "/todo tasks", None, body).into_response())
}
