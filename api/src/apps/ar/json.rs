//! /ar wire types. Schema names carry the `Ar` prefix (utoipa keeps one schema per name).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

/// The examples' image: a whole 8x8 grey JPEG (141 bytes), so "Try it out" and
/// the contract tools create a real target from the document's example.
const TINY_JPEG: &str = "/9j/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQH/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AP//Z";

/// Credentials to sign up or log in with.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ArCredentials, example = json!({"login": "alice", "password": "correct horse"}))]
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

/// Changes to the caller's account; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ArUserPatch, example = json!({"login": "alice2", "password": "another horse"}))]
pub struct UserPatch {
    /// A new login: 1-64 characters, no control characters.
    #[validate(custom(function = "crate::validate::login"))]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub login: Option<String>,
    /// A new password: 8-128 characters.
    #[validate(custom(function = "crate::validate::password"))]
    #[schema(min_length = 8, max_length = 128, pattern = r"^[^\u0000]*$")]
    pub password: Option<String>,
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ArUserOut, example = json!({"id": 1, "login": "alice"}))]
pub struct UserOut {
    pub id: i64,
    pub login: String,
}

/// A user token, for the user and project routes (scheme `ar_user`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ArTokenOut, example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9...", "token_type": "bearer"}))]
pub struct TokenOut {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
}

/// A project to create, or its new name.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ArProjectIn, example = json!({"name": "Museum tour"}))]
pub struct ProjectIn {
    /// 1-200 characters, unique among projects not deleted.
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "crate::validate::text")
    )]
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000]*$")]
    pub name: String,
}

/// A project of the caller.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ArProjectOut, example = json!({"id": 1, "name": "Museum tour"}))]
pub struct ProjectOut {
    pub id: i64,
    pub name: String,
}

/// A new lifetime for an app token.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[schema(as = ArTokenTtlIn, example = json!({"ttl_seconds": 86400}))]
pub struct TokenTtlIn {
    /// Seconds from now, 1 to 31536000 (a year); absent: `AR_TOKEN_TTL_SECONDS` (14 days).
    #[validate(range(min = 1, max = 31_536_000, message = "must be 1 to 31536000 seconds"))]
    #[schema(minimum = 1, maximum = 31_536_000)]
    #[serde(default, deserialize_with = "crate::validate::whole_opt")]
    pub ttl_seconds: Option<i64>,
}

/// An app token: a JWT for one project's image targets (scheme `ar_app`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ArAppTokenOut, example = json!({
    "id": 1, "token": "eyJhbGciOiJIUzI1NiJ9...", "expires_at": "2026-12-06T10:00:00Z"
}))]
pub struct AppTokenOut {
    /// The token's id, stable across `PUT`s.
    pub id: i64,
    /// The JWT to send as `Authorization: Bearer <token>`.
    pub token: String,
    #[serde(serialize_with = "crate::wire_time::rfc3339")]
    pub expires_at: DateTime<Utc>,
}

/// A new image target.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ArTargetIn, example = json!({"image": TINY_JPEG, "description": "The entrance poster"}))]
pub struct TargetIn {
    /// A JPEG in standard base64 (a `data:image/jpeg;base64,` prefix and line
    /// breaks are accepted); at most `MAX_IMAGE_BYTES` once decoded.
    #[schema(format = Byte)]
    pub image: String,
    /// Up to 10,000 characters.
    #[validate(custom(function = "description_rule"))]
    #[schema(max_length = 10000, pattern = r"^[^\u0000]*$")]
    pub description: String,
}

/// Changes to an image target; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ArTargetPatch, example = json!({"description": "The poster by the exit"}))]
pub struct TargetPatch {
    /// A new JPEG, as in `ArTargetIn`.
    #[schema(format = Byte)]
    pub image: Option<String>,
    /// Up to 10,000 characters.
    #[validate(custom(function = "description_rule"))]
    #[schema(max_length = 10000, pattern = r"^[^\u0000]*$")]
    pub description: Option<String>,
}

/// An image target in a list, without its image.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ArTargetSummary, example = json!({"id": 1, "description": "The entrance poster"}))]
pub struct TargetSummary {
    pub id: i64,
    pub description: String,
}

/// One image target with its image.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ArTargetOut, example = json!({"id": 1, "description": "The entrance poster", "image": TINY_JPEG}))]
pub struct TargetOut {
    pub id: i64,
    pub description: String,
    /// The JPEG, standard base64.
    #[schema(format = Byte)]
    pub image: String,
}

fn description_rule(value: &str) -> Result<(), ValidationError> {
    if value.chars().count() > 10_000 {
        return Err(ValidationError::new("length").with_message("must be at most 10000 characters".into()));
    }
    crate::validate::text(value)
}

impl From<super::models::Project> for ProjectOut {
    fn from(p: super::models::Project) -> Self {
        Self { id: p.id, name: p.name }
    }
}

impl From<super::models::TargetSummary> for TargetSummary {
    fn from(t: super::models::TargetSummary) -> Self {
        Self { id: t.id, description: t.description }
    }
}
