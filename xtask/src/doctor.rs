//! `cargo xtask doctor`: what `cargo run`, the test command and `.ci/run`
//! need on this machine, each present or missing, with the command that fixes
//! what is missing (Debian's packages; `bash .ci/services.sh` installs them
//! and starts the services). Exits non-zero when something is missing.

use std::{path::Path, process::Command, time::Duration};

use diesel::{Connection, PgConnection};

/// How a missing thing is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// Debian packages to install.
    Apt(&'static [&'static str]),
    /// A command to run as it is.
    Run(&'static str),
}

/// One thing to check: what it is, what needs it, how it is fixed.
struct Check {
    name: &'static str,
    needed_by: &'static str,
    fix: Fix,
    probe: fn() -> Result<String, String>,
}

/// A check's result: what was found, or why it counts as missing.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    Present(String),
    Missing(String),
}

/// The command that fixes `fix`: as root, apt-get itself; otherwise through sudo.
pub fn fix_line(fix: Fix, root: bool) -> String {
    match fix {
        Fix::Apt(packages) => {
            let sudo = if root { "" } else { "sudo " };
            format!("{sudo}apt-get update && {sudo}apt-get install -y {}", packages.join(" "))
        }
        Fix::Run(command) => command.to_owned(),
    }
}

/// `rustc --version` is at least the workspace's `rust-version` (1.95).
pub fn rust_is_recent(version_line: &str) -> bool {
    let Some(version) = version_line.split_whitespace().nth(1) else { return false };
    let mut parts = version.split(['.', '-']).map(|p| p.parse::<u32>().ok());
    matches!((parts.next(), parts.next()), (Some(Some(major)), Some(Some(minor))) if (major, minor) >= (1, 95))
}

/// A probe's outcome as a result: the program's first line when it ran and
/// succeeded, else why not.
pub fn judge(outcome: std::io::Result<std::process::Output>) -> Found {
    match outcome {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Found::Missing("not installed".into()),
        Err(e) => Found::Missing(e.to_string()),
        Ok(out) => {
            let text = if out.stdout.is_empty() { out.stderr } else { out.stdout };
            let first = String::from_utf8_lossy(&text).lines().next().unwrap_or("").trim().to_owned();
            if out.status.success() { Found::Present(first) } else { Found::Missing(first) }
        }
    }
}

fn program(name: &str, args: &[&str]) -> Result<String, String> {
    match judge(Command::new(name).args(args).output()) {
        Found::Present(line) => Ok(line),
        Found::Missing(why) => Err(why),
    }
}

fn rustc() -> Result<String, String> {
    let line = program("rustc", &["--version"])?;
    if rust_is_recent(&line) { Ok(line) } else { Err(format!("{line}: 1.95 or newer is needed")) }
}

fn libpq() -> Result<String, String> {
    let out = Command::new("ldconfig").arg("-p").output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    // The unversioned `libpq.so` is what the linker needs: it comes with libpq-dev.
    text.lines()
        .find(|l| l.trim_start().starts_with("libpq.so "))
        .map(|l| l.trim().to_owned())
        .ok_or_else(|| "libpq.so (the linker's name) not found".into())
}

fn postgres_server_binaries() -> Result<String, String> {
    let dirs = std::env::var("PG_BIN").into_iter().chain(program("pg_config", &["--bindir"]));
    let mut candidates: Vec<String> = dirs.collect();
    let mut versions: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").display().to_string())
        .collect();
    versions.sort();
    candidates.extend(versions.into_iter().rev());
    candidates
        .into_iter()
        .find(|dir| Path::new(dir).join("initdb").exists() && Path::new(dir).join("pg_ctl").exists())
        .map(|dir| format!("initdb and pg_ctl in {dir}"))
        .ok_or_else(|| "no initdb/pg_ctl (PG_BIN, pg_config --bindir, /usr/lib/postgresql/*/bin)".into())
}

fn postgres_answers() -> Result<String, String> {
    let server = crate::test_pg();
    PgConnection::establish(&format!("{server}/postgres?connect_timeout=3"))
        .map(|_| format!("{server} answers (as postgres, no password)"))
        .map_err(|e| format!("{server}: {}", e.to_string().split_whitespace().collect::<Vec<_>>().join(" ")))
}

fn redis_answers() -> Result<String, String> {
    let url = crate::test_redis();
    redis_ping(&url).map(|()| format!("{url} answers PING")).map_err(|e| format!("{url}: {e}"))
}

