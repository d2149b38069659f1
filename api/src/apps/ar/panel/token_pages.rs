//! /ar app tokens: every token row (revoked and expired ones stay until the
//! purge removes them) with its project, owner and state, and **Revoke**,
//! which calls /ar's own `revoke_token` (what `DELETE .../jwt/{token_id}`
//! calls), so the token is refused by the API from that moment on.

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect},
};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use maud::{Markup, html};

use crate::admin::{
    error::{PageResult, not_found},
    forms::{AdminForm, NoFields},
    layout,
    listing::{ListQuery, split_page},
    session::{self, Admin},
};
use crate::{
    apps::ar::models,
    error::ApiError,
    schema::{ar_app_tokens as tokens, ar_projects as projects, ar_users as users},
    state::AppState,
};

const PATH: &str = "/admin/ar/tokens";

/// One token with its project and owner.
#[derive(Queryable)]
struct TokenRow {
    id: i64,
    project_id: i64,
    project: String,
    project_deleted: Option<DateTime<Utc>>,
    owner_id: i64,
    owner: String,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

fn find(conn: &mut PgConnection, q: &ListQuery) -> QueryResult<Vec<TokenRow>> {
    let mut query = tokens::table
        .inner_join(projects::table.inner_join(users::table))
        .select((
            tokens::id,
            projects::id,
            projects::name,
            projects::deleted_at,
            users::id,
            users::login,
            tokens::issued_at,
            tokens::expires_at,
            tokens::revoked_at,
        ))
        .order(tokens::id)
        .into_boxed();
    if let Some(project) = q.scoped("project") {
        query = query.filter(tokens::project_id.eq(project));
    } else if let Some(user) = q.scoped("user") {
        query = query.filter(projects::owner_id.eq(user));
    } else if !q.q().is_empty() {
        let by_text = projects::name.ilike(q.pattern()).or(users::login.ilike(q.pattern()));
        query = match q.id() {
            Some(id) => query.filter(by_text.or(tokens::id.eq(id))),
            None => query.filter(by_text),
        };
    }
    query.limit(q.fetch()).offset(q.offset()).load(conn)
}

/// Why a token works or not, as the API decides it.
fn state_badge(t: &TokenRow, now: DateTime<Utc>) -> Markup {
    match (t.revoked_at, t.project_deleted) {
        (Some(at), _) => html! { (layout::badge(false, "", "revoked")) " " (layout::time(at)) },
        (None, Some(_)) => layout::badge(false, "", "project deleted"),
        (None, None) if t.expires_at <= now => layout::badge(false, "", "expired"),
        (None, None) => layout::badge(true, "live", ""),
    }
}

/// App tokens (`project:ID` or `user:ID` narrows them), with Revoke.
pub async fn list(State(state): State<AppState>, admin: Admin, Query(q): Query<ListQuery>) -> PageResult {
    let (text, page) = (q.q(), q.page());
    let mut rows = state.db(move |conn| Ok(find(conn, &q)?)).await?;
    let more = split_page(&mut rows);
    let now = Utc::now();
    let rows = rows
        .iter()
        .map(|t| {
            html! { tr {
                td.num { (t.id) }
                td { a href={ "/admin/ar/projects?q=" (t.project_id) } { (t.project) } " " span.muted { "#" (t.project_id) } }
                td { a href={ "/admin/ar/users?q=" (t.owner_id) } { (t.owner) } " " span.muted { "#" (t.owner_id) } }
                td { (layout::time(t.issued_at)) } td { (layout::time(t.expires_at)) }
                td { (state_badge(t, now)) }
                td.actions { @if t.revoked_at.is_none() {
                    (layout::action_button(&admin, &format!("{PATH}/{}/revoke", t.id), "Revoke", true))
                } }
            } }
        })
        .collect();
    let headers = ["Id", "Project", "Owner", "Issued", "Expires", "State", ""];
    let body = html! {
        (layout::listing(PATH, &text, "Project, owner's login, id, project:ID or user:ID", &headers, rows, page, more))
    };
    let notice = session::take_notice(&state, &admin).await?;
    Ok(layout::page(&admin, PATH, "/ar app tokens", notice.as_deref(), body).into_response())
}

/// Revoke an app token through /ar's own function: refused from now on.
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: AdminForm<NoFields>,
) -> PageResult {
    let admin = form.admin;
    let (project_id, project) = state
        .db(move |conn| {
            let found = tokens::table
                .inner_join(projects::table)
                .filter(tokens::id.eq(id))
                .select((tokens::project_id, projects::name))
                .first::<(i64, String)>(conn)
                .optional()?;
            let Some((project_id, name)) = found else { return Ok(None) };
            if !models::revoke_token(conn, project_id, id)? {
                return Err(ApiError::Conflict(format!("app token #{id} is already revoked")));
            }
            Ok(Some((project_id, name)))
        })
        .await?
        .ok_or_else(|| not_found("app token"))?;
    tracing::info!(
        admin_id = admin.id,
        action = "ar.token.revoke",
        token_id = id,
        project_id,
        "admin action"
    );
    let notice = format!("App token #{id} of “{project}” revoked: the API refuses it from now on.");
    session::set_notice(&state, &admin, &notice).await?;
    Ok(Redirect::to(PATH).into_response())
}
