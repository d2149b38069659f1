//! Nothing a test made outlives it. A test's database and Redis keys go when
//! its last server drops, after a panic too (`TestResources`); a run killed
//! outright (Ctrl-C, a CI timeout) leaves its databases, which the next run
//! on this host drops: each name carries the host, the process id and the
//! process's start time, so a database is dropped only when the process that
//! made it is gone (never another live run's, nor another host's).

use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};

const PREFIX: &str = "api_test_r";

/// `api_test_r<host>_<pid>_<start>_<random>`: at most 63 bytes, PostgreSQL's limit.
pub fn database_name() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{PREFIX}{}_{}_{}_{}",
        host_tag(),
        std::process::id(),
        start_time(std::process::id()).unwrap_or(0),
        &id[..12]
    )
}

/// Who made a test database, read back from its name.
#[derive(Debug, PartialEq, Eq)]
pub struct Maker {
    pub host: String,
    pub pid: u32,
    pub start: u64,
}

pub fn maker(name: &str) -> Option<Maker> {
    let mut parts = name.strip_prefix(PREFIX)?.split('_');
    let host = parts.next()?.to_owned();
    let pid = parts.next()?.parse().ok()?;
    let start = parts.next()?.parse().ok()?;
    parts.next()?;
    Some(Maker { host, pid, start })
}

/// True when `maker` ran on this host and is no longer running.
pub fn is_stale(maker: &Maker, host: &str, alive: impl Fn(u32) -> Option<u64>) -> bool {
    maker.host == host && alive(maker.pid) != Some(maker.start)
}

/// Drops the test databases of this host's dead runs.
pub fn sweep() {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let Ok(mut admin) = PgConnection::establish(&format!("{}/postgres", crate::pg_server())) else {
        return;
    };
    let names = diesel::sql_query(format!("SELECT datname FROM pg_database WHERE datname LIKE '{PREFIX}%'"))
        .load::<Name>(&mut admin)
        .unwrap_or_default();
    let host = host_tag();
    for name in names {
        if maker(&name.datname).is_some_and(|m| is_stale(&m, &host, start_time)) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", name.datname))
                .execute(&mut admin);
        }
    }
}

/// Deletes every key under `prefix` (a test's `REDIS_KEY_PREFIX`). The
/// server's keys all expire anyway; this leaves nothing even for a moment.
pub fn delete_keys(redis_url: &str, prefix: &str) {
    let Ok(client) = redis::Client::open(redis_url) else { return };
    let Ok(mut conn) = client.get_connection_with_timeout(Duration::from_secs(2)) else { return };
    let keys: Vec<String> = match redis::Commands::scan_match(&mut conn, format!("{prefix}*")) {
        Ok(keys) => keys.filter_map(Result::ok).collect(),
        Err(_) => return,
    };
    if !keys.is_empty() {
        let _: redis::RedisResult<()> = redis::cmd("UNLINK").arg(&keys).query(&mut conn);
    }
}

/// Eight hex digits of the host name: names stay short and shell-safe.
fn host_tag() -> String {
    use std::hash::{Hash, Hasher};
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    name.trim().hash(&mut hasher);
    format!("{:08x}", hasher.finish() as u32)
}

/// A process's start time (clock ticks after boot, `/proc/<pid>/stat`'s 22nd
/// field), which a reused pid does not share; `None` when it is not running.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces: count from after its ')'.
    stat.rsplit_once(')')?.1.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_says_who_made_it_and_fits_postgres() {
        let name = database_name();
        assert!(name.len() <= 63, "{name}");
        let m = maker(&name).unwrap();
        assert_eq!(m.pid, std::process::id());
        assert_eq!(Some(m.start), start_time(m.pid));
        assert!(!is_stale(&m, &host_tag(), start_time), "this process is alive");
    }

    #[test]
    fn only_this_hosts_dead_runs_are_stale() {
        let m = Maker { host: "0000beef".into(), pid: 42, start: 7 };
        assert!(is_stale(&m, "0000beef", |_| None), "gone");
        assert!(is_stale(&m, "0000beef", |_| Some(8)), "pid reused by a later process");
        assert!(!is_stale(&m, "0000beef", |_| Some(7)), "still running");
        assert!(!is_stale(&m, "0000cafe", |_| None), "another host's");
        assert_eq!(maker("api_test_tpl_0123456789abcdef"), None, "templates are not runs");
        assert_eq!(maker("api_test_0123456789abcdef0123456789abcdef"), None, "older names are left alone");
    }
}
