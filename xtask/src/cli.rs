//! The command line, read strictly before any task runs: an unknown flag or a
//! stray argument is a usage error (exit code 2) and nothing is written.
//! Before, `cargo xtask spec --chek` rewrote the spec as if no flag were given.
//!
//! A small parser rather than clap: clap is not a dependency, and each task
//! takes at most a few flags.

use std::fmt;

use crate::codegen::Mode;

/// One task with its options, as the command line asked.
#[derive(Debug, PartialEq)]
pub enum Task {
    Spec(SpecArgs),
    Clients(Mode),
    Postman(Mode),
    Schema(Mode),
    Tools,
    Bench(Vec<String>),
    Replicas,
    Chaos(crate::chaos::Plan),
    Crowded(crate::crowded::Options),
    Doctor,
    /// `layers`: the module graph check.
    Layers,
    ComposeCheck,
    Jpeg {
        width: u16,
        height: u16,
        out: String,
    },
}

/// `spec [--check] [--release]` or `spec --breaking [<git-ref>]`.
#[derive(Debug, PartialEq)]
pub enum SpecArgs {
    Generate { mode: Mode, release: bool },
    Breaking { base: Option<String> },
}

/// A command line that names no task, or a task with what it does not take.
#[derive(Debug, PartialEq)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n\n{USAGE}", self.0)
    }
}

pub const USAGE: &str = "usage:
  cargo xtask spec [--check] [--release]
  cargo xtask spec --breaking [<git-ref>]
  cargo xtask clients|postman|schema [--check]
  cargo xtask tools|replicas|doctor|layers|compose-check
  cargo xtask bench [scenario…]        (scenarios: list read write money login limiter, by prefix)
  cargo xtask bench large | chart DATE  (the 10^7-row /todo run; redraw a results file's chart)
  cargo xtask chaos [--rate CALLS_PER_SECOND] [--pause SECONDS]
  cargo xtask crowded [--own-cluster] [--max-connections N] [--hold N] -- <command…>
  cargo xtask jpeg WIDTH HEIGHT OUT";

fn unknown(task: &str, arg: &str) -> Usage {
    Usage(format!("`cargo xtask {task}` does not take `{arg}`"))
}

/// The arguments after `cargo xtask`.
pub fn parse(args: &[String]) -> Result<Task, Usage> {
    let Some((task, rest)) = args.split_first() else {
        return Err(Usage("no task given".into()));
    };
    let task = task.as_str();
    match task {
        "spec" => spec(rest).map(Task::Spec),
        "clients" => check_only(task, rest).map(Task::Clients),
        "postman" => check_only(task, rest).map(Task::Postman),
        "schema" => check_only(task, rest).map(Task::Schema),
        "tools" => no_args(task, rest).map(|()| Task::Tools),
        "replicas" => no_args(task, rest).map(|()| Task::Replicas),
        "doctor" => no_args(task, rest).map(|()| Task::Doctor),
        "layers" => no_args(task, rest).map(|()| Task::Layers),
        "compose-check" => no_args(task, rest).map(|()| Task::ComposeCheck),
        "bench" => bench(rest).map(Task::Bench),
        "chaos" => crate::chaos::Plan::parse(rest).map(Task::Chaos).map_err(|e| Usage(format!("{e:#}"))),
        "crowded" => crate::crowded::options(rest).map(Task::Crowded).map_err(|e| Usage(format!("{e:#}"))),
        "jpeg" => jpeg(rest),
        other => Err(Usage(format!("unknown task `{other}`"))),
    }
}

/// The tasks that take nothing.
fn no_args(task: &str, rest: &[String]) -> Result<(), Usage> {
    rest.first().map_or(Ok(()), |arg| Err(unknown(task, arg)))
}

/// The generators' only flag.
fn check_only(task: &str, rest: &[String]) -> Result<Mode, Usage> {
    let mut mode = Mode::Write;
    for arg in rest {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            other => return Err(unknown(task, other)),
        }
    }
    Ok(mode)
}

fn spec(rest: &[String]) -> Result<SpecArgs, Usage> {
    if rest.first().is_some_and(|a| a == "--breaking") {
        let mut rest = rest[1..].iter().peekable();
        let base = rest.next_if(|a| !a.starts_with('-')).cloned();
        return match rest.next() {
            Some(arg) => Err(unknown("spec --breaking", arg)),
            None => Ok(SpecArgs::Breaking { base }),
        };
    }
    let (mut mode, mut release) = (Mode::Write, false);
    for arg in rest {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "--release" => release = true,
            "--breaking" => {
                return Err(Usage(
                    "`--breaking` comes alone: `cargo xtask spec --breaking [<git-ref>]`".into(),
                ));
            }
            other => return Err(unknown("spec", other)),
        }
    }
    Ok(SpecArgs::Generate { mode, release })
}