fn redis_ping(url: &str) -> Result<(), String> {
    use std::io::{Read, Write};
    let address = url.trim_start_matches("redis://").split('/').next().unwrap_or("127.0.0.1:6379");
    let address = address.rsplit('@').next().unwrap_or(address);
    let addr = std::net::ToSocketAddrs::to_socket_addrs(address)
        .map_err(|e| e.to_string())?
        .next()
        .ok_or("no address")?;
    let mut stream =
        std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(3)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(3))).map_err(|e| e.to_string())?;
    stream.write_all(b"PING\r\n").map_err(|e| e.to_string())?;
    let mut answer = [0u8; 64];
    let n = stream.read(&mut answer).map_err(|e| e.to_string())?;
    let answer = String::from_utf8_lossy(&answer[..n]);
    if answer.starts_with("+PONG") { Ok(()) } else { Err(answer.trim().to_owned()) }
}

fn python_venv() -> Result<String, String> {
    program(
        "python3",
        &["-c", "import ensurepip, venv, sys; print('python', sys.version.split()[0], 'with venv')"],
    )
}

fn checks() -> Vec<Check> {
    vec![
        Check {
            name: "rustc 1.95+",
            needed_by: "everything",
            fix: Fix::Run("rustup update stable"),
            probe: rustc,
        },
        Check {
            name: "rustfmt",
            needed_by: ".ci/run (format)",
            fix: Fix::Run("rustup component add rustfmt"),
            probe: || program("cargo", &["fmt", "--version"]),
        },
        Check {
            name: "clippy",
            needed_by: ".ci/run (clippy)",
            fix: Fix::Run("rustup component add clippy"),
            probe: || program("cargo", &["clippy", "--version"]),
        },
        Check {
            name: "libpq (libpq-dev)",
            needed_by: "building the server (Diesel)",
            fix: Fix::Apt(&["libpq-dev"]),
            probe: libpq,
        },
        Check {
            name: "make, pkg-config, OpenSSL headers",
            needed_by: "building the server (jemalloc, Sentry's HTTPS)",
            fix: Fix::Apt(&["build-essential", "pkg-config", "libssl-dev"]),
            probe: || {
                program("pkg-config", &["--modversion", "openssl"])
                    .and_then(|v| program("make", &["--version"]).map(|_| format!("openssl {v}, make")))
            },
        },
        Check {
            name: "PostgreSQL answering at TEST_PG",
            needed_by: "cargo run, cargo test",
            fix: Fix::Run("bash .ci/services.sh"),
            probe: postgres_answers,
        },
        Check {
            name: "Redis answering at TEST_REDIS",
            needed_by: "cargo run, cargo test",
            fix: Fix::Run("bash .ci/services.sh"),
            probe: redis_answers,
        },
        Check {
            name: "PostgreSQL server binaries",
            needed_by: "cargo test (fault tests' own cluster), xtask chaos",
            fix: Fix::Apt(&["postgresql"]),
            probe: postgres_server_binaries,
        },
        Check {
            name: "psql (postgresql-client)",
            needed_by: "xtask schema, .ci/contract.sh, .ci/browser.sh",
            fix: Fix::Apt(&["postgresql-client"]),
            probe: || program("psql", &["--version"]),
        },
        Check {
            name: "redis-server",
            needed_by: "cargo test (own Redis), xtask chaos",
            fix: Fix::Apt(&["redis-server"]),
            probe: || program("redis-server", &["--version"]),
        },
        Check {
            name: "Node.js",
            needed_by: "xtask clients, openapi lint, contract, browser",
            fix: Fix::Apt(&["nodejs", "npm"]),
            probe: || program("node", &["--version"]),
        },
        Check {
            name: "npm",
            needed_by: "xtask clients, openapi lint, contract, browser",
            fix: Fix::Apt(&["nodejs", "npm"]),
            probe: || program("npm", &["--version"]),
        },
        Check {
            name: "Python 3 with venv",
            needed_by: "xtask clients, contract, validate-deploy",
            fix: Fix::Apt(&["python3", "python3-venv", "python3-pip"]),
            probe: python_venv,
        },
        Check {
            name: "nginx",
            needed_by: "xtask replicas, validate-deploy",
            fix: Fix::Apt(&["nginx-light"]),
            probe: || program("nginx", &["-v"]).or_else(|_| program("/usr/sbin/nginx", &["-v"])),
        },
        Check {
            name: "curl",
            needed_by: "contract, browser",
            fix: Fix::Apt(&["curl"]),
            probe: || program("curl", &["--version"]),
        },
        Check {
            name: "git",
            needed_by: "xtask spec --breaking",
            fix: Fix::Apt(&["git"]),
            probe: || program("git", &["--version"]),
        },
    ]
}

fn is_root() -> bool {
    program("id", &["-u"]).is_ok_and(|uid| uid.trim() == "0")
}

