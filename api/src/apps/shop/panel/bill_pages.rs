//! /shop bills: every bill with its owner and balance, and one bill's
//! credits (webhook transactions) and purchases. Read-only: money moves only
//! through the webhook and purchases.

use axum::{
    extract::{Path, Query, State},
    response::IntoResponse,
};
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use maud::html;

use crate::admin::{
    error::{PageResult, not_found},
    layout,
    listing::{ListQuery, split_page},
    session::Admin,
};
use crate::{
    schema::{shop_bills, shop_products, shop_purchases, shop_transactions, shop_users},
    state::AppState,
};

const PATH: &str = "/admin/shop/bills";

type BillRow = (i64, i64, String, BigDecimal, DateTime<Utc>);
type CreditRow = (i64, i64, BigDecimal, BigDecimal, DateTime<Utc>);
type PurchaseRow = (i64, i64, String, BigDecimal, DateTime<Utc>);

fn bills(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<Vec<BillRow>> {
    let mut query = shop_bills::table
        .inner_join(shop_users::table)
        .select((
            shop_bills::id,
            shop_users::id,
            shop_users::login,
            shop_bills::balance,
            shop_bills::created_at,
        ))
        .order(shop_bills::id)
        .into_boxed();
    let text = q.q();
    if let Some(user) = text.strip_prefix("user:").and_then(|u| u.trim().parse::<i64>().ok()) {
        query = query.filter(shop_bills::user_id.eq(user));
    } else if !text.is_empty() {
        let by_login = shop_users::login.ilike(q.pattern());
        query = match q.id() {
            Some(id) => query.filter(by_login.or(shop_bills::id.eq(id))),
            None => query.filter(by_login),
        };
    }
    query.limit(q.fetch()).offset(q.offset()).load(conn)
}

/// Every bill.
pub async fn list(State(state): State<AppState>, admin: Admin, Query(q): Query<ListQuery>) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let mut rows = state.db(move |conn| Ok(bills(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let rows = rows
        .iter()
        .map(|(id, user_id, login, balance, created)| {
            html! { tr {
                td.num { a href={ (PATH) "/" (id) } { (id) } }
                td { (login) " " span.muted { "#" (user_id) } }
                td.num { (layout::money(balance)) } td { (layout::time(*created)) }
                td.actions { a href={ (PATH) "/" (id) } { "Transactions and purchases" } }
            } }
        })
        .collect();
    let body = html! {
        (layout::listing(PATH, &text, "Bill id, login, or user:ID", &["Bill", "Owner", "Balance", "Opened", ""], rows, page, more))
    };
    Ok(layout::page(&admin, PATH, "/shop bills", None, body).into_response())
}

type BillDetail = (BillRow, Vec<CreditRow>, Vec<PurchaseRow>);

fn detail(conn: &mut PgConnection, id: i64) -> QueryResult<Option<BillDetail>> {
    let Some(bill) = shop_bills::table
        .inner_join(shop_users::table)
        .filter(shop_bills::id.eq(id))
        .select((
            shop_bills::id,
            shop_users::id,
            shop_users::login,
            shop_bills::balance,
            shop_bills::created_at,
        ))
        .first::<BillRow>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let credits = shop_transactions::table
        .filter(shop_transactions::bill_id.eq(id))
        .order(shop_transactions::id)
        .select((
            shop_transactions::id,
            shop_transactions::transaction_id,
            shop_transactions::amount,
            shop_transactions::balance_after,
            shop_transactions::created_at,
        ))
        .load(conn)?;
    let purchases = shop_purchases::table
        .inner_join(shop_products::table)
        .filter(shop_purchases::bill_id.eq(id))
        .order(shop_purchases::id)
        .select((
            shop_purchases::id,
            shop_products::id,
            shop_products::title,
            shop_purchases::price,
            shop_purchases::created_at,
        ))
        .load(conn)?;
    Ok(Some((bill, credits, purchases)))
}

/// One bill with its credits and purchases.
pub async fn show(State(state): State<AppState>, admin: Admin, Path(id): Path<i64>) -> PageResult {
    let (bill, credits, purchases) =
        state.db(move |conn| Ok(detail(conn, id)?)).await?.ok_or_else(|| not_found("bill"))?;
    let (_, user_id, login, balance, created) = bill;
    let credits = credits
        .iter()
        .map(|(id, tx, amount, after, at)| {
            html! { tr { td.num { (id) } td.num { (tx) } td.num { "+" (layout::money(amount)) }
            td.num { (layout::money(after)) } td { (layout::time(*at)) } } }
        })
        .collect();
    let purchases = purchases
        .iter()
        .map(|(id, product_id, title, price, at)| {
            html! { tr { td.num { (id) } td { (title) " " span.muted { "#" (product_id) } }
            td.num { "−" (layout::money(price)) } td { (layout::time(*at)) } } }
        })
        .collect();
    let body = html! {
        section.card {
            p { "Owner: " a href={ "/admin/shop/users?q=" (user_id) } { (login) } " · Balance: " strong { (layout::money(&balance)) }
                " · Opened " (layout::time(created)) }
        }
        div.split {
            section { h2 { "Credits (payment webhook)" }
                (layout::plain_table(&["Id", "Transaction", "Amount", "Balance after", "At"], credits)) }
            section { h2 { "Purchases" }
                (layout::plain_table(&["Id", "Product", "Price", "At"], purchases)) }
        }
    };
    Ok(layout::page(&admin, PATH, &format!("Bill #{id}"), None, body).into_response())
}
