//! /exchange items: each user creates, lists and deletes only their own.

use axum::{extract::State, http::StatusCode};

use super::{
    ExchangeUser, TAG,
    extract::WithToken,
    json::{ItemCreatedOut, ItemIn, ItemListOut, MessageOut, TokenQuery},
    models, reads};
use crate::{
    auth,
    db::ResultExt as _,
    error::{ApiError, AuthedRead, AuthedWrite, NotFound},
    extract::{Json, Path, Query},
    state::AppState,
    validate::Page,
};

/// Create an item owned by the caller.
#[utoipa::path(post, path = "/items/new", tag = TAG, operation_id = "exchange_create_item",
    security(("exchange_auth" = []), ("exchange_query" = [])), params(TokenQuery), request_body = ItemIn,
    responses((status = 201, description = "Created", body = ItemCreatedOut, links(
        ("DeleteItem" = (operation_id = "exchange_delete_item", parameters(("id" = "$response.body#/id")),
            description = "Delete the item just created")),
    )), AuthedWrite))]
pub async fn create_item(
    State(state): State<AppState>,
    WithToken { user, body }: WithToken<ItemIn>,
) -> Result<(StatusCode, Json<ItemCreatedOut>), ApiError> {
    let item = state
        .db(move |conn| {
            models::insert_item(conn, user.user_id, &body.name)
                .on_constraint(models::ITEM_OWNER, |_| auth::user_gone())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(ItemCreatedOut { message: "item created", id: item.id, name: item.name })))
}

/// List the caller's items, by id.
#[utoipa::path(get, path = "/items", tag = TAG, operation_id = "exchange_list_items",
    security(("exchange_auth" = []), ("exchange_query" = [])), params(Page, TokenQuery),
    responses((status = 200, description = "The caller's items", body = ItemListOut), AuthedRead))]
pub async fn list_items(
    State(state): State<AppState>,
    user: ExchangeUser,
    Query(page): Query<Page>,
) -> Result<Json<ItemListOut>, ApiError> {
    let items = state
        .read(async |conn| {
            let items = reads::list_items(conn, user.user_id, page.limit(), page.offset()).await?;
            // Items prove their owner exists; only an empty page asks.
            if items.is_empty() && !reads::user_exists(conn, user.user_id).await? {
                return Err(auth::user_gone());
            }
            Ok(items)
        })
        .await?;
    Ok(Json(ItemListOut { items: items.into_iter().map(Into::into).collect() }))
}

/// Delete one of the caller's items; its pending links stop working.
#[utoipa::path(delete, path = "/items/{id}", tag = TAG, operation_id = "exchange_delete_item",
    security(("exchange_auth" = []), ("exchange_query" = [])),
    params(("id" = i64, Path, description = "The item's id"), TokenQuery),
    responses((status = 200, description = "Deleted", body = MessageOut), NotFound, AuthedRead))]
pub async fn delete_item(
    State(state): State<AppState>,
    user: ExchangeUser,
    Path(id): Path<i64>,
) -> Result<Json<MessageOut>, ApiError> {
    state
        .db(move |conn| match models::delete_item(conn, user.user_id, id)? {
            true => Ok(Json(MessageOut { message: "item deleted" })),
            false => Err(models::missing(conn, user.user_id, "item")),
        })
        .await
}
