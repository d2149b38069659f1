//! `cargo xtask crowded [--own-cluster] [--max-connections N] [--hold N] -- <command…>`:
//! runs a command (CI: the README's test command) while another client holds
//! connections on its PostgreSQL, to show that the suite passes on a server
//! with PostgreSQL's default `max_connections = 100` shared with others.
//!
//! With `--own-cluster` the server is a fresh cluster of the run's own with
//! `max_connections` set (default 100), handed to the command as `TEST_PG`,
//! so the scenario holds whatever the shared server's setting; without it,
//! the connections are held on `TEST_PG` itself. `--hold` (default 50)
//! connections stay open, idle, for the whole command, and are checked still
//! open afterwards.

use std::process::Command;

use anyhow::{Context, bail};
use diesel::{Connection, PgConnection, RunQueryDsl};

use crate::chaos::postgres::Postgres;

#[derive(Debug, PartialEq)]
pub struct Options {
    own_cluster: bool,
    max_connections: u32,
    hold: u32,
    command: Vec<String>,
}

pub fn options(args: &[String]) -> anyhow::Result<Options> {
    let mut o = Options { own_cluster: false, max_connections: 100, hold: 50, command: Vec::new() };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> anyhow::Result<u32> {
            it.next().and_then(|v| v.parse().ok()).with_context(|| format!("{name} takes a number"))
        };
        match arg.as_str() {
            "--own-cluster" => o.own_cluster = true,
            "--max-connections" => o.max_connections = number("--max-connections")?,
            "--hold" => o.hold = number("--hold")?,
            "--" => {
                o.command = it.by_ref().cloned().collect();
            }
            other => bail!("unknown option `{other}`"),
        }
    }
    if o.command.is_empty() {
        bail!("usage: cargo xtask crowded [--own-cluster] [--max-connections N] [--hold N] -- <command…>");
    }
    Ok(o)
}

#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    max_connections: String,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

const APPLICATION: &str = "xtask-crowded";

pub fn run(o: Options) -> anyhow::Result<()> {
    let logs = crate::root().join("target").join("crowded");
    std::fs::create_dir_all(&logs)?;
    let cluster = if o.own_cluster { Some(Postgres::start_with(&logs, o.max_connections)?) } else { None };
    let server = cluster.as_ref().map_or_else(crate::test_pg, Postgres::server_url);
    let url = format!("{server}/postgres?application_name={APPLICATION}");
    let held: Vec<PgConnection> = (0..o.hold)
        .map(|i| PgConnection::establish(&url).with_context(|| format!("hold connection {}", i + 1)))
        .collect::<anyhow::Result<_>>()?;
    let mut probe = PgConnection::establish(&url)?;
    let max: Setting = diesel::sql_query("SELECT current_setting('max_connections') AS max_connections")
        .get_result(&mut probe)?;
    let in_use: Count =
        diesel::sql_query("SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'")
            .get_result(&mut probe)?;
    drop(probe);
    println!(
        "crowded: {} connections held on {server} (max_connections {}, {} client connections open) while running: {}",
        held.len(),
        max.max_connections,
        in_use.n,
        o.command.join(" ")
    );
    let mut command = Command::new(&o.command[0]);
    command.args(&o.command[1..]);
    if cluster.is_some() {
        command.env("TEST_PG", &server);
    }
    let status = command.status().with_context(|| format!("run {}", o.command[0]))?;
    let still: Count = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = '{APPLICATION}'"
    ))
    .get_result(&mut PgConnection::establish(&url)?)?;
    // The check's own connection is one of them.
    if still.n - 1 != i64::from(o.hold) {
        bail!("only {} of the {} held connections were still open at the end", still.n - 1, o.hold);
    }
    drop(held);
    if !status.success() {
        bail!("`{}` failed ({status}) with {} connections held", o.command.join(" "), o.hold);
    }
    println!("crowded: passed with {} connections held throughout", o.hold);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn options_default_to_fifty_held_of_a_hundred() {
        let o = options(&args(&["--", "cargo", "test", "--workspace"])).unwrap();
        assert_eq!((o.own_cluster, o.max_connections, o.hold), (false, 100, 50));
        assert_eq!(o.command, args(&["cargo", "test", "--workspace"]));
        let o = options(&args(&["--own-cluster", "--hold", "10", "--", "true"])).unwrap();
        assert!(o.own_cluster);
        assert_eq!(o.hold, 10);
        assert!(options(&args(&["--hold", "many", "--", "true"])).is_err());
        assert!(options(&args(&["--own-cluster"])).is_err(), "a command is required");
    }
}
