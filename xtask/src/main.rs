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

mod bench;
mod chaos;
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

use std::path::PathBuf;

use anyhow::bail;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let mode = if check { codegen::Mode::Check } else { codegen::Mode::Write };
    match args.first().map(String::as_str) {
        Some("spec") => spec::run(&args[1..]),
        Some("clients") => rust_client::generate(mode).and_then(|()| sdk::generate(mode)),
        Some("postman") => postman::generate(mode),
        Some("schema") => schema::dump(mode),
        Some("tools") => tools::print(),
        Some("bench") => bench::run(&args[1..]),
        Some("replicas") => replicas::run(),
        Some("chaos") => chaos::run(&args[1..]),
        Some("crowded") => crowded::run(&args[1..]),
        Some("doctor") => doctor::run(),
        Some("compose-check") => compose_check::run(&args[1..]),
        Some("jpeg") => jpeg::run(&args[1..]),
        Some("layers") => layers::run(&args[1..]),
        _ => bail!(
            "usage: cargo xtask <spec|clients|postman|schema> [--check] | cargo xtask spec <--release|--breaking [git-ref]> \
             | cargo xtask <tools|bench [scenario…]|replicas|chaos|doctor|compose-check> | cargo xtask crowded [--own-cluster] -- <command…> \
             | cargo xtask jpeg WIDTH HEIGHT OUT"
        ),
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
