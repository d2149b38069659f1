//! /shop products: list and search, create, edit, delete. Input is read as
//! the API's own `ProductIn` (same validation, same exact-money parsing) and
//! written with the shop's own model functions.

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect},
};
use diesel::prelude::*;
use maud::{Markup, html};
use serde::Deserialize;
use validator::Validate as _;

use crate::admin::{
    error::{PageResult, not_found},
    forms::{AdminForm, NoFields},
    layout,
    listing::{ListQuery, split_page},
    session::{self, Admin},
};
use crate::{
    apps::shop::{json::ProductIn, models},
    error::ApiError,
    schema::shop_products,
    state::AppState,
};

const PATH: &str = "/admin/shop/products";

#[derive(Debug, Deserialize)]
pub struct ProductForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    price: String,
}

/// The form as the API would read it: `ProductIn`, its rules, its money parsing.
fn changes(form: ProductForm) -> Result<models::ProductChanges, ApiError> {
    let body =
        serde_json::json!({"title": form.title, "description": form.description, "price": form.price.trim()});
    let input: ProductIn = serde_json::from_value(body)
        .map_err(|e| ApiError::Validation { detail: e.to_string(), errors: vec![] })?;
    input.validate()?;
    models::ProductChanges::try_from(input)
}

fn search(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<Vec<models::Product>> {
    let mut query = shop_products::table
        .filter(shop_products::deleted_at.is_null())
        .select(models::Product::as_select())
        .order(shop_products::id)
        .into_boxed();
    if !q.q().is_empty() {
        let by_text =
            shop_products::title.ilike(q.pattern()).or(shop_products::description.ilike(q.pattern()));
        query = match q.id() {
            Some(id) => query.filter(by_text.or(shop_products::id.eq(id))),
            None => query.filter(by_text),
        };
    }
    query.limit(q.fetch()).offset(q.offset()).load(conn)
}

fn fields(p: Option<&models::Product>) -> Markup {
    html! {
        label { "Title" input type="text" name="title" required maxlength="200" value=[p.map(|p| &p.title)]; }
        label { "Description" input type="text" name="description" maxlength="10000" value=[p.map(|p| &p.description)]; }
        label { "Price" input type="text" name="price" required inputmode="decimal" placeholder="10.00"
            value=[p.map(|p| layout::money(&p.price))]; }
    }
}

/// Products on sale, with the form that adds one.
pub async fn list(State(state): State<AppState>, admin: Admin, Query(q): Query<ListQuery>) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let mut rows = state.db(move |conn| Ok(search(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let rows = rows
        .iter()
        .map(|p| {
            html! { tr {
                td.num { (p.id) } td { (p.title) } td.muted { (p.description) }
                td.num { (layout::money(&p.price)) } td { (layout::time(p.updated_at)) }
                td.actions {
                    a href={ (PATH) "/" (p.id) } { "Edit" }
                    (layout::action_button(&admin, &format!("{PATH}/{}/delete", p.id), "Delete", true))
                }
            } }
        })
        .collect();
    let body = html! {
        section.card {
            h2 { "New product" }
            form.grid method="post" action=(PATH) { (layout::csrf(&admin)) (fields(None)) button.primary type="submit" { "Create" } }
        }
        (layout::listing(PATH, &text, "Title, description or id", &["Id", "Title", "Description", "Price", "Updated", ""], rows, page, more))
    };
    let notice = session::take_notice(&state, &admin).await?;
    Ok(layout::page(&admin, PATH, "/shop products", notice.as_deref(), body).into_response())
}

/// Saved, or refused with the API's reason: back to the list with a notice.
async fn done(state: &AppState, admin: &Admin, outcome: Result<String, ApiError>, back: &str) -> PageResult {
    let notice = match outcome {
        Ok(message) => message,
        Err(e) if e.status().is_client_error() => format!("!Not saved: {}", e.problem().detail),
        Err(e) => return Err(e.into()),
    };
    session::set_notice(state, admin, &notice).await?;
    Ok(Redirect::to(back).into_response())
}

/// Create a product.
pub async fn create(State(state): State<AppState>, form: AdminForm<ProductForm>) -> PageResult {
    let admin = form.admin;
    let outcome = match changes(form.data) {
        Ok(changes) => state.db(move |conn| Ok(models::insert_product(conn, &changes)?)).await.map(|p| {
            tracing::info!(
                admin_id = admin.id,
                action = "shop.product.create",
                product_id = p.id,
                "admin action"
            );
            format!("Product #{} “{}” created.", p.id, p.title)
        }),
        Err(e) => Err(e),
    };
    done(&state, &admin, outcome, PATH).await
}

/// The edit form of one product.
pub async fn edit(State(state): State<AppState>, admin: Admin, Path(id): Path<i64>) -> PageResult {
    let product = state
        .db(move |conn| {
            Ok(shop_products::table
                .find(id)
                .filter(shop_products::deleted_at.is_null())
                .select(models::Product::as_select())
                .first(conn)
                .optional()?)
        })
        .await?
        .ok_or_else(|| not_found("product"))?;
    let body = html! {
        section.card {
            form.stack method="post" action={ (PATH) "/" (id) } {
                (layout::csrf(&admin)) (fields(Some(&product)))
                div { button.primary type="submit" { "Save" } " " a href=(PATH) { "Cancel" } }
            }
        }
    };
    Ok(layout::page(&admin, PATH, &format!("Product #{id}"), None, body).into_response())
}

/// Save an edited product.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: AdminForm<ProductForm>,
) -> PageResult {
    let admin = form.admin;
    let outcome = match changes(form.data) {
        Ok(changes) => state
            .db(move |conn| {
                models::update_product(conn, id, &changes)?.ok_or_else(|| ApiError::not_found("product"))
            })
            .await
            .map(|p| {
                tracing::info!(
                    admin_id = admin.id,
                    action = "shop.product.update",
                    product_id = id,
                    "admin action"
                );
                format!("Product #{id} “{}” saved.", p.title)
            }),
        Err(e) => Err(e),
    };
    done(&state, &admin, outcome, PATH).await
}

/// Delete a product (soft, as the API does: purchases keep pointing at it).
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: AdminForm<NoFields>,
) -> PageResult {
    let admin = form.admin;
    let deleted = state.db(move |conn| Ok(models::delete_product(conn, id)?)).await?;
    if !deleted {
        return Err(not_found("product"));
    }
    tracing::info!(admin_id = admin.id, action = "shop.product.delete", product_id = id, "admin action");
    done(&state, &admin, Ok(format!("Product #{id} deleted.")), PATH).await
}
