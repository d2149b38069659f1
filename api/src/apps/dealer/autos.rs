//! /dealer stock: `GET /stock` and `/auto/{mark}` (GET, POST creates, PUT
//! updates, DELETE). Marks are path segments, percent-decoded by the router,
//! so any text round-trips. Every route needs a dealer token.

use axum::{extract::State, http::StatusCode};

use super::{
    DealerUser, TAG,
    errors::{TokenBody, TokenRead},
    json::{AutoIn, AutoOut, ErrorOut, MessageOut},
    models, reads};
use crate::{
    auth,
    db::ResultExt as _,
    error::ApiError,
    extract::{Json, Path, Query},
    state::AppState,
    validate::Page,
};

const NOT_FOUND: &str = "Auto with that mark not found";

/// A mark that can be stored: 1-200 characters, no NUL. Any other cannot exist.
fn storable(mark: &str) -> bool {
    (1..=200).contains(&mark.chars().count()) && !mark.contains('\0')
}

fn not_found() -> ApiError {
    ApiError::NotFound(NOT_FOUND.into())
}

/// No auto matched: 404, or 401 if the caller's user is gone (see `models`).
fn missing(conn: &mut diesel::PgConnection, user_id: i64) -> ApiError {
    auth::gone_or(models::user_exists(conn, user_id), not_found())
}

/// Every auto in stock, by creation.
#[utoipa::path(get, path = "/stock", tag = TAG, operation_id = "dealer_list_stock",
    security(("dealer_auth" = [])), params(Page),
    responses(
        (status = 200, description = "The autos", body = Vec<AutoOut>),
        (status = 400, description = "There are no autos at all, or bad parameters", body = ErrorOut, example = json!({"Error": "No one autos found in DataBase"})),
        (status = 422, description = "`limit` or `offset` out of range", body = ErrorOut, example = json!({"Error": "offset: range"})),
        TokenRead,
    ))]
pub async fn list_stock(
    State(state): State<AppState>,
    user: DealerUser,
    Query(page): Query<Page>,
) -> Result<axum::Json<Vec<AutoOut>>, ApiError> {
    let autos = state
        .read(async |conn| {
            let autos = reads::list_autos(conn, user.user_id, page.limit(), page.offset()).await?;
            if autos.is_empty() && !reads::user_exists(conn, user.user_id).await? {
                return Err(auth::user_gone());
            }
            if autos.is_empty() && !reads::any_autos(conn).await? {
                return Err(ApiError::BadRequest("No one autos found in DataBase".into()));
            }
            Ok(autos)
        })
        .await?;
    Ok(axum::Json(autos.into_iter().map(Into::into).collect()))
}

/// One auto, by mark.
#[utoipa::path(get, path = "/auto/{mark}", tag = TAG, operation_id = "dealer_get_auto",
    security(("dealer_auth" = [])), params(("mark" = String, Path, description = "The auto's mark")),
    responses(
        (status = 200, description = "The auto", body = AutoOut),
        (status = 404, description = "No auto with that mark", body = ErrorOut, example = json!({"Error": NOT_FOUND})),
        TokenRead,
    ))]
pub async fn get_auto(
    State(state): State<AppState>,
    user: DealerUser,
    Path(mark): Path<String>,
) -> Result<axum::Json<AutoOut>, ApiError> {
    let auto = state
        .db(move |conn| match storable(&mark) {
            true => models::find_auto(conn, user.user_id, &mark)?.ok_or_else(|| missing(conn, user.user_id)),
            false => Err(missing(conn, user.user_id)),
        })
        .await?;
    Ok(axum::Json(auto.into()))
}

