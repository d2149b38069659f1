//! The web admin panel at `/admin`: server-rendered HTML (maud) for /shop
//! admins, with a session cookie, CSRF tokens on every form and throttled
//! sign-in. A composition layer like `router.rs`: its actions call the apps'
//! own functions (the ones their API handlers call), so the panel has no
//! second way to break an app's rules. Not part of the OpenAPI document.

mod admins;
mod ar;
mod ar_targets;
mod ar_tokens;
mod assets;
mod auth;
mod dashboard;
mod dealer;
mod error;
mod exchange;
mod exchange_transfers;
mod forms;
mod layout;
mod listing;
mod session;
mod shop;
mod shop_bills;
mod shop_products;
mod throttle;
mod thumbnail;
mod todo;

use axum::{
    Router,
    http::{HeaderValue, header},
    middleware,
    response::Response,
    routing::{get, post},
};

use crate::state::AppState;

/// Every page of the panel, to be nested under `/admin`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/assets/admin.css", get(assets::css))
        .route("/assets/htmx.min.js", get(assets::htmx))
        .route("/todo/users", get(todo::list_users))
        .route("/todo/tasks", get(todo::list_tasks))
        .merge(shop::routes())
        .merge(exchange::routes())
        .merge(dealer::routes())
        .merge(ar::routes())
        .layer(middleware::map_response(security_headers))
}

/// Pages are private and must not be framed, cached or fed foreign scripts.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'",
        ),
    );
    response
}
