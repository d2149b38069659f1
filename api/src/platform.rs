//! Platform routes outside the apps: liveness and readiness.

use axum::extract::State;
use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{error::ApiError, extract::Json, state::AppState};

/// The state of the process and of what it depends on.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    /// `ok` when every check passed.
    pub status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "platform", operation_id = "health",
    responses((status = 200, description = "Up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness: PostgreSQL and Redis both answer.
#[utoipa::path(get, path = "/ready", tag = "platform", operation_id = "ready",
    responses((status = 200, description = "Ready", body = Health),
        (status = 503, description = "PostgreSQL or Redis is unreachable", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state
        .db(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map_err(|e| ApiError::Unavailable(format!("PostgreSQL: {e}")))
        })
        .await?;
    let mut redis = state.redis.clone();
    let _: String = redis::cmd("PING")
        .query_async(&mut redis)
        .await
        .map_err(|e| ApiError::Unavailable(format!("Redis: {e}")))?;
    Ok(Json(Health { status: "ok" }))
}
