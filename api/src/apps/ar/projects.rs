//! /ar projects: the caller's own, user tokens only (app tokens get 403).
//! Deleting is soft: the project, its targets and its tokens leave every
//! answer at once, and the name is free again.

use axum::{extract::State, http::StatusCode};

use super::{
    TAG,
    auth::{self, Owner},
    json::{ProjectIn, ProjectOut},
    models, reads};
use crate::{
    db::ResultExt as _,
    error::{ApiError, AuthedRead, AuthedWrite, Conflict, Forbidden, NotFound},
    extract::{Json, Path, Query},
    state::AppState,
    validate::Page,
};

fn name_taken(_: &dyn diesel::result::DatabaseErrorInformation) -> ApiError {
    ApiError::Conflict("a project with this name exists".into())
}

/// List the caller's projects, by id.
#[utoipa::path(get, path = "/api/project", tag = TAG, operation_id = "ar_list_projects",
    security(("ar_user" = [])), params(Page),
    responses((status = 200, description = "The caller's projects", body = Vec<ProjectOut>), Forbidden, AuthedRead))]
pub async fn list_projects(
    State(state): State<AppState>,
    owner: Owner,
    Query(page): Query<Page>,
) -> Result<Json<Vec<ProjectOut>>, ApiError> {
    let projects = state
        .read(async |conn| {
            // A deleted user's projects go with them (ON DELETE CASCADE), so a
            // page with projects proves the owner exists: only an empty page
            // costs a second round trip to tell "none" from "user deleted".
            let projects = reads::list_projects(conn, owner.user_id, page.limit(), page.offset()).await?;
            if projects.is_empty() && !reads::user_exists(conn, owner.user_id).await? {
                return Err(crate::auth::user_gone());
            }
            Ok(projects)
        })
        .await?;
    Ok(Json(projects.into_iter().map(Into::into).collect()))
}

/// Create a project (its name unique among projects not deleted).
#[utoipa::path(post, path = "/api/project", tag = TAG, operation_id = "ar_create_project",
    security(("ar_user" = [])), request_body = ProjectIn,
    responses((status = 201, description = "Created", body = ProjectOut, links(
        ("GetProject" = (operation_id = "ar_get_project", parameters(("id" = "$response.body#/id")),
            description = "Read the project just created")),
        ("UpdateProject" = (operation_id = "ar_update_project", parameters(("id" = "$response.body#/id")),
            description = "Rename the project just created")),
        ("DeleteProject" = (operation_id = "ar_delete_project", parameters(("id" = "$response.body#/id")),
            description = "Delete the project just created")),
        ("CreateTarget" = (operation_id = "ar_create_target", parameters(("id" = "$response.body#/id")),
            description = "Add an image target to it")),
        ("ListTargets" = (operation_id = "ar_list_targets", parameters(("id" = "$response.body#/id")),
            description = "List its image targets")),
        ("CreateToken" = (operation_id = "ar_create_token", parameters(("id" = "$response.body#/id")),
            description = "Issue an app token for it")),
        ("ListTokens" = (operation_id = "ar_list_tokens", parameters(("id" = "$response.body#/id")),
            description = "List its app tokens")),
    )), Conflict, Forbidden, AuthedWrite))]
pub async fn create_project(
    State(state): State<AppState>,
    owner: Owner,
    Json(body): Json<ProjectIn>,
) -> Result<(StatusCode, Json<ProjectOut>), ApiError> {
    let project = state
        .db(move |conn| {
            owner.check(conn)?;
            models::insert_project(conn, owner.user_id, &body.name)
                .on_constraint(models::NAME_TAKEN, name_taken)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(project.into())))
}

/// Read one of the caller's projects.
#[utoipa::path(get, path = "/api/project/{id}", tag = TAG, operation_id = "ar_get_project",
    security(("ar_user" = [])), params(("id" = i64, Path, description = "The project's id")),
    responses((status = 200, description = "The project", body = ProjectOut), NotFound, Forbidden, AuthedRead))]
pub async fn get_project(
    State(state): State<AppState>,
    owner: Owner,
    Path(id): Path<i64>,
) -> Result<Json<ProjectOut>, ApiError> {
    let project = state.db(move |conn| owner.project(conn, id)).await?;
    Ok(Json(project.into()))
}

/// Rename a project.
#[utoipa::path(put, path = "/api/project/{id}", tag = TAG, operation_id = "ar_update_project",
    security(("ar_user" = [])), params(("id" = i64, Path, description = "The project's id")),
    request_body = ProjectIn,
    responses((status = 200, description = "Updated", body = ProjectOut), NotFound, Conflict, Forbidden, AuthedWrite))]
pub async fn update_project(
    State(state): State<AppState>,
    owner: Owner,
    Path(id): Path<i64>,
    Json(body): Json<ProjectIn>,
) -> Result<Json<ProjectOut>, ApiError> {
    let project = state
        .db(move |conn| {
            models::rename_project(conn, owner.user_id, id, &body.name)
                .on_constraint(models::NAME_TAKEN, name_taken)?
                .ok_or_else(|| auth::missing(conn, owner.user_id, "project"))
        })
        .await?;
    Ok(Json(project.into()))
}

/// Delete a project (soft): its targets and app tokens go with it.
#[utoipa::path(delete, path = "/api/project/{id}", tag = TAG, operation_id = "ar_delete_project",
    security(("ar_user" = [])), params(("id" = i64, Path, description = "The project's id")),
    responses((status = 204, description = "Deleted"), NotFound, Forbidden, AuthedRead))]
pub async fn delete_project(
    State(state): State<AppState>,
    owner: Owner,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .db_tx(move |conn| match models::soft_delete_project(conn, owner.user_id, id)? {
            true => Ok(StatusCode::NO_CONTENT),
            false => Err(auth::missing(conn, owner.user_id, "project")),
        })
        .await
}
