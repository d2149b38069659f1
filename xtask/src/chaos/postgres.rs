//! A PostgreSQL cluster of the run's own: `initdb` into a temporary
//! directory, `pg_ctl` on a spare loopback port, stopped and removed when
//! dropped. Never the shared server: this one is stopped and paused.
//!
//! PostgreSQL refuses to run as root; as root, the cluster belongs to the
//! `postgres` system user and its commands run as that user.

use std::{
    fs,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, bail};

use crate::local_api::free_port;

/// The temporary directory's name, before the pid of the run that made it.
const DIR_PREFIX: &str = "api-chaos-pg-";

pub struct Postgres {
    bin: PathBuf,
    /// The temporary directory: `data/`, the socket and the server log.
    dir: PathBuf,
    pub port: u16,
    /// `Some((uid, gid))` when commands must run as the `postgres` user.
    owner: Option<(u32, u32)>,
    /// Where the server log is copied when the cluster goes.
    logs: PathBuf,
}

impl Postgres {
    /// `initdb` and `pg_ctl start` on a spare port; the server log ends up in `logs`.
    pub fn start(logs: &Path) -> anyhow::Result<Self> {
        Self::start_with(logs, 80)
    }

    /// [`Postgres::start`] with `max_connections` (`cargo xtask crowded` uses
    /// PostgreSQL's default, 100).
    pub fn start_with(logs: &Path, max_connections: u32) -> anyhow::Result<Self> {
        let bin = bin_dir()?;
        reap_leftovers(&bin);
        let dir = std::env::temp_dir().join(format!("{DIR_PREFIX}{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir)?;
        let owner = if is_root() { Some(postgres_user()?) } else { None };
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))?;
        }
        let cluster = Self { bin, dir, port: free_port()?, owner, logs: logs.to_owned() };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &["-D", path(&data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
        )?;
        // Small and quick: a clean stop flushes everything, so fsync buys nothing here.
        let settings = format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\n\
             max_connections = {max_connections}\nshared_buffers = 32MB\nfsync = off\nfull_page_writes = off\n",
            cluster.port,
            cluster.dir.display()
        );
        let conf = data.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf)?;
        text.push_str(&settings);
        fs::write(&conf, text)?;
        cluster.start_again()?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The server's URL, without a database.
    pub fn server_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    /// Runs one of PostgreSQL's programs (as the cluster's owner).
    fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let mut command = Command::new(self.bin.join(program));
        command.args(args).current_dir(&self.dir);
        if let Some((uid, gid)) = self.owner {
            command.uid(uid).gid(gid);
        }
        let out = command.output().with_context(|| format!("run {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} {} failed: {}{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    /// `pg_ctl start`, waiting until it accepts connections.
    pub fn start_again(&self) -> anyhow::Result<()> {
        let log = self.dir.join("postgres.log");
        self.run("pg_ctl", &["-D", path(&self.data()), "-l", path(&log), "-w", "-t", "60", "start"])
    }

    /// `pg_ctl stop -m fast`: sessions are ended, the server shuts down cleanly.
    pub fn stop(&self) -> anyhow::Result<()> {
        self.run("pg_ctl", &["-D", path(&self.data()), "-m", "fast", "-w", "stop"])
    }

    /// Freezes the postmaster and every process it started (`SIGSTOP`) until
    /// the guard is dropped (`SIGCONT`): a hung server, sockets open.
    pub fn pause(&self) -> anyhow::Result<Paused> {
        let postmaster = self.postmaster_pid()?;
        signal("STOP", &[postmaster])?;
        // Listed after the postmaster stopped: it forks no one in between.
        let children = children_of(postmaster);
        let paused = Paused { pids: std::iter::once(postmaster).chain(children.iter().copied()).collect() };
        signal("STOP", &children)?;
        Ok(paused)
    }

    fn postmaster_pid(&self) -> anyhow::Result<u32> {
        let text =
            fs::read_to_string(self.data().join("postmaster.pid")).context("is the cluster running?")?;
        text.lines().next().and_then(|l| l.trim().parse().ok()).context("postmaster.pid has no pid")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Ok(pid) = self.postmaster_pid() {
            let _ = signal("CONT", &std::iter::once(pid).chain(children_of(pid)).collect::<Vec<_>>());
        }
        let _ = self.run("pg_ctl", &["-D", path(&self.data()), "-m", "immediate", "-w", "stop"]);
        let _ = fs::copy(self.dir.join("postgres.log"), self.logs.join("postgres.log"));
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Processes frozen by [`Postgres::pause`]; dropping it lets them run again.
pub struct Paused {
    pids: Vec<u32>,
}

impl Drop for Paused {
    fn drop(&mut self) {
        let _ = signal("CONT", &self.pids);
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

/// Stops and removes the clusters of earlier runs that died without doing it
/// (killed outright: `pg_ctl` detaches the server, so it outlives them).
fn reap_leftovers(bin: &Path) {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) =
            name.to_str().and_then(|n| n.strip_prefix(DIR_PREFIX)).and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue; // its run is still going
        }
        let data = entry.path().join("data");
        if data.join("postmaster.pid").exists() {
            let mut command = Command::new(bin.join("pg_ctl"));
            command.arg("-D").arg(&data).args(["-m", "immediate", "-w", "stop"]).current_dir(entry.path());
            if is_root()
                && let Ok((uid, gid)) = postgres_user()
            {
                command.uid(uid).gid(gid);
            }
            let _ = command.output();
        }
        println!("removed the PostgreSQL cluster an earlier run left in {}", entry.path().display());
        let _ = fs::remove_dir_all(entry.path());
    }
}

/// `kill -<sig>` to each pid (one command for all).
fn signal(sig: &str, pids: &[u32]) -> anyhow::Result<()> {
    if pids.is_empty() {
        return Ok(());
    }
    let status = Command::new("kill")
        .arg(format!("-{sig}"))
        .args(pids.iter().map(u32::to_string))
        .status()
        .context("run kill")?;
    if !status.success() {
        bail!("kill -{sig} {pids:?} failed");
    }
    Ok(())
}

/// The pids whose parent is `parent`, from `/proc`.
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            // `pid (comm) state ppid ...`: the name may hold spaces, so read after its last `)`.
            fs::read_to_string(format!("/proc/{pid}/stat")).ok().is_some_and(|stat| {
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                    == Some(parent)
            })
        })
        .collect()
}

/// `$PG_BIN`, else the newest `/usr/lib/postgresql/*/bin` with `initdb`.
fn bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL's programs are not in /usr/lib/postgresql (set PG_BIN)")?
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).context("no initdb under /usr/lib/postgresql/*/bin (set PG_BIN)")
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("Uid:")).map(|l| l.split_whitespace().next() == Some("0"))
        })
        .unwrap_or(false)
}

/// The `postgres` user's uid and gid, from `/etc/passwd`.
fn postgres_user() -> anyhow::Result<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd")?;
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.first() == Some(&"postgres"))
                .then(|| Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?)))?
        })
        .context("running as root, and there is no `postgres` user to run PostgreSQL as")
}
