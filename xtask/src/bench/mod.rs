//! `cargo xtask bench [scenario…]`: the release server against local
//! PostgreSQL and Redis, seeded through the API, loaded by `load.rs`; writes
//! `bench/results/<date>.json`, `.md` and `.svg`. Scenario names filter by
//! prefix: `list`, `read`, `write`, `money`, `login`, `limiter`. `large` alone
//! runs the growth scenarios instead (`large.rs`, not part of a full run);
//! `chart <date>` draws a results file's chart again.

mod chart;
mod cpu;
mod large;
pub mod load;
mod money;
mod report;
mod scenarios;
mod seed;
mod seed_apps;
mod server;

use std::{net::SocketAddr, sync::Arc};

use anyhow::Context;

use self::{report::Report, scenarios::Outcome, seed::Api, seed_apps::AppUser, server::Server};

/// The scenario groups; a filter on the command line is a prefix of one.
pub const SCENARIOS: [&str; 6] = ["list", "read", "write", "money", "login", "limiter"];

pub fn run(filters: &[String]) -> anyhow::Result<()> {
    if let [chart, date] = filters
        && chart == "chart"
    {
        return redraw(date);
    }
    // `BENCH_API_BINARY`: a server built earlier (an A/B of two builds).
    let binary = match std::env::var_os("BENCH_API_BINARY") {
        Some(path) => path.into(),
        None => server::build_release()?,
    };
    if cfg!(debug_assertions) {
        // An unoptimised load generator would take the CPU it measures.
        return server::rerun_optimised(filters);
    }
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?.block_on(async {
        if filters.iter().any(|f| f == "large") {
            large::run(&binary, machine()).await
        } else {
            async_run(&binary, filters).await
        }
    })
}

/// Rounds of the single-row read, each followed by pgbench.
const READ_ROUNDS: usize = 3;

fn wanted(filters: &[String], name: &str) -> bool {
    filters.is_empty() || filters.iter().any(|f| name.starts_with(f.as_str()))
}

/// The seeded data each scenario draws its users from.
struct Seeded {
    todo: Arc<Vec<seed::TodoUser>>,
    todo_tokens: Arc<Vec<String>>,
    exchange: Option<Arc<Vec<AppUser>>>,
    shop: Option<seed_apps::Shop>,
    dealer: Option<Arc<Vec<AppUser>>>,
    ar: Option<Arc<Vec<AppUser>>>,
}

/// Seeds /todo always (the read, login and limiter scenarios use it) and the
/// other apps when present and wanted.
async fn seed_all(
    api: &Api,
    apps: &[&str],
    filters: &[String],
    notes: &mut Vec<String>,
) -> anyhow::Result<Seeded> {
    let started = std::time::Instant::now();
    let has =
        |app: &str, scenarios: &[&str]| apps.contains(&app) && scenarios.iter().any(|s| wanted(filters, s));
    let n = scale("BENCH_APP_USERS", 200);
    eprintln!("seeding /todo ...");
    let todo = Arc::new(seed::todo(api, scale("BENCH_TODO_USERS", 2000), 50).await?);
    let todo_tokens = Arc::new(todo.iter().map(|u| u.token.clone()).collect());
    notes.push(format!("/todo: {} users with 50 tasks each ({} task rows).", todo.len(), todo.len() * 50));
    let exchange = if has("/exchange", &["list", "write"]) {
        eprintln!("seeding /exchange ...");
        notes.push(format!("/exchange: {n} users with 50 items each ({} items).", n * 50));
        Some(Arc::new(seed_apps::exchange(api, n, 50).await?))
    } else {
        None
    };
    let shop = if has("/shop", &["list", "money"]) {
        eprintln!("seeding /shop ...");
        notes.push(format!(
            "/shop: 1,000 products; {n} users with 50 bills each ({} bills), each funded by a signed webhook.",
            n * 50
        ));
        Some(seed_apps::shop(api, n, 50, 1000).await?)
    } else {
        None
    };
    let dealer = if has("/dealer", &["list"]) {
        eprintln!("seeding /dealer ...");
        notes.push("/dealer: 20 dealers sharing one stock of 1,000 autos.".into());
        Some(Arc::new(seed_apps::dealer(api, 20, 1000).await?))
    } else {
        None
    };
    let ar = if has("/ar", &["list"]) {
        eprintln!("seeding /ar ...");
        notes.push(format!("/ar: {n} users with 50 projects each ({} projects).", n * 50));
        Some(Arc::new(seed_apps::ar(api, n, 50).await?))
    } else {
        None
    };
    notes.push(format!("Seeding through the API took {:.0} s.", started.elapsed().as_secs_f64()));
    Ok(Seeded { todo, todo_tokens, exchange, shop, dealer, ar })
}

