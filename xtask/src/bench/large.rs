//! `cargo xtask bench large`: does /todo keep its latency as the table grows?
//! The same reads measured at ~10⁵ task rows and again after the table has
//! grown to `BENCH_LARGE_ROWS` (default 10⁷, one user holding 10⁶): a typical
//! user's first page and single read, the heavy user's first page, their page
//! at offset 10⁵, and the same page by `after_id` (keyset).
//!
//! The users are made through the API; the rows are bulk-inserted in SQL
//! (10⁷ requests would take hours), in chunks, so that a machine too slow
//! for the whole of it in `BENCH_LARGE_SECONDS` (default 300) stops at the
//! largest table that fits and says so.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use serde::Serialize;
use serde_json::json;

use super::{
    load::{self, Req, Stats, step},
    scenarios::Outcome,
    seed::{Api, PASSWORD, each},
    server::{self, Server},
};

/// Typical users, 100 tasks each; their pages and reads are the ones judged.
const TYPICAL: usize = 200;
const TYPICAL_TASKS: i64 = 100;
/// Where the deep page starts.
const DEEP: i64 = 100_000;
/// Rows per INSERT while growing the table.
const CHUNK: i64 = 500_000;
/// Each measurement: 16 connections, closed loop, after a second's warm-up.
const CONNECTIONS: usize = 16;
const RUN: Duration = Duration::from_secs(4);

#[derive(Serialize)]
pub struct Large {
    pub date: String,
    pub machine: String,
    pub stages: Vec<Stage>,
    pub notes: Vec<String>,
}

#[derive(Serialize)]
pub struct Stage {
    pub task_rows: i64,
    pub heavy_user_rows: i64,
    pub outcomes: Vec<Outcome>,
}

struct Users {
    typical: Arc<Vec<(String, i64)>>,
    heavy_token: String,
    heavy_id: i64,
}

