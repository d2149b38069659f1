//! /shop admin routes: product CRUD, users with their bills, enabling and
//! disabling users. Every route takes an admin's token (403 for other users).

use axum::{extract::State, http::StatusCode};

use super::{
    TAG,
    access::{self, ShopAdmin},
    json::{ProductIn, ProductOut, UserOut, UserPatch},
    models::{self, ProductChanges},
};
use crate::{
    error::{ApiError, AuthedRead, AuthedWrite, Conflict, Forbidden, NotFound},
    extract::{Json, Path, Query},
    state::AppState,
    validate::Page,
};

impl TryFrom<ProductIn> for ProductChanges {
    type Error = ApiError;
    fn try_from(p: ProductIn) -> Result<Self, ApiError> {
        let price = p.price.parse().map_err(|m| ApiError::invalid("price", m))?;
        Ok(Self { title: p.title, description: p.description, price })
    }
}

/// List every product on sale (admin).
#[utoipa::path(get, path = "/admin/products", tag = TAG, operation_id = "shop_admin_list_products",
    security(("shop_auth" = [])), params(Page),
    responses((status = 200, description = "Products on sale", body = Vec<ProductOut>), Forbidden, AuthedRead))]
pub async fn list_products(
    State(state): State<AppState>,
    _admin: ShopAdmin,
    Query(page): Query<Page>,
) -> Result<Json<Vec<ProductOut>>, ApiError> {
    let products =
        state.db(move |conn| Ok(models::list_products(conn, page.limit(), page.offset())?)).await?;
    Ok(Json(products.into_iter().map(Into::into).collect()))
}

/// Create a product (admin).
#[utoipa::path(post, path = "/admin/products", tag = TAG, operation_id = "shop_admin_create_product",
    security(("shop_auth" = [])), request_body = ProductIn,
    responses((status = 201, description = "Created", body = ProductOut, links(
        ("UpdateProduct" = (operation_id = "shop_admin_update_product", parameters(("id" = "$response.body#/id")),
            description = "Replace the product just created")),
        ("DeleteProduct" = (operation_id = "shop_admin_delete_product", parameters(("id" = "$response.body#/id")),
            description = "Take the product just created off sale")),
        ("BuyProduct" = (operation_id = "shop_buy_product", parameters(("id" = "$response.body#/id")),
            description = "Buy the product just created (a user token)")),
    )), Forbidden, AuthedWrite))]
pub async fn create_product(
    State(state): State<AppState>,
    _admin: ShopAdmin,
    Json(body): Json<ProductIn>,
) -> Result<(StatusCode, Json<ProductOut>), ApiError> {
    let changes = ProductChanges::try_from(body)?;
    let product = state.db(move |conn| Ok(models::insert_product(conn, &changes)?)).await?;
    Ok((StatusCode::CREATED, Json(product.into())))
}

/// Replace a product (admin); purchases made before keep the price they paid.
#[utoipa::path(put, path = "/admin/products/{id}", tag = TAG, operation_id = "shop_admin_update_product",
    security(("shop_auth" = [])), params(("id" = i64, Path, description = "The product's id")),
    request_body = ProductIn,
    responses((status = 200, description = "Updated", body = ProductOut), Forbidden, NotFound, AuthedWrite))]
pub async fn update_product(
    State(state): State<AppState>,
    _admin: ShopAdmin,
    Path(id): Path<i64>,
    Json(body): Json<ProductIn>,
) -> Result<Json<ProductOut>, ApiError> {
    let changes = ProductChanges::try_from(body)?;
    let product = state
        .db(move |conn| {
            models::update_product(conn, id, &changes)?.ok_or_else(|| ApiError::not_found("product"))
        })
        .await?;
    Ok(Json(product.into()))
}

/// Delete a product (admin): it leaves the list and cannot be bought; purchases keep it.
#[utoipa::path(delete, path = "/admin/products/{id}", tag = TAG, operation_id = "shop_admin_delete_product",
    security(("shop_auth" = [])), params(("id" = i64, Path, description = "The product's id")),
    responses((status = 204, description = "Deleted"), Forbidden, NotFound, AuthedRead))]
pub async fn delete_product(
    State(state): State<AppState>,
    _admin: ShopAdmin,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let deleted = state.db(move |conn| Ok(models::delete_product(conn, id)?)).await?;
    if deleted { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::not_found("product")) }
}

/// List every user with their bills, by id (admin).
#[utoipa::path(get, path = "/admin/users", tag = TAG, operation_id = "shop_admin_list_users",
    security(("shop_auth" = [])), params(Page),
    responses((status = 200, description = "Users and their bills", body = Vec<UserOut>), Forbidden, AuthedRead))]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: ShopAdmin,
    Query(page): Query<Page>,
) -> Result<Json<Vec<UserOut>>, ApiError> {
    let users = state
        .db(move |conn| {
            let users = models::list_users(conn, page.limit(), page.offset())?;
            let bills = models::bills_of(conn, &users.iter().map(|u| u.id).collect::<Vec<_>>())?;
            Ok(users.into_iter().map(|u| UserOut::with_bills(u, &bills)).collect())
        })
        .await?;
    Ok(Json(users))
}

/// Enable or disable a user (admin); a disabled user's tokens are refused at once.
///
/// An admin cannot disable themself (409), as in the admin panel: it would lock
/// them out at once.
#[utoipa::path(patch, path = "/admin/users/{id}", tag = TAG, operation_id = "shop_admin_update_user",
    security(("shop_auth" = [])), params(("id" = i64, Path, description = "The user's id")),
    request_body = UserPatch,
    responses((status = 200, description = "Updated", body = UserOut), Forbidden, NotFound, Conflict, AuthedWrite))]
pub async fn update_user(
    State(state): State<AppState>,
    ShopAdmin(admin): ShopAdmin,
    Path(id): Path<i64>,
    Json(body): Json<UserPatch>,
) -> Result<Json<UserOut>, ApiError> {
    if id == admin.user_id && !body.is_active {
        return Err(ApiError::Conflict("an admin cannot disable their own account".into()));
    }
    let user = access::set_user_active(&state, id, body.is_active)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let bills = state.db(move |conn| Ok(models::bills_of(conn, &[id])?)).await?;
    Ok(Json(UserOut::with_bills(user, &bills)))
}
