//! /ar image targets: every target with a thumbnail of its JPEG, its project
//! and size, soft-deleted ones marked; the thumbnail and the full image are
//! served from inside /admin (behind the session), never from the API.

use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use maud::html;

use crate::admin::{
    error::{PageResult, not_found},
    layout,
    listing::{ListQuery, split_page},
    session::Admin,
};
use super::thumbnail;
use crate::{
    schema::{ar_image_targets as targets, ar_projects as projects},
    state::AppState,
};

const PATH: &str = "/admin/ar/targets";

diesel::define_sql_function! {
    /// Bytes in a `bytea`, counted by PostgreSQL (the image is not loaded).
    fn octet_length(x: diesel::sql_types::Binary) -> diesel::sql_types::Integer;
}

/// (id, project id, project name, description, bytes, updated, deleted).
type TargetRow = (i64, i64, String, String, i32, DateTime<Utc>, Option<DateTime<Utc>>);

fn find(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<Vec<TargetRow>> {
    let mut query = targets::table
        .inner_join(projects::table)
        .select((
            targets::id,
            projects::id,
            projects::name,
            targets::description,
            octet_length(targets::image),
            targets::updated_at,
            targets::deleted_at,
        ))
        .order(targets::id)
        .into_boxed();
    if let Some(project) = q.scoped("project") {
        query = query.filter(targets::project_id.eq(project));
    } else if !q.q().is_empty() {
        let by_text = targets::description.ilike(q.pattern()).or(projects::name.ilike(q.pattern()));
        query = match q.id() {
            Some(id) => query.filter(by_text.or(targets::id.eq(id))),
            None => query.filter(by_text),
        };
    }
    query.limit(q.fetch()).offset(q.offset()).load(conn)
}

/// Image targets (`project:ID` shows one project's), with thumbnails.
pub async fn list(State(state): State<AppState>, admin: Admin, Query(q): Query<ListQuery>) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let mut rows = state.db(move |conn| Ok(find(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let rows = rows
        .iter()
        .map(|(id, project_id, project, description, bytes, updated, deleted)| {
            // The version in the URL lets the browser cache a thumbnail until the image changes.
            let thumb = format!("{PATH}/{id}/thumbnail?v={}", updated.timestamp_millis());
            html! { tr {
                td { a href={ (PATH) "/" (id) "/image" } {
                    img.thumb src=(thumb) alt={ "Image target #" (id) } loading="lazy" height="44";
                } }
                td.num { (id) }
                td { a href={ "/admin/ar/projects?q=" (project_id) } { (project) } " " span.muted { "#" (project_id) } }
                td.muted { (description) }
                td.num { (kib(*bytes)) }
                td { (layout::time(*updated)) }
                td { @match deleted {
                    Some(at) => { (layout::badge(false, "", "deleted")) " " (layout::time(*at)) },
                    None => (layout::badge(true, "live", "")),
                } }
            } }
        })
        .collect();
    let headers = ["Image", "Id", "Project", "Description", "Size", "Updated", "State"];
    let body = html! {
        (layout::listing(PATH, &text, "Description, project name, id, or project:ID", &headers, rows, page, more))
    };
    Ok(layout::page(&admin, PATH, "/ar image targets", None, body).into_response())
}

/// A size for people: `12.3 KiB`.
fn kib(bytes: i32) -> String {
    format!("{:.1} KiB", f64::from(bytes) / 1024.0)
}

async fn stored_image(state: &AppState, id: i64) -> PageResult<Vec<u8>> {
    state
        .db(move |conn| {
            Ok(targets::table.find(id).select(targets::image).first::<Vec<u8>>(conn).optional()?)
        })
        .await?
        .ok_or_else(|| not_found("image target"))
}

fn jpeg(bytes: Vec<u8>, cache: &'static str) -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    (headers, bytes).into_response()
}

/// A small JPEG of the target (at most 160 px a side), made on the fly.
pub async fn thumbnail(State(state): State<AppState>, _admin: Admin, Path(id): Path<i64>) -> PageResult {
    let image = stored_image(&state, id).await?;
    let small = thumbnail::make(image, &state.images).await?;
    Ok(jpeg(small, "private, max-age=86400"))
}

/// The stored JPEG as it was uploaded.
pub async fn image(State(state): State<AppState>, _admin: Admin, Path(id): Path<i64>) -> PageResult {
    Ok(jpeg(stored_image(&state, id).await?, "no-store"))
}