fn tokens_of(users: &[AppUser]) -> Arc<Vec<String>> {
    Arc::new(users.iter().map(|u| u.token.clone()).collect())
}

async fn lists(server: &Server, seeded: &Seeded, out: &mut Vec<Outcome>) -> anyhow::Result<()> {
    use scenarios::ListTargets;
    // The targets: /shop lists at 8,000 req/s, the others as before;
    // server CPU per page of 50 for /todo and /shop/products.
    let mut all: Vec<(&str, Arc<Vec<String>>, &'static str, ListTargets)> = vec![(
        "/todo/tasks",
        seeded.todo_tokens.clone(),
        "/todo/tasks?limit=50",
        ListTargets::rps(5000.0).cpu(110.0),
    )];
    if let Some(users) = &seeded.exchange {
        all.push(("/exchange/items", tokens_of(users), "/exchange/items?limit=50", ListTargets::rps(5000.0)));
    }
    if let Some(shop) = &seeded.shop {
        let tokens: Arc<Vec<String>> = Arc::new(shop.users.iter().map(|u| u.token.clone()).collect());
        all.push(("/shop/bills", tokens.clone(), "/shop/bills?limit=50", ListTargets::rps(8000.0)));
        all.push(("/shop/products", tokens, "/shop/products?limit=50", ListTargets::rps(8000.0).cpu(100.0)));
    }
    if let Some(users) = &seeded.dealer {
        all.push(("/dealer/stock", tokens_of(users), "/dealer/stock?limit=50", ListTargets::rps(5000.0)));
    }
    if let Some(users) = &seeded.ar {
        all.push(("/ar/api/project", tokens_of(users), "/ar/api/project?limit=50", ListTargets::rps(5000.0)));
    }
    for (name, tokens, path, targets) in all {
        eprintln!("  {name} ...");
        out.extend(scenarios::list(server.addr, name, tokens, path, targets).await?);
        stamp_rss(out, server);
    }
    Ok(())
}

/// Webhooks, purchases on a hot bill and spread, then every balance checked.
async fn money(
    addr: SocketAddr,
    api: &Api,
    shop: &mut seed_apps::Shop,
    notes: &mut Vec<String>,
) -> anyhow::Result<Vec<Outcome>> {
    let mut out = vec![
        money::webhooks(addr, shop).await?,
        money::hot_bill(addr, api, shop).await?,
        money::spread(addr, shop).await?,
    ];
    let wrong = money::verify(api, shop).await?;
    if wrong.is_empty() {
        notes.push(format!(
            "After the money scenarios every one of the {} bills read back through `GET /shop/bills` held exactly the balance the answered webhooks and purchases imply.",
            shop.expected.len()
        ));
    } else {
        notes.push(format!("**Balances differ** on {} bills, e.g. {}.", wrong.len(), wrong[0]));
        for o in &mut out {
            o.met = Some(false);
        }
    }
    Ok(out)
}

