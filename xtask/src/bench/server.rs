//! The server under test: the release binary against a fresh database, its
//! own Redis prefix, the rate limit off (or on, for the limiter's scenario).

use std::{
    net::SocketAddr,
    process::{Child, Command},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};

pub const JWT_SECRET: &str = "bench-secret-bench-secret-bench-secret-01";
pub const PAYMENT_KEY: &str = "bench-payment-key";
pub const ADMIN: (&str, &str) = ("bench-admin", "bench-admin-password");

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

/// Builds the release binary (`cargo build --release -p api`).
pub fn build_release() -> anyhow::Result<std::path::PathBuf> {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--locked", "-p", "api"])
        .current_dir(crate::root())
        .status()?;
    if !status.success() {
        bail!("release build failed");
    }
    Ok(target_dir().join("release/api"))
}

/// Builds the optimised xtask and runs the benchmark with it, exiting with its status.
pub fn rerun_optimised(filters: &[String]) -> anyhow::Result<()> {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--locked", "-p", "xtask"])
        .current_dir(crate::root())
        .status()?;
    if !status.success() {
        bail!("release build of xtask failed");
    }
    let status = Command::new(target_dir().join("release/xtask")).arg("bench").args(filters).status()?;
    std::process::exit(status.code().unwrap_or(1))
}

fn target_dir() -> std::path::PathBuf {
    std::env::var("CARGO_TARGET_DIR").map_or_else(|_| crate::root().join("target"), Into::into)
}

impl Server {
    pub fn start(
        binary: &std::path::Path,
        database: &str,
        port: u16,
        rate_limit: u32,
    ) -> anyhow::Result<Self> {
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let log = std::fs::File::create(std::env::temp_dir().join(format!("bench-server-{port}.log")))?;
        let mut command = Command::new(binary);
        command.env_clear();
        // jemalloc's settings may be tried without a rebuild (`_RJEM_MALLOC_CONF`
        // overrides the ones compiled into `api/src/main.rs`).
        if let Some(conf) = std::env::var_os("_RJEM_MALLOC_CONF") {
            command.env("_RJEM_MALLOC_CONF", conf);
        }
        // A log level to compare with the default's cost.
        if let Some(level) = std::env::var_os("BENCH_RUST_LOG") {
            command.env("RUST_LOG", level);
        }
        let child = command
            .arg("serve")
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            // Loopback: TLS (on by default in Debian's PostgreSQL) would only burn CPU.
            .env("DATABASE_URL", format!("{}?sslmode=disable", database_url(database)))
            .env("BIND_ADDR", addr.to_string())
            .env("JWT_SECRET", JWT_SECRET)
            .env("PAYMENT_PRIVATE_KEY", PAYMENT_KEY)
            .env("ADMIN_LOGIN", ADMIN.0)
            .env("ADMIN_PASSWORD", ADMIN.1)
            .env("RATE_LIMIT_PER_MINUTE", rate_limit.to_string())
            .env("REDIS_URL", crate::test_redis())
            .env("REDIS_KEY_PREFIX", format!("bench:{database}:"))
            // The default level (info: a line per request), as deployed.
            .env("LOG_FORMAT", "json")
            // Logs go to stdout: to the file, as a deployment's would.
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("start the server")?;
        super::cpu::watch(child.id(), database);
        let server = Self { child, addr };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&self) -> anyhow::Result<()> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(mut stream) = std::net::TcpStream::connect(self.addr) {
                use std::io::{Read, Write};
                let _ = stream.write_all(b"GET /ready HTTP/1.0\r\n\r\n");
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!("the server did not become ready (see {}/bench-server-*.log)", std::env::temp_dir().display())
    }

    /// The peak resident set size so far (VmHWM), in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM lets it finish in-flight requests; then make sure it is gone.
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `psql -c` on the maintenance database.
pub fn psql(sql: &str) -> anyhow::Result<String> {
    psql_on(&database_url("postgres"), sql)
}

/// The URL of `database` on the benchmark's PostgreSQL (`TEST_PG`).
pub fn database_url(database: &str) -> String {
    format!("{}/{database}", crate::test_pg())
}

pub fn psql_on(url: &str, sql: &str) -> anyhow::Result<String> {
    let out = Command::new("psql").args([url, "-qtAc", sql]).output().context("psql")?;
    if !out.status.success() {
        bail!("psql failed: {sql}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}
