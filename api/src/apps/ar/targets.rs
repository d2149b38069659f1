//! /ar image targets of a project: reached with that project's app token or
//! the owner's user token. Lists leave the images out; one target carries its
//! image in base64, and `.../image` serves the raw JPEG. Deleting is soft.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};

use super::{
    TAG,
    auth::Caller,
    image::{self, ImageJson},
    json::{TargetIn, TargetOut, TargetPatch, TargetSummary},
    models,
};
use crate::{
    error::{ApiError, AuthedRead, AuthedWrite, NotFound},
    extract::{Json, Path, Query},
    state::AppState,
    validate::Page,
};

/// Checks access before an image is decoded, so that a caller of another
/// project learns nothing from it and costs no decode; the write checks again.
async fn ensure_access(state: &AppState, caller: Caller, id: i64) -> Result<Caller, ApiError> {
    state
        .db(move |conn| {
            caller.check_project(conn, id)?;
            Ok(caller)
        })
        .await
}

/// List the project's image targets (without images), by id.
#[utoipa::path(get, path = "/api/project/{id}/imagetarget", tag = TAG, operation_id = "ar_list_targets",
    security(("ar_app" = []), ("ar_user" = [])),
    params(("id" = i64, Path, description = "The project's id"), Page),
    responses((status = 200, description = "The project's targets", body = Vec<TargetSummary>), NotFound, AuthedRead))]
pub async fn list_targets(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(page): Query<Page>,
) -> Result<Json<Vec<TargetSummary>>, ApiError> {
    let targets = state
        .db(move |conn| {
            caller.check_project(conn, id)?;
            Ok(models::list_targets(conn, id, page.limit(), page.offset())?)
        })
        .await?;
    Ok(Json(targets.into_iter().map(Into::into).collect()))
}

/// Add an image target: a base64 JPEG and a description.
#[utoipa::path(post, path = "/api/project/{id}/imagetarget", tag = TAG, operation_id = "ar_create_target",
    security(("ar_app" = []), ("ar_user" = [])),
    params(("id" = i64, Path, description = "The project's id")), request_body = TargetIn,
    responses((status = 201, description = "Created", body = TargetSummary, links(
        ("GetTarget" = (operation_id = "ar_get_target", parameters(("id" = "$request.path.id"), ("target_id" = "$response.body#/id")),
            description = "Read the target just created")),
        ("GetTargetImage" = (operation_id = "ar_get_target_image", parameters(("id" = "$request.path.id"), ("target_id" = "$response.body#/id")),
            description = "Its image")),
        ("UpdateTarget" = (operation_id = "ar_update_target", parameters(("id" = "$request.path.id"), ("target_id" = "$response.body#/id")),
            description = "Change the target just created")),
        ("DeleteTarget" = (operation_id = "ar_delete_target", parameters(("id" = "$request.path.id"), ("target_id" = "$response.body#/id")),
            description = "Delete the target just created")),
    )), NotFound, AuthedWrite))]
pub async fn create_target(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ImageJson(body, _held): ImageJson<TargetIn>,
) -> Result<(StatusCode, Json<TargetSummary>), ApiError> {
    let caller = ensure_access(&state, caller, id).await?;
    let bytes = image::decode_jpeg(body.image, state.config.max_image_bytes, &state.images).await?;
    let target = state
        .db(move |conn| {
            caller.check_project(conn, id)?;
            Ok(models::insert_target(conn, id, &body.description, &bytes)?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(target.into())))
}

/// Read one image target, its image in base64.
#[utoipa::path(get, path = "/api/project/{id}/imagetarget/{target_id}", tag = TAG, operation_id = "ar_get_target",
    security(("ar_app" = []), ("ar_user" = [])),
    params(("id" = i64, Path, description = "The project's id"), ("target_id" = i64, Path, description = "The target's id")),
    responses((status = 200, description = "The target", body = TargetOut), NotFound, AuthedRead))]
