//! /shop: products, bills, purchases, a signed payment webhook, and admins
//! (seed 003). Users register inactive and follow an activation link; every
//! user route takes a bearer token (`aud: shop`) of a user not disabled; admin
//! routes take an admin's. The webhook takes no token but a SHA-1 signature,
//! and is not rate limited per client.

pub mod access;
mod admin;
mod catalog;
pub mod json;
mod ledger;
pub mod models;
mod money;
mod panel;
mod reads;
mod users;
mod webhook;

use std::{future::Future, pin::Pin};

use utoipa::openapi::security::SecurityScheme;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::Audience,
    config::Config,
    db,
    registry::{AdminSection, App, bearer},
    state::AppState,
};

pub const TAG: &str = "shop";

/// What the rest of the server knows of /shop; its admins are the panel's accounts.
pub const APP: App = App {
    prefix: TAG,
    description: "`/shop`: products, bills, purchases, a signed payment webhook, admins (seed 003)",
    schemes,
    routes: router,
    unlimited: Some(webhook_router),
    shape_errors: None,
    audiences: &[Shop::AUD],
    unkeyed: &["shop_login", "shop_logout"],
    body_limit: None,
    production_gap: Some(|config| {
        config.payment_private_key.is_none().then_some(
            "PAYMENT_PRIVATE_KEY is not set: POST /shop/payment/webhook answers 503 \"the payment webhook is not configured\"",
        )
    }),
    on_startup: Some(start),
    purge: None,
    admin: AdminSection {
        nav: panel::NAV,
        routes: panel::routes,
        tiles: panel::tiles,
        accounts: Some(panel::accounts::ACCOUNTS),
    },
};

fn schemes(_: &Config) -> Vec<(&'static str, SecurityScheme)> {
    vec![("shop_auth", bearer("A /shop token from `POST /shop/login`"))]
}

fn start(state: &AppState) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + '_>> {
    Box::pin(on_startup(state))
}

/// Marks /shop's tokens.
pub struct Shop;

impl Audience for Shop {
    const AUD: &'static str = "shop";
}

/// Every route but the webhook, behind the per-client rate limit.
fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::register))
        .routes(routes!(users::activate))
        .routes(routes!(users::login))
        .routes(routes!(users::logout))
        .routes(routes!(catalog::list_products))
        .routes(routes!(catalog::buy_product))
        .routes(routes!(catalog::list_bills))
        .routes(routes!(catalog::list_transactions))
        .routes(routes!(admin::list_products, admin::create_product))
        .routes(routes!(admin::update_product, admin::delete_product))
        .routes(routes!(admin::list_users))
        .routes(routes!(admin::update_user))
}

/// The payment webhook: the payment service is one client sending many calls.
fn webhook_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(webhook::payment_webhook))
}

/// Start-up: the admin from `ADMIN_LOGIN`/`ADMIN_PASSWORD` (created, or its
/// password reset, and made an active admin), then the in-memory mirror of
/// disabled users read from the database and kept in step (`access.rs`).
async fn on_startup(state: &AppState) -> anyhow::Result<()> {
    if let Some(seed) = state.config.admin.clone() {
        let hash = state.passwords.hash("admin", seed.password).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        state
            .db(move |conn| {
                db::with_advisory_lock(conn, db::locks::ADMIN_SEED, |conn| {
                    Ok(models::seed_admin(conn, &seed.login, &hash)?)
                })
                .map_err(crate::error::ApiError::Internal)
            })
            .await
            .map_err(|e| anyhow::anyhow!("seeding the /shop admin failed: {e:?}"))?;
    }
    access::start(state).await
}