/// Add an auto under a new mark.
#[utoipa::path(post, path = "/auto/{mark}", tag = TAG, operation_id = "dealer_create_auto",
    security(("dealer_auth" = [])), params(("mark" = String, Path, description = "The new auto's mark, 1-200 characters",
        min_length = 1, max_length = 200, pattern = r"^[^\u0000]*$")),
    request_body = AutoIn,
    responses(
        (status = 201, description = "Created", body = MessageOut, links(
        ("GetAuto" = (operation_id = "dealer_get_auto", parameters(("mark" = "$request.path.mark")),
            description = "Read the auto just created")),
        ("UpdateAuto" = (operation_id = "dealer_update_auto", parameters(("mark" = "$request.path.mark")),
            description = "Replace the auto just created")),
        ("DeleteAuto" = (operation_id = "dealer_delete_auto", parameters(("mark" = "$request.path.mark")),
            description = "Delete the auto just created")),
        ), example = json!({"Message": "Auto created"})),
        (status = 400, description = "The mark exists, or the body is not JSON", body = ErrorOut, example = json!({"Error": "Auto with that mark exists"})),
        TokenBody,
    ))]
pub async fn create_auto(
    State(state): State<AppState>,
    user: DealerUser,
    Path(mark): Path<String>,
    Json(body): Json<AutoIn>,
) -> Result<(StatusCode, axum::Json<MessageOut>), ApiError> {
    if !storable(&mark) {
        return Err(ApiError::invalid("mark", "must be 1 to 200 characters, without NUL"));
    }
    let inserted = state
        .db(move |conn| {
            models::insert_auto(conn, user.user_id, &mark, &body.into())
                .on_constraint(models::MARK_TAKEN, |_| {
                    ApiError::BadRequest("Auto with that mark exists".into())
                })
        })
        .await?;
    if !inserted {
        return Err(auth::user_gone());
    }
    Ok((StatusCode::CREATED, MessageOut::new("Auto created")))
}

/// Replace an auto's data.
#[utoipa::path(put, path = "/auto/{mark}", tag = TAG, operation_id = "dealer_update_auto",
    security(("dealer_auth" = [])), params(("mark" = String, Path, description = "The auto's mark")),
    request_body = AutoIn,
    responses(
        (status = 202, description = "Updated", body = MessageOut, example = json!({"Message": "Auto updated"})),
        (status = 400, description = "The body is not JSON", body = ErrorOut, example = json!({"Error": "Failed to parse the request body as JSON"})),
        (status = 404, description = "No auto with that mark", body = ErrorOut, example = json!({"Error": NOT_FOUND})),
        TokenBody,
    ))]
pub async fn update_auto(
    State(state): State<AppState>,
    user: DealerUser,
    Path(mark): Path<String>,
    Json(body): Json<AutoIn>,
) -> Result<(StatusCode, axum::Json<MessageOut>), ApiError> {
    state
        .db(move |conn| {
            match storable(&mark) && models::update_auto(conn, user.user_id, &mark, &body.into())? {
                true => Ok((StatusCode::ACCEPTED, MessageOut::new("Auto updated"))),
                false => Err(missing(conn, user.user_id)),
            }
        })
        .await
}

/// Remove an auto.
#[utoipa::path(delete, path = "/auto/{mark}", tag = TAG, operation_id = "dealer_delete_auto",
    security(("dealer_auth" = [])), params(("mark" = String, Path, description = "The auto's mark")),
    responses(
        (status = 202, description = "Deleted", body = MessageOut, example = json!({"Message": "Auto deleted"})),
        (status = 404, description = "No auto with that mark", body = ErrorOut, example = json!({"Error": NOT_FOUND})),
        TokenRead,
    ))]
pub async fn delete_auto(
    State(state): State<AppState>,
    user: DealerUser,
    Path(mark): Path<String>,
) -> Result<(StatusCode, axum::Json<MessageOut>), ApiError> {
    state
        .db(move |conn| match storable(&mark) && models::delete_auto(conn, user.user_id, &mark)? {
            true => Ok((StatusCode::ACCEPTED, MessageOut::new("Auto deleted"))),
            false => Err(missing(conn, user.user_id)),
        })
        .await
}
