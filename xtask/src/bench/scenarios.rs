//! The scenarios, grouped by app. Each returns outcomes with the target it is
//! judged against, so the report says met or missed with the figure.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use hyper::Method;
use serde::Serialize;

use super::{
    load::{self, Req, Stats, step},
    seed::{TodoUser, path_of},
    seed_apps::AppUser,
};

pub const RUN: Duration = Duration::from_secs(6);

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub scenario: String,
    pub connections: usize,
    #[serde(flatten)]
    pub stats: Stats,
    /// The target it is judged against, if any.
    pub target: Option<String>,
    pub met: Option<bool>,
    /// The server's peak RSS (MiB) from its start to the end of this scenario.
    pub peak_rss_mib: Option<f64>,
}

impl Outcome {
    pub fn new(scenario: impl Into<String>, connections: usize, stats: Stats) -> Self {
        let met = (stats.errors == 0).then_some(true).or(Some(false));
        Self {
            scenario: scenario.into(),
            connections,
            stats,
            target: Some("no errors".into()),
            met,
            peak_rss_mib: None,
        }
    }

    /// Judged only on its errors (drops any other target).
    pub fn unjudged(self) -> Self {
        Self::new(self.scenario, self.connections, self.stats)
    }

    /// Judges against a target; a run with errors never meets it.
    pub fn judged(mut self, target: &str, met: impl FnOnce(&Stats) -> bool) -> Self {
        self.met = Some(self.stats.errors == 0 && met(&self.stats));
        self.target = Some(target.into());
        self
    }

    /// Judges against one more target: met only if every one is (and no errors).
    pub fn and(mut self, target: &str, met: impl FnOnce(&Stats) -> bool) -> Self {
        let earlier = self.target.take().filter(|t| t != "no errors");
        self.met = Some(self.met != Some(false) && met(&self.stats));
        self.target = Some(earlier.map_or_else(|| target.into(), |t| format!("{t}; {target}")));
        self
    }

    /// The server's CPU per request at most `us` µs (the issue's CPU targets).
    pub fn server_cpu_at_most(self, us: f64) -> Self {
        self.and(&format!("server CPU ≤ {us:.0} µs/req"), |s| s.cpu.is_some_and(|c| c.server_us <= us))
    }
}

/// The rate the list target names, and the latency it must be served at.
pub const LIST_RATE: f64 = 5000.0;

/// An authenticated list endpoint: its saturation throughput at 64
/// connections (closed loop), its latency at the target's 5,000 req/s on the
/// same 64 connections (paced, open loop), and no errors at 256.
pub async fn list(
    addr: SocketAddr,
    name: &str,
    tokens: Arc<Vec<String>>,
    path: &'static str,
    targets: ListTargets,
) -> anyhow::Result<Vec<Outcome>> {
    let get = step(move |i, mut conn| {
        let token = tokens[i as usize % tokens.len()].clone();
        async move {
            conn.call(Req::get(path, Some(&token))).await;
            conn
        }
    });
    // A second's warm-up: connections, caches and prepared statements.
    load::run(addr, 64, Duration::from_secs(1), None, get.clone()).await?;
    let saturated = load::run(addr, 64, RUN, None, get.clone()).await?;
    let paced = load::run_paced(addr, 64, RUN, LIST_RATE, get.clone()).await?;
    let wide = load::run(addr, 256, RUN, None, get).await?;
    let rate = targets.saturated_rps;
    let mut saturated = Outcome::new(format!("{name} list, saturated"), 64, saturated)
        .judged(&format!("≥ {} req/s", thousands(rate)), |s| s.rps >= rate);
    if let Some(us) = targets.server_cpu_us {
        saturated = saturated.server_cpu_at_most(us);
    }
    Ok(vec![
        saturated,
        Outcome::new(format!("{name} list at 5,000 req/s"), 64, paced)
            .judged("p99 < 5 ms at 5,000 req/s", |s| s.p99_ms < 5.0 && s.rps >= LIST_RATE * 0.98),
        Outcome::new(format!("{name} list, saturated"), 256, wide),
    ])
}

/// What one list is judged against when saturated at 64 connections.
#[derive(Clone, Copy)]
pub struct ListTargets {
    pub saturated_rps: f64,
    /// The server's CPU per page, where the issue sets one.
    pub server_cpu_us: Option<f64>,
}

impl ListTargets {
    pub const fn rps(saturated_rps: f64) -> Self {
        Self { saturated_rps, server_cpu_us: None }
    }

    pub const fn cpu(mut self, us: f64) -> Self {
        self.server_cpu_us = Some(us);
        self
    }
}

/// 8000.0 as "8,000".
fn thousands(v: f64) -> String {
    let v = v.round() as u64;
    if v >= 1000 { format!("{},{:03}", v / 1000, v % 1000) } else { v.to_string() }
}

/// Single-row authenticated read, `GET /todo/tasks/{id}`.
pub async fn read_task(
    addr: SocketAddr,
    users: Arc<Vec<TodoUser>>,
    connections: usize,
) -> anyhow::Result<Stats> {
    load::run(
        addr,
        connections,
        RUN,
        None,
        step(move |i, mut conn| {
            let user = &users[i as usize % users.len()];
            let id = user.task_ids[(i as usize / users.len()) % user.task_ids.len()];
            let req = Req::get(format!("/todo/tasks/{id}"), Some(&user.token));
            async move {
                conn.call(req).await;
                conn
            }
        }),
    )
    .await
}