fn bench(rest: &[String]) -> Result<Vec<String>, Usage> {
    // Modes of their own, not scenario filters (see `bench/mod.rs`).
    match rest {
        [mode] if mode == "large" => return Ok(rest.to_vec()),
        [mode, date] if mode == "chart" && !date.is_empty() => return Ok(rest.to_vec()),
        _ => {}
    }
    for filter in rest {
        if !crate::bench::SCENARIOS.iter().any(|s| s.starts_with(filter.as_str())) || filter.is_empty() {
            return Err(Usage(format!(
                "`cargo xtask bench`: `{filter}` names no scenario (scenarios: {})",
                crate::bench::SCENARIOS.join(" ")
            )));
        }
    }
    Ok(rest.to_vec())
}

fn jpeg(rest: &[String]) -> Result<Task, Usage> {
    let [width, height, out] = rest else {
        return Err(Usage("`cargo xtask jpeg` takes WIDTH HEIGHT OUT".into()));
    };
    let size = |v: &str, name: &str| {
        v.parse::<u16>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| Usage(format!("`cargo xtask jpeg`: {name} must be 1 to 65535, not `{v}`")))
    };
    if out.starts_with('-') {
        return Err(unknown("jpeg", out));
    }
    Ok(Task::Jpeg { width: size(width, "WIDTH")?, height: size(height, "HEIGHT")?, out: out.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_line(line: &str) -> Result<Task, Usage> {
        parse(&line.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    fn refused(line: &str) -> String {
        match parse_line(line) {
            Err(Usage(message)) => message,
            Ok(task) => panic!("`{line}` was accepted as {task:?}"),
        }
    }

    #[test]
    fn a_misspelt_flag_is_refused_by_every_task() {
        assert_eq!(refused("spec --chek"), "`cargo xtask spec` does not take `--chek`");
        for task in ["clients", "postman", "schema", "tools", "replicas", "doctor", "layers", "compose-check"]
        {
            assert_eq!(
                refused(&format!("{task} --chek")),
                format!("`cargo xtask {task}` does not take `--chek`")
            );
        }
        assert_eq!(refused("clients --check --chek"), "`cargo xtask clients` does not take `--chek`");
        assert_eq!(
            refused("spec --breaking main --chek"),
            "`cargo xtask spec --breaking` does not take `--chek`"
        );
        assert_eq!(refused("spec --breaking --chek"), "`cargo xtask spec --breaking` does not take `--chek`");
        assert!(refused("bench --chek").contains("`--chek` names no scenario"));
        assert!(refused("chaos --chek").contains("unknown `--chek`"));
        assert!(refused("crowded --chek -- true").contains("unknown option `--chek`"));
        assert_eq!(refused("jpeg 10 10 --chek"), "`cargo xtask jpeg` does not take `--chek`");
        assert_eq!(refused("jpeg 10 10 out.jpg --chek"), "`cargo xtask jpeg` takes WIDTH HEIGHT OUT");
        assert_eq!(
            refused("spec --check --breaking"),
            "`--breaking` comes alone: `cargo xtask spec --breaking [<git-ref>]`"
        );
        assert_eq!(refused("spek"), "unknown task `spek`");
        assert_eq!(refused(""), "no task given");
    }

    #[test]
    fn the_documented_lines_are_accepted() {
        let spec = |mode, release| Ok(Task::Spec(SpecArgs::Generate { mode, release }));
        assert_eq!(parse_line("spec"), spec(Mode::Write, false));
        assert_eq!(parse_line("spec --check"), spec(Mode::Check, false));
        assert_eq!(parse_line("spec --release"), spec(Mode::Write, true));
        assert_eq!(parse_line("spec --breaking"), Ok(Task::Spec(SpecArgs::Breaking { base: None })));
        assert_eq!(
            parse_line("spec --breaking origin/main"),
            Ok(Task::Spec(SpecArgs::Breaking { base: Some("origin/main".into()) }))
        );
        assert_eq!(parse_line("clients --check"), Ok(Task::Clients(Mode::Check)));
        assert_eq!(parse_line("postman"), Ok(Task::Postman(Mode::Write)));
        assert_eq!(parse_line("schema --check"), Ok(Task::Schema(Mode::Check)));
        assert_eq!(parse_line("bench list mo"), Ok(Task::Bench(vec!["list".into(), "mo".into()])));
        assert_eq!(parse_line("bench large"), Ok(Task::Bench(vec!["large".into()])));
        assert_eq!(
            parse_line("bench chart 2026-11-30"),
            Ok(Task::Bench(vec!["chart".into(), "2026-11-30".into()]))
        );
        assert_eq!(
            parse_line("jpeg 64 48 a.jpg"),
            Ok(Task::Jpeg { width: 64, height: 48, out: "a.jpg".into() })
        );
        assert!(matches!(parse_line("chaos --rate 50"), Ok(Task::Chaos(_))));
        assert!(matches!(parse_line("crowded --own-cluster -- cargo test --x"), Ok(Task::Crowded(_))));
        assert_eq!(parse_line("doctor"), Ok(Task::Doctor));
    }
}
