//! The client's address for the whole of a request, so that a bound counted
//! per client (the password hashing queue's per-client share) needs no
//! handler to pass it along. Set by a layer on every mount (`router.rs`).

use std::net::IpAddr;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

use crate::{rate_limit::client_ip, state::AppState};

tokio::task_local! {
    static CLIENT: IpAddr;
}

/// Middleware: runs the request with its client's address in scope.
pub async fn scope(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ip = client_ip(&req, &state.config.trusted_proxies);
    CLIENT.scope(ip, next.run(req)).await
}

/// The current request's client; `None` outside a request (start-up work).
pub fn current() -> Option<IpAddr> {
    CLIENT.try_with(|ip| *ip).ok()
}
