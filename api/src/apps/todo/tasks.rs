//! /todo task CRUD: each user sees and touches only their own tasks.

use axum::{extract::State, http::StatusCode};

use super::{
    TAG, TodoUser,
    json::{TaskIn, TaskOut, TaskPage},
    models::{self, TaskChanges},
    reads,
};
use crate::{
    auth,
    db::ResultExt as _,
    error::{ApiError, AuthedRead, AuthedWrite, NotFound},
    extract::{Json, Path, Query},
    state::AppState,
};

/// A task the caller cannot see: 404, or 401 if the caller's user is gone
/// (their tasks went with them).
fn missing(conn: &mut diesel::PgConnection, user_id: i64) -> ApiError {
    auth::gone_or(models::user_exists(conn, user_id), ApiError::not_found("task"))
}

impl From<TaskIn> for TaskChanges {
    fn from(t: TaskIn) -> Self {
        Self { title: t.title, description: t.description, completed: t.completed }
    }
}

/// Create a task.
///
/// The task belongs to the caller; no one else can see or touch it. The
/// answer's `id` feeds the links to read, replace and delete it.
#[utoipa::path(post, path = "/tasks", tag = TAG, operation_id = "todo_create_task",
    security(("todo_auth" = [])), request_body = TaskIn,
    responses((status = 201, description = "Created", body = TaskOut, links(
        ("GetTask" = (operation_id = "todo_get_task", parameters(("task_id" = "$response.body#/id")),
            description = "Read the task just created")),
        ("UpdateTask" = (operation_id = "todo_update_task", parameters(("task_id" = "$response.body#/id")),
            description = "Replace the task just created")),
        ("DeleteTask" = (operation_id = "todo_delete_task", parameters(("task_id" = "$response.body#/id")),
            description = "Delete the task just created")),
    )), AuthedWrite))]
pub async fn create_task(
    State(state): State<AppState>,
    user: TodoUser,
    Json(body): Json<TaskIn>,
) -> Result<(StatusCode, Json<TaskOut>), ApiError> {
    let task = state
        .db(move |conn| {
            models::insert_task(conn, user.user_id, &body.into())
                .on_constraint(models::TASK_OWNER, |_| auth::user_gone())
        })
        .await?;
    Ok((StatusCode::CREATED, Json(task.into())))
}

/// List the caller's tasks, by id.
///
/// Only the caller's own tasks, ordered by id; `limit` (1-1000, default 1000)
/// and `offset` page through them, or `after_id` (the last id of the previous
/// page), which stays as fast deep into a long list as on its first page.
#[utoipa::path(get, path = "/tasks", tag = TAG, operation_id = "todo_list_tasks",
    security(("todo_auth" = [])), params(TaskPage),
    responses((status = 200, description = "The caller's tasks", body = Vec<TaskOut>), AuthedRead))]
pub async fn list_tasks(
    State(state): State<AppState>,
    user: TodoUser,
    Query(page): Query<TaskPage>,
) -> Result<Json<Vec<TaskOut>>, ApiError> {
    let tasks = state
        .read(async |conn| {
            let tasks =
                reads::list_tasks(conn, user.user_id, page.after_id(), page.limit(), page.offset()).await?;
            // Tasks prove their user exists; only an empty page asks.
            if tasks.is_empty() && !reads::user_exists(conn, user.user_id).await? {
                return Err(auth::user_gone());
            }
            Ok(tasks)
        })
        .await?;
    Ok(Json(tasks.into_iter().map(Into::into).collect()))
}

/// Read one task.
///
/// Another user's task answers 404, as if it did not exist.
#[utoipa::path(get, path = "/tasks/{task_id}", tag = TAG, operation_id = "todo_get_task",
    security(("todo_auth" = [])), params(("task_id" = i64, Path, description = "The task's id")),
    responses((status = 200, description = "The task", body = TaskOut), NotFound, AuthedRead))]
pub async fn get_task(
    State(state): State<AppState>,
    user: TodoUser,
    Path(task_id): Path<i64>,
) -> Result<Json<TaskOut>, ApiError> {
    state
        .read(async |conn| match reads::find_task(conn, user.user_id, task_id).await? {
            Some(task) => Ok(Json(task.into())),
            None => Err(auth::gone_or(
                reads::user_exists(conn, user.user_id).await,
                ApiError::not_found("task"),
            )),
        })
        .await
}

/// Replace a task.
///
/// A full update: an absent `description` becomes null and an absent
/// `completed` false. Another user's task answers 404.
#[utoipa::path(put, path = "/tasks/{task_id}", tag = TAG, operation_id = "todo_update_task",
    security(("todo_auth" = [])), params(("task_id" = i64, Path, description = "The task's id")),
    request_body = TaskIn,
    responses((status = 200, description = "Updated", body = TaskOut), NotFound, AuthedWrite))]
pub async fn update_task(
    State(state): State<AppState>,
    user: TodoUser,
    Path(task_id): Path<i64>,
    Json(body): Json<TaskIn>,
) -> Result<Json<TaskOut>, ApiError> {
    state
        .db(move |conn| {
            models::update_task(conn, user.user_id, task_id, &body.into())?
                .ok_or_else(|| missing(conn, user.user_id))
        })
        .await
        .map(|t| Json(t.into()))
}

/// Delete a task.
///
/// Deleted for good: reading it afterwards answers 404. Another user's task answers 404.
#[utoipa::path(delete, path = "/tasks/{task_id}", tag = TAG, operation_id = "todo_delete_task",
    security(("todo_auth" = [])), params(("task_id" = i64, Path, description = "The task's id")),
    responses((status = 204, description = "Deleted"), NotFound, AuthedRead))]
pub async fn delete_task(
    State(state): State<AppState>,
    user: TodoUser,
    Path(task_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .db(move |conn| match models::delete_task(conn, user.user_id, task_id)? {
            true => Ok(StatusCode::NO_CONTENT),
            false => Err(missing(conn, user.user_id)),
        })
        .await
}
