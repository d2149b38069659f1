//! The panel's two static files, compiled into the binary: its stylesheet
//! and htmx 2.0.11 (from the npm package `htmx.org`, 0BSD licence), so the
//! panel needs no CDN and no node build.

use axum::{
    http::header,
    response::{IntoResponse, Response},
};

static CSS: &str = include_str!("assets/admin.css");
static HTMX: &str = include_str!("assets/htmx.min.js");

/// Cached for a day: the files change only with the binary.
const CACHE: &str = "public, max-age=86400";

pub async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, CACHE)], CSS).into_response()
}

pub async fn htmx() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, CACHE)], HTMX)
        .into_response()
}
