//! /todo wire types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::models::Task;

/// Credentials to register or log in with.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = TodoCredentials, example = json!({"username": "alice", "password": "correct horse"}))]
pub struct CredentialsIn {
    /// 1-64 characters, no control characters.
    #[validate(custom(function = "crate::validate::login"))]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub username: String,
    /// 8-128 characters, no NUL.
    #[validate(custom(function = "crate::validate::password"))]
    #[schema(min_length = 8, max_length = 128, pattern = r"^[^\u0000]*$")]
    pub password: String,
}

/// A registered user.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TodoUserOut, example = json!({"id": 1, "username": "alice"}))]
pub struct UserOut {
    pub id: i64,
    pub username: String,
}

/// A bearer token (the OAuth2 password flow's answer).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TodoTokenOut, example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9...", "token_type": "bearer"}))]
pub struct TokenOut {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
}

/// A task to create, or the full new state of one (PUT).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = TodoTaskIn, example = json!({"title": "Buy milk", "description": "2 litres", "completed": false}))]
pub struct TaskIn {
    /// 1-200 characters.
    #[validate(
        length(min = 1, max = 200, message = "must be 1 to 200 characters"),
        custom(function = "crate::validate::text")
    )]
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000]*$")]
    pub title: String,
    /// Up to 10,000 characters; absent or null for none.
    #[validate(
        length(max = 10000, message = "must be at most 10000 characters"),
        custom(function = "crate::validate::text")
    )]
    #[schema(max_length = 10000, pattern = r"^[^\u0000]*$")]
    pub description: Option<String>,
    /// Defaults to false.
    #[serde(default)]
    pub completed: bool,
}

/// A task of the caller.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TodoTaskOut, example = json!({
    "id": 1, "title": "Buy milk", "description": "2 litres", "completed": false,
    "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-22T10:00:00Z"
}))]
pub struct TaskOut {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Task> for TaskOut {
    fn from(t: Task) -> Self {
        Self {
            id: t.id,
            title: t.title,
            description: t.description,
            completed: t.completed,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}