/// One report line: `present`/`missing`, the name, what was found or the fix.
pub fn line(name: &str, needed_by: &str, found: &Found, fix: Fix, root: bool) -> String {
    match found {
        Found::Present(what) => format!("present  {name:<36} {what}"),
        Found::Missing(why) => {
            format!("missing  {name:<36} {why}\n         needed by {needed_by}; fix: {}", fix_line(fix, root))
        }
    }
}

pub fn run() -> anyhow::Result<()> {
    let root = is_root();
    let mut missing = 0;
    for check in checks() {
        let found = match (check.probe)() {
            Ok(what) => Found::Present(what),
            Err(why) => Found::Missing(why),
        };
        missing += usize::from(matches!(found, Found::Missing(_)));
        println!("{}", line(check.name, check.needed_by, &found, check.fix, root));
    }
    if missing > 0 {
        let how = if root { "" } else { " (as root: apt-get needs it; `sudo bash .ci/services.sh`)" };
        anyhow::bail!(
            "{missing} missing: `bash .ci/services.sh` installs all of them from Debian's packages{how}"
        );
    }
    println!("everything `cargo run`, `cargo test --workspace` and `bash .ci/run` need is here");
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    use super::*;

    fn output(code: i32, stdout: &str, stderr: &str) -> std::io::Result<std::process::Output> {
        Ok(std::process::Output {
            status: std::process::ExitStatus::from_raw(code << 8),
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
        })
    }

    #[test]
    fn a_program_that_ran_is_present_with_its_first_line() {
        assert_eq!(
            judge(output(0, "psql (PostgreSQL) 15.8\nmore", "")),
            Found::Present("psql (PostgreSQL) 15.8".into())
        );
        assert_eq!(
            judge(output(0, "", "nginx version: nginx/1.22.1\n")),
            Found::Present("nginx version: nginx/1.22.1".into()),
            "nginx -v writes to stderr"
        );
    }

    #[test]
    fn a_program_absent_or_failing_is_missing_with_why() {
        let absent = Err(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert_eq!(judge(absent), Found::Missing("not installed".into()));
        assert_eq!(
            judge(output(1, "", "ModuleNotFoundError: No module named 'ensurepip'\n")),
            Found::Missing("ModuleNotFoundError: No module named 'ensurepip'".into()),
            "Debian's python3 without python3-venv"
        );
    }

    #[test]
    fn rust_older_than_the_workspace_is_missing() {
        assert!(rust_is_recent("rustc 1.95.0 (59807616e 2026-04-14)"));
        assert!(rust_is_recent("rustc 1.96.0-nightly (abc 2026-05-01)"));
        assert!(rust_is_recent("rustc 2.0.0"));
        assert!(!rust_is_recent("rustc 1.80.1 (3f5fd8dd4 2024-08-06)"));
        assert!(!rust_is_recent("garbage"));
    }

    #[test]
    fn the_fix_is_apt_get_as_root_and_sudo_otherwise() {
        let node = Fix::Apt(&["nodejs", "npm"]);
        assert_eq!(fix_line(node, true), "apt-get update && apt-get install -y nodejs npm");
        assert_eq!(fix_line(node, false), "sudo apt-get update && sudo apt-get install -y nodejs npm");
        assert_eq!(fix_line(Fix::Run("bash .ci/services.sh"), false), "bash .ci/services.sh");
    }

    #[test]
    fn a_missing_line_says_what_needs_it_and_how_to_fix_it() {
        let text = line(
            "npm",
            "contract",
            &Found::Missing("not installed".into()),
            Fix::Apt(&["nodejs", "npm"]),
            true,
        );
        assert!(text.starts_with("missing  npm"), "{text}");
        assert!(
            text.contains("needed by contract; fix: apt-get update && apt-get install -y nodejs npm"),
            "{text}"
        );
        let text = line("npm", "contract", &Found::Present("10.8.2".into()), Fix::Apt(&["npm"]), true);
        assert!(
            text.starts_with("present  npm") && text.ends_with("10.8.2") && !text.contains("fix"),
            "{text}"
        );
    }

    #[test]
    fn every_package_a_check_installs_is_one_services_sh_installs() {
        let script = std::fs::read_to_string(crate::root().join(".ci/services.sh")).unwrap();
        for check in checks() {
            match check.fix {
                Fix::Apt(packages) => {
                    for p in packages {
                        assert!(
                            script.contains(&format!(" {p}")),
                            "{p} ({}) is not installed by services.sh",
                            check.name
                        );
                    }
                }
                Fix::Run(command) if command.starts_with("bash ") => {
                    assert!(crate::root().join(command.trim_start_matches("bash ")).exists());
                }
                Fix::Run(_) => {}
            }
        }
    }
}
