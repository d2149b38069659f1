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
pub use image::body_limit as image_body_limit;
mod json;
pub mod models;
mod projects;
mod purge;
mod targets;
mod tokens;
mod users;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use purge::purge;

use crate::{auth::Audience, state::AppState};

pub const TAG: &str = "ar";

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

pub fn router() -> OpenApiRouter<AppState> {
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
