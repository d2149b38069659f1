//! /shop pages: the routes of every shop page, and users (search, bills,
//! enable and disable through the shop's own `set_user_active`, so a disabled
//! user's tokens are refused at once, as with the API).

use std::collections::HashMap;

use axum::{
    Router,
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect},
    routing::{get, post},
};
use bigdecimal::BigDecimal;
use diesel::{dsl::count_star, prelude::*};
use maud::html;

use crate::admin::{
    error::{PageResult, not_found},
    forms::{AdminForm, NoFields},
    layout,
    listing::{ListQuery, split_page},
    session::{self, Admin},
};
use crate::{
    apps::shop::{access, models},
    error::ApiError,
    registry::Tile,
    schema::{shop_bills as bills, shop_users},
    state::AppState,
};

pub mod accounts;
mod bill_pages;
mod product_pages;

const PATH: &str = "/admin/shop/users";

/// The sidebar entries.
pub const NAV: &[(&str, &str)] =
    &[("Users", PATH), ("Products", "/admin/shop/products"), ("Bills", "/admin/shop/bills")];

/// The dashboard's figures (products: those not deleted, as the API lists them).
pub fn tiles(conn: &mut PgConnection) -> QueryResult<Vec<Tile>> {
    use crate::schema::shop_products;
    let balance: Option<BigDecimal> = bills::table.select(diesel::dsl::sum(bills::balance)).get_result(conn)?;
    let products = shop_products::table.filter(shop_products::deleted_at.is_null());
    Ok(vec![
        Tile::new("users", shop_users::table.select(count_star()).get_result(conn)?, PATH),
        Tile::new("products", products.select(count_star()).get_result(conn)?, NAV[1].1),
        Tile::new("bills", bills::table.select(count_star()).get_result(conn)?, NAV[2].1),
        Tile { label: "total balance", value: layout::money(&balance.unwrap_or_default()), href: NAV[2].1 },
    ])
}

/// The pages, under `/admin/shop`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users))
        .route("/users/{id}/enable", post(enable))
        .route("/users/{id}/disable", post(disable))
        .route("/products", get(product_pages::list).post(product_pages::create))
        .route("/products/{id}", get(product_pages::edit).post(product_pages::update))
        .route("/products/{id}/delete", post(product_pages::delete))
        .route("/bills", get(bill_pages::list))
        .route("/bills/{id}", get(bill_pages::show))
}

/// Bills of a user: how many, and their total balance.
type BillSums = HashMap<i64, (i64, BigDecimal)>;

fn users(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<(Vec<models::User>, BillSums)> {
    let mut query = shop_users::table.select(models::User::as_select()).order(shop_users::id).into_boxed();
    if !q.q().is_empty() {
        let by_login = shop_users::login.ilike(q.pattern());
        query = match q.id() {
            Some(id) => query.filter(by_login.or(shop_users::id.eq(id))),
            None => query.filter(by_login),
        };
    }
    let rows = query.limit(q.fetch()).offset(q.offset()).load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|u: &models::User| u.id).collect();
    let sums = bills::table
        .filter(bills::user_id.eq_any(ids))
        .group_by(bills::user_id)
        .select((bills::user_id, count_star(), diesel::dsl::sum(bills::balance)))
        .load::<(i64, i64, Option<BigDecimal>)>(conn)?;
    Ok((rows, sums.into_iter().map(|(id, n, sum)| (id, (n, sum.unwrap_or_default()))).collect()))
}

/// /shop users, with their bills and the enable/disable buttons.
pub async fn list_users(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let (mut rows, sums) = state.db(move |conn| Ok(users(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let rows = rows
        .iter()
        .map(|u| {
            let (n, total) = sums.get(&u.id).cloned().unwrap_or_default();
            let action = if u.is_active { "disable" } else { "enable" };
            html! { tr {
                td.num { (u.id) } td { (u.login) }
                td { (layout::badge(u.is_active, "active", "inactive")) }
                td { @if u.is_admin { span.badge.on { "admin" } } }
                td.num { a href={ "/admin/shop/bills?q=user:" (u.id) } { (n) } }
                td.num { (layout::money(&total)) } td { (layout::time(u.created_at)) }
                td.actions {
                    @if u.id != admin.id {
                        (layout::action_button(&admin, &format!("{PATH}/{}/{action}", u.id),
                            if u.is_active { "Disable" } else { "Enable" }, u.is_active))
                    }
                }
            } }
        })
        .collect();
    let headers = ["Id", "Login", "State", "Role", "Bills", "Balance", "Registered", ""];
    let body = html! {
        (layout::listing(PATH, &text, "Login or id", &headers, rows, page, more))
    };
    let notice = session::take_notice(&state, &admin).await?;
    Ok(layout::page(&admin, PATH, "/shop users", notice.as_deref(), body).into_response())
}

/// Enable or disable through the shop's own function; an admin cannot
/// disable themself (they would lose the panel mid-action).
async fn set_active(state: &AppState, admin: &Admin, id: i64, active: bool) -> PageResult {
    if id == admin.id && !active {
        return Err(ApiError::Conflict("you cannot disable your own account".into()).into());
    }
    let user = access::set_user_active(state, id, active).await?.ok_or_else(|| not_found("user"))?;
    let action = if active { "shop.user.enable" } else { "shop.user.disable" };
    tracing::info!(admin_id = admin.id, action, user_id = id, "admin action");
    let done = if active { "enabled" } else { "disabled: their tokens are refused from now on" };
    session::set_notice(state, admin, &format!("User #{id} “{}” {done}.", user.login)).await?;
    Ok(Redirect::to(PATH).into_response())
}

/// Enable a user.
pub async fn enable(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: AdminForm<NoFields>,
) -> PageResult {
    set_active(&state, &form.admin, id, true).await
}

/// Disable a user: their tokens are refused at once.
pub async fn disable(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: AdminForm<NoFields>,
) -> PageResult {
    set_active(&state, &form.admin, id, false).await
}
