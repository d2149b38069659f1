//! `cargo xtask bench [scenario…]`: the release server against local
//! PostgreSQL and Redis, seeded through the API, loaded by `load.rs`; writes
//! `bench/results/<date>.json` and `.md`. Scenario names filter by prefix:
//! `list`, `read`, `write`, `login`, `limiter`.

pub mod load;
mod report;
mod scenarios;
mod seed;
mod server;

use std::sync::Arc;

use anyhow::Context;

use self::{report::Report, scenarios::Outcome, seed::Api, server::Server};

pub fn run(filters: &[String]) -> anyhow::Result<()> {
    let binary = server::build_release()?;
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(async_run(&binary, filters))
}

fn wanted(filters: &[String], name: &str) -> bool {
    filters.is_empty() || filters.iter().any(|f| name.starts_with(f.as_str()))
}

async fn async_run(binary: &std::path::Path, filters: &[String]) -> anyhow::Result<()> {
    let stamp = chrono::Utc::now();
    let database = format!("api_bench_{}", stamp.format("%Y%m%d%H%M%S"));
    let server = Server::start(binary, &database, 18_080, 0)?;
    let api = Api::new(server.addr);
    let mut notes = vec![
        "Lists are read with `?limit=50` (a page), as a client would; the server logs at `warn` to a file."
            .to_owned(),
    ];

    let paths = api.documented_paths().await?;
    let apps: Vec<&str> = ["/exchange", "/todo", "/dealer", "/shop", "/ar"]
        .into_iter()
        .filter(|app| paths.iter().any(|p| p.starts_with(app)))
        .collect();
    notes.push(format!("Apps present: {}.", apps.join(", ")));
    eprintln!("seeding /todo ...");
    let users = Arc::new(seed::todo(&api, scale("BENCH_TODO_USERS", 2000), 50).await?);
    let tokens: Arc<Vec<String>> = Arc::new(users.iter().map(|u| u.token.clone()).collect());
    notes.push(format!("/todo: {} users with 50 tasks each ({} task rows).", users.len(), users.len() * 50));

    let mut outcomes: Vec<Outcome> = Vec::new();
    let addr = server.addr;
    if wanted(filters, "list") {
        eprintln!("list scenarios ...");
        outcomes.extend(scenarios::list(addr, "/todo/tasks", tokens.clone(), "/todo/tasks?limit=50").await?);
    }
    let mut pgbench_tps = None;
    if wanted(filters, "read") {
        eprintln!("single-row read and pgbench ...");
        let stats = scenarios::read_task(addr, users.clone(), 64).await?;
        let tps = pgbench(64).await?;
        pgbench_tps = Some(tps);
        outcomes.push(
            Outcome::new(
                format!("GET /todo/tasks/{{id}} ({:.0}% of pgbench)", stats.rps / tps * 100.0),
                64,
                stats,
            )
            .judged("≥ 50% of pgbench -S -M prepared", move |s| s.rps >= tps * 0.5),
        );
    }
    if wanted(filters, "write") {
        eprintln!("write scenarios ...");
        outcomes.push(scenarios::write_tasks(addr, users.clone()).await?);
    }
    if wanted(filters, "login") {
        eprintln!("login flood ...");
        outcomes.extend(scenarios::read_during_logins(addr, tokens.clone()).await?);
    }
    let mut peak = server.peak_rss_mib();
    drop(server);

    if wanted(filters, "limiter") {
        eprintln!("rate limiter on ...");
        let limited = Server::start(binary, &database, 18_081, 1_000_000_000)?;
        let mut stats = scenarios::list(
            limited.addr,
            "/todo/tasks (rate limiter on)",
            tokens.clone(),
            "/todo/tasks?limit=50",
        )
        .await?;
        stats.truncate(1);
        if let (Some(on), Some(off)) =
            (stats.first(), outcomes.iter().find(|o| o.scenario == "/todo/tasks list" && o.connections == 64))
        {
            let cost_us = (1e6 / on.stats.rps - 1e6 / off.stats.rps) * 64.0;
            notes.push(format!("The rate limiter costs about {cost_us:.0} µs of latency per request at 64 connections ({:.0} vs {:.0} req/s).", on.stats.rps, off.stats.rps));
        }
        outcomes.extend(stats);
        peak = peak.max(limited.peak_rss_mib());
    }
    let _ = server::psql(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));

    let report = Report {
        date: stamp.format("%Y-%m-%d").to_string(),
        machine: machine(),
        peak_rss_mib: peak,
        pgbench_select_tps: pgbench_tps,
        outcomes,
        notes,
    };
    write(&report, &stamp.format("%Y-%m-%d").to_string())
}

fn scale(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned()))
        .unwrap_or_default();
    format!("{cores} cores ({cpu}); server, load generator, PostgreSQL and Redis on the same machine.")
}

/// `pgbench -S -M prepared` at the same concurrency: the database's own ceiling.
async fn pgbench(clients: usize) -> anyhow::Result<f64> {
    let pg = std::env::var("XTASK_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let db = "api_bench_pgbench";
    if server::psql(&format!("SELECT 1 FROM pg_database WHERE datname = '{db}'"))?.is_empty() {
        server::psql(&format!("CREATE DATABASE {db}"))?;
        let status = tokio::process::Command::new("pgbench")
            .args(["-i", "-q", "-s", "10", &format!("{pg}/{db}")])
            .status()
            .await?;
        anyhow::ensure!(status.success(), "pgbench -i failed");
    }
    let out = tokio::process::Command::new("pgbench")
        .args([
            "-S",
            "-M",
            "prepared",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            "8",
            &format!("{pg}/{db}"),
        ])
        .output()
        .await
        .context("pgbench (postgresql-contrib)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no tps in pgbench output: {text}"))
}

fn write(report: &Report, date: &str) -> anyhow::Result<()> {
    let dir = crate::root().join("bench/results");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{date}.json")), serde_json::to_string_pretty(report)? + "\n")?;
    let md = report.markdown();
    std::fs::write(dir.join(format!("{date}.md")), &md)?;
    println!("{md}");
    Ok(())
}
