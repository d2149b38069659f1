//! `cargo xtask compose-check`: the delivery path run for real, by hand and
//! before a release (the image build takes ~12 minutes on 2 cores, so not in
//! `.ci/run`). It builds the image, brings `docker-compose.yml` up on a spare
//! port under its own project name, runs the Postman collection through nginx,
//! stops a replica and measures what requests routed around it cost, restarts
//! nginx with that replica down, rolls the replicas to a rebuilt image with
//! `deploy/rollout.sh` while a client loop runs (its failed requests must be
//! 0), and tears everything down.
//!
//! Needs a Docker engine with Compose v2 (`docker compose`) and the base images
//! the Dockerfile and compose file name; with no registry reachable,
//! `../shared/tools/make-base-images.sh` makes local stand-ins of them (then set
//! `DOCKER_CONFIG` to its `docker-config` folder for Compose v2).

use std::{
    fmt::Write as _,
    fs,
    path::PathBuf,
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::{local_api::free_port, tools};

const PROJECT: &str = "five-apps-check";
const BASE_IMAGES: [&str; 5] =
    ["rust:1.95-slim-bookworm", "debian:bookworm-slim", "postgres:15", "redis:7-alpine", "nginx:1.27-alpine"];

pub fn run() -> anyhow::Result<()> {
    let stack = Stack::new()?;
    let outcome = tokio::runtime::Runtime::new()?.block_on(check(&stack));
    if outcome.is_err() {
        let _ = stack.compose(&["logs", "--tail", "40"]).status();
    }
    stack.down();
    let report = outcome?;
    println!("\n{report}");
    println!("compose-check: ok");
    Ok(())
}

/// One compose project on a spare port, with secrets of its own.
struct Stack {
    dir: PathBuf,
    env_file: PathBuf,
    port: u16,
    docker: String,
}

impl Stack {
    fn new() -> anyhow::Result<Self> {
        let docker = std::env::var("DOCKER").unwrap_or_else(|_| "docker".into());
        let ok = |args: &[&str]| Command::new(&docker).args(args).output().is_ok_and(|o| o.status.success());
        if !ok(&["info"]) {
            bail!("no Docker engine answers `{docker} info`: install Debian's docker.io and start `dockerd`");
        }
        if !ok(&["compose", "version"]) {
            bail!(
                "`{docker} compose` (Compose v2) is missing: install it, or point DOCKER_CONFIG at the \
                 docker-config folder that ../shared/tools/make-base-images.sh unpacks"
            );
        }
        for image in BASE_IMAGES {
            if !ok(&["image", "inspect", image]) && !ok(&["pull", "-q", image]) {
                bail!(
                    "base image {image} is neither here nor pullable: with no registry reachable, \
                     `sudo bash ../shared/tools/make-base-images.sh` builds local stand-ins of all of them"
                );
            }
        }
        let dir = crate::root().join("target/compose-check");
        fs::create_dir_all(&dir)?;
        let port = free_port()?;
        let env_file = dir.join("env");
        let secret = format!("{:032x}{:032x}", crate::local_api::unique_stamp(), std::process::id());
        fs::write(
            &env_file,
            format!(
                "POSTGRES_USER=api\nPOSTGRES_PASSWORD=check-{secret}\nPOSTGRES_DB=api\nJWT_SECRET={secret}\n\
                 HTTP_PORT={port}\nPUBLIC_URL=http://127.0.0.1:{port}\n\
                 RATE_LIMIT_PER_MINUTE=0\nPAYMENT_PRIVATE_KEY={PAYMENT_KEY}\n\
                 ADMIN_LOGIN={ADMIN_LOGIN}\nADMIN_PASSWORD={ADMIN_PASSWORD}\nRUST_LOG=warn\n"
            ),
        )?;
        Ok(Self { dir, env_file, port, docker })
    }

    fn compose(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.docker);
        cmd.current_dir(crate::root())
            .args(["compose", "-p", PROJECT, "--env-file"])
            .arg(&self.env_file)
            .args(args);
        cmd
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn down(&self) {
        println!("-- tearing down");
        let _ = self.compose(&["down", "-v", "--remove-orphans", "-t", "5"]).status();
    }
}

/// What the stories of the Postman collection log in with (as in `.ci/contract.sh`).
const PAYMENT_KEY: &str = "contract-payment-key";
const ADMIN_LOGIN: &str = "contract-admin";
const ADMIN_PASSWORD: &str = "contract-admin-password";

fn step(name: &str) {
    println!("\n== {name}");
}

fn run_ok(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

async fn check(stack: &Stack) -> anyhow::Result<String> {
    let mut report = String::from("compose-check results\n");
    let image = "five-apps-api:check-1";
    step("building the image (the first build takes ~12 minutes on 2 cores)");
    let started = Instant::now();
    build_image(stack, image, "1")?;
    writeln!(report, "image build: {:.0} s", started.elapsed().as_secs_f64())?;

    step("docker compose up");
    run_ok(stack.compose(&["up", "-d", "--no-build"]).env("API_IMAGE", image), "docker compose up")?;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(40)).build()?;
    wait_ready(&http, stack, Duration::from_secs(180)).await?;
    let built = stack.compose(&["config", "--format", "json"]).env("API_IMAGE", image).output()?;
    let config: Value = serde_json::from_slice(&built.stdout).context("docker compose config")?;
    let builders: Vec<&String> = config["services"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, s)| s.get("build").is_some())
        .map(|(n, _)| n)
        .collect();
    writeln!(report, "services that build the image: {builders:?} (one build for all replicas)")?;

    step("the Postman collection through nginx");
    let failures = newman(stack)?;
    // `/metrics` is the one request nginx must refuse (it is for the scraper on
    // the private network): every other request of the collection passes.
    let others: Vec<&String> = failures.iter().filter(|name| !name.contains("metrics")).collect();
    if !others.is_empty() {
        bail!("the Postman collection failed through nginx: {others:?}");
    }
    let public = http.get(stack.url("/metrics")).send().await?.status();
    if public != reqwest::StatusCode::NOT_FOUND {
        bail!("/metrics through nginx answered {public}, not 404");
    }
    let private = stack
        .compose(&["exec", "-T", "nginx", "wget", "-q", "-O", "-", "http://api-1:8080/metrics"])
        .output()?;
    if !String::from_utf8_lossy(&private.stdout).contains("http_requests_total") {
        bail!("a scraper on the backend network cannot read api-1:8080/metrics");
    }
    writeln!(
        report,
        "Postman collection through nginx: passed ({} assertions failed, all on /metrics: refused with 404 through nginx, \
         served to the backend network)",
        failures.len()
    )?;

    let client = TodoClient::sign_up(&http, stack).await?;
    let (before, _) = client.round(&http, 60).await;
    writeln!(report, "all replicas up: {}", before.summary())?;

    step("one replica stopped");
    run_ok(&mut stack.compose(&["stop", "-t", "10", "api-2"]), "stop api-2")?;
    let (down, failed) = client.round(&http, 60).await;
    writeln!(report, "api-2 stopped: {}", down.summary())?;
    if failed > 0 {
        bail!("{failed} requests failed with api-2 stopped");
    }

    step("nginx restarted while that replica is down");
    run_ok(&mut stack.compose(&["restart", "-t", "5", "nginx"]), "restart nginx")?;
    wait_ready(&http, stack, Duration::from_secs(30)).await?;
    let (restarted, failed) = client.round(&http, 30).await;
    writeln!(report, "nginx restarted, api-2 down: {}", restarted.summary())?;
    if failed > 0 {
        bail!("{failed} requests failed after nginx restarted with api-2 down");
    }
    run_ok(stack.compose(&["up", "-d", "--no-deps", "api-2"]).env("API_IMAGE", image), "start api-2")?;

    step("rolling update to a rebuilt image under a client loop");
    let next = "five-apps-api:check-2";
    build_image(stack, next, "2")?;
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (http, client, stop) = (http.clone(), client.clone(), stop.clone());
        tokio::spawn(async move { client.until(&http, &stop).await })
    };
    let compose = format!("{} compose -p {PROJECT} --env-file {}", stack.docker, stack.env_file.display());
    let mut rollout = Command::new("bash");
    rollout
        .current_dir(crate::root())
        .arg("deploy/rollout.sh")
        .env("API_IMAGE", next)
        .env("COMPOSE", compose);
    let rollout = tokio::task::spawn_blocking(move || run_ok(&mut rollout, "deploy/rollout.sh")).await?;
    stop.store(true, Ordering::SeqCst);
    let (during, failed) = load.await?;
    rollout?;
    writeln!(report, "during the rollout: {} — failed requests: {failed}", during.summary())?;
    let running = stack.compose(&["ps", "--format", "{{.Service}} {{.Image}}"]).output()?;
    let running = String::from_utf8_lossy(&running.stdout);
    let stale: Vec<&str> = running.lines().filter(|l| l.starts_with("api-") && !l.ends_with(next)).collect();
    if !stale.is_empty() {
        bail!("replicas not on the new image after the rollout: {stale:?}");
    }
    if failed > 0 {
        bail!("{failed} requests failed during the rollout");
    }
    fs::write(stack.dir.join("report.txt"), &report)?;
    Ok(report)
}

