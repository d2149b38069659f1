//! A PostgreSQL cluster of a test's own, on a spare loopback port, for the
//! faults no test may cause to the shared server: stop, restart, pause
//! (`SIGSTOP` of every process of the cluster) and resume.
//!
//! Needs the server binaries (`initdb`, `pg_ctl`): `PG_BIN`, else
//! `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`. As root,
//! the cluster runs as the `postgres` user (PostgreSQL refuses root).

use std::{
    path::{Path, PathBuf},
    process::Command,
};

pub struct PgCluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// `runuser -u postgres --` when the tests run as root.
    run_as: Option<String>,
}

impl PgCluster {
    /// Makes and starts a fresh cluster (blocking: call it off the async workers).
    pub fn start() -> Self {
        let bin = bin_dir();
        let dir = std::env::temp_dir().join(format!("api-test-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("make the cluster's directory");
        let run_as = is_root().then(|| "postgres".to_owned());
        if let Some(user) = &run_as {
            let uid = id_of(user, "-u");
            let gid = id_of(user, "-g");
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).expect("give the directory to postgres");
        }
        let port = free_port();
        let cluster = Self { bin, dir, port, run_as };
        let data = cluster.data();
        cluster.run("initdb", &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        cluster.pg_ctl("start");
        cluster
    }

    /// A URL for `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub fn stop(&self) {
        self.pg_ctl("stop");
    }

    pub fn start_again(&self) {
        self.pg_ctl("start");
    }

    /// `pg_ctl restart -m fast`: every backend is terminated (57P01).
    pub fn restart(&self) {
        self.pg_ctl("restart");
    }

    /// Freezes the postmaster and every backend: connections stay open and
    /// nothing answers, as with a hung server or a frozen VM.
    pub fn pause(&self) {
        assert!(self.signal("-STOP"), "SIGSTOP the postmaster");
    }

    pub fn resume(&self) {
        assert!(self.signal("-CONT"), "SIGCONT the postmaster");
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn pg_ctl(&self, action: &str) {
        let options =
            format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", self.port, self.dir.display());
        let log = self.dir.join("log").display().to_string();
        let data = self.data();
        let mut args = vec!["-D", &data, "-l", &log, "-w", "-t", "120", "-m", "fast", action];
        if action != "stop" {
            args.extend(["-o", &options]);
        }
        self.run("pg_ctl", &args);
    }

    /// `tool` of the cluster's binaries, run as the cluster's user.
    fn command(&self, tool: &str) -> Command {
        let tool = self.bin.join(tool);
        let mut command = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&tool);
                c
            }
            None => Command::new(&tool),
        };
        command.current_dir(&self.dir);
        command
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self.command(tool).args(args).output().expect("run a PostgreSQL tool");
        let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
        let log_tail: String =
            log.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}{}\nserver log:\n{log_tail}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Sends `signal` to the postmaster and each of its children: when
    /// stopping, the postmaster first (it forks no more); when continuing, it
    /// last. A child may end meanwhile (an exited backend the postmaster
    /// reaps), so only the postmaster's is reported.
    fn signal(&self, signal: &str) -> bool {
        let pid_file = std::fs::read_to_string(self.dir.join("data/postmaster.pid")).unwrap_or_default();
        let Some(postmaster) = pid_file.lines().next().and_then(|l| l.trim().parse::<u32>().ok()) else {
            return false;
        };
        let kill = |pid: u32| {
            Command::new("kill").arg(signal).arg(pid.to_string()).status().is_ok_and(|s| s.success())
        };
        let stopping = signal == "-STOP";
        let first = !stopping || kill(postmaster);
        for child in children_of(postmaster) {
            kill(child);
        }
        first && (stopping || kill(postmaster))
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.dir.join("data/postmaster.pid").exists() {
            let _ = self.signal("-CONT");
            let data = self.data();
            let _ = self.command("pg_ctl").args(["-D", &data, "-m", "immediate", "-w", "stop"]).output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BIN") {
        return PathBuf::from(dir);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect(
        "PostgreSQL's server binaries (initdb, pg_ctl): install the `postgresql` package or set PG_BIN",
    )
}

fn is_root() -> bool {
    id_of("", "-u") == 0
}

/// `id -u` / `id -g` of `user` (the current user when empty).
fn id_of(user: &str, flag: &str) -> u32 {
    let mut command = Command::new("id");
    command.arg(flag);
    if !user.is_empty() {
        command.arg(user);
    }
    let out = command.output().expect("run id");
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("a numeric id")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The processes whose parent is `pid` (from /proc).
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let child: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat =
                std::fs::read_to_string(Path::new("/proc").join(child.to_string()).join("stat")).ok()?;
            // `pid (comm) state ppid ...`: comm may hold spaces, so read after the last ')'.
            let ppid: u32 = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == pid).then_some(child)
        })
        .collect()
}
