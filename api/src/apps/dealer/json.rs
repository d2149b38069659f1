//! /dealer wire types, with the spec's capitalised `Message` / `Error` keys.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::models::{Auto, AutoChanges};

/// Credentials to register or authenticate with.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = DealerCredentials, example = json!({"username": "Some user", "password": "Some password"}))]
pub struct CredentialsIn {
    /// 1-64 characters, no control characters.
    #[validate(custom(function = "crate::validate::login"))]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub username: String,
    /// 8-128 characters.
    #[validate(custom(function = "crate::validate::password"))]
    #[schema(min_length = 8, max_length = 128, pattern = r"^[^\u0000]*$")]
    pub password: String,
}

/// A success message, as the spec words it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DealerMessage, example = json!({"Message": "Auto created"}))]
pub struct MessageOut {
    #[serde(rename = "Message")]
    pub message: &'static str,
}

impl MessageOut {
    pub fn new(message: &'static str) -> axum::Json<Self> {
        axum::Json(Self { message })
    }
}

/// Every /dealer error: the spec's `{"Error": ...}` body, for every 4xx and 5xx.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DealerError, example = json!({"Error": "Auto with that mark not found"}))]
pub struct ErrorOut {
    #[serde(rename = "Error")]
    pub error: String,
}

/// A JWT for the /dealer routes.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DealerTokenOut, example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9..."}))]
pub struct TokenOut {
    /// Send it as `Authorization: Bearer <token>` or `Authorization: JWT <token>`.
    pub access_token: String,
}

/// An auto's data (its mark is in the path).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = DealerAutoIn, example = json!({"max_speed": 280, "distance": 400, "handler": "Auto Motors", "stock": "Germany"}))]
pub struct AutoIn {
    /// Top speed, 0 or more.
    #[validate(range(min = 0, message = "must be 0 or more"))]
    #[schema(minimum = 0)]
    #[serde(deserialize_with = "crate::validate::whole")]
    pub max_speed: i32,
    /// Range, 0 or more.
    #[validate(range(min = 0, message = "must be 0 or more"))]
    #[schema(minimum = 0)]
    #[serde(deserialize_with = "crate::validate::whole")]
    pub distance: i32,
    /// The maker, 1-200 characters.
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "crate::validate::text")
    )]
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000]*$")]
    pub handler: String,
    /// Where it is kept, 1-200 characters.
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "crate::validate::text")
    )]
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000]*$")]
    pub stock: String,
}

impl From<AutoIn> for AutoChanges {
    fn from(a: AutoIn) -> Self {
        Self { max_speed: a.max_speed, distance: a.distance, handler: a.handler, stock: a.stock }
    }
}

/// An auto in stock.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DealerAutoOut, example = json!({"mark": "Model S", "max_speed": 280, "distance": 400, "handler": "Auto Motors", "stock": "Germany"}))]
pub struct AutoOut {
    pub mark: String,
    pub max_speed: i32,
    pub distance: i32,
    pub handler: String,
    pub stock: String,
}

impl From<Auto> for AutoOut {
    fn from(a: Auto) -> Self {
        Self {
            mark: a.mark,
            max_speed: a.max_speed,
            distance: a.distance,
            handler: a.handler,
            stock: a.stock,
        }
    }
}
