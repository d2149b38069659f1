//! /shop products as users see them, buying one, and the caller's bills.

use axum::extract::State;

use super::{
    TAG,
    access::ShopUser,
    json::{BillOut, BuyIn, ProductOut, PurchaseOut, TransactionOut},
    ledger::{self, PurchaseRefusal},
    models, reads,
};
use crate::{
    auth,
    error::{ApiError, AuthedRead, AuthedWrite, NotFound, PaymentRequired},
    extract::{Json, Path, Query},
    state::AppState,
    validate::Page,
};

/// List the products on sale, by id.
#[utoipa::path(get, path = "/products", tag = TAG, operation_id = "shop_list_products",
    security(("shop_auth" = [])), params(Page),
    responses((status = 200, description = "Products on sale", body = Vec<ProductOut>), AuthedRead))]
pub async fn list_products(
    State(state): State<AppState>,
    user: ShopUser,
    Query(page): Query<Page>,
) -> Result<Json<Vec<ProductOut>>, ApiError> {
    let products = state
        .read(async |conn| {
            let products = reads::list_products_for(conn, user.user_id, page.limit(), page.offset()).await?;
            if products.is_empty() && !reads::user_exists(conn, user.user_id).await? {
                return Err(auth::user_gone());
            }
            Ok(products)
        })
        .await?;
    Ok(Json(products.into_iter().map(Into::into).collect()))
}

/// Buy a product with a bill of the caller: debits its price if the balance covers it.
///
/// Atomic: concurrent purchases never take a balance below zero; each one is recorded.
#[utoipa::path(post, path = "/products/{id}/buy", tag = TAG, operation_id = "shop_buy_product",
    security(("shop_auth" = [])), params(("id" = i64, Path, description = "The product's id")),
    request_body = BuyIn,
    responses((status = 200, description = "Bought", body = PurchaseOut), PaymentRequired, NotFound, AuthedWrite))]
pub async fn buy_product(
    State(state): State<AppState>,
    user: ShopUser,
    Path(product_id): Path<i64>,
    Json(body): Json<BuyIn>,
) -> Result<Json<PurchaseOut>, ApiError> {
    let bought = state
        .db_tx(move |conn| {
            let outcome = ledger::purchase(conn, user.user_id, product_id, body.bill_id)?;
            // A refusal may come of the caller being gone (their bills went with them).
            if outcome.is_err() && !models::user_exists(conn, user.user_id)? {
                return Err(auth::user_gone());
            }
            outcome.map_err(|refusal| match refusal {
                PurchaseRefusal::NoProduct => ApiError::not_found("product"),
                PurchaseRefusal::NoBill => ApiError::not_found("bill"),
                PurchaseRefusal::InsufficientFunds => {
                    ApiError::PaymentRequired("the bill's balance does not cover the price".into())
                }
            })
        })
        .await?;
    Ok(Json(PurchaseOut {
        purchase_id: bought.purchase_id,
        bill_id: bought.bill_id,
        balance: bought.balance.into(),
    }))
}

/// List the caller's bills and their balances, by id.
#[utoipa::path(get, path = "/bills", tag = TAG, operation_id = "shop_list_bills",
    security(("shop_auth" = [])), params(Page),
    responses((status = 200, description = "The caller's bills", body = Vec<BillOut>), AuthedRead))]
pub async fn list_bills(
    State(state): State<AppState>,
    user: ShopUser,
    Query(page): Query<Page>,
) -> Result<Json<Vec<BillOut>>, ApiError> {
    let bills = state
        .read(async |conn| {
            let bills = reads::list_bills(conn, user.user_id, page.limit(), page.offset()).await?;
            // Bills prove their owner exists; only an empty page asks.
            if bills.is_empty() && !reads::user_exists(conn, user.user_id).await? {
                return Err(auth::user_gone());
            }
            Ok(bills)
        })
        .await?;
    Ok(Json(bills.into_iter().map(Into::into).collect()))
}

/// List the credits (transactions) of a bill of the caller, by id.
#[utoipa::path(get, path = "/bills/{id}/transactions", tag = TAG, operation_id = "shop_list_transactions",
    security(("shop_auth" = [])), params(("id" = i64, Path, description = "The bill's id"), Page),
    responses((status = 200, description = "The bill's credits", body = Vec<TransactionOut>), NotFound, AuthedRead))]
pub async fn list_transactions(
    State(state): State<AppState>,
    user: ShopUser,
    Path(bill_id): Path<i64>,
    Query(page): Query<Page>,
) -> Result<Json<Vec<TransactionOut>>, ApiError> {
    let credits = state
        .db(move |conn| {
            ledger::list_credits(conn, user.user_id, bill_id, page.limit(), page.offset())?.ok_or_else(|| {
                auth::gone_or(models::user_exists(conn, user.user_id), ApiError::not_found("bill"))
            })
        })
        .await?;
    Ok(Json(credits.into_iter().map(Into::into).collect()))
}