async fn async_run(binary: &std::path::Path, filters: &[String]) -> anyhow::Result<()> {
    let stamp = chrono::Utc::now();
    let database = format!("api_bench_{}", stamp.format("%Y%m%d%H%M%S"));
    let server = Server::start(binary, &database, 18_080, 0)?;
    let api = Api::new(server.addr);
    let mut notes = vec![
        "Lists are read with `?limit=50` (a page), as a client would; the server logs at its default level (`info`: one JSON line per request) to a file."
            .to_owned(),
    ];

    let paths = api.documented_paths().await?;
    let apps: Vec<&str> = ["/exchange", "/todo", "/dealer", "/shop", "/ar"]
        .into_iter()
        .filter(|app| paths.iter().any(|p| p.starts_with(app)))
        .collect();
    notes.push(format!("Apps present: {}.", apps.join(", ")));
    let mut seeded = seed_all(&api, &apps, filters, &mut notes).await?;
    let (users, tokens) = (seeded.todo.clone(), seeded.todo_tokens.clone());
    // What autovacuum would do soon after a bulk load, done before measuring
    // rather than during it; then a checkpoint, so none starts mid-scenario.
    server::psql_on(&server::database_url(&database), "VACUUM ANALYZE")?;
    server::psql("CHECKPOINT")?;
    notes.push(format!("Peak RSS of the server after seeding: {:.1} MiB.", server.peak_rss_mib()));

    let mut outcomes: Vec<Outcome> = Vec::new();
    let addr = server.addr;
    if wanted(filters, "list") {
        eprintln!("list scenarios ...");
        lists(&server, &seeded, &mut outcomes).await?;
    }
    let mut pgbench_figures = None;
    if wanted(filters, "read") {
        eprintln!("single-row read and pgbench ...");
        // Alternating rounds, so that what else the machine is doing weighs
        // on both sides alike; the round with the median ratio is reported.
        let mut rounds = Vec::new();
        for _ in 0..READ_ROUNDS {
            let stats = scenarios::read_task(addr, users.clone(), 64).await?;
            let bench = pgbench(64, scenarios::RUN.as_secs()).await?;
            rounds.push((stats.rps / bench.tps, stats, bench));
        }
        rounds.sort_by(|a, b| a.0.total_cmp(&b.0));
        notes.push(format!(
            "Single-row read against pgbench, {READ_ROUNDS} alternating rounds: {}.",
            rounds
                .iter()
                .map(|(ratio, s, b)| format!(
                    "{:.0} req/s vs {:.0} tps ({:.0}%; server {} µs + PostgreSQL {} µs per read, pgbench's backends {:.0} µs per select)",
                    s.rps,
                    b.tps,
                    ratio * 100.0,
                    s.cpu.map_or("?".into(), |c| format!("{:.0}", c.server_us)),
                    s.cpu.map_or("?".into(), |c| format!("{:.0}", c.pg_us)),
                    b.pg_us
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        let (ratio, stats, bench) = rounds.swap_remove(READ_ROUNDS / 2);
        let tps = bench.tps;
        pgbench_figures = Some(bench);
        outcomes.push(
            Outcome::new(format!("GET /todo/tasks/{{id}} ({:.0}% of pgbench)", ratio * 100.0), 64, stats)
                .judged("≥ 60% of pgbench -S -M prepared", move |s| s.rps >= tps * 0.6)
                .server_cpu_at_most(65.0),
        );
        stamp_rss(&mut outcomes, &server);
    }
    if wanted(filters, "write") {
        eprintln!("write scenarios ...");
        outcomes.push(scenarios::write_tasks(addr, users.clone()).await?);
        let keyed = scenarios::keyed_writes(addr, users.clone()).await?;
        let mean = |with: bool| {
            let rounds: Vec<_> =
                keyed.iter().filter(|o| o.scenario.contains("with Idempotency-Key") == with).collect();
            let rps = rounds.iter().map(|o| o.stats.rps).sum::<f64>() / rounds.len().max(1) as f64;
            let p50 = rounds.iter().map(|o| o.stats.p50_ms).sum::<f64>() / rounds.len().max(1) as f64;
            (rps, p50)
        };
        let ((plain_rps, plain_p50), (keyed_rps, keyed_p50)) = (mean(false), mean(true));
        notes.push(format!(
            "An Idempotency-Key on POST /todo/tasks (64 connections, a fresh key per request, 2 alternating rounds): \
             {keyed_rps:.0} req/s, p50 {keyed_p50:.1} ms, against {plain_rps:.0} req/s, p50 {plain_p50:.1} ms without; \
             about {:.0} µs more latency per request at 64 connections.",
            (1e6 / keyed_rps - 1e6 / plain_rps) * 64.0
        ));
        outcomes.extend(keyed);
        if let Some(users) = &seeded.exchange {
            outcomes.push(scenarios::transfer_items(addr, users.clone()).await?);
        }
        stamp_rss(&mut outcomes, &server);
    }
    if wanted(filters, "money")
        && let Some(shop) = &mut seeded.shop
    {
        eprintln!("money scenarios ...");
        outcomes.extend(money(addr, &api, shop, &mut notes).await?);
        stamp_rss(&mut outcomes, &server);
    }
    if wanted(filters, "login") {
        eprintln!("login flood ...");
        outcomes.extend(scenarios::read_during_logins(addr, tokens.clone()).await?);
    }
    stamp_rss(&mut outcomes, &server);
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
            scenarios::ListTargets::rps(5000.0),
        )
        .await?;
        stats.truncate(2);
        if let (Some(on), Some(off)) = (
            stats.first(),
            outcomes.iter().find(|o| o.scenario == "/todo/tasks list, saturated" && o.connections == 64),
        ) {
            let cost_us = (1e6 / on.stats.rps - 1e6 / off.stats.rps) * 64.0;
            notes.push(format!("The rate limiter costs about {cost_us:.0} µs of latency per request at 64 connections ({:.0} vs {:.0} req/s).", on.stats.rps, off.stats.rps));
        }
        // Shown for the limiter's cost, not judged: the list targets are for
        // the lists themselves, measured with the limiter off above.
        outcomes.extend(stats.into_iter().map(Outcome::unjudged));
        stamp_rss(&mut outcomes, &limited);
        peak = peak.max(limited.peak_rss_mib());
    }
    let _ = server::psql(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));

    let report = Report {
        date: stamp.format("%Y-%m-%d").to_string(),
        machine: machine(),
        peak_rss_mib: peak,
        pgbench_select_tps: pgbench_figures.as_ref().map(|b| b.tps),
        pgbench_pg_us: pgbench_figures.as_ref().map(|b| b.pg_us),
        outcomes,
        notes,
    };
    write(&report, &stamp.format("%Y-%m-%d").to_string())
}

/// Notes the server's peak RSS so far on the outcomes that have none yet.
fn stamp_rss(outcomes: &mut [Outcome], server: &Server) {
    let peak = server.peak_rss_mib();
    for o in outcomes.iter_mut().filter(|o| o.peak_rss_mib.is_none()) {
        o.peak_rss_mib = Some(peak);
    }
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

/// `pgbench -S -M prepared` at the same concurrency: the database's own
/// ceiling, with its backends' CPU per transaction (the floor for a
/// single-row read), read while it runs since its backends end with it.
pub struct Pgbench {
    pub tps: f64,
    pub pg_us: f64,
}

async fn pgbench(clients: usize, seconds: u64) -> anyhow::Result<Pgbench> {
    let db = "api_bench_pgbench";
    if server::psql(&format!("SELECT 1 FROM pg_database WHERE datname = '{db}'"))?.is_empty() {
        server::psql(&format!("CREATE DATABASE {db}"))?;
        let status = tokio::process::Command::new("pgbench")
            .args(["-i", "-q", "-s", "10", &server::database_url(db)])
            .status()
            .await?;
        anyhow::ensure!(status.success(), "pgbench -i failed");
    }
    // Two seconds more than the window measured: one to connect, one to spare.
    let run = tokio::process::Command::new("pgbench")
        .args([
            "-S",
            "-M",
            "prepared",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &(seconds + 2).to_string(),
            &format!("{}?sslmode=disable", server::database_url(db)),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("pgbench (Debian: the postgresql package)")?;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let before = cpu::sample_database(db);
    tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
    let (pg_us, window) = before.database_since(db);
    let out = run.wait_with_output().await?;
    let text = String::from_utf8_lossy(&out.stdout);
    let tps: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no tps in pgbench output: {text}"))?;
    Ok(Pgbench { tps, pg_us: pg_us / (tps * window) })
}

/// `cargo xtask bench chart <date>`: draws `bench/results/<date>.svg` again
/// from its `.json` (after a change to the chart, without a new run).
fn redraw(date: &str) -> anyhow::Result<()> {
    let dir = crate::root().join("bench/results");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{date}.json"))).context("no results of that date")?,
    )?;
    chart::write(
        &chart::rows_of_json(&report),
        &format!("Benchmark {date}"),
        &dir.join(format!("{date}.svg")),
    )
}

fn write(report: &Report, date: &str) -> anyhow::Result<()> {
    let dir = crate::root().join("bench/results");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{date}.json")), serde_json::to_string_pretty(report)? + "\n")?;
    let svg = format!("{date}.svg");
    if let Err(e) =
        chart::write(&chart::rows(&report.outcomes), &format!("Benchmark {date}"), &dir.join(&svg))
    {
        eprintln!("no chart: {e:#}");
    }
    let md = report.markdown(&svg);
    std::fs::write(dir.join(format!("{date}.md")), &md)?;
    println!("{md}");
    Ok(())
}
