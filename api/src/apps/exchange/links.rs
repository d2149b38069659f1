//! /exchange transfers: `POST /send` hands out a confirmation link, `GET /get`
//! follows it and moves the item to its recipient (see `transfers.rs`).

use axum::{extract::State, http::StatusCode};
use chrono::Utc;

use super::{
    ExchangeUser, TAG,
    extract::WithToken,
    json::{FollowQuery, LinkOut, ReceivedOut, SendIn, TokenQuery},
    models,
    transfers::{self, Refusal},
};
use crate::{
    error::{ApiError, AuthedRead, AuthedWrite, Forbidden, Gone, NotFound},
    extract::{Json, Query},
    state::AppState,
};

/// Send an item: a confirmation link that only the recipient can follow.
///
/// A newer link for the same item replaces the older ones.
#[utoipa::path(post, path = "/send", tag = TAG, operation_id = "exchange_send_item",
    security(("exchange_auth" = []), ("exchange_query" = [])), params(TokenQuery), request_body = SendIn,
    responses((status = 201, description = "The link for the recipient", body = LinkOut), NotFound, AuthedWrite))]
pub async fn send_item(
    State(state): State<AppState>,
    WithToken { user, body }: WithToken<SendIn>,
) -> Result<(StatusCode, Json<LinkOut>), ApiError> {
    let code = transfers::new_code();
    let code_hash = transfers::hash_code(&code);
    let expires_at = Utc::now() + state.config.transfer_link_ttl;
    state
        .db_tx(move |conn| {
            let item = models::lock_item(conn, body.item_id)?
                .filter(|item| item.owner_id == user.user_id)
                .ok_or_else(|| models::missing(conn, user.user_id, "item"))?;
            let recipient =
                models::find_user(conn, &body.recipient)?.ok_or_else(|| ApiError::not_found("recipient"))?;
            if recipient.id == user.user_id {
                return Err(ApiError::invalid("recipient", "must be another user"));
            }
            Ok(transfers::create(conn, item.id, user.user_id, recipient.id, &code_hash, expires_at)?)
        })
        .await?;
    let link = format!("{}/exchange/get?transfer={code}", state.config.public_url);
    Ok((StatusCode::CREATED, Json(LinkOut { link })))
}

/// Follow a confirmation link: the item moves to the caller, its recipient.
///
/// Works once. 403 for anyone but the recipient (the link stays valid); 410 when
/// the link is used, expired, superseded, or its item was deleted or changed hands.
#[utoipa::path(get, path = "/get", tag = TAG, operation_id = "exchange_follow_link",
    security(("exchange_auth" = []), ("exchange_query" = [])), params(FollowQuery),
    responses((status = 200, description = "The item is the caller's now", body = ReceivedOut),
        Forbidden, Gone, AuthedRead))]
pub async fn follow_link(
    State(state): State<AppState>,
    user: ExchangeUser,
    Query(query): Query<FollowQuery>,
) -> Result<Json<ReceivedOut>, ApiError> {
    let code_hash = transfers::hash_code(&query.transfer);
    let outcome = state
        .db_tx(move |conn| {
            let outcome = transfers::follow(conn, &code_hash, user.user_id, Utc::now())?;
            // A refusal may come of the caller being gone (their links went with them).
            if outcome.is_err() && !models::user_exists(conn, user.user_id)? {
                return Err(crate::auth::user_gone());
            }
            Ok(outcome)
        })
        .await?;
    match outcome {
        Ok(item) => Ok(Json(ReceivedOut { message: "item received", item: item.into() })),
        Err(Refusal::NotRecipient) => Err(ApiError::Forbidden(Refusal::NotRecipient.reason().into())),
        Err(refusal) => Err(ApiError::Gone(refusal.reason().into())),
    }
}
