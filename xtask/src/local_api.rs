//! Running the debug `api` binary on loopback, for the checks that need whole
//! processes (`replicas`, `chaos`): the build, spare ports, replica processes
//! that die with their handle, health waits and `psql`.

use std::{
    fs,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| crate::root().join("target"), PathBuf::from)
}

/// `cargo build -p api` (debug); the binary's path.
pub fn build_api() -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--locked", "-p", "api"])
        .current_dir(crate::root())
        .status()
        .context("run cargo build")?;
    if !status.success() {
        bail!("cargo build -p api failed");
    }
    Ok(target_dir().join("debug/api"))
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Seconds since the epoch: a unique enough database and key-prefix suffix.
pub fn unique_stamp() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// One `api serve` process on a loopback port; killed when dropped.
pub struct Replica {
    pub port: u16,
    child: Option<Child>,
}

impl Replica {
    /// Starts `binary serve` on `port` with `env` (and nothing else from this
    /// process's environment but `PATH`), its output in `log`. It runs in
    /// `dir`, so no `.env` file of the checkout leaks into it.
    pub fn spawn(
        binary: &Path,
        env: &[(&str, String)],
        port: u16,
        dir: &Path,
        log: &Path,
    ) -> anyhow::Result<Self> {
        let log = fs::File::create(log)?;
        let child = Command::new(binary)
            .arg("serve")
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("start a replica")?;
        Ok(Self { port, child: Some(child) })
    }

    /// Hands the process over (to be killed by the caller).
    pub fn take_child(&mut self) -> Option<Child> {
        self.child.take()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `api migrate` with `env`: compose's one-shot service, before replicas start.
pub fn migrate(binary: &Path, env: &[(&str, String)], dir: &Path) -> anyhow::Result<()> {
    let out = Command::new(binary)
        .arg("migrate")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()?;
    if !out.status.success() {
        bail!("api migrate failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// Waits until `url` answers 200.
pub async fn wait_healthy(http: &reqwest::Client, url: &str, within: Duration) -> anyhow::Result<()> {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if let Ok(r) = http.get(url).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{url} did not answer 200 within {within:?}")
}

/// Runs SQL with psql against `server`'s `postgres` database.
pub fn psql(server: &str, sql: &str) -> anyhow::Result<String> {
    psql_on(&format!("{server}/postgres"), sql)
}

/// Runs SQL with psql against a database URL; returns its unaligned output.
pub fn psql_on(url: &str, sql: &str) -> anyhow::Result<String> {
    let out = Command::new("psql").args([url, "-qtAc", sql]).output().context("psql is needed")?;
    if !out.status.success() {
        bail!("psql failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}
