//! /dealer pages: the routes, users and the stock of autos. Read-only: the
//! stock is one shared list any dealer edits through the API, and /dealer's
//! contract has no way to disable a user (see the README's notes).

use axum::{
    Router,
    extract::{Query, State},
    response::IntoResponse,
    routing::get,
};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use maud::html;

use crate::admin::{
    error::PageResult,
    layout,
    listing::{ListQuery, split_page},
    session::Admin,
};
use crate::{
    registry::Tile,
    schema::{dealer_autos as autos, dealer_users as users},
    state::AppState,
};

const USERS: &str = "/admin/dealer/users";
const AUTOS: &str = "/admin/dealer/autos";

/// The sidebar entries.
pub const NAV: &[(&str, &str)] = &[("Users", "/admin/dealer/users"), ("Autos", "/admin/dealer/autos")];

/// The pages, under `/admin/dealer`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/users", get(list_users)).route("/autos", get(list_autos))
}

/// The dashboard's figures.
pub fn tiles(conn: &mut PgConnection) -> QueryResult<Vec<Tile>> {
    use diesel::dsl::count_star;
    Ok(vec![
        Tile::new("users", users::table.select(count_star()).get_result(conn)?, NAV[0].1),
        Tile::new("autos", autos::table.select(count_star()).get_result(conn)?, NAV[1].1),
    ])
}

type UserRow = (i64, String, DateTime<Utc>);
type AutoRow = (i64, String, i32, i32, String, String, DateTime<Utc>);

fn find_users(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<Vec<UserRow>> {
    let mut query =
        users::table.select((users::id, users::username, users::created_at)).order(users::id).into_boxed();
    if !q.q().is_empty() {
        let by_name = users::username.ilike(q.pattern());
        query = match q.id() {
            Some(id) => query.filter(by_name.or(users::id.eq(id))),
            None => query.filter(by_name),
        };
    }
    query.limit(q.fetch()).offset(q.offset()).load(conn)
}

/// /dealer users.
pub async fn list_users(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let mut rows = state.db(move |conn| Ok(find_users(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let rows = rows
        .iter()
        .map(|(id, name, created)| html! { tr { td.num { (id) } td { (name) } td { (layout::time(*created)) } } })
        .collect();
    let body = html! {
        (layout::listing(USERS, &text, "Username or id", &["Id", "Username", "Registered"], rows, page, more))
    };
    Ok(layout::page(&admin, USERS, "/dealer users", None, body).into_response())
}

fn find_autos(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<Vec<AutoRow>> {
    let mut query = autos::table
        .select((
            autos::id,
            autos::mark,
            autos::max_speed,
            autos::distance,
            autos::handler,
            autos::stock,
            autos::updated_at,
        ))
        .order(autos::id)
        .into_boxed();
    if !q.q().is_empty() {
        let p = q.pattern();
        let by_text =
            autos::mark.ilike(p.clone()).or(autos::handler.ilike(p.clone())).or(autos::stock.ilike(p));
        query = match q.id() {
            Some(id) => query.filter(by_text.or(autos::id.eq(id))),
            None => query.filter(by_text),
        };
    }
    query.limit(q.fetch()).offset(q.offset()).load(conn)
}

/// The /dealer stock.
pub async fn list_autos(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let mut rows = state.db(move |conn| Ok(find_autos(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let rows = rows
        .iter()
        .map(|(id, mark, speed, distance, handler, stock, updated)| {
            html! { tr {
                td.num { (id) } td { strong { (mark) } } td.num { (speed) } td.num { (distance) }
                td { (handler) } td { (stock) } td { (layout::time(*updated)) }
            } }
        })
        .collect();
    let headers = ["Id", "Mark", "Max speed", "Distance", "Handler", "Stock", "Updated"];
    let body = html! {
        (layout::listing(AUTOS, &text, "Mark, handler, stock or id", &headers, rows, page, more))
    };
    Ok(layout::page(&admin, AUTOS, "/dealer autos", None, body).into_response())
}