/// Task create, update, delete: three writes per iteration.
pub async fn write_tasks(addr: SocketAddr, users: Arc<Vec<TodoUser>>) -> anyhow::Result<Outcome> {
    let stats = load::run(
        addr,
        64,
        RUN,
        None,
        step(move |i, mut conn| {
            let token = users[i as usize % users.len()].token.clone();
            async move {
                let body = format!(r#"{{"title":"bench {i}"}}"#);
                let created =
                    conn.call(Req::send(Method::POST, "/todo/tasks", Some(&token), body, 201)).await;
                let Some(id) = json_id(created) else { return conn };
                let path = format!("/todo/tasks/{id}");
                let body = format!(r#"{{"title":"bench {i} done","completed":true}}"#);
                conn.call(Req::send(Method::PUT, path.clone(), Some(&token), body, 200)).await;
                conn.call(Req {
                    method: Method::DELETE,
                    path,
                    token: Some(token),
                    body: None,
                    expect: 204,
                    key: None,
                })
                .await;
                conn
            }
        }),
    )
    .await?;
    Ok(Outcome::new("todo task create+update+delete", 64, stats))
}

/// `POST /todo/tasks` without and with an `Idempotency-Key` (a fresh one per
/// request, so every keyed request stores its answer): the key's cost.
/// Alternating rounds, so the machine's other load weighs on both alike.
pub async fn keyed_writes(addr: SocketAddr, users: Arc<Vec<TodoUser>>) -> anyhow::Result<Vec<Outcome>> {
    let run = |keyed: bool, round: usize| {
        let users = users.clone();
        load::run(
            addr,
            64,
            RUN,
            None,
            step(move |i, mut conn| {
                let token = users[i as usize % users.len()].token.clone();
                async move {
                    let body = format!(r#"{{"title":"bench keyed {keyed} {round} {i}"}}"#);
                    let req = Req::send(Method::POST, "/todo/tasks", Some(&token), body, 201);
                    let req = if keyed { req.keyed(format!("bench-{round}-{i}")) } else { req };
                    conn.call(req).await;
                    conn
                }
            }),
        )
    };
    let mut outcomes = Vec::new();
    for round in 0..2 {
        for keyed in [false, true] {
            let name = if keyed {
                "POST /todo/tasks with Idempotency-Key"
            } else {
                "POST /todo/tasks without a key"
            };
            outcomes.push(
                Outcome::new(format!("{name} (round {})", round + 1), 64, run(keyed, round).await?)
                    .unjudged(),
            );
        }
    }
    Ok(outcomes)
}

/// /exchange: an item created, sent to the next user, and taken by them
/// through the link (three requests per iteration).
pub async fn transfer_items(addr: SocketAddr, users: Arc<Vec<AppUser>>) -> anyhow::Result<Outcome> {
    let stats = load::run(
        addr,
        64,
        RUN,
        None,
        step(move |i, mut conn| {
            let n = users.len();
            let (owner, recipient) = (users[i as usize % n].clone(), users[(i as usize + 1) % n].clone());
            async move {
                let body = format!(r#"{{"name":"bench item {i}"}}"#);
                let created = conn
                    .call(Req::send(Method::POST, "/exchange/items/new", Some(&owner.token), body, 201))
                    .await;
                let Some(id) = json_id(created) else { return conn };
                let body = format!(r#"{{"item_id":{id},"recipient":"{}"}}"#, recipient.login);
                let sent =
                    conn.call(Req::send(Method::POST, "/exchange/send", Some(&owner.token), body, 201)).await;
                let link = sent
                    .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                    .and_then(|v| v["link"].as_str().map(|l| path_of(l).to_owned()));
                if let Some(link) = link {
                    conn.call(Req::get(link, Some(&recipient.token))).await;
                }
                conn
            }
        }),
    )
    .await?;
    Ok(Outcome::new("exchange item create+send+follow", 64, stats))
}

/// Logins per second with argon2id.
pub async fn logins(
    addr: SocketAddr,
    users: usize,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Stats> {
    let users = users.clamp(1, 100) as u64;
    load::run(
        addr,
        connections,
        duration,
        None,
        step(move |i, mut conn| async move {
            let body =
                format!(r#"{{"username":"todo-user-{}","password":"{}"}}"#, i % users, super::seed::PASSWORD);
            conn.call(Req::send(Method::POST, "/todo/login", None, body, 200)).await;
            conn
        }),
    )
    .await
}

/// Logins alone, then a read scenario's latency while a login flood runs
/// beside it (hashing must not starve other requests).
pub async fn read_during_logins(addr: SocketAddr, tokens: Arc<Vec<String>>) -> anyhow::Result<Vec<Outcome>> {
    let alone = logins(addr, tokens.len(), 16, RUN).await?;
    let flood = tokio::spawn(logins(addr, tokens.len(), 16, RUN));
    let reads = load::run(
        addr,
        16,
        RUN,
        None,
        step(move |i, mut conn| {
            let token = tokens[i as usize % tokens.len()].clone();
            async move {
                conn.call(Req::get("/todo/tasks?limit=50", Some(&token))).await;
                conn
            }
        }),
    )
    .await?;
    let flood = flood.await??;
    Ok(vec![
        Outcome::new("logins (argon2id m=7 MiB t=5 p=1)", 16, alone)
            .judged("≥ 60 logins/s", |s| s.rps >= 60.0),
        Outcome::new("logins beside the reads below", 16, flood),
        Outcome::new("todo list during the login flood", 16, reads)
            .judged("p99 < 25 ms", |s| s.p99_ms < 25.0),
    ])
}

/// The `id` of a JSON answer.
pub fn json_id(body: Option<bytes::Bytes>) -> Option<i64> {
    body.and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok()).and_then(|v| v["id"].as_i64())
}
