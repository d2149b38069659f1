//! /exchange wire types. Every body that needs a token may carry it as a
//! `token` field, as the spec passes the token "as a parameter".

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::models::Item;

/// Credentials to register or log in with.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ExchangeCredentials, example = json!({"login": "alice", "password": "correct horse"}))]
pub struct CredentialsIn {
    /// 1-64 characters, no control characters.
    #[validate(custom(function = "crate::validate::login"))]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub login: String,
    /// 8-128 characters.
    #[validate(custom(function = "crate::validate::password"))]
    #[schema(min_length = 8, max_length = 128, pattern = r"^[^\u0000]*$")]
    pub password: String,
}

/// A message for a person.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ExchangeMessage, example = json!({"message": "user registered"}))]
pub struct MessageOut {
    pub message: &'static str,
}

/// A temporary token for the other /exchange routes.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ExchangeTokenOut, example = json!({"token": "eyJhbGciOiJIUzI1NiJ9...", "token_type": "bearer", "expires_in": 3600}))]
pub struct TokenOut {
    /// Send it as `Authorization: Bearer <token>`, a `token` query parameter, or a `token` body field.
    pub token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
}

/// The token as a body field, for POSTs sent without `Authorization`.
#[derive(Debug, ToSchema)]
#[schema(as = ExchangeTokenIn, example = json!({"token": "eyJhbGciOiJIUzI1NiJ9..."}))]
pub struct TokenIn {
    /// The caller's token, when not sent as `Authorization: Bearer` or a `token` query parameter.
    #[expect(dead_code, reason = "documents the token; `WithToken` / `Authed` read it before the body")]
    pub token: Option<String>,
}

/// The token as a query parameter (GET, DELETE), instead of `Authorization: Bearer`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// The caller's token, when not sent as `Authorization: Bearer`. Never logged.
    #[expect(dead_code, reason = "documents the token; `WithToken` / `Authed` read it before the body")]
    pub token: Option<String>,
}

/// A new item.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ExchangeItemIn, example = json!({"name": "Guitar"}))]
pub struct ItemIn {
    /// 1-200 characters.
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "crate::validate::text")
    )]
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000]*$")]
    pub name: String,
    /// The caller's token, when not sent as `Authorization: Bearer` or a `token` query parameter.
    #[expect(dead_code, reason = "documents the token; `WithToken` / `Authed` read it before the body")]
    pub token: Option<String>,
}

/// An item of the caller.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ExchangeItemOut, example = json!({"id": 1, "name": "Guitar"}))]
pub struct ItemOut {
    pub id: i64,
    pub name: String,
}

impl From<Item> for ItemOut {
    fn from(item: Item) -> Self {
        Self { id: item.id, name: item.name }
    }
}

/// A created item.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ExchangeItemCreated, example = json!({"message": "item created", "id": 1, "name": "Guitar"}))]
pub struct ItemCreatedOut {
    pub message: &'static str,
    pub id: i64,
    pub name: String,
}

/// The caller's items, by id.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ExchangeItemList, example = json!({"items": [{"id": 1, "name": "Guitar"}]}))]
pub struct ItemListOut {
    pub items: Vec<ItemOut>,
}

/// An item to hand to another user.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ExchangeSendIn, example = json!({"item_id": 1, "recipient": "bob"}))]
pub struct SendIn {
    /// One of the caller's items.
    #[serde(deserialize_with = "crate::validate::whole")]
    pub item_id: i64,
    /// The login of the user who may take it.
    #[validate(custom(function = "crate::validate::login"))]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub recipient: String,
    /// The caller's token, when not sent as `Authorization: Bearer` or a `token` query parameter.
    #[expect(dead_code, reason = "documents the token; `WithToken` / `Authed` read it before the body")]
    pub token: Option<String>,
}

/// The confirmation link for the recipient.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ExchangeLinkOut, example = json!({"link": "https://api.example.com/exchange/get?transfer=3q2-7wE9bXJ0Y2hhbmdlLWxpbmstY29kZS1leGFtcGxl"}))]
pub struct LinkOut {
    /// Absolute; works once, for the recipient only, until it expires or a newer link replaces it.
    pub link: String,
}

/// What `GET /get` takes: the link's own `transfer` code, and optionally the token.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowQuery {
    /// The code from the link's query string.
    pub transfer: String,
    /// The recipient's token, when not sent as `Authorization: Bearer`. Never logged.
    #[expect(dead_code, reason = "documents the token; `WithToken` / `Authed` read it before the body")]
    pub token: Option<String>,
}

/// A received item.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ExchangeReceivedOut, example = json!({"message": "item received", "item": {"id": 1, "name": "Guitar"}}))]
pub struct ReceivedOut {
    pub message: &'static str,
    pub item: ItemOut,
}
