//! `cargo xtask replicas`: the multi-replica check, without Docker.
//!
//! Builds the debug `api` binary, migrates a fresh database with `api migrate`
//! (compose's one-shot service), starts three replicas on loopback ports that
//! share that database, Redis (under their own key prefix) and one JWT secret,
//! and puts Debian's nginx in front with `deploy/nginx.conf` rendered for
//! them. The checks (in `checks.rs`) then run through nginx. Everything it
//! starts is killed and the database dropped when it ends, pass or fail; the
//! logs stay in `<target>/replicas/`.

mod checks;

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};

use crate::local_api::{Replica, build_api, free_port, psql, target_dir, unique_stamp, wait_healthy};

/// The whole run, setup included, never takes longer than this.
const DEADLINE: Duration = Duration::from_secs(300);
pub const JWT_SECRET: &str = "replicas-check-secret-0123456789abcdef";
pub const RATE_LIMIT: u32 = 100;

/// Three replicas behind nginx; dropping it stops them and drops the database.
pub struct Cluster {
    pub replicas: Vec<Replica>,
    pub nginx_port: u16,
    nginx: Option<Child>,
    pub dir: PathBuf,
    pub pg_server: String,
    pub db_name: String,
    pub http: reqwest::Client,
}

impl Cluster {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.nginx_port)
    }

    pub fn database_url(&self) -> String {
        format!("{}/{}", self.pg_server, self.db_name)
    }

    /// The access log's lines from `from` on (nginx writes it unbuffered).
    pub fn access_log(&self, from: usize) -> Vec<String> {
        let text = fs::read_to_string(self.dir.join("access.log")).unwrap_or_default();
        text.lines().skip(from).map(str::to_owned).collect()
    }

    pub fn access_log_len(&self) -> usize {
        self.access_log(0).len()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.replicas.clear();
        if let Some(nginx) = self.nginx.as_mut() {
            let _ = nginx.kill();
            let _ = nginx.wait();
        }
        let _ = psql(&self.pg_server, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db_name));
    }
}

pub fn run() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let started = Instant::now();
    let binary = build_api()?;
    let mut cluster = start(&binary)?;
    runtime
        .block_on(async {
            for replica in &cluster.replicas {
                wait_healthy(&cluster.http, &replica.url("/health"), Duration::from_secs(60)).await?;
            }
            wait_healthy(&cluster.http, &cluster.url("/health"), Duration::from_secs(60)).await?;
            println!("three replicas behind nginx on 127.0.0.1:{}", cluster.nginx_port);
            let left = DEADLINE.saturating_sub(started.elapsed());
            tokio::time::timeout(left, checks::all(&mut cluster))
                .await
                .with_context(|| format!("the checks did not finish within {DEADLINE:?}"))?
        })
        .with_context(|| format!("logs are in {}", cluster.dir.display()))?;
    println!("replicas: all checks passed in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn start(binary: &Path) -> anyhow::Result<Cluster> {
    let dir = target_dir().join("replicas");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir)?;
    let pg_server = crate::test_pg();
    let id = format!("{}_{}", std::process::id(), unique_stamp());
    let mut cluster = Cluster {
        replicas: Vec::new(),
        nginx_port: free_port()?,
        nginx: None,
        dir: dir.clone(),
        pg_server,
        db_name: format!("api_replicas_{id}"),
        http: reqwest::Client::builder().timeout(Duration::from_secs(15)).build()?,
    };
    let env: Vec<(&str, String)> = vec![
        // As compose runs them: no development defaults (see `api/src/devmode.rs`).
        ("APP_ENV", "production".into()),
        ("DATABASE_URL", cluster.database_url()),
        ("REDIS_URL", crate::test_redis()),
        ("REDIS_KEY_PREFIX", format!("replicas:{id}:")),
        ("JWT_SECRET", JWT_SECRET.into()),
        ("TRUSTED_PROXIES", "127.0.0.1".into()),
        ("RATE_LIMIT_PER_MINUTE", RATE_LIMIT.to_string()),
        ("PUBLIC_URL", cluster.url("")),
        ("DB_POOL_SIZE", "8".into()),
        // Ten minutes, not the default second: the logout check then shows
        // that the revocation arrives through pub/sub, not by the periodic
        // resync from PostgreSQL.
        ("SECURITY_RESYNC_MS", "600000".into()),
        ("LOG_FORMAT", "json".into()),
        ("SENTRY_DSN", String::new()),
    ];
    // compose's `migrate` service: one `api migrate` before the replicas start.
    crate::local_api::migrate(binary, &env, &dir)?;
    for n in 1..=3 {
        let port = free_port()?;
        cluster.replicas.push(Replica::spawn(binary, &env, port, &dir, &dir.join(format!("api-{n}.log")))?);
    }
    let ports: Vec<u16> = cluster.replicas.iter().map(|r| r.port).collect();
    let conf = render_nginx(
        &fs::read_to_string(crate::root().join("deploy/nginx.conf"))?,
        cluster.nginx_port,
        &ports,
        &dir,
    )?;
    fs::write(dir.join("nginx.conf"), conf)?;
    let access = fs::File::create(dir.join("access.log"))?;
    let nginx = Command::new(nginx_binary()?)
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .arg("-e")
        .arg(dir.join("error.log"))
        // One foreground process: killing it leaves no orphaned worker behind.
        .args(["-g", "daemon off; master_process off;"])
        .stdin(Stdio::null())
        .stdout(access)
        .stderr(fs::File::create(dir.join("nginx.stderr"))?)
        .spawn()
        .context("start nginx")?;
    cluster.nginx = Some(nginx);
    Ok(cluster)
}

