//! `cargo xtask <task>`: the project's generators and checks.
//!
//! - `spec [--check | --release | --breaking [<git-ref>]]`: `spec/openapi.json`
//!   (and `.yaml`) from the code (no server), `spec/CHANGELOG.md`, releases and
//!   the breaking-change gate (see `spec/mod.rs`).
//! - `clients [--check]`: generates every client under `clients/` from it: Rust
//!   (progenitor), TypeScript (openapi-typescript) and Python (openapi-python-client).
//! - `postman [--check]`: `clients/postman/collection.json` from the spec and the stories.
//! - `schema [--check]`: `spec/schema.sql` (pg_dump) and `api/src/schema.rs`
//!   (diesel print-schema) from a freshly migrated database.
//! - `tools`: installs the pinned Node and Python tools and prints where they are.
//! - `bench [scenario…]`: the benchmark (see `bench/mod.rs`).
//! - `replicas`: three servers behind nginx, checked through it (see `replicas.rs`).
//! - `chaos`: faults under load on a private PostgreSQL and Redis (see `chaos.rs`).
//! - `crowded [--own-cluster] -- <command…>`: a command run while 50 other
//!   connections are held on PostgreSQL (see `crowded.rs`).
//! - `doctor`: what the checks need, present or missing, with the command to fix each.
//! - `layers`: the `api` crate's module graph: no cycle through core, apps
//!   reached only through their list (see `layers.rs`).
//! - `compose-check`: the image and the compose stack run for real: collection
//!   through nginx, a replica down, a rolling update (see `compose_check.rs`).
//!
//! The command line is read strictly first (`cli.rs`): an unknown flag or a
//! stray argument exits with code 2 before any task runs.

mod bench;
mod chaos;
mod cli;
mod codegen;
mod compose_check;
mod crowded;
mod doctor;
mod jpeg;
mod layers;
mod local_api;
mod postman;
mod replicas;
mod rust_client;
mod schema;
mod sdk;
mod spec;
mod tools;

use std::{path::PathBuf, process::ExitCode};

use cli::{SpecArgs, Task};

/// Exit code 2 for a command line the tasks do not take (nothing has run),
/// 1 for a task that failed.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = match cli::parse(&args) {
        Ok(task) => task,
        Err(usage) => {
            eprintln!("error: {usage}");
            return ExitCode::from(2);
        }
    };
    match run(task) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:?}");
            ExitCode::FAILURE
        }
    }
}

fn run(task: Task) -> anyhow::Result<()> {
    match task {
        Task::Spec(SpecArgs::Generate { mode, release }) => spec::run(mode, release),
        Task::Spec(SpecArgs::Breaking { base }) => spec::breaking(base.as_deref()),
        Task::Clients(mode) => rust_client::generate(mode).and_then(|()| sdk::generate(mode)),
        Task::Postman(mode) => postman::generate(mode),
        Task::Schema(mode) => schema::dump(mode),
        Task::Tools => tools::print(),
        Task::Bench(filters) => bench::run(&filters),
        Task::Replicas => replicas::run(),
        Task::Chaos(plan) => chaos::run(plan),
        Task::Crowded(options) => crowded::run(options),
        Task::Doctor => doctor::run(),
        Task::ComposeCheck => compose_check::run(),
        Task::Jpeg { width, height, out } => jpeg::run(width, height, &out),
        Task::Layers => layers::run(),
    }
}

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default()
}

/// The PostgreSQL server the tasks make their scratch databases on (no database
/// name): `TEST_PG`, the one variable every script and test reads.
pub fn test_pg() -> String {
    std::env::var("TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// The Redis the tasks' servers use: `TEST_REDIS`.
pub fn test_redis() -> String {
    std::env::var("TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}
