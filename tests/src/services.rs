//! The suite's first check: PostgreSQL and Redis answer. When one does not,
//! the run stops at once with one line saying what to start and how, rather
//! than every test panicking with a connection error.

use std::{io::Write, time::Duration};

use diesel::{Connection, PgConnection};

/// What is wrong, in one line, or `None` when both answer.
pub fn problem(pg_server: &str, redis_url: &str) -> Option<String> {
    let start = "start them with `bash .ci/services.sh` (installs and starts both; `cargo xtask doctor` says what is missing)";
    if let Err(e) = PgConnection::establish(&format!("{pg_server}/postgres?connect_timeout=5")) {
        return Some(format!(
            "PostgreSQL is not answering at {pg_server} (TEST_PG): {}; {start}, or set TEST_PG to a running server",
            one_line(&e.to_string())
        ));
    }
    let redis = redis::Client::open(redis_url)
        .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(5)))
        .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c));
    if let Err(e) = redis {
        return Some(format!(
            "Redis is not answering at {redis_url} (TEST_REDIS): {}; {start}, or set TEST_REDIS to a running server",
            one_line(&e.to_string())
        ));
    }
    None
}

/// Stops the test process with [`problem`]'s line, written past the test
/// harness's output capture so it is shown.
pub fn check() {
    if let Some(line) = problem(&crate::pg_server(), &crate::redis_url()) {
        let _ = writeln!(std::io::stderr(), "\nerror: {line}\n");
        std::process::exit(1);
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    #[test]
    fn a_stopped_postgres_is_one_line_naming_what_to_start() {
        let pg = format!("postgres://postgres@127.0.0.1:{}", closed_port());
        let line = problem(&pg, "redis://127.0.0.1:1").unwrap();
        assert!(line.starts_with(&format!("PostgreSQL is not answering at {pg} (TEST_PG): ")), "{line}");
        assert!(line.contains("bash .ci/services.sh"), "{line}");
        assert_eq!(line.lines().count(), 1, "{line}");
    }

    #[test]
    fn a_stopped_redis_is_one_line_naming_what_to_start() {
        let redis = format!("redis://127.0.0.1:{}", closed_port());
        let line = problem(&crate::pg_server(), &redis).unwrap();
        assert!(line.starts_with(&format!("Redis is not answering at {redis} (TEST_REDIS): ")), "{line}");
        assert!(line.contains("bash .ci/services.sh"), "{line}");
        assert_eq!(line.lines().count(), 1, "{line}");
    }
}