/// `deploy/nginx.conf` for loopback, where there is no Docker DNS: the
/// `resolver` line becomes an upstream of the replicas' ports and `set $api`
/// names it (nginx looks a variable's host up among upstreams before any
/// resolver), `listen 80` the chosen port, the pid file goes in `dir`.
pub fn render_nginx(conf: &str, listen: u16, ports: &[u16], dir: &Path) -> anyhow::Result<String> {
    let (mut upstream, mut target) = (false, false);
    let mut out = String::new();
    for line in conf.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if trimmed.starts_with("resolver ") {
            upstream = true;
            out.push_str(&format!("{indent}upstream api_local {{\n"));
            for port in ports {
                out.push_str(&format!("{indent}    server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;\n"));
            }
            out.push_str(&format!("{indent}}}\n"));
        } else if trimmed.starts_with("resolver_timeout ") {
            // Nothing to resolve on loopback.
        } else if trimmed.starts_with("set $api ") {
            target = true;
            out.push_str(&format!("{indent}set $api api_local;\n"));
        } else if trimmed == "listen 80;" {
            out.push_str(&format!("{indent}listen 127.0.0.1:{listen};\n"));
        } else if trimmed.starts_with("pid ") {
            out.push_str(&format!("{indent}pid {};\n", dir.join("nginx.pid").display()));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !(upstream && target) {
        bail!("deploy/nginx.conf lacks its `resolver` or `set $api` line");
    }
    Ok(out)
}

fn nginx_binary() -> anyhow::Result<PathBuf> {
    let found = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if let Some(path) = found {
        return Ok(path);
    }
    println!("installing nginx-light from Debian's packages");
    let status = Command::new("sh")
        .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null"])
        .status()?;
    if !status.success() {
        bail!("nginx is missing and could not be installed");
    }
    Ok(PathBuf::from("/usr/sbin/nginx"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_nginx_conf_renders_for_three_loopback_replicas() {
        let conf = fs::read_to_string(crate::root().join("deploy/nginx.conf")).unwrap();
        let out = render_nginx(&conf, 18080, &[18081, 18082, 18083], Path::new("/tmp/r")).unwrap();
        assert!(out.contains("upstream api_local {"));
        assert!(out.contains("server 127.0.0.1:18081 max_fails=1 fail_timeout=2s;"));
        assert!(out.contains("server 127.0.0.1:18083 "));
        assert!(out.contains("set $api api_local;") && out.contains("proxy_pass http://$api;"));
        assert!(out.contains("listen 127.0.0.1:18080;") && out.contains("pid /tmp/r/nginx.pid;"));
        assert!(!out.lines().any(|l| l.trim_start().starts_with("resolver")), "no DNS on loopback");
        assert!(!out.contains("api:8080") && !out.contains("listen 80;"));
        assert!(render_nginx("http {}", 1, &[2, 3], Path::new("/tmp")).is_err(), "not the shipped file");
    }
}
