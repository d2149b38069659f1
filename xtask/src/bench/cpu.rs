//! CPU time per request, which the machine's other tenants disturb far less
//! than req/s: the server's utime + stime from `/proc/<pid>/stat`, and that of
//! the PostgreSQL backends serving its database (found by their process
//! title, `postgres: … <user> <database> <host> …`), sampled around each run.
//!
//! The probe is process-wide, set once per server started ([`watch`]), so
//! every `load::run` reports it without each scenario passing it along.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::Instant,
};

use serde::Serialize;

/// The CPU one run cost, per answered request.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Cpu {
    /// The server process (all its threads), µs per request.
    pub server_us: f64,
    /// The PostgreSQL backends connected to the server's database, µs per request.
    pub pg_us: f64,
    /// The load generator itself (this process), µs per request.
    pub client_us: f64,
    /// The 1-minute load average when the run ended (the machine is shared).
    pub load_avg: f64,
}

struct Probe {
    server: u32,
    database: String,
}

static PROBE: Mutex<Option<Probe>> = Mutex::new(None);

/// Measures `server` and the backends on `database` from now on.
pub fn watch(server: u32, database: &str) {
    *PROBE.lock().unwrap_or_else(PoisonError::into_inner) =
        Some(Probe { server, database: database.to_owned() });
}

/// CPU ticks of the server, of each backend, and of this process at one moment.
pub struct Sample {
    server: u64,
    backends: HashMap<u32, u64>,
    client: u64,
    at: Instant,
}

/// Samples the watched server and its backends (`None` when nothing is watched).
pub fn sample() -> Option<Sample> {
    let probe = PROBE.lock().unwrap_or_else(PoisonError::into_inner);
    let probe = probe.as_ref()?;
    Some(Sample {
        server: ticks(probe.server)?,
        backends: backends(&probe.database),
        client: ticks(std::process::id()).unwrap_or(0),
        at: Instant::now(),
    })
}

impl Sample {
    /// What happened since `self`, per request. Backends that started since
    /// count from zero; one that ended meanwhile is lost (the pool keeps its
    /// connections, so this does not happen in steady state).
    pub fn cost(&self, requests: u64) -> Option<Cpu> {
        let now = sample()?;
        let pg: u64 = now
            .backends
            .iter()
            .map(|(pid, t)| t.saturating_sub(self.backends.get(pid).copied().unwrap_or(0)))
            .sum();
        let per = |ticks: u64| ticks_to_us(ticks) / requests.max(1) as f64;
        Some(Cpu {
            server_us: per(now.server.saturating_sub(self.server)),
            pg_us: per(pg),
            client_us: per(now.client.saturating_sub(self.client)),
            load_avg: load_average(),
        })
    }
}

/// A sample of the backends on `database` alone (for pgbench), as a probe.
pub fn sample_database(database: &str) -> Sample {
    Sample { server: 0, backends: backends(database), client: 0, at: Instant::now() }
}

impl Sample {
    /// The CPU (µs) the backends on `database` used since this sample, and
    /// the seconds that covered.
    pub fn database_since(&self, database: &str) -> (f64, f64) {
        let now = backends(database);
        let ticks: u64 =
            now.iter().map(|(pid, t)| t.saturating_sub(self.backends.get(pid).copied().unwrap_or(0))).sum();
        (ticks_to_us(ticks), self.at.elapsed().as_secs_f64())
    }
}

fn ticks_to_us(ticks: u64) -> f64 {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    ticks as f64 * 1e6 / hz
}

/// utime + stime of a process (all its threads, live and ended), in clock ticks.
fn ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: the fields start after its `)`.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); the first after `)` is field 3.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// The PostgreSQL backends connected to `database`, with their ticks.
fn backends(database: &str) -> HashMap<u32, u64> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return HashMap::new() };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| serves(&String::from_utf8_lossy(&c).replace('\0', " "), database))
        })
        .filter_map(|pid| Some((pid, ticks(pid)?)))
        .collect()
}

/// Whether a process title is a backend connected to `database`
/// (`postgres: 15/main: postgres api_bench 127.0.0.1(4242) idle`).
fn serves(title: &str, database: &str) -> bool {
    title.starts_with("postgres: ") && title.split_whitespace().any(|w| w == database)
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backend_is_known_by_its_database_word() {
        assert!(serves("postgres: 15/main: postgres api_bench_1 127.0.0.1(4242) idle", "api_bench_1"));
        assert!(!serves("postgres: 15/main: postgres api_bench_12 127.0.0.1(4242) idle", "api_bench_1"));
        assert!(!serves("postgres: 15/main: checkpointer", "api_bench_1"));
    }

    #[test]
    fn this_process_has_ticks() {
        assert!(ticks(std::process::id()).is_some());
    }
}
