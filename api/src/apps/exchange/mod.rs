//! /exchange: users own items and hand them to each other through a
//! confirmation link (seed 000, part a). Tokens (`aud: exchange`) travel as
//! `Authorization: Bearer`, a `token` query parameter, or a `token` body field.

mod extract;
mod items;
mod json;
mod links;
mod models;
mod transfers;
mod users;

use diesel::PgConnection;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{auth::Audience, config::Config, jobs::PurgeReport, state::AppState};

pub const TAG: &str = "exchange";

/// Marks /exchange's tokens.
pub struct Exchange;

impl Audience for Exchange {
    const AUD: &'static str = "exchange";
    const QUERY_TOKEN: bool = true;
}

pub type ExchangeUser = crate::auth::Authed<Exchange>;

pub fn router() -> OpenApiRouter<AppState> {
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
pub fn purge(conn: &mut PgConnection, _config: &Config, report: &mut PurgeReport) -> anyhow::Result<()> {
    let removed = transfers::purge(conn, chrono::Utc::now())?;
    report.insert("exchange_transfer_links", removed);
    Ok(())
}
