//! `cargo xtask chaos [--rate N] [--pause SECS]`: faults under load, then the
//! invariants that must have held through them.
//!
//! Starts a PostgreSQL cluster and a Redis of its own on spare loopback ports
//! (never the shared ones: these get stopped and frozen), migrates, and runs
//! three debug replicas sharing them and one `JWT_SECRET`. While an open-loop
//! load of writes and authenticated reads runs (`--rate`, default 100 calls a
//! second), with refused credentials and `/ready` tried on every replica, it
//! goes through these windows:
//!
//! | window | what happens |
//! |---|---|
//! | `steady` | nothing: the baseline |
//! | `pg-restart` | `pg_ctl stop -m fast`, 2 s down, `pg_ctl start` |
//! | `redis-restart` | Redis `SIGKILL`ed, 2 s down, started again empty (no persistence) |
//! | `replica-kill` | one replica `SIGKILL`ed mid-load, a new one started (after the Redis restart) |
//! | `pg-pause` | the postmaster and all its processes `SIGSTOP`ped for `--pause` (35) s, then `SIGCONT` |
//! | `after` | nothing: everything must be well again |
//!
//! Then it prints what clients saw in each window and judges the invariants
//! (`verdict.rs`), exiting non-zero with each violation listed. Everything it
//! started is stopped when it ends, pass or fail; logs stay in `<target>/chaos/`.

mod client;
mod fleet;
mod load;
pub(crate) mod postgres;
mod probes;
mod redis;
mod report;
mod setup;
mod store;
mod timeline;
mod verdict;

use std::{
    fs,
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};

use self::{
    client::Http,
    fleet::Fleet,
    postgres::Postgres,
    redis::Redis,
    timeline::Recorder,
    verdict::{Evidence, PG_PAUSED, PG_STOPPED, REDIS_STOPPED},
};
use crate::local_api::{build_api, migrate, target_dir};

/// The whole run after the build, setup included, never takes longer than this.
const DEADLINE: Duration = Duration::from_secs(300);
const REPLICAS: usize = 3;
const STEADY: Duration = Duration::from_secs(6);
/// How long PostgreSQL or Redis stays down in a restart.
const DOWN: Duration = Duration::from_secs(2);
/// Load after each fault before the next begins.
const SETTLE: Duration = Duration::from_secs(5);
/// How long PostgreSQL is frozen: longer than the server's 30 s request
/// timeout, so that a request it gives up on while its statement waits in the
/// frozen server is seen (issue 14 item 9: answered 503, stored anyway).
const PAUSE: Duration = Duration::from_secs(35);
const JWT_SECRET: &str = "chaos-check-secret-0123456789abcdef";

#[derive(Debug, PartialEq)]
pub struct Plan {
    rate: f64,
    pause: Duration,
}

impl Plan {
    pub fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut plan = Self { rate: 100.0, pause: PAUSE };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let value = |v: Option<&String>| -> anyhow::Result<f64> {
                v.with_context(|| format!("{arg} needs a number"))?
                    .parse()
                    .with_context(|| format!("{arg}: not a number"))
            };
            match arg.as_str() {
                "--rate" => plan.rate = value(args.next())?.clamp(1.0, 500.0),
                "--pause" => plan.pause = Duration::from_secs_f64(value(args.next())?.clamp(2.0, 60.0)),
                other => {
                    bail!("cargo xtask chaos [--rate CALLS_PER_SECOND] [--pause SECONDS]: unknown `{other}`")
                }
            }
        }
        Ok(plan)
    }
}

pub fn run(plan: Plan) -> anyhow::Result<()> {
    let binary = build_api()?;
    let started = Instant::now();
    let dir = target_dir().join("chaos");
    stop_leftovers(&dir);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir)?;
    let pg = Postgres::start(&dir)?;
    let mut redis = Redis::start(&dir)?;
    let database_url = format!("{}/chaos", pg.server_url());
    let env = replica_env(&database_url, &redis.url());
    migrate(&binary, &env, &dir)?;
    let fleet = Arc::new(Fleet::new(&binary, env, &dir));
    println!(
        "chaos: PostgreSQL on 127.0.0.1:{}, Redis on 127.0.0.1:{}, {REPLICAS} replicas, {} calls/s; logs in {}",
        pg.port,
        redis.port,
        plan.rate,
        dir.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let left = DEADLINE.saturating_sub(started.elapsed());
    let violations = runtime
        .block_on(async {
            tokio::time::timeout(left, course(&plan, &pg, &mut redis, fleet.clone(), &database_url))
                .await
                .with_context(|| format!("the run did not finish within {DEADLINE:?}"))?
        })
        .with_context(|| format!("logs are in {}", dir.display()))?;
    drop(runtime);
    drop(fleet);
    println!("chaos: {:.0} s in all", started.elapsed().as_secs_f64());
    if !violations.is_empty() {
        bail!("chaos: {} invariant violations (logs in {})", violations.len(), dir.display());
    }
    Ok(())
}