/// Runs the collection through nginx; the names of the requests whose
/// assertions failed.
fn newman(stack: &Stack) -> anyhow::Result<Vec<String>> {
    let report = stack.dir.join("newman.json");
    let _ = fs::remove_file(&report);
    Command::new(tools::node_bin("newman")?)
        .current_dir(crate::root())
        .args(["run", "clients/postman/collection.json", "--color", "off", "--reporters", "cli,json"])
        .arg("--reporter-json-export")
        .arg(&report)
        .args(["--env-var", &format!("baseUrl={}", stack.url(""))])
        .args(["--env-var", &format!("paymentKey={PAYMENT_KEY}")])
        .args(["--env-var", &format!("shopAdminLogin={ADMIN_LOGIN}")])
        .args(["--env-var", &format!("shopAdminPassword={ADMIN_PASSWORD}")])
        .status()
        .context("start newman")?;
    let run: Value = serde_json::from_slice(&fs::read(&report).context("newman wrote no report")?)?;
    let failures = run["run"]["failures"].as_array().context("newman report without failures")?;
    Ok(failures.iter().map(|f| f["source"]["name"].as_str().unwrap_or("?").to_owned()).collect())
}

fn build_image(stack: &Stack, tag: &str, revision: &str) -> anyhow::Result<()> {
    // `--network host`: cargo fetches crates during the build; the label makes
    // the second build a new image from the cached layers.
    run_ok(
        Command::new(&stack.docker).current_dir(crate::root()).env("DOCKER_BUILDKIT", "0").args([
            "build",
            "--network",
            "host",
            "-q",
            "--label",
            &format!("org.opencontainers.image.revision=check-{revision}"),
            "-t",
            tag,
            ".",
        ]),
        "docker build",
    )
}

