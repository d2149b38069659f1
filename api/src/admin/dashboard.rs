//! The dashboard: how many rows each app holds (live ones: soft-deleted rows,
//! dead links and tokens the API refuses are left out), and the last purge run.

use axum::{extract::State, response::IntoResponse};
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::{
    dsl::{count_star, now},
    prelude::*,
};
use maud::html;

use super::{
    error::PageResult,
    layout,
    session::{self, Admin},
};
use crate::{schema::*, state::AppState};

/// One tile: the app, what is counted, the figure, where to see the rows.
struct Tile {
    app: &'static str,
    label: &'static str,
    value: String,
    href: &'static str,
}

struct LastPurge {
    started_at: DateTime<Utc>,
    removed: serde_json::Value,
}

/// `SELECT count(*)` of a query, as text.
macro_rules! count {
    ($conn:expr, $query:expr) => {
        $query.select(count_star()).get_result::<i64>($conn)?.to_string()
    };
}

fn tiles(conn: &mut PgConnection) -> QueryResult<Vec<Tile>> {
    let tile = |app, label, value, href| Tile { app, label, value, href };
    let balance: Option<BigDecimal> =
        shop_bills::table.select(diesel::dsl::sum(shop_bills::balance)).get_result(conn)?;
    let balance = super::layout::money(&balance.unwrap_or_default());
    let products = shop_products::table.filter(shop_products::deleted_at.is_null());
    let pending = exchange_transfers::table
        .inner_join(exchange_items::table)
        .filter(exchange_transfers::used_at.is_null().and(exchange_transfers::superseded_at.is_null()))
        .filter(
            exchange_transfers::expires_at
                .gt(now)
                .and(exchange_items::owner_id.eq(exchange_transfers::sender_id)),
        );
    let projects = ar_projects::table.filter(ar_projects::deleted_at.is_null());
    let targets = ar_image_targets::table.filter(ar_image_targets::deleted_at.is_null());
    // What the API accepts: not revoked, not expired, project not deleted.
    let live_tokens = ar_app_tokens::table
        .inner_join(ar_projects::table)
        .filter(ar_app_tokens::revoked_at.is_null().and(ar_app_tokens::expires_at.gt(now)))
        .filter(ar_projects::deleted_at.is_null());
    Ok(vec![
        tile("/todo", "users", count!(conn, todo_users::table), "/admin/todo/users"),
        tile("/todo", "tasks", count!(conn, todo_tasks::table), "/admin/todo/tasks"),
        tile("/shop", "users", count!(conn, shop_users::table), "/admin/shop/users"),
        tile("/shop", "products", count!(conn, products), "/admin/shop/products"),
        tile("/shop", "bills", count!(conn, shop_bills::table), "/admin/shop/bills"),
        tile("/shop", "total balance", balance, "/admin/shop/bills"),
        tile("/exchange", "users", count!(conn, exchange_users::table), "/admin/exchange/users"),
        tile("/exchange", "items", count!(conn, exchange_items::table), "/admin/exchange/items"),
        tile("/exchange", "pending transfers", count!(conn, pending), "/admin/exchange/transfers"),
        tile("/dealer", "users", count!(conn, dealer_users::table), "/admin/dealer/users"),
        tile("/dealer", "autos", count!(conn, dealer_autos::table), "/admin/dealer/autos"),
        tile("/ar", "users", count!(conn, ar_users::table), "/admin/ar/users"),
        tile("/ar", "projects", count!(conn, projects), "/admin/ar/projects"),
        tile("/ar", "image targets", count!(conn, targets), "/admin/ar/targets"),
        tile("/ar", "live app tokens", count!(conn, live_tokens), "/admin/ar/tokens"),
    ])
}

fn last_purge(conn: &mut PgConnection) -> QueryResult<Option<LastPurge>> {
    purge_runs::table
        .order(purge_runs::id.desc())
        .select((purge_runs::started_at, purge_runs::removed))
        .first::<(DateTime<Utc>, serde_json::Value)>(conn)
        .optional()
        .map(|row| row.map(|(started_at, removed)| LastPurge { started_at, removed }))
}

/// The dashboard.
pub async fn show(State(state): State<AppState>, admin: Admin) -> PageResult {
    let (tiles, purge) = state.db(|conn| Ok((tiles(conn)?, last_purge(conn)?))).await?;
    let notice = session::take_notice(&state, &admin).await?;
    let body = html! {
        section.tiles {
            @for t in &tiles {
                a.tile href=(t.href) {
                    span.app { (t.app) }
                    span.value { (t.value) }
                    span.label { (t.label) }
                }
            }
        }
        section.card {
            h2 { "Last purge run" }
            @match &purge {
                Some(p) => p { "Started " (layout::time(p.started_at)) "; removed: " code { (p.removed) } },
                None => p.empty { "The purge job has not run yet." },
            }
        }
    };
    Ok(layout::page(&admin, "/admin", "Dashboard", notice.as_deref(), body).into_response())
}