fn replica_env(database_url: &str, redis_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", database_url.to_owned()),
        ("REDIS_URL", redis_url.to_owned()),
        ("REDIS_KEY_PREFIX", "chaos:".into()),
        ("JWT_SECRET", JWT_SECRET.into()),
        ("PAYMENT_PRIVATE_KEY", setup::PAYMENT_KEY.into()),
        ("ADMIN_LOGIN", setup::ADMIN.0.into()),
        ("ADMIN_PASSWORD", setup::ADMIN.1.into()),
        // Counted in Redis like any limit, never reached: the load is one client.
        ("RATE_LIMIT_PER_MINUTE", "1000000".into()),
        ("PUBLIC_URL", "http://chaos.invalid".into()),
        ("DB_POOL_SIZE", "8".into()),
        ("LOG_FORMAT", "json".into()),
        ("RUST_LOG", "info".into()),
    ]
}

/// Starts the replicas, seeds, runs the load through the fault windows, and
/// judges; the violations found.
async fn course(
    plan: &Plan,
    pg: &Postgres,
    redis: &mut Redis,
    fleet: Arc<Fleet>,
    database_url: &str,
) -> anyhow::Result<Vec<verdict::Violation>> {
    let clock = Recorder::new();
    let http = Http::new(clock.clone())?;
    for _ in 0..REPLICAS {
        fleet.start(&clock).await?;
    }
    let seeded = Arc::new(setup::seed(&http, &fleet.live()).await?);
    let stop = Arc::new(AtomicBool::new(false));
    clock.begin("steady");
    let load =
        tokio::spawn(load::drive(http.clone(), fleet.clone(), seeded.clone(), plan.rate, stop.clone()));
    let refusals =
        tokio::spawn(probes::refusals(http.clone(), fleet.clone(), seeded.probes.clone(), stop.clone()));
    let readiness = tokio::spawn(probes::readiness(http.clone(), fleet.clone(), stop.clone()));
    tokio::time::sleep(STEADY).await;
    faults(plan, pg, redis, &fleet, &clock).await?;
    clock.begin("after");
    tokio::time::sleep(STEADY).await;
    stop.store(true, Ordering::Relaxed);
    let (load, refusals, readiness) = (load.await?, refusals.await?, readiness.await?);
    let timeline = clock.finish();
    // A write the server finished after its client gave up lands by now.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stored = blocking(|| store::read(database_url))?;
    let evidence = Evidence {
        timeline: &timeline,
        writes: &load.writes,
        reads: &load.reads,
        probes: &refusals,
        ready: &readiness,
        stored: &stored,
    };
    let violations = verdict::judge(&evidence);
    report::print(&evidence, &load.skipped, &violations);
    Ok(violations)
}

/// The fault windows, one after the other, each followed by [`SETTLE`].
async fn faults(
    plan: &Plan,
    pg: &Postgres,
    redis: &mut Redis,
    fleet: &Fleet,
    clock: &Recorder,
) -> anyhow::Result<()> {
    clock.begin("pg-restart");
    let down = clock.down(PG_STOPPED);
    blocking(|| pg.stop())?;
    tokio::time::sleep(DOWN).await;
    let down = clock.restarting(down);
    blocking(|| pg.start_again())?;
    clock.up(down);
    tokio::time::sleep(SETTLE).await;

    clock.begin("redis-restart");
    let down = clock.down(REDIS_STOPPED);
    redis.kill();
    tokio::time::sleep(DOWN).await;
    let down = clock.restarting(down);
    blocking(|| redis.start_again())?;
    clock.up(down);
    tokio::time::sleep(SETTLE).await;

    clock.begin("replica-kill");
    let victim = fleet.live()[1];
    fleet.kill(victim, clock);
    let newcomer = fleet.start(clock).await?;
    println!("{:>6.1} s    port {victim} killed, port {newcomer} started", clock.now().as_secs_f64());
    tokio::time::sleep(SETTLE).await;

    clock.begin("pg-pause");
    let down = clock.down(PG_PAUSED);
    let paused = blocking(|| pg.pause())?;
    tokio::time::sleep(plan.pause).await;
    let down = clock.restarting(down);
    drop(paused);
    clock.up(down);
    tokio::time::sleep(SETTLE).await;
    Ok(())
}

/// Kills what an earlier run killed outright left running in `dir` (its
/// replicas and Redis run there); its PostgreSQL goes in `Postgres::start`.
fn stop_leftovers(dir: &Path) {
    let Ok(entries) = fs::read_dir("/proc") else { return };
    for pid in entries.flatten().filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok()) {
        if fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd == dir) && pid != std::process::id()
        {
            println!("stopping process {pid}, left running in {} by an earlier run", dir.display());
            let _ = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
    }
}

/// Runs blocking work (process control, psql) without stalling the clients.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}
