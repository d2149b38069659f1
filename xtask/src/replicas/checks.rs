//! What `cargo xtask replicas` shows through nginx: the load is spread, a
//! logout on one replica is honoured by the others, the rate limit holds
//! across replicas, and killing a replica mid-load loses no acknowledged write.
//!
//! Clients are told apart by the `X-Forwarded-For` entry left of nginx's own:
//! the replicas trust 127.0.0.1 (nginx), and the client here is on loopback
//! too, so it names itself with documentation addresses (RFC 5737). They are
//! header values only: every request goes to 127.0.0.1.

use std::{
    collections::BTreeMap,
    process::Child,
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use futures::{StreamExt, stream};
use serde_json::{Value, json};

use super::{Cluster, RATE_LIMIT};
use crate::local_api::psql_on;

pub async fn all(cluster: &mut Cluster) -> anyhow::Result<()> {
    load_is_spread(cluster).await?;
    logout_is_honoured_by_every_replica(cluster).await?;
    rate_limit_holds_across_replicas(cluster).await?;
    killing_a_replica_loses_no_acknowledged_write(cluster).await
}

/// The replica port that finally answered each access-log line.
fn served_by(lines: &[String]) -> BTreeMap<u16, usize> {
    let mut counts = BTreeMap::new();
    for line in lines {
        let port = line
            .split_once("upstream=")
            .and_then(|(_, rest)| rest.split(' ').next())
            .and_then(|list| list.rsplit(", ").next())
            .and_then(|addr| addr.rsplit_once(':'))
            .and_then(|(_, port)| port.parse().ok());
        if let Some(port) = port {
            *counts.entry(port).or_insert(0) += 1;
        }
    }
    counts
}

async fn load_is_spread(cluster: &Cluster) -> anyhow::Result<()> {
    let from = cluster.access_log_len();
    for _ in 0..30 {
        let r = cluster.http.get(cluster.url("/health")).send().await?;
        ensure!(r.status() == 200, "GET /health through nginx answered {}", r.status());
    }
    let counts = served_by(&cluster.access_log(from));
    println!("spread: 30 requests served by {counts:?}");
    for replica in &cluster.replicas {
        let n = counts.get(&replica.port).copied().unwrap_or(0);
        ensure!(n >= 5, "replica on port {} served {n} of 30 requests", replica.port);
    }
    Ok(())
}

async fn json_call(
    cluster: &Cluster,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> anyhow::Result<(u16, Value)> {
    let mut req = match &body {
        Some(body) => cluster.http.post(url).json(body),
        None => cluster.http.get(url),
    };
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let response = req.send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// Registers and logs in a /todo user through nginx; returns the token.
async fn todo_user(cluster: &Cluster, username: &str) -> anyhow::Result<String> {
    let credentials = json!({"username": username, "password": "correct horse battery"});
    let (status, _) =
        json_call(cluster, cluster.url("/todo/register"), None, Some(credentials.clone())).await?;
    ensure!(status == 201, "register answered {status}");
    let (status, body) = json_call(cluster, cluster.url("/todo/login"), None, Some(credentials)).await?;
    ensure!(status == 200, "login answered {status}");
    body["access_token"].as_str().map(str::to_owned).context("no access_token")
}

async fn logout_is_honoured_by_every_replica(cluster: &Cluster) -> anyhow::Result<()> {
    let token = todo_user(cluster, "logout-check").await?;
    for replica in &cluster.replicas {
        let (status, _) = json_call(cluster, replica.url("/todo/tasks"), Some(&token), None).await?;
        ensure!(status == 200, "replica {} refused a fresh token: {status}", replica.port);
    }
    let first = &cluster.replicas[0];
    let (status, _) = json_call(cluster, first.url("/todo/logout"), Some(&token), Some(json!({}))).await?;
    ensure!(status == 204, "logout on replica {} answered {status}", first.port);
    // The others hear of it through Redis pub/sub: at once, or within a
    // moment if their runtime was busy when the message arrived.
    let logged_out = Instant::now();
    let mut slowest = Duration::ZERO;
    for replica in &cluster.replicas[1..] {
        loop {
            let (status, _) = json_call(cluster, replica.url("/todo/tasks"), Some(&token), None).await?;
            if status == 401 {
                break;
            }
            ensure!(
                status == 200 && logged_out.elapsed() < Duration::from_secs(1),
                "replica {} still accepts a logged-out token: {status}",
                replica.port
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        slowest = slowest.max(logged_out.elapsed());
    }
    let from = cluster.access_log_len();
    for _ in 0..6 {
        let (status, _) = json_call(cluster, cluster.url("/todo/tasks"), Some(&token), None).await?;
        ensure!(status == 401, "nginx let a logged-out token through: {status}");
    }
    let counts = served_by(&cluster.access_log(from));
    ensure!(counts.len() == 3, "the refusals came from {counts:?}, not all three replicas");
    println!(
        "logout: refused by every replica after a logout on port {} (the last within {} ms)",
        first.port,
        slowest.as_millis()
    );
    Ok(())
}

async fn rate_limit_holds_across_replicas(cluster: &Cluster) -> anyhow::Result<()> {
    let sent = RATE_LIMIT as usize + 30;
    let from = cluster.access_log_len();
    let statuses: Vec<u16> = stream::iter(0..sent)
        .map(|_| async {
            let r = cluster
                .http
                .get(cluster.url("/todo/tasks"))
                .header("x-forwarded-for", "198.51.100.77")
                .send()
                .await;
            r.map_or(0, |r| r.status().as_u16())
        })
        .buffer_unordered(10)
        .collect()
        .await;
    let limited = statuses.iter().filter(|s| **s == 429).count();
    let passed = statuses.iter().filter(|s| **s == 401).count();
    let counts = served_by(&cluster.access_log(from));
    println!(
        "rate limit: {sent} requests from one client, {passed} passed, {limited} got 429, served by {counts:?}"
    );
    ensure!(
        passed == RATE_LIMIT as usize && limited == 30,
        "expected exactly {RATE_LIMIT} through: {statuses:?}"
    );
    ensure!(counts.len() == 3, "the requests did not reach all three replicas: {counts:?}");
    Ok(())
}

/// A replica process killed on drop, whatever happens to the check.
struct Victim(Child);

impl Drop for Victim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// When the replica was signalled and when it was gone.
struct Kill {
    signalled: Instant,
    reaped: Instant,
}

struct Outcome {
    started: Instant,
    finished: Instant,
    status: u16,
    id: Option<i64>,
}

async fn killing_a_replica_loses_no_acknowledged_write(cluster: &mut Cluster) -> anyhow::Result<()> {
    const WRITES: usize = 450;
    const KILL_AFTER: usize = 150;
    let token = todo_user(cluster, "load-check").await?;
    let victim_port = cluster.replicas[1].port;
    let mut victim = Victim(cluster.replicas[1].take_child().context("the replica is already gone")?);
    let cluster = &*cluster;
    let done = AtomicUsize::new(0);
    let began = Instant::now();
    let load = stream::iter(0..WRITES)
        .map(|i| {
            let (token, done) = (&token, &done);
            async move {
                let started = Instant::now();
                let response = cluster
                    .http
                    .post(cluster.url("/todo/tasks"))
                    .bearer_auth(token)
                    // 45 clients of 10 writes each: under the per-client limit.
                    .header("x-forwarded-for", format!("203.0.113.{}", 1 + i % 45))
                    .json(&json!({"title": format!("write {i}")}))
                    .send()
                    .await;
                let (status, id) = match response {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        (status, body["id"].as_i64())
                    }
                    Err(_) => (0, None),
                };
                done.fetch_add(1, Ordering::SeqCst);
                Outcome { started, finished: Instant::now(), status, id }
            }
        })
        .buffer_unordered(12)
        .collect::<Vec<_>>();
    // The kill lasts from the signal until the process is reaped (its sockets
    // closed): requests in flight during that window may fail, no others.
    let killer = async {
        while done.load(Ordering::SeqCst) < KILL_AFTER {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let signalled = Instant::now();
        let _ = victim.0.kill();
        let _ = tokio::task::block_in_place(|| victim.0.wait());
        Kill { signalled, reaped: Instant::now() }
    };
    let (outcomes, kill) = tokio::join!(load, killer);
    let elapsed = began.elapsed();
    report_writes(cluster, &outcomes, &kill, victim_port, elapsed)?;
    // The survivors carry on: every request after the kill lands on them.
    let from = cluster.access_log_len();
    for _ in 0..10 {
        let r = cluster.http.get(cluster.url("/health")).send().await?;
        ensure!(r.status() == 200, "GET /health after the kill answered {}", r.status());
    }
    let counts = served_by(&cluster.access_log(from));
    ensure!(
        counts.len() == 2 && !counts.contains_key(&victim_port),
        "after the kill the answers came from {counts:?}"
    );
    Ok(())
}

fn report_writes(
    cluster: &Cluster,
    outcomes: &[Outcome],
    kill: &Kill,
    victim_port: u16,
    elapsed: Duration,
) -> anyhow::Result<()> {
    let acked: Vec<i64> = outcomes.iter().filter(|o| o.status == 201).filter_map(|o| o.id).collect();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.status != 201).collect();
    let in_flight = |o: &Outcome| o.started <= kill.reaped && o.finished >= kill.signalled;
    let late: Vec<u16> = failed.iter().filter(|o| !in_flight(o)).map(|o| o.status).collect();
    let ids = acked.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let found: usize =
        psql_on(&cluster.database_url(), &format!("SELECT count(*) FROM todo_tasks WHERE id IN ({ids})"))?
            .trim()
            .parse()?;
    let rows = psql_on(
        &cluster.database_url(),
        "SELECT count(*) || ' ' || count(DISTINCT title) FROM todo_tasks t JOIN todo_users u ON u.id = t.user_id \
         WHERE u.username = 'load-check'",
    )?;
    let (rows, distinct) = rows.trim().split_once(' ').context("row counts")?;
    let (rows, distinct): (usize, usize) = (rows.parse()?, distinct.parse()?);
    println!(
        "kill: {} writes in {:.1} s ({:.0}/s), replica on port {victim_port} killed after {} (gone in {:.1} ms); \
         {} acknowledged (201), {} failed while in flight at the kill, {} failed outside it; {rows} rows stored",
        outcomes.len(),
        elapsed.as_secs_f64(),
        outcomes.len() as f64 / elapsed.as_secs_f64(),
        outcomes.iter().filter(|o| o.finished < kill.signalled).count(),
        kill.reaped.duration_since(kill.signalled).as_secs_f64() * 1000.0,
        acked.len(),
        failed.len() - late.len(),
        late.len(),
    );
    ensure!(acked.len() + failed.len() == outcomes.len(), "a 201 without an id");
    if !late.is_empty() {
        bail!("requests that were not in flight at the kill failed: {late:?}");
    }
    ensure!(failed.iter().all(|o| o.status == 0 || o.status >= 500), "a write was refused with a 4xx");
    ensure!(
        found == acked.len(),
        "{} acknowledged writes are missing from the database",
        acked.len() - found
    );
    ensure!(distinct == rows, "a write was applied twice ({rows} rows, {distinct} titles)");
    ensure!(rows <= outcomes.len(), "more rows than writes");
    Ok(())
}
