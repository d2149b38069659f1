//! Signing in and out. The sign-in form is protected from cross-site posts by
//! a double-submit token (a cookie and a hidden field that must match: there
//! is no session yet), wrong passwords are throttled (see `throttle`), and
//! only the accounts that the app keeping them allows get a session.

use std::net::IpAddr;

use axum::{
    extract::{FromRequest, Request, State},
    http::{HeaderMap, StatusCode, header},
    response::{AppendHeaders, IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::{
    error::PageResult,
    forms::{AdminForm, NoFields},
    layout, session, throttle,
};
use crate::{client::client_ip, error::ApiError, state::AppState};

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// The sign-in form (or the dashboard when already signed in).
pub async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    if session::load(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/admin").into_response());
    }
    Ok(login_form(&state, &headers, StatusCode::OK, "", None))
}

/// The form with a (kept or new) double-submit token and its cookie.
fn login_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    login: &str,
    msg: Option<&str>,
) -> Response {
    let token = session::cookie(headers, session::LOGIN_CSRF_COOKIE)
        .filter(|t| t.len() == 64)
        .map_or_else(session::random_token, str::to_owned);
    let cookie = session::set_cookie(state, session::LOGIN_CSRF_COOKIE, &token, session::TTL);
    (status, AppendHeaders([(header::SET_COOKIE, cookie)]), layout::login_page(&token, login, msg))
        .into_response()
}

/// Sign in: checks the form's token, takes a guess from the throttle (before
/// any password is checked), checks the password, then that the user is an
/// active admin; starts a session.
pub async fn login(State(state): State<AppState>, req: Request) -> PageResult {
    let ip: IpAddr = client_ip(&req, &state.config.trusted_proxies);
    let headers = req.headers().clone();
    let axum::Form(form) = axum::Form::<LoginForm>::from_request(req, &state)
        .await
        .map_err(|_| ApiError::BadRequest("the sign-in form is malformed".into()))?;
    let cookie = session::cookie(&headers, session::LOGIN_CSRF_COOKIE).unwrap_or("");
    if cookie.is_empty() || !bool::from(cookie.as_bytes().ct_eq(form.csrf.as_bytes())) {
        let msg = "The form expired. Please sign in again.";
        return Ok(login_form(&state, &headers, StatusCode::FORBIDDEN, &form.login, Some(msg)));
    }
    if let Some(secs) = throttle::take_guess(&state, &form.login, ip).await? {
        tracing::warn!(%ip, "admin sign-in refused: too many wrong passwords");
        let msg = format!("Too many wrong passwords. Try again in {secs} seconds.");
        let mut page = login_form(&state, &headers, StatusCode::TOO_MANY_REQUESTS, &form.login, Some(&msg));
        page.headers_mut().insert(header::RETRY_AFTER, secs.into());
        return Ok(page);
    }
    let login = form.login.clone();
    let found = state.db(move |conn| (super::accounts().find_by_login)(conn, &login)).await?;
    let with_hash = found.map(|c| {
        let hash = c.password_hash.clone();
        (c, hash)
    });
    let Some(admin) = state.passwords.check("admin", with_hash, form.password).await? else {
        return refuse(&state, &headers, &form.login, ip).await;
    };
    if !admin.allowed {
        tracing::warn!(user_id = admin.id, "admin sign-in refused: not an admin");
        let msg = "This account may not use the admin panel.";
        return Ok(login_form(&state, &headers, StatusCode::FORBIDDEN, &form.login, Some(msg)));
    }
    throttle::clear(&state, &form.login, ip).await?;
    let id = session::create(&state, admin.id, admin.login).await?;
    tracing::info!(admin_id = admin.id, action = "sign_in", %ip, "admin action");
    let cookies = [
        (header::SET_COOKIE, session::set_cookie(&state, session::COOKIE, &id, session::TTL)),
        (header::SET_COOKIE, session::set_cookie(&state, session::LOGIN_CSRF_COOKIE, "", Default::default())),
    ];
    Ok((AppendHeaders(cookies), Redirect::to("/admin")).into_response())
}

/// A wrong login or password (already counted by `take_guess`): 401 with the form again.
async fn refuse(state: &AppState, headers: &HeaderMap, login: &str, ip: IpAddr) -> PageResult {
    tracing::warn!(%ip, "admin sign-in refused: wrong login or password");
    Ok(login_form(state, headers, StatusCode::UNAUTHORIZED, login, Some("Wrong login or password.")))
}

/// Sign out: the session ends on every replica and the cookie is cleared.
pub async fn logout(State(state): State<AppState>, form: AdminForm<NoFields>) -> PageResult {
    session::destroy(&state, &form.admin).await?;
    tracing::info!(admin_id = form.admin.id, action = "sign_out", "admin action");
    let cookie = session::set_cookie(&state, session::COOKIE, "", Default::default());
    Ok((AppendHeaders([(header::SET_COOKIE, cookie)]), Redirect::to("/admin/login")).into_response())
}
