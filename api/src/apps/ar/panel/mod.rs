//! /ar pages: the routes of every /ar page, users (read-only: /ar's contract
//! has no disabled state) and projects, soft-deleted ones included until the
//! purge removes them, with how many live targets and app tokens each has.

use std::collections::HashMap;

use axum::{
    Router,
    extract::{Query, State},
    response::IntoResponse,
    routing::{get, post},
};
use chrono::{DateTime, Utc};
use diesel::{
    dsl::{count_star, now},
    prelude::*,
};
use maud::html;

use crate::admin::{
    error::PageResult,
    layout,
    listing::{ListQuery, split_page},
    session::Admin,
};
use crate::{
    registry::Tile,
    schema::{
        ar_app_tokens as tokens, ar_image_targets as targets, ar_projects as projects, ar_users as users,
    },
    state::AppState,
};

mod target_pages;
mod thumbnail;
mod token_pages;

const USERS: &str = "/admin/ar/users";
const PROJECTS: &str = "/admin/ar/projects";

/// The sidebar entries.
pub const NAV: &[(&str, &str)] = &[
    ("Users", USERS),
    ("Projects", PROJECTS),
    ("Image targets", "/admin/ar/targets"),
    ("App tokens", "/admin/ar/tokens"),
];

/// The dashboard's figures: live rows only (soft-deleted ones and tokens the
/// API refuses are left out).
pub fn tiles(conn: &mut PgConnection) -> QueryResult<Vec<Tile>> {
    let live_projects = projects::table.filter(projects::deleted_at.is_null());
    let live_targets = targets::table.filter(targets::deleted_at.is_null());
    // What the API accepts: not revoked, not expired, project not deleted.
    let live_tokens = tokens::table
        .inner_join(projects::table)
        .filter(tokens::revoked_at.is_null().and(tokens::expires_at.gt(now)))
        .filter(projects::deleted_at.is_null());
    Ok(vec![
        Tile::new("users", users::table.select(count_star()).get_result(conn)?, USERS),
        Tile::new("projects", live_projects.select(count_star()).get_result(conn)?, PROJECTS),
        Tile::new("image targets", live_targets.select(count_star()).get_result(conn)?, NAV[2].1),
        Tile::new("live app tokens", live_tokens.select(count_star()).get_result(conn)?, NAV[3].1),
    ])
}

/// The pages, under `/admin/ar`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users))
        .route("/projects", get(list_projects))
        .route("/targets", get(target_pages::list))
        .route("/targets/{id}/thumbnail", get(target_pages::thumbnail))
        .route("/targets/{id}/image", get(target_pages::image))
        .route("/tokens", get(token_pages::list))
        .route("/tokens/{id}/revoke", post(token_pages::revoke))
}

type UserRow = (i64, String, DateTime<Utc>);
/// (id, name, owner id, owner login, created, deleted).
type ProjectRow = (i64, String, i64, String, DateTime<Utc>, Option<DateTime<Utc>>);
type Counts = HashMap<i64, i64>;

fn find_users(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<(Vec<UserRow>, Counts)> {
    let mut query =
        users::table.select((users::id, users::login, users::created_at)).order(users::id).into_boxed();
    if !q.q().is_empty() {
        let by_login = users::login.ilike(q.pattern());
        query = match q.id() {
            Some(id) => query.filter(by_login.or(users::id.eq(id))),
            None => query.filter(by_login),
        };
    }
    let rows: Vec<UserRow> = query.limit(q.fetch()).offset(q.offset()).load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let counts = projects::table
        .filter(projects::owner_id.eq_any(ids).and(projects::deleted_at.is_null()))
        .group_by(projects::owner_id)
        .select((projects::owner_id, count_star()))
        .load::<(i64, i64)>(conn)?;
    Ok((rows, counts.into_iter().collect()))
}

/// /ar users, with how many projects each has.
pub async fn list_users(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let (mut rows, counts) = state.db(move |conn| Ok(find_users(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let rows = rows
        .iter()
        .map(|(id, login, created)| {
            html! { tr {
                td.num { (id) } td { (login) } td { (layout::time(*created)) }
                td.num { a href={ (PROJECTS) "?q=user:" (id) } { (counts.get(id).copied().unwrap_or(0)) } }
            } }
        })
        .collect();
    let body = html! {
        (layout::listing(USERS, &text, "Login or id", &["Id", "Login", "Registered", "Projects"], rows, page, more))
    };
    Ok(layout::page(&admin, USERS, "/ar users", None, body).into_response())
}

fn find_projects(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<(Vec<ProjectRow>, Counts, Counts)> {
    let mut query = projects::table
        .inner_join(users::table)
        .select((
            projects::id,
            projects::name,
            users::id,
            users::login,
            projects::created_at,
            projects::deleted_at,
        ))
        .order(projects::id)
        .into_boxed();
    if let Some(user) = q.scoped("user") {
        query = query.filter(projects::owner_id.eq(user));
    } else if !q.q().is_empty() {
        let by_text = projects::name.ilike(q.pattern()).or(users::login.ilike(q.pattern()));
        query = match q.id() {
            Some(id) => query.filter(by_text.or(projects::id.eq(id))),
            None => query.filter(by_text),
        };
    }
    let rows: Vec<ProjectRow> = query.limit(q.fetch()).offset(q.offset()).load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let live_targets = targets::table
        .filter(targets::project_id.eq_any(&ids).and(targets::deleted_at.is_null()))
        .group_by(targets::project_id)
        .select((targets::project_id, count_star()))
        .load::<(i64, i64)>(conn)?;
    let live_tokens = tokens::table
        .filter(tokens::project_id.eq_any(&ids))
        .filter(tokens::revoked_at.is_null().and(tokens::expires_at.gt(now)))
        .group_by(tokens::project_id)
        .select((tokens::project_id, count_star()))
        .load::<(i64, i64)>(conn)?;
    Ok((rows, live_targets.into_iter().collect(), live_tokens.into_iter().collect()))
}

/// /ar projects (`user:ID` shows one user's), deleted ones marked.
pub async fn list_projects(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let (mut rows, live_targets, live_tokens) = state.db(move |conn| Ok(find_projects(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let count = |counts: &Counts, id: &i64| counts.get(id).copied().unwrap_or(0);
    let rows = rows
        .iter()
        .map(|(id, name, owner_id, owner, created, deleted)| {
            html! { tr {
                td.num { (id) } td { (name) }
                td { a href={ (USERS) "?q=" (owner_id) } { (owner) } " " span.muted { "#" (owner_id) } }
                td.num { a href={ "/admin/ar/targets?q=project:" (id) } { (count(&live_targets, id)) } }
                td.num { a href={ "/admin/ar/tokens?q=project:" (id) } { (count(&live_tokens, id)) } }
                td { (layout::time(*created)) }
                td { @match deleted {
                    Some(at) => { (layout::badge(false, "", "deleted")) " " (layout::time(*at)) },
                    None => (layout::badge(true, "live", "")),
                } }
            } }
        })
        .collect();
    let headers = ["Id", "Name", "Owner", "Targets", "Live tokens", "Created", "State"];
    let body = html! {
        (layout::listing(PROJECTS, &text, "Name, owner's login, id, or user:ID", &headers, rows, page, more))
    };
    Ok(layout::page(&admin, PROJECTS, "/ar projects", None, body).into_response())
}
