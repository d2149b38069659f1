//! /dealer: a car dealer's stock (seed 002), answering exactly the spec's
//! `{"Message": ...}` / `{"Error": ...}` bodies, for every other 4xx too
//! (`errors.rs`). `/stock` and `/auto/{mark}` need a dealer token
//! (`aud: dealer`), sent as `Authorization: Bearer <token>` or `JWT <token>`.

mod autos;
mod errors;
mod json;
mod models;
mod panel;
mod reads;
mod users;

use utoipa::openapi::security::SecurityScheme;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::Audience,
    config::Config,
    registry::{AdminSection, App, bearer},
    state::AppState,
};

pub const TAG: &str = "dealer";

/// What the rest of the server knows of /dealer: its errors keep the spec's shape.
pub const APP: App = App {
    prefix: TAG,
    description: "`/dealer`: a car dealer's stock, answering `{\"Message\"}` / `{\"Error\"}` bodies (seed 002)",
    schemes,
    routes: router,
    unlimited: None,
    shape_errors: Some(errors::shape_errors),
    audiences: &[Dealer::AUD],
    unkeyed: &["dealer_auth", "dealer_logout"],
    body_limit: None,
    production_gap: None,
    on_startup: None,
    purge: None,
    admin: AdminSection { nav: panel::NAV, routes: panel::routes, tiles: panel::tiles, accounts: None },
};

fn schemes(_: &Config) -> Vec<(&'static str, SecurityScheme)> {
    vec![("dealer_auth", bearer("A /dealer token from `POST /dealer/auth` (`Bearer` or `JWT` before it)"))]
}

/// Marks /dealer's tokens.
pub struct Dealer;

impl Audience for Dealer {
    const AUD: &'static str = "dealer";
    /// The spec follows Flask-JWT, whose clients send `JWT <token>`.
    const SCHEMES: &'static [&'static str] = &["Bearer", "JWT"];
}

pub type DealerUser = crate::auth::Authed<Dealer>;

fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::register))
        .routes(routes!(users::auth))
        .routes(routes!(users::logout))
        .routes(routes!(autos::list_stock))
        .routes(routes!(autos::get_auto, autos::create_auto, autos::update_auto, autos::delete_auto))
}
