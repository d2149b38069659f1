//! /dealer: a car dealer's stock (seed 002), answering exactly the spec's
//! `{"Message": ...}` / `{"Error": ...}` bodies, for every other 4xx too
//! (`errors.rs`). `/stock` and `/auto/{mark}` need a dealer token
//! (`aud: dealer`), sent as `Authorization: Bearer <token>` or `JWT <token>`.

mod autos;
mod errors;
mod json;
mod models;
mod users;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use errors::shape_errors;

use crate::{auth::Audience, state::AppState};

pub const TAG: &str = "dealer";

/// Marks /dealer's tokens.
pub struct Dealer;

impl Audience for Dealer {
    const AUD: &'static str = "dealer";
    /// The spec follows Flask-JWT, whose clients send `JWT <token>`.
    const SCHEMES: &'static [&'static str] = &["Bearer", "JWT"];
}

pub type DealerUser = crate::auth::Authed<Dealer>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(users::register))
        .routes(routes!(users::auth))
        .routes(routes!(users::logout))
        .routes(routes!(autos::list_stock))
        .routes(routes!(autos::get_auto, autos::create_auto, autos::update_auto, autos::delete_auto))
}
