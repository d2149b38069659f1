//! /ar: AR projects, their image targets and per-project app tokens (seed 004).
//!
//! Users log in for a user token (`aud: ar`, scheme `ar_user`) and own
//! projects; a project hands out app tokens (`aud: ar-app`, scheme `ar_app`),
//! JWTs scoped to that one project and checked against `ar_app_tokens` on every
//! request. App tokens reach only their project's image targets; user and
//! project routes refuse them (403). Projects and targets are soft-deleted;
//! [`purge`] removes them for good after the retention period.

mod auth;
mod image;
mod json;
mod models;
mod panel;
mod projects;
mod purge;
mod reads;
mod targets;
mod tokens;
mod users;

use utoipa::openapi::security::SecurityScheme;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::Audience,
    config::Config,
    registry::{AdminSection, App, bearer},
    state::AppState,
};

pub const TAG: &str = "ar";

/// What the rest of the server knows of /ar: two token kinds, image bodies
/// above the default limit, and rows the purge job removes.
pub const APP: App = App {
    prefix: TAG,
    description: "`/ar`: AR projects, image targets, per-project app tokens, soft delete (seed 004)",
    schemes,
    routes: router,
    unlimited: None,
    shape_errors: None,
    audiences: &[Ar::AUD, APP_AUD],
    unkeyed: &["ar_login", "ar_login_no_slash", "ar_logout"],
    body_limit: Some(|config| image::body_limit(config.max_image_bytes)),
    production_gap: None,
    on_startup: None,
    purge: Some(purge::purge),
    admin: AdminSection { nav: panel::NAV, routes: panel::routes, tiles: panel::tiles, accounts: None },
};

/// The app token's description says its lifetime, from `AR_TOKEN_TTL_SECONDS`.
fn schemes(config: &Config) -> Vec<(&'static str, SecurityScheme)> {
    let app = format!(
        "An /ar app token from `POST /ar/api/project/{{id}}/jwt`: a JWT scoped to that one project, for its image \
         targets only (project and user routes answer 403). Lives {} unless `PUT .../jwt/{{token_id}}` renews \
         it; revoked at once by `DELETE`.",
        lifetime(config.ar_token_ttl)
    );
    vec![
        (
            USER_SCHEME,
            bearer(
                "An /ar user token from `POST /ar/api/login/`: for the user and project routes, and the owner's image targets",
            ),
        ),
        (APP_SCHEME, bearer(&app)),
    ]
}

/// `14 days`, `12 hours`, `90 seconds`: the largest whole unit.
fn lifetime(ttl: std::time::Duration) -> String {
    let secs = ttl.as_secs();
    let (n, unit) = match secs {
        s if s % 86_400 == 0 => (s / 86_400, "day"),
        s if s % 3_600 == 0 => (s / 3_600, "hour"),
        s if s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// The security scheme of user tokens.
pub const USER_SCHEME: &str = "ar_user";
/// The security scheme of app tokens.
pub const APP_SCHEME: &str = "ar_app";

/// Marks /ar's user tokens.
pub struct Ar;

impl Audience for Ar {
    const AUD: &'static str = "ar";
}

/// The `aud` of app tokens: a user token can never pass for one, nor the reverse.
pub const APP_AUD: &str = "ar-app";

fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::create_user))
        .routes(routes!(users::get_user, users::update_user, users::delete_user))
        .routes(routes!(users::login))
        .routes(routes!(users::login_no_slash))
        .routes(routes!(users::logout))
        .routes(routes!(projects::list_projects, projects::create_project))
        .routes(routes!(projects::get_project, projects::update_project, projects::delete_project))
        .routes(routes!(tokens::create_token, tokens::list_tokens))
        .routes(routes!(tokens::update_token, tokens::delete_token))
        .routes(routes!(targets::list_targets, targets::create_target))
        .routes(routes!(targets::get_target, targets::update_target, targets::delete_target))
        .routes(routes!(targets::get_target_image))
}

#[cfg(test)]
mod tests {
    use super::lifetime;

    #[test]
    fn lifetimes_are_said_in_their_largest_whole_unit() {
        let said = |secs| lifetime(std::time::Duration::from_secs(secs));
        assert_eq!(said(1_209_600), "14 days");
        assert_eq!(said(86_400), "1 day");
        assert_eq!(said(7_200), "2 hours");
        assert_eq!(said(90), "90 seconds");
        assert_eq!(said(60), "1 minute");
    }
}
