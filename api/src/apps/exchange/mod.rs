//! /exchange: users own items and hand them to each other through a
//! confirmation link (seed 000, part a). Tokens (`aud: exchange`) travel as
//! `Authorization: Bearer`, a `token` query parameter, or a `token` body field.

mod extract;
mod items;
mod json;
mod links;
mod models;
mod panel;
mod reads;
mod transfers;
mod users;

use diesel::PgConnection;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::Audience,
    config::Config,
    registry::{AdminSection, App, bearer},
    state::AppState,
};

pub const TAG: &str = "exchange";

/// What the rest of the server knows of /exchange.
pub const APP: App = App {
    prefix: TAG,
    description: "`/exchange`: items handed between users by a one-time confirmation link (seed 000)",
    schemes,
    routes: router,
    unlimited: None,
    shape_errors: None,
    audiences: &[Exchange::AUD],
    unkeyed: &["exchange_login", "exchange_logout"],
    body_limit: None,
    production_gap: None,
    on_startup: None,
    purge: Some(purge),
    admin: AdminSection { nav: panel::NAV, routes: panel::routes, tiles: panel::tiles, accounts: None },
};

/// A bearer token, or the same token as the `token` query parameter: declared
/// as an alternative scheme, so tools know a request carrying it is authenticated.
fn schemes(_: &Config) -> Vec<(&'static str, SecurityScheme)> {
    vec![
        (
            "exchange_auth",
            bearer(
                "An /exchange token from `POST /exchange/login` (also accepted as a `token` query parameter or body field)",
            ),
        ),
        (
            "exchange_query",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "An /exchange token from `POST /exchange/login`, as the `token` query parameter",
            ))),
        ),
    ]
}

/// Marks /exchange's tokens.
pub struct Exchange;

impl Audience for Exchange {
    const AUD: &'static str = "exchange";
    const QUERY_TOKEN: bool = true;
}

pub type ExchangeUser = crate::auth::Authed<Exchange>;

fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::register))
        .routes(routes!(users::login))
        .routes(routes!(users::logout))
        .routes(routes!(items::create_item))
        .routes(routes!(items::list_items))
        .routes(routes!(items::delete_item))
        .routes(routes!(links::send_item))
        .routes(routes!(links::follow_link))
}

/// The purge job's share: transfer links that can never work again.
fn purge(conn: &mut PgConnection, _config: &Config) -> anyhow::Result<Vec<(&'static str, usize)>> {
    Ok(vec![("exchange_transfer_links", transfers::purge(conn, chrono::Utc::now())?)])
}
