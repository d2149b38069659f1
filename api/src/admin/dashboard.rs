//! The dashboard: how many rows each app holds, as each app counts them (live
//! ones: soft-deleted rows, dead links and tokens the API refuses are left
//! out), and the last purge run.

use axum::{extract::State, response::IntoResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use maud::html;

use super::{
    error::PageResult,
    layout,
    session::{self, Admin},
};
use crate::{
    apps::ALL,
    registry::{self, Tile},
    schema::purge_runs,
    state::AppState,
};

struct LastPurge {
    started_at: DateTime<Utc>,
    removed: serde_json::Value,
}

/// Each app's figures, under its prefix, read with the app's own queries.
fn tiles(conn: &mut PgConnection) -> QueryResult<Vec<(String, Tile)>> {
    let mut all = Vec::new();
    for app in ALL {
        all.extend((app.admin.tiles)(conn)?.into_iter().map(|tile| (registry::mount(app), tile)));
    }
    Ok(all)
}

fn last_purge(conn: &mut PgConnection) -> QueryResult<Option<LastPurge>> {
    purge_runs::table
        .order(purge_runs::id.desc())
        .select((purge_runs::started_at, purge_runs::removed))
        .first::<(DateTime<Utc>, serde_json::Value)>(conn)
        .optional()
        .map(|row| row.map(|(started_at, removed)| LastPurge { started_at, removed }))
}

/// The dashboard.
pub async fn show(State(state): State<AppState>, admin: Admin) -> PageResult {
    let (tiles, purge) = state.db(|conn| Ok((tiles(conn)?, last_purge(conn)?))).await?;
    let notice = session::take_notice(&state, &admin).await?;
    let body = html! {
        section.tiles {
            @for (app, t) in &tiles {
                a.tile href=(t.href) {
                    span.app { (app) }
                    span.value { (t.value) }
                    span.label { (t.label) }
                }
            }
        }
        section.card {
            h2 { "Last purge run" }
            @match &purge {
                Some(p) => p { "Started " (layout::time(p.started_at)) "; removed: " code { (p.removed) } },
                None => p.empty { "The purge job has not run yet." },
            }
        }
    };
    Ok(layout::page(&admin, "/admin", "Dashboard", notice.as_deref(), body).into_response())
}
