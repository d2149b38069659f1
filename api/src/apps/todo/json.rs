//! /todo wire types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::models::Task;

/// A page of the caller's tasks, by id: `limit`, and where it starts.
#[derive(Debug, Clone, Copy, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskPage {
    /// How many rows at most (1-1000, default 1000).
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// How many rows to skip (default 0), after `after_id` when both are given.
    #[validate(range(min = 0))]
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Only tasks with a greater id (default 0: from the first). Keyset
    /// paging: pass the last id of the previous page. As fast deep into a
    /// long list as on its first page, where `offset` reads and skips every
    /// row before the page.
    #[validate(range(min = 0))]
    #[param(minimum = 0)]
    pub after_id: Option<i64>,
}

impl TaskPage {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(crate::validate::MAX_PAGE)
    }
    pub fn offset(&self) -> i64 {
        self.offset.unwrap_or(0)
    }
    pub fn after_id(&self) -> i64 {
        self.after_id.unwrap_or(0)
    }
}

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
    #[serde(serialize_with = "crate::wire_time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::wire_time::rfc3339")]
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
