//! Platform routes outside the apps: liveness, readiness and metrics.

use std::time::Duration;

use axum::{extract::State, http::header, response::IntoResponse};
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

/// How long `/ready` waits for its checks: a probe must get its answer
/// within a second, whatever state PostgreSQL or Redis is in.
const READY_WITHIN: Duration = Duration::from_millis(600);

/// Readiness: PostgreSQL and Redis both answer.
///
/// Answers within a second; a 503 names no backend detail (the cause is logged).
#[utoipa::path(get, path = "/ready", tag = "platform", operation_id = "ready",
    responses((status = 200, description = "Ready", body = Health),
        (status = 503, description = "PostgreSQL or Redis is unreachable or slow (answered within a second)", body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again")))))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let database = async {
        state.db(|conn| diesel::sql_query("SELECT 1").execute(conn).map_err(ApiError::from)).await.map(drop)
    };
    let redis = async {
        let mut redis = state.redis.clone();
        redis::cmd("PING").query_async::<String>(&mut redis).await.map(drop).map_err(ApiError::from)
    };
    let (database, redis) =
        tokio::join!(within("PostgreSQL", READY_WITHIN, database), within("Redis", READY_WITHIN, redis));
    match (database, redis) {
        (true, true) => Ok(Json(Health { status: "ok" })),
        _ => Err(ApiError::Unavailable("not ready: a backing service is unavailable".into())),
    }
}

/// Whether `check` passed in time; the cause of a failure is logged.
async fn within(service: &str, limit: Duration, check: impl Future<Output = Result<(), ApiError>>) -> bool {
    match tokio::time::timeout(limit, check).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(service, error = %e, "readiness check failed");
            false
        }
        Err(_) => {
            tracing::warn!(service, waited_ms = limit.as_millis(), "readiness check timed out");
            false
        }
    }
}

/// Metrics in the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "platform", operation_id = "metrics",
    responses((status = 200, description = "Prometheus text exposition format (version 0.0.4)",
        body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let pool = state.db.state();
    let in_use = pool.connections.saturating_sub(pool.idle_connections);
    let body = crate::metrics::exposition((in_use, pool.idle_connections), state.db.reads.counts());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body)
}
