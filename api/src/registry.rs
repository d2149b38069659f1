//! What an app is to the rest of the server: one [`App`] value per app, in
//! `apps::ALL`. The router, the OpenAPI document, the purge job, start-up and
//! the admin panel iterate that list and name no app.
//!
//! A struct of plain values and function pointers rather than a trait: every
//! field is written out in the app's `mod.rs`, so a forgotten piece is a
//! compile error instead of a silent default method, the list is a plain slice
//! (no trait objects), and the whole of what an app contributes reads in one
//! place.

use std::{future::Future, pin::Pin};

use axum::Router;
use diesel::{PgConnection, QueryResult};
use utoipa::openapi::security::SecurityScheme;
use utoipa_axum::router::OpenApiRouter;

use crate::{config::Config, error::ApiError, state::AppState};

/// An app's start-up work, run once before the server answers.
pub type StartUp = for<'a> fn(&'a AppState) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// An app's share of the purge job (inside the job's advisory lock): rows
/// removed, by kind.
pub type PurgeStep = fn(&mut PgConnection, &Config) -> anyhow::Result<Vec<(&'static str, usize)>>;

/// One app, mounted under `/{prefix}`.
pub struct App {
    /// The prefix without its slash: also the OpenAPI tag, the rate limit's
    /// budget and the idempotency keys' scope.
    pub prefix: &'static str,
    /// The OpenAPI tag's description.
    pub description: &'static str,
    /// The security schemes the app's operations name, with texts that may
    /// depend on configuration (a token lifetime).
    pub schemes: fn(&Config) -> Vec<(&'static str, SecurityScheme)>,
    /// Routes behind the per-client rate limit.
    pub routes: fn() -> OpenApiRouter<AppState>,
    /// Routes outside it (a payment service is one client sending many calls).
    pub unlimited: Option<fn() -> OpenApiRouter<AppState>>,
    /// Rewrites every error answer of the app, the rate limit's included.
    pub shape_errors: Option<fn(Router<AppState>) -> Router<AppState>>,
    /// The `aud` of the app's tokens: an idempotency key belongs to the token's user.
    pub audiences: &'static [&'static str],
    /// Writes (operation ids) that take no `Idempotency-Key`: logins and logouts.
    pub unkeyed: &'static [&'static str],
    /// The largest request body of any route, when above the server's default.
    pub body_limit: Option<fn(&Config) -> usize>,
    /// What a production server of this configuration runs without, said
    /// once at start (a key a route needs, say).
    pub production_gap: Option<fn(&Config) -> Option<&'static str>>,
    /// Work before the server answers (seeding, loading a mirror).
    pub on_startup: Option<StartUp>,
    /// Rows the purge job removes.
    pub purge: Option<PurgeStep>,
    /// The app's part of the admin panel.
    pub admin: AdminSection,
}

/// An app's pages in the admin panel.
pub struct AdminSection {
    /// Sidebar entries: (label, path under `/admin`).
    pub nav: &'static [(&'static str, &'static str)],
    /// The pages, nested under `/admin/{prefix}`.
    pub routes: fn() -> Router<AppState>,
    /// The dashboard's figures, read with the app's own queries.
    pub tiles: fn(&mut PgConnection) -> QueryResult<Vec<Tile>>,
    /// Who may sign in to the panel, when this app keeps the panel's accounts.
    pub accounts: Option<Accounts>,
}

/// One dashboard figure: what is counted, the figure, where to see the rows.
pub struct Tile {
    pub label: &'static str,
    pub value: String,
    pub href: &'static str,
}

impl Tile {
    /// A count.
    pub fn new(label: &'static str, count: i64, href: &'static str) -> Self {
        Self { label, value: count.to_string(), href }
    }
}

/// The panel's accounts, as the app that keeps them answers for them.
#[derive(Clone, Copy)]
pub struct Accounts {
    pub find_by_login: fn(&mut PgConnection, &str) -> Result<Option<Candidate>, ApiError>,
    /// True while this account may use the panel (checked on every request).
    pub may_sign_in: fn(&mut PgConnection, i64) -> Result<bool, ApiError>,
}

/// An account as the sign-in form sees it.
pub struct Candidate {
    pub id: i64,
    pub login: String,
    pub password_hash: String,
    /// May sign in now.
    pub allowed: bool,
}

/// `prefix` with its slash, as written in paths and on the dashboard.
pub fn mount(app: &App) -> String {
    format!("/{}", app.prefix)
}

/// The bearer scheme the apps' tokens use, with its description.
pub fn bearer(description: &str) -> SecurityScheme {
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder};
    SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(description))
            .build(),
    )
}