pub async fn run(binary: &std::path::Path, machine: String) -> anyhow::Result<()> {
    let stamp = chrono::Utc::now();
    let database = format!("api_bench_large_{}", stamp.format("%Y%m%d%H%M%S"));
    let server = Server::start(binary, &database, 18_082, 0)?;
    let url = server::database_url(&database);
    let api = Api::new(server.addr);
    let mut notes = vec![format!(
        "Each figure: {CONNECTIONS} connections, closed loop, {} s after a second's warm-up; \
         latencies in ms. The users are made through the API, the task rows inserted in SQL.",
        RUN.as_secs()
    )];
    let target: i64 =
        std::env::var("BENCH_LARGE_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000_000);
    let budget = Duration::from_secs(
        std::env::var("BENCH_LARGE_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
    );

    eprintln!("large: users ...");
    let users = make_users(&api, &url).await?;
    // Stage 1: the typical users' tasks, and the heavy user just past the deep page.
    let started = Instant::now();
    insert(
        &url,
        &format!(
            "SELECT u, 'Task ' || g FROM unnest(ARRAY{:?}::bigint[]) u, generate_series(1, {TYPICAL_TASKS}) g",
            users.typical.iter().map(|(_, id)| *id).collect::<Vec<_>>()
        ),
    )?;
    insert(
        &url,
        &format!("SELECT {}, 'Task ' || g FROM generate_series(1, {}) g", users.heavy_id, DEEP + 50),
    )?;
    settle(&url)?;
    notes.push(format!("Stage 1 seeded in {:.0} s.", started.elapsed().as_secs_f64()));
    let mut stages = vec![measure(&server, &url, &users).await?];

    // Stage 2: the heavy user up to a tenth of the target, filler users the rest.
    eprintln!("large: growing to {target} rows ...");
    let started = Instant::now();
    let heavy_more = (target / 10 - (DEEP + 50)).max(0);
    let mut added = 0;
    let mut stopped_early = false;
    while added < heavy_more {
        let n = CHUNK.min(heavy_more - added);
        insert(&url, &format!("SELECT {}, 'Task ' || g FROM generate_series(1, {n}) g", users.heavy_id))?;
        added += n;
    }
    let fillers = filler_users(&url, 1000)?;
    loop {
        let rows = count(&url)?;
        if rows >= target {
            break;
        }
        if started.elapsed() > budget {
            stopped_early = true;
            break;
        }
        let n = CHUNK.min(target - rows);
        eprintln!("large: {rows} rows, +{n} ...");
        insert(
            &url,
            &format!(
                "SELECT {} + (g % {}), 'Task ' || g FROM generate_series(1, {n}) g",
                fillers.0, fillers.1
            ),
        )?;
    }
    let seeding = started.elapsed().as_secs_f64();
    settle(&url)?;
    let rows = count(&url)?;
    notes.push(format!(
        "Growing the table to {rows} rows took {seeding:.0} s of inserts, then {:.0} s of VACUUM ANALYZE and a checkpoint{}.",
        started.elapsed().as_secs_f64() - seeding,
        if stopped_early {
            format!(" (stopped short of {target}: the {} s budget, BENCH_LARGE_SECONDS, ran out)", budget.as_secs())
        } else {
            String::new()
        }
    ));
    stages.push(measure(&server, &url, &users).await?);
    judge(&mut stages, &mut notes);
    let peak = server.peak_rss_mib();
    notes.push(format!("Peak RSS of the server: {peak:.1} MiB."));
    drop(server);
    let _ = server::psql(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));

    let report = Large { date: stamp.format("%Y-%m-%d").to_string(), machine, stages, notes };
    let dir = crate::root().join("bench/results");
    let name = format!("{}-large", report.date);
    std::fs::write(dir.join(format!("{name}.json")), serde_json::to_string_pretty(&report)? + "\n")?;
    let md = markdown(&report);
    std::fs::write(dir.join(format!("{name}.md")), &md)?;
    println!("{md}");
    Ok(())
}

/// Registers the typical users and the heavy one; returns their tokens and ids.
async fn make_users(api: &Api, url: &str) -> anyhow::Result<Users> {
    let names: Vec<String> = (0..=TYPICAL).map(|i| format!("large-user-{i}")).collect();
    let tokens = each(names.clone(), 16, |name| async move {
        let creds = json!({"username": name, "password": PASSWORD});
        api.post("/todo/register", None, creds.clone(), 201).await?;
        let login = api.post("/todo/login", None, creds, 200).await?;
        Ok(login["access_token"].as_str().context("access_token")?.to_owned())
    })
    .await?;
    let mut with_ids = Vec::new();
    for (name, token) in names.iter().zip(tokens) {
        let id: i64 = server::psql_on(url, &format!("SELECT id FROM todo_users WHERE username = '{name}'"))?
            .parse()
            .context("user id")?;
        with_ids.push((token, id));
    }
    let (heavy_token, heavy_id) = with_ids.pop().context("no heavy user")?;
    // By id, as the queries below list them.
    with_ids.sort_by_key(|(_, id)| *id);
    Ok(Users { typical: Arc::new(with_ids), heavy_token, heavy_id })
}

/// `count` filler users made in SQL (they own rows, nobody logs in as them):
/// the first id and how many, consecutive.
fn filler_users(url: &str, count: i64) -> anyhow::Result<(i64, i64)> {
    let first: i64 = server::psql_on(
        url,
        &format!(
            "WITH made AS (INSERT INTO todo_users (username, password_hash) \
             SELECT 'large-filler-' || g, 'not a hash: nobody logs in' FROM generate_series(1, {count}) g RETURNING id) \
             SELECT min(id) FROM made"
        ),
    )?
    .parse()
    .context("filler ids")?;
    let last: i64 =
        server::psql_on(url, "SELECT max(id) FROM todo_users WHERE username LIKE 'large-filler-%'")?
            .parse()?;
    anyhow::ensure!(last - first + 1 == count, "filler user ids are not consecutive");
    Ok((first, count))
}

/// Inserts tasks from `select` (user id, title).
fn insert(url: &str, select: &str) -> anyhow::Result<()> {
    server::psql_on(
        url,
        &format!(
            "INSERT INTO todo_tasks (user_id, title, description) \
             SELECT s.*, 'Seeded by the benchmark, about this long.' FROM ({select}) s"
        ),
    )
    .map(drop)
}

fn count(url: &str) -> anyhow::Result<i64> {
    Ok(server::psql_on(url, "SELECT count(*) FROM todo_tasks")?.parse()?)
}

/// What autovacuum would soon do after a bulk load, and a checkpoint.
fn settle(url: &str) -> anyhow::Result<()> {
    server::psql_on(url, "VACUUM ANALYZE todo_tasks")?;
    server::psql_on(url, "VACUUM ANALYZE todo_users")?;
    server::psql("CHECKPOINT").map(drop)
}

async fn measure(server: &Server, url: &str, users: &Users) -> anyhow::Result<Stage> {
    let rows = count(url)?;
    let heavy_rows: i64 =
        server::psql_on(url, &format!("SELECT count(*) FROM todo_tasks WHERE user_id = {}", users.heavy_id))?
            .parse()?;
    let after: i64 = server::psql_on(
        url,
        &format!(
            "SELECT id FROM todo_tasks WHERE user_id = {} ORDER BY id OFFSET {} LIMIT 1",
            users.heavy_id,
            DEEP - 1
        ),
    )?
    .parse()?;
    let deep_task: i64 =
        server::psql_on(url, &format!("SELECT max(id) FROM todo_tasks WHERE user_id = {}", users.heavy_id))?
            .parse()?;
    let label = format!("{rows} rows");
    eprintln!("large: measuring at {label} ...");
    let typical = users.typical.clone();
    let heavy = users.heavy_token.clone();
    let mut outcomes = Vec::new();
    let typical_page = {
        let typical = typical.clone();
        step(move |i, mut conn| {
            let token = typical[i as usize % typical.len()].0.clone();
            async move {
                conn.call(Req::get("/todo/tasks?limit=50", Some(&token))).await;
                conn
            }
        })
    };
    outcomes.push(Outcome::new("typical user's first page", CONNECTIONS, timed(server, typical_page).await?));
    // Typical users' ids are consecutive per user: the last task of each.
    let last_ids: Arc<Vec<i64>> = Arc::new(
        server::psql_on(
            url,
            &format!(
                "SELECT max(t.id) FROM todo_tasks t WHERE t.user_id IN ({}) GROUP BY t.user_id ORDER BY t.user_id",
                typical.iter().map(|(_, id)| id.to_string()).collect::<Vec<_>>().join(",")
            ),
        )?
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect(),
    );
    anyhow::ensure!(last_ids.len() == typical.len(), "every typical user has tasks");
    let read = {
        let typical = typical.clone();
        step(move |i, mut conn| {
            let k = i as usize % typical.len();
            let (token, id) = (typical[k].0.clone(), last_ids[k]);
            async move {
                conn.call(Req::get(format!("/todo/tasks/{id}"), Some(&token))).await;
                conn
            }
        })
    };
    outcomes.push(Outcome::new("typical user's single read", CONNECTIONS, timed(server, read).await?));
    for (name, path) in [
        ("heavy user's first page", "/todo/tasks?limit=50".to_owned()),
        ("heavy user's page at offset 10⁵", format!("/todo/tasks?limit=50&offset={DEEP}")),
        ("heavy user's same page by after_id", format!("/todo/tasks?limit=50&after_id={after}")),
        ("heavy user's single read (newest task)", format!("/todo/tasks/{deep_task}")),
    ] {
        let (token, path) = (heavy.clone(), Arc::new(path));
        let get = step(move |_, mut conn| {
            let (token, path) = (token.clone(), path.clone());
            async move {
                conn.call(Req::get(path.as_str(), Some(&token))).await;
                conn
            }
        });
        outcomes.push(Outcome::new(name, CONNECTIONS, timed(server, get).await?));
    }
    for o in &mut outcomes {
        o.scenario = format!("{} ({label})", o.scenario);
        o.peak_rss_mib = Some(server.peak_rss_mib());
    }
    Ok(Stage { task_rows: rows, heavy_user_rows: heavy_rows, outcomes })
}

async fn timed(server: &Server, get: load::Step) -> anyhow::Result<Stats> {
    load::run(server.addr, CONNECTIONS, Duration::from_secs(1), None, get.clone()).await?;
    load::run(server.addr, CONNECTIONS, RUN, None, get).await
}

/// The target: first page and single read at the large table within
/// 1.5× of their latency (p50) at the small one.
fn judge(stages: &mut [Stage], notes: &mut Vec<String>) {
    let [small, large] = stages else { return };
    for (i, o) in large.outcomes.iter_mut().enumerate() {
        let judged = o.scenario.contains("first page") || o.scenario.contains("single read");
        let Some(before) = small.outcomes.get(i) else { continue };
        let ratio = o.stats.p50_ms / before.stats.p50_ms.max(0.001);
        if judged {
            let met = o.stats.errors == 0 && ratio <= 1.5;
            o.target =
                Some(format!("p50 ≤ 1.5× at {} rows ({:.2} ms)", small.task_rows, before.stats.p50_ms));
            o.met = Some(met);
        }
        notes.push(format!(
            "{}: p50 {:.2} → {:.2} ms ({ratio:.2}×).",
            o.scenario, before.stats.p50_ms, o.stats.p50_ms
        ));
    }
}

fn markdown(report: &Large) -> String {
    let mut md = format!("# Large /todo table, {}\n\n{}\n\n", report.date, report.machine);
    md.push_str(&super::report::table(report.stages.iter().flat_map(|stage| &stage.outcomes), false));
    md.push_str("\nNotes:\n\n");
    for n in &report.notes {
        md.push_str(&format!("- {n}\n"));
    }
    md
}