async fn wait_ready(http: &reqwest::Client, stack: &Stack, within: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Ok(r) = http.get(stack.url("/ready")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    bail!("nginx on port {} did not answer /ready within {within:?}", stack.port)
}

/// A /todo user whose requests (a write and a read each) drive the checks.
#[derive(Clone)]
struct TodoClient {
    base: String,
    token: String,
}

/// Latencies of one round of requests.
#[derive(Default)]
struct Latencies(Vec<Duration>);

impl Latencies {
    fn summary(&self) -> String {
        let mut v = self.0.clone();
        v.sort();
        if v.is_empty() {
            return "no requests".into();
        }
        let at = |q: f64| v[((v.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
        format!("{} requests, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms", v.len(), at(0.5), at(0.99), at(1.0))
    }
}

impl TodoClient {
    async fn sign_up(http: &reqwest::Client, stack: &Stack) -> anyhow::Result<Self> {
        let base = stack.url("/todo");
        let creds = json!({"username": format!("check{}", crate::local_api::unique_stamp()), "password": "compose-check-pw"});
        let r = http.post(format!("{base}/register")).json(&creds).send().await?;
        if !r.status().is_success() {
            bail!("register: {}", r.status());
        }
        let r = http.post(format!("{base}/login")).json(&creds).send().await?;
        let body: Value = r.json().await?;
        let token = body["access_token"].as_str().context("login gave no access_token")?.to_owned();
        Ok(Self { base, token })
    }

    /// One write and one read; `None` when either failed.
    async fn once(&self, http: &reqwest::Client) -> Option<Duration> {
        let started = Instant::now();
        let created = http
            .post(format!("{}/tasks", self.base))
            .bearer_auth(&self.token)
            .json(&json!({"title": "rollout"}))
            .send()
            .await
            .ok()?;
        if created.status() != reqwest::StatusCode::CREATED {
            eprintln!("write answered {}", created.status());
            return None;
        }
        let listed =
            http.get(format!("{}/tasks?limit=5", self.base)).bearer_auth(&self.token).send().await.ok()?;
        if !listed.status().is_success() {
            eprintln!("read answered {}", listed.status());
            return None;
        }
        Some(started.elapsed())
    }

    async fn round(&self, http: &reqwest::Client, n: usize) -> (Latencies, usize) {
        let mut lat = Latencies::default();
        let mut failed = 0;
        for _ in 0..n {
            match self.once(http).await {
                Some(d) => lat.0.push(d),
                None => failed += 1,
            }
        }
        (lat, failed)
    }

    /// Four clients in a loop until `stop`.
    async fn until(&self, http: &reqwest::Client, stop: &AtomicBool) -> (Latencies, usize) {
        let one = |_| async {
            let mut lat = Latencies::default();
            let mut failed = 0;
            while !stop.load(Ordering::SeqCst) {
                match self.once(http).await {
                    Some(d) => lat.0.push(d),
                    None => failed += 1,
                }
            }
            (lat, failed)
        };
        let all = futures::future::join_all((0..4).map(one)).await;
        all.into_iter().fold((Latencies::default(), 0), |(mut lat, f), (l, n)| {
            lat.0.extend(l.0);
            (lat, f + n)
        })
    }
}
