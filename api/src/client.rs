//! The client's address for the whole of a request, so that a bound counted
//! per client (the password hashing queue's per-client share) needs no
//! handler to pass it along. Set by a layer on every mount (`router.rs`).

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;

tokio::task_local! {
    static CLIENT: IpAddr;
}

/// Middleware: runs the request with its client's address in scope
/// (`TRUSTED_PROXIES` as its state).
pub async fn scope(State(trusted): State<Arc<[IpNet]>>, req: Request, next: Next) -> Response {
    let ip = client_ip(&req, &trusted);
    CLIENT.scope(ip, next.run(req)).await
}

/// The current request's client; `None` outside a request (start-up work).
pub fn current() -> Option<IpAddr> {
    CLIENT.try_with(|ip| *ip).ok()
}

/// The client: the peer address, or, when the peer is a trusted proxy, the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_ip(req: &Request, trusted: &[IpNet]) -> IpAddr {
    let peer =
        req.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, xff: Option<&str>) -> Request {
        let mut req = Request::new(axum::body::Body::empty());
        req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        if let Some(xff) = xff {
            req.headers_mut().insert("x-forwarded-for", xff.parse().unwrap());
        }
        req
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let spoofed = request("203.0.113.9:1000", Some("1.2.3.4"));
        assert_eq!(client_ip(&spoofed, &trusted).to_string(), "203.0.113.9");
        let proxied = request("10.0.0.2:1000", Some("1.2.3.4, 198.51.100.7, 10.0.0.3"));
        assert_eq!(client_ip(&proxied, &trusted).to_string(), "198.51.100.7");
        let bare = request("10.0.0.2:1000", None);
        assert_eq!(client_ip(&bare, &trusted).to_string(), "10.0.0.2");
    }
}
