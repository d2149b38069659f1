//! /shop wire types. Money goes out as strings with two decimals (`"100.00"`)
//! and comes in as a JSON number or a string holding one (see `money`).

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::{
    ledger::Transaction,
    models::{Bill, Product, User},
    money::{AmountText, Money},
};

/// A price or amount that `money::parse` accepts.
pub fn amount(value: &AmountText) -> Result<(), ValidationError> {
    value.parse().map(drop).map_err(|m| ValidationError::new("amount").with_message(Cow::Borrowed(m)))
}

/// Credentials to register or log in with.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ShopCredentials, example = json!({"login": "alice", "password": "correct horse"}))]
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

/// A registered, still inactive user's activation link.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ShopRegisteredOut, example = json!({"activation_link": "http://127.0.0.1:8080/shop/activate/3q2-7wAAAAB2ZXJ5LXNlY3JldC1jb2RlLWhlcmUtMDAw"}))]
pub struct RegisteredOut {
    /// Follow it (GET) to activate the account; it works once.
    pub activation_link: String,
}

/// A short confirmation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ShopMessageOut, example = json!({"message": "the account is active"}))]
pub struct MessageOut {
    pub message: String,
}

/// A bearer token for the /shop routes.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ShopTokenOut, example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9...", "token_type": "bearer"}))]
pub struct TokenOut {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
}

/// A product on sale.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ShopProductOut, example = json!({"id": 1, "title": "Coffee", "description": "250 g, ground", "price": "10.00"}))]
pub struct ProductOut {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub price: Money,
}

impl From<Product> for ProductOut {
    fn from(p: Product) -> Self {
        Self { id: p.id, title: p.title, description: p.description, price: p.price.into() }
    }
}

/// A product to create, or the full new state of one (PUT).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ShopProductIn, example = json!({"title": "Coffee", "description": "250 g, ground", "price": 10}))]
pub struct ProductIn {
    /// 1-200 characters.
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "crate::validate::text")
    )]
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000]*$")]
    pub title: String,
    /// Up to 10,000 characters; absent for none.
    #[serde(default)]
    #[validate(
        length(max = 10000, message = "must be at most 10000 characters"),
        custom(function = "crate::validate::text")
    )]
    #[schema(max_length = 10000, pattern = r"^[^\u0000]*$")]
    pub description: String,
    /// More than 0, at most 2 decimal places.
    #[validate(custom(function = "amount"))]
    pub price: AmountText,
}

/// Which bill of the caller pays.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ShopBuyIn, example = json!({"bill_id": 123456}))]
pub struct BuyIn {
    #[serde(deserialize_with = "crate::validate::whole")]
    pub bill_id: i64,
}

/// A recorded purchase and what is left on the bill.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ShopPurchaseOut, example = json!({"purchase_id": 1, "bill_id": 123456, "balance": "90.00"}))]
pub struct PurchaseOut {
    pub purchase_id: i64,
    pub bill_id: i64,
    /// The bill's balance after the purchase.
    pub balance: Money,
}

/// A bill and its balance.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ShopBillOut, example = json!({"id": 123456, "balance": "100.00"}))]
pub struct BillOut {
    pub id: i64,
    pub balance: Money,
}

impl From<Bill> for BillOut {
    fn from(b: Bill) -> Self {
        Self { id: b.id, balance: b.balance.into() }
    }
}

/// A credit to a bill (from the payment webhook).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ShopTransactionOut, example = json!({"id": 1, "transaction_id": 1234567, "amount": "100.00", "created_at": "2026-11-22T10:00:00Z"}))]
pub struct TransactionOut {
    pub id: i64,
    /// The payment service's id of the transaction.
    pub transaction_id: i64,
    pub amount: Money,
    #[serde(serialize_with = "crate::wire_time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl From<Transaction> for TransactionOut {
    fn from(t: Transaction) -> Self {
        Self { id: t.id, transaction_id: t.transaction_id, amount: t.amount.into(), created_at: t.created_at }
    }
}

/// A credit announced by the payment service.
///
/// `signature` is the hex SHA-1 of
/// `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`, with `amount`
/// exactly as written in this JSON (a string's content without its quotes).
/// The example is signed with the key `test-payment-key`:
/// `sha1("test-payment-key:1234567:1:1:100")` =
/// `aa4f246f173820d0d3246214f96faa8fd966cacd`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ShopWebhookIn, example = json!({
    "signature": "aa4f246f173820d0d3246214f96faa8fd966cacd",
    "transaction_id": 1234567, "user_id": 1, "bill_id": 1, "amount": 100
}))]
pub struct WebhookIn {
    /// Hex SHA-1 (40 characters) of `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`.
    pub signature: String,
    /// The payment service's unique id of this transaction: credited once.
    #[serde(deserialize_with = "crate::validate::whole")]
    pub transaction_id: i64,
    /// The user credited.
    #[serde(deserialize_with = "crate::validate::whole")]
    pub user_id: i64,
    /// The bill credited; created for the user if it does not exist (ids > 0).
    #[serde(deserialize_with = "crate::validate::whole")]
    pub bill_id: i64,
    /// More than 0, at most 2 decimal places.
    pub amount: AmountText,
}

/// The credited bill's balance (the same answer for a repeated transaction).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ShopWebhookOut, example = json!({"bill_id": 1, "balance": "100.00"}))]
pub struct WebhookOut {
    pub bill_id: i64,
    pub balance: Money,
}

/// A user, as admins see them, with their bills.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ShopUserOut, example = json!({
    "id": 2, "login": "alice", "is_active": true, "is_admin": false,
    "created_at": "2026-11-22T10:00:00Z", "bills": [{"id": 123456, "balance": "100.00"}]
}))]
pub struct UserOut {
    pub id: i64,
    pub login: String,
    /// False until activated, and while disabled by an admin.
    pub is_active: bool,
    pub is_admin: bool,
    #[serde(serialize_with = "crate::wire_time::rfc3339")]
    pub created_at: DateTime<Utc>,
    pub bills: Vec<BillOut>,
}

impl UserOut {
    /// The user with those of `bills` that are theirs.
    pub fn with_bills(user: User, bills: &[Bill]) -> Self {
        let bills = bills.iter().filter(|b| b.user_id == user.id).cloned().map(Into::into).collect();
        Self {
            id: user.id,
            login: user.login,
            is_active: user.is_active,
            is_admin: user.is_admin,
            created_at: user.created_at,
            bills,
        }
    }
}

/// Enables (`true`) or disables (`false`) a user.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ShopUserPatch, example = json!({"is_active": false}))]
pub struct UserPatch {
    pub is_active: bool,
}
