//! The web admin panel at `/admin`: server-rendered HTML (maud), with a
//! session cookie, CSRF tokens on every form and throttled sign-in. This
//! folder is the frame (sign-in, sessions, layout, listing, the dashboard);
//! the pages are the apps' own (`apps/<app>/panel`, their `admin` section in
//! `apps::ALL`), written with the apps' own queries and functions, so the
//! panel has no second way to break an app's rules. Not part of the OpenAPI
//! document.

mod assets;
mod auth;
mod dashboard;
mod document;
pub mod error;
pub mod forms;
pub mod layout;
pub mod listing;
pub mod session;
mod throttle;

use axum::{
    Router,
    http::{HeaderValue, header},
    middleware,
    response::Response,
    routing::{get, post},
};

use crate::{
    apps::ALL,
    registry::{self, Accounts, Candidate},
    state::AppState,
};

/// Every page of the panel, to be nested under `/admin`.
pub fn router() -> Router<AppState> {
    let frame = Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/assets/admin.css", get(assets::css))
        .route("/assets/htmx.min.js", get(assets::htmx));
    ALL.iter()
        .fold(frame, |router, app| router.nest(&registry::mount(app), (app.admin.routes)()))
        .layer(middleware::map_response(security_headers))
}

/// Who may sign in: the accounts of the app that keeps them, or nobody.
fn accounts() -> Accounts {
    fn nobody(_: &mut diesel::PgConnection, _: &str) -> Result<Option<Candidate>, crate::error::ApiError> {
        Ok(None)
    }
    fn never(_: &mut diesel::PgConnection, _: i64) -> Result<bool, crate::error::ApiError> {
        Ok(false)
    }
    ALL.iter()
        .find_map(|app| app.admin.accounts)
        .unwrap_or(Accounts { find_by_login: nobody, may_sign_in: never })
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