pub async fn get_target(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, target_id)): Path<(i64, i64)>,
) -> Result<Json<TargetOut>, ApiError> {
    let target = state
        .db(move |conn| {
            caller.check_project(conn, id)?;
            models::find_target(conn, id, target_id)?.ok_or_else(|| ApiError::not_found("image target"))
        })
        .await?;
    let image = image::encode(&target.image);
    Ok(Json(TargetOut { id: target.id, description: target.description, image }))
}

/// The 200 of the raw image: `image/jpeg`, its schema a binary string (not
/// an array of integers, which SDK generators would try to parse as JSON).
struct JpegImage;

impl utoipa::IntoResponses for JpegImage {
    fn responses()
    -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::response::Response>> {
        use utoipa::openapi::{
            ObjectBuilder, ResponseBuilder, Type,
            content::ContentBuilder,
            schema::{KnownFormat, SchemaFormat},
        };
        let schema = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .content_media_type("image/jpeg")
            .build();
        let content = ContentBuilder::new().schema(Some(schema)).build();
        let response = ResponseBuilder::new().description("The JPEG").content("image/jpeg", content).build();
        [("200".to_owned(), response.into())].into()
    }
}

/// The raw JPEG of an image target.
#[utoipa::path(get, path = "/api/project/{id}/imagetarget/{target_id}/image", tag = TAG,
    operation_id = "ar_get_target_image", security(("ar_app" = []), ("ar_user" = [])),
    params(("id" = i64, Path, description = "The project's id"), ("target_id" = i64, Path, description = "The target's id")),
    responses(JpegImage, NotFound, AuthedRead))]
pub async fn get_target_image(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, target_id)): Path<(i64, i64)>,
) -> Result<impl IntoResponse, ApiError> {
    let bytes = state
        .db(move |conn| {
            caller.check_project(conn, id)?;
            models::target_image(conn, id, target_id)?.ok_or_else(|| ApiError::not_found("image target"))
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], bytes))
}

/// Change an image target's image and/or description.
#[utoipa::path(put, path = "/api/project/{id}/imagetarget/{target_id}", tag = TAG, operation_id = "ar_update_target",
    security(("ar_app" = []), ("ar_user" = [])),
    params(("id" = i64, Path, description = "The project's id"), ("target_id" = i64, Path, description = "The target's id")),
    request_body = TargetPatch,
    responses((status = 200, description = "Updated", body = TargetSummary), NotFound, AuthedWrite))]
pub async fn update_target(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, target_id)): Path<(i64, i64)>,
    ImageJson(body, _held): ImageJson<TargetPatch>,
) -> Result<Json<TargetSummary>, ApiError> {
    let caller = ensure_access(&state, caller, id).await?;
    let bytes = match body.image {
        Some(encoded) => {
            Some(image::decode_jpeg(encoded, state.config.max_image_bytes, &state.images).await?)
        }
        None => None,
    };
    let target = state
        .db(move |conn| {
            caller.check_project(conn, id)?;
            models::update_target(conn, id, target_id, body.description.as_deref(), bytes.as_deref())?
                .ok_or_else(|| ApiError::not_found("image target"))
        })
        .await?;
    Ok(Json(target.into()))
}

/// Delete an image target (soft).
#[utoipa::path(delete, path = "/api/project/{id}/imagetarget/{target_id}", tag = TAG, operation_id = "ar_delete_target",
    security(("ar_app" = []), ("ar_user" = [])),
    params(("id" = i64, Path, description = "The project's id"), ("target_id" = i64, Path, description = "The target's id")),
    responses((status = 204, description = "Deleted"), NotFound, AuthedRead))]
pub async fn delete_target(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, target_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let deleted = state
        .db(move |conn| {
            caller.check_project(conn, id)?;
            Ok(models::soft_delete_target(conn, id, target_id)?)
        })
        .await?;
    if deleted { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::not_found("image target")) }
}
