//! /exchange pending transfers: links that would still move their item (not
//! used, not superseded, not expired, the item still the sender's). Their
//! codes are never shown: only their SHA-256 is stored, and the page does not
//! even read that column.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::IntoResponse,
};
use chrono::{DateTime, Utc};
use diesel::{dsl::now, prelude::*};
use maud::html;

use crate::admin::{
    error::PageResult,
    layout,
    listing::{ListQuery, split_page},
    session::Admin,
};
use crate::{
    schema::{exchange_items as items, exchange_transfers as t, exchange_users as users},
    state::AppState,
};

pub const PATH: &str = "/admin/exchange/transfers";

/// (link id, item id, item name, sender, recipient, sent, expires).
type TransferRow = (i64, i64, String, i64, i64, DateTime<Utc>, DateTime<Utc>);

/// How many links could still be followed: unused, not superseded, not
/// expired, and their item still with the sender (the rule the page lists by).
pub fn count_pending(conn: &mut PgConnection) -> QueryResult<i64> {
    t::table
        .inner_join(items::table)
        .filter(t::used_at.is_null().and(t::superseded_at.is_null()).and(t::expires_at.gt(now)))
        .filter(items::owner_id.eq(t::sender_id))
        .select(diesel::dsl::count_star())
        .get_result(conn)
}

fn pending(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<(Vec<TransferRow>, HashMap<i64, String>)> {
    let mut query = t::table
        .inner_join(items::table)
        .filter(t::used_at.is_null().and(t::superseded_at.is_null()).and(t::expires_at.gt(now)))
        .filter(items::owner_id.eq(t::sender_id))
        .select((t::id, items::id, items::name, t::sender_id, t::recipient_id, t::created_at, t::expires_at))
        .order(t::id)
        .into_boxed();
    if let Some(user) = q.scoped("user") {
        query = query.filter(t::sender_id.eq(user).or(t::recipient_id.eq(user)));
    } else if !q.q().is_empty() {
        let named = || users::table.filter(users::login.ilike(q.pattern())).select(users::id);
        let by_text = items::name
            .ilike(q.pattern())
            .or(t::sender_id.eq_any(named()))
            .or(t::recipient_id.eq_any(named()));
        query = match q.id() {
            Some(id) => query.filter(by_text.or(t::id.eq(id)).or(items::id.eq(id))),
            None => query.filter(by_text),
        };
    }
    let rows: Vec<TransferRow> = query.limit(q.fetch()).offset(q.offset()).load(conn)?;
    let ids: Vec<i64> = rows.iter().flat_map(|r| [r.3, r.4]).collect();
    let logins = users::table.filter(users::id.eq_any(ids)).select((users::id, users::login)).load(conn)?;
    Ok((rows, logins.into_iter().collect()))
}

/// Pending transfer links (`user:ID` shows those a user sent or may follow).
pub async fn list(State(state): State<AppState>, admin: Admin, Query(q): Query<ListQuery>) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let (mut rows, logins) = state.db(move |conn| Ok(pending(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let user = |id: &i64| {
        html! {
            a href={ "/admin/exchange/users?q=" (id) } { (logins.get(id).map_or("?", String::as_str)) }
            " " span.muted { "#" (id) }
        }
    };
    let rows = rows
        .iter()
        .map(|(id, item, name, from, to, sent, expires)| {
            html! { tr {
                td.num { (id) } td { (name) " " span.muted { "#" (item) } }
                td { (user(from)) } td { (user(to)) }
                td { (layout::time(*sent)) } td { (layout::time(*expires)) }
            } }
        })
        .collect();
    let headers = ["Link", "Item", "From", "To", "Sent", "Expires"];
    let body = html! {
        p.muted { "Links that would still move their item. Their codes are stored hashed and never shown." }
        (layout::listing(PATH, &text, "Item, login, id, or user:ID", &headers, rows, page, more))
    };
    Ok(layout::page(&admin, PATH, "/exchange pending transfers", None, body).into_response())
}
