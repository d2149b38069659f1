//! `POST /shop/payment/webhook`: the payment service credits a bill.
//!
//! The signature is checked before anything else touches the database, in
//! constant time, over the amount exactly as the sender wrote it. Without
//! `PAYMENT_PRIVATE_KEY` every webhook answers 503 "the payment webhook is not
//! configured": the key is missing, no signature could be right.

use axum::extract::State;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use super::{
    TAG,
    json::{WebhookIn, WebhookOut},
    ledger::{self, Credit, CreditRefusal},
};
use crate::{
    error::{ApiError, Conflict, Forbidden, NotFound},
    extract::Json,
    state::AppState,
};

/// The hex SHA-1 the payment service sends for this body.
pub fn signature(key: &str, body: &WebhookIn) -> String {
    let message =
        format!("{key}:{}:{}:{}:{}", body.transaction_id, body.user_id, body.bill_id, body.amount.0);
    hex::encode(Sha1::digest(message.as_bytes()))
}

/// True when the body's signature is the one `key` makes (compared in constant time).
fn signed(key: &str, body: &WebhookIn) -> bool {
    let given = body.signature.trim().to_ascii_lowercase();
    signature(key, body).as_bytes().ct_eq(given.as_bytes()).into()
}

/// What the webhook can answer besides 200, 403, 404 and 409.
struct WebhookErrors;

impl utoipa::IntoResponses for WebhookErrors {
    fn responses()
    -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::response::Response>> {
        let mut all = crate::error::PublicWrite::responses();
        all.remove("429"); // not rate limited per client
        all
    }
}

/// Credit a bill: the payment service's signed webhook.
///
/// `signature` is the hex SHA-1 of `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`
/// with `amount` exactly as written in the body (`100`, `100.50`, or a string's content
/// without its quotes); the example is signed with the key `test-payment-key`:
/// `sha1("test-payment-key:1234567:1:1:100")`. A bill that does not exist yet is created
/// for the user with that id. A `transaction_id` is credited once: a repeat answers 200
/// with the first result and moves nothing; a repeat with another user, bill or amount is 409.
/// Not rate limited per client. A server without a payment key answers 503
/// "the payment webhook is not configured".
#[utoipa::path(post, path = "/payment/webhook", tag = TAG, operation_id = "shop_payment_webhook",
    request_body = WebhookIn,
    responses(
        (status = 200, description = "Credited (or credited before: the same answer)", body = WebhookOut),
        Forbidden, NotFound, Conflict, WebhookErrors,
    ))]
pub async fn payment_webhook(
    State(state): State<AppState>,
    Json(body): Json<WebhookIn>,
) -> Result<Json<WebhookOut>, ApiError> {
    let Some(key) = state.config.payment_private_key.as_deref() else {
        // The key is missing, not the signature wrong: the sender cannot fix it.
        return Err(ApiError::Unavailable("the payment webhook is not configured".into()));
    };
    if !signed(key, &body) {
        return Err(ApiError::Forbidden("the signature is not valid".into()));
    }
    let amount = body.amount.parse().map_err(|m| ApiError::invalid("amount", m))?;
    if body.bill_id <= 0 {
        return Err(ApiError::invalid("bill_id", "must be greater than 0"));
    }
    let credit =
        Credit { transaction_id: body.transaction_id, user_id: body.user_id, bill_id: body.bill_id, amount };
    let credited = state
        .db_tx(move |conn| {
            ledger::credit(conn, &credit)?.map_err(|refusal| match refusal {
                CreditRefusal::UnknownUser => ApiError::not_found("user"),
                CreditRefusal::ForeignBill => ApiError::Conflict("this bill belongs to another user".into()),
                CreditRefusal::ReplayDiffers => ApiError::Conflict(
                    "this transaction_id was credited with another user, bill or amount".into(),
                ),
                CreditRefusal::TooLarge => {
                    ApiError::invalid("amount", "the balance would exceed 999999999999.99")
                }
            })
        })
        .await?;
    if credited.repeated {
        tracing::info!(transaction_id = body.transaction_id, "repeated webhook: nothing moved");
    }
    Ok(Json(WebhookOut { bill_id: credited.bill_id, balance: credited.balance.into() }))
}
