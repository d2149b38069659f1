//! /exchange pages: the routes of every /exchange page, users (with how many
//! items each owns) and items (with their owner). Read-only: items change
//! hands only through the recipient's link, and /exchange's contract has no
//! way to disable a user (see the README's notes).

use std::collections::HashMap;

use axum::{
    Router,
    extract::{Query, State},
    response::IntoResponse,
    routing::get,
};
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
    schema::{exchange_items, exchange_users},
    state::AppState,
};

mod transfers;

const USERS: &str = "/admin/exchange/users";
const ITEMS: &str = "/admin/exchange/items";

/// The sidebar entries.
pub const NAV: &[(&str, &str)] =
    &[("Users", USERS), ("Items", ITEMS), ("Pending transfers", transfers::PATH)];

/// The dashboard's figures.
pub fn tiles(conn: &mut PgConnection) -> QueryResult<Vec<Tile>> {
    Ok(vec![
        Tile::new("users", exchange_users::table.select(count_star()).get_result(conn)?, USERS),
        Tile::new("items", exchange_items::table.select(count_star()).get_result(conn)?, ITEMS),
        Tile::new("pending transfers", transfers::count_pending(conn)?, transfers::PATH),
    ])
}

/// The pages, under `/admin/exchange`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users))
        .route("/items", get(list_items))
        .route("/transfers", get(transfers::list))
}

type UserRow = (i64, String, DateTime<Utc>);
type ItemRow = (i64, String, i64, String, DateTime<Utc>);

fn users(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<(Vec<UserRow>, HashMap<i64, i64>)> {
    let mut query = exchange_users::table
        .select((exchange_users::id, exchange_users::login, exchange_users::created_at))
        .order(exchange_users::id)
        .into_boxed();
    if !q.q().is_empty() {
        let by_login = exchange_users::login.ilike(q.pattern());
        query = match q.id() {
            Some(id) => query.filter(by_login.or(exchange_users::id.eq(id))),
            None => query.filter(by_login),
        };
    }
    let rows: Vec<UserRow> = query.limit(q.fetch()).offset(q.offset()).load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let counts = exchange_items::table
        .filter(exchange_items::owner_id.eq_any(ids))
        .group_by(exchange_items::owner_id)
        .select((exchange_items::owner_id, count_star()))
        .load::<(i64, i64)>(conn)?;
    Ok((rows, counts.into_iter().collect()))
}

/// /exchange users, with how many items each owns.
pub async fn list_users(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let (mut rows, counts) = state.db(move |conn| Ok(users(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let rows = rows
        .iter()
        .map(|(id, login, created)| {
            html! { tr {
                td.num { (id) } td { (login) } td { (layout::time(*created)) }
                td.num { a href={ (ITEMS) "?q=user:" (id) } { (counts.get(id).copied().unwrap_or(0)) } }
                td.actions { a href={ "/admin/exchange/transfers?q=user:" (id) } { "Pending transfers" } }
            } }
        })
        .collect();
    let body = html! {
        (layout::listing(USERS, &text, "Login or id", &["Id", "Login", "Registered", "Items", ""], rows, page, more))
    };
    Ok(layout::page(&admin, USERS, "/exchange users", None, body).into_response())
}

fn items(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<Vec<ItemRow>> {
    let mut query = exchange_items::table
        .inner_join(exchange_users::table)
        .select((
            exchange_items::id,
            exchange_items::name,
            exchange_users::id,
            exchange_users::login,
            exchange_items::created_at,
        ))
        .order(exchange_items::id)
        .into_boxed();
    if let Some(user) = q.scoped("user") {
        query = query.filter(exchange_items::owner_id.eq(user));
    } else if !q.q().is_empty() {
        let by_text = exchange_items::name.ilike(q.pattern()).or(exchange_users::login.ilike(q.pattern()));
        query = match q.id() {
            Some(id) => query.filter(by_text.or(exchange_items::id.eq(id))),
            None => query.filter(by_text),
        };
    }
    query.limit(q.fetch()).offset(q.offset()).load(conn)
}

/// /exchange items with their owners (`user:ID` in the search shows one user's).
pub async fn list_items(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let mut rows = state.db(move |conn| Ok(items(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let rows = rows
        .iter()
        .map(|(id, name, owner_id, owner, created)| {
            html! { tr {
                td.num { (id) } td { (name) }
                td { a href={ (USERS) "?q=" (owner_id) } { (owner) } " " span.muted { "#" (owner_id) } }
                td { (layout::time(*created)) }
            } }
        })
        .collect();
    let body = html! {
        (layout::listing(ITEMS, &text, "Name, owner's login, id, or user:ID", &["Id", "Name", "Owner", "Created"], rows, page, more))
    };
    Ok(layout::page(&admin, ITEMS, "/exchange items", None, body).into_response())
}
